/**
 * How a resource waits, through the provider with an in-memory API on the fake clock: a resumed wait keeps the
 * pace of the operation's age, and a token that cannot be refreshed is called out before and during the wait.
 */

import { StaticTokenProvider } from "../../provider/core/auth";
import type { HttpRequest, HttpResponse } from "../../provider/core/http";
import { OfferGoLiveProvider, ResourceInitError } from "../../provider/resources";
import { FakeClock } from "../support/fake-clock";

const ENDPOINT = "https://cpp.example";
const LOCATION = `${ENDPOINT}/api/publishers/contoso/offers/o/operations/op-1?api-version=2017-10-31`;
const inputs = {
  publisherId: "contoso",
  offerId: "o",
  endpoint: ENDPOINT,
  pollIntervalSeconds: 60,
  maxPollIntervalSeconds: 900,
  timeoutSeconds: 7 * 24 * 3600,
};

/** A JWT (unsigned: only its payload matters here) that expires at `expMs`. */
function jwt(expMs: number): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "none" })}.${part({ exp: Math.floor(expMs / 1000), aud: "x" })}.c2ln`;
}

/** An API whose operation answers `answers` in turn (the last repeats); records when each poll came. */
function api(clock: FakeClock, answers: Array<{ status: number; body: object }>) {
  const polls: number[] = [];
  const transport = {
    async send(request: HttpRequest): Promise<HttpResponse> {
      expect(request.url).toBe(LOCATION);
      polls.push(clock.now());
      const answer = answers[Math.min(polls.length - 1, answers.length - 1)] as (typeof answers)[number];
      return { status: answer.status, headers: {}, body: JSON.stringify(answer.body) };
    },
  };
  return { transport, polls };
}

async function savedState(provider: OfferGoLiveProvider, extra: Record<string, unknown>) {
  const { inputs: checked } = await provider.check({}, inputs);
  return { ...checked, operationLocation: LOCATION, status: "running", steps: [], messages: [], ...extra };
}

test("a wait resumed two days into a go-live polls at its 10%-of-age pace (capped), not at 60 s again", async () => {
  const clock = new FakeClock();
  const { transport, polls } = api(clock, [
    { status: 200, body: { status: "running" } },
    { status: 200, body: { status: "running" } },
    { status: 200, body: { status: "succeeded" } },
  ]);
  const provider = new OfferGoLiveProvider({
    transport,
    clock,
    tokenProvider: new StaticTokenProvider("opaque-token"),
    log: () => {},
  });
  const startedAt = new Date(clock.now() - 2 * 24 * 3_600_000).toISOString();
  const { outs } = await provider.update("id", await savedState(provider, { startedAt }), inputs);
  expect(outs.status).toBe("succeeded");
  // The saved start is kept, not reset by the resume.
  expect(outs.startedAt).toBe(startedAt);
  expect(polls.slice(1).map((at, i) => at - (polls[i] as number))).toEqual([900_000, 900_000]);
});

describe("a token that cannot be refreshed", () => {
  test("a JWT expiring before the wait could end: said once at the start, with no token content", async () => {
    const clock = new FakeClock();
    const token = jwt(clock.now() + 3_600_000);
    const lines: string[] = [];
    const { transport } = api(clock, [
      { status: 200, body: { status: "running" } },
      { status: 200, body: { status: "succeeded" } },
    ]);
    const provider = new OfferGoLiveProvider({
      transport,
      clock,
      tokenProvider: new StaticTokenProvider(token, "CLOUDPARTNER_ACCESS_TOKEN"),
      log: (line) => lines.push(line),
    });
    await provider.update(
      "id",
      await savedState(provider, { startedAt: new Date(clock.now()).toISOString() }),
      inputs,
    );
    const warnings = lines.filter((line) => line.includes("cannot be refreshed"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /The access token from CLOUDPARTNER_ACCESS_TOKEN expires at 2026-11-25T01:00:00\.000Z, before this wait could end.*AZURE_TENANT_ID/,
    );
    expect(lines.indexOf(warnings[0] as string)).toBe(1); // right after "resuming ..."
    for (const part of token.split(".")) expect(lines.join("\n")).not.toContain(part);
  });

  test("no warning when the JWT outlives the wait, or for an Azure AD credential", async () => {
    const clock = new FakeClock();
    for (const tokenProvider of [
      new StaticTokenProvider(jwt(clock.now() + 8 * 24 * 3_600_000)),
      { source: "Azure AD credential", canRefresh: true, getToken: async () => jwt(clock.now() + 60_000) },
    ]) {
      const lines: string[] = [];
      const { transport } = api(clock, [{ status: 200, body: { status: "succeeded" } }]);
      const provider = new OfferGoLiveProvider({
        transport,
        clock,
        tokenProvider,
        log: (l) => lines.push(l),
      });
      await provider.update(
        "id",
        await savedState(provider, { startedAt: new Date(clock.now()).toISOString() }),
        inputs,
      );
      expect(lines.join("\n")).not.toMatch(/cannot be refreshed/);
    }
  });

  test("refused mid-wait: partial state saved, the message says the token expired or was revoked and how to resume", async () => {
    const clock = new FakeClock();
    const { transport } = api(clock, [
      { status: 200, body: { status: "running" } },
      { status: 401, body: { error: { code: "Unauthorized", message: "Token expired" } } },
    ]);
    const provider = new OfferGoLiveProvider({
      transport,
      clock,
      tokenProvider: new StaticTokenProvider("opaque-token", "explicit token"),
      log: () => {},
    });
    const error = await provider
      .update("id", await savedState(provider, { startedAt: new Date(clock.now()).toISOString() }), inputs)
      .catch((e) => e);
    expect(error).toBeInstanceOf(ResourceInitError);
    expect(error.message).toMatch(
      /^The access token from explicit token was refused \(HTTP 401: Token expired\) while waiting for the go-live of contoso\/o: it has expired or been revoked.*get a new token and run `pulumi up` again with it to resume waiting.*AZURE_CLIENT_SECRET/,
    );
    expect(error.properties).toMatchObject({ status: "running", operationLocation: LOCATION });
  });
});
