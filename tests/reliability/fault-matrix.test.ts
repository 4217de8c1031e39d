/**
 * Fault matrix: every fault the simulator can inject, driven through the real provider (the serialized thin
 * provider inside Pulumi's dynamic provider host, over gRPC), asserting the outcome, how many go-live POSTs
 * the API processed, how many go-lives started, and the error text where the deployment fails.
 *
 * `RELIABILITY_REPORT_DIR=dir npx jest tests/reliability/fault-matrix.test.ts` also writes the results as a
 * markdown table to dir/fault-matrix.md; nothing is printed.
 */

import type { CppSimulator, Fault, OfferSeed } from "../../emulator/server";
import { CredentialTokenProvider } from "../../provider/core/auth";
import { PooledTransport } from "../../provider/core/http";
import { OfferGoLiveProvider } from "../../provider/resources";
import { clientFor, goLiveInputs, withSimulator } from "../support/harness";
import { decodeInitError, ProviderHost, serializedProvider } from "../support/provider-host";
import {
  CANARY,
  checkAndCreate,
  expectMatrixRow,
  type Props,
  runMatrixDeployment,
  waitFor,
  writeMatrixReport,
} from "./helpers";

interface RowContext {
  offerId: string;
  sim: CppSimulator;
  foreign: CppSimulator;
  host: ProviderHost;
  /** True once the deployment has settled (so `during` stops waiting and the assertions show why). */
  settled: boolean;
}

interface Row {
  /** The fault, as the table shows it. */
  fault: string;
  seed?: Partial<OfferSeed>;
  faults?: (ctx: RowContext) => Fault[];
  inputs?: Record<string, unknown>;
  /** Runs before the deployment (its POSTs and go-lives are not counted). */
  before?: (ctx: RowContext) => Promise<void>;
  /** Runs alongside the deployment, e.g. to finish a long go-live once the provider attached to it. */
  during?: (ctx: RowContext) => Promise<void>;
  /** Replaces the deployment through the provider host (rows that need hooks the host cannot take). */
  run?: (ctx: RowContext) => Promise<{ properties: Props }>;
  /** After a partial state: clear the faults and `update` it, as the next `pulumi up` would. */
  resume?: boolean;
  outcome: string;
  posts: number;
  started: number;
  error?: RegExp;
  verify?: (ctx: RowContext, result: { properties?: Props; error?: unknown }) => void;
}

const LONG_GO_LIVE = { steps: [{ id: "live", stepName: "Live", durationSeconds: 10 ** 9 }] };
const postGoLive = { method: "POST", kind: "golive" } as const;
const poll = { method: "GET", kind: "operation" } as const;
const tokenExpiry: Record<string, number> = {};

function requestsOf(ctx: RowContext, kind: string) {
  return ctx.sim.requests.filter((r) => r.offerId === ctx.offerId && r.kind === kind);
}

/** When the HTTP-date Retry-After row's 429 says to come back (ms since the epoch, whole seconds). */
let retryAtMs = 0;

/** Milliseconds between the first and second request of a kind for the row's offer. */
function gapMs(ctx: RowContext, kind: string): number {
  const [first, second] = requestsOf(ctx, kind);
  return (second?.at ?? 0) - (first?.at ?? 0);
}

const matrix: Row[] = [
  {
    fault: "5xx burst, short: 503 on the go-live POST, 500 then 502 on polls",
    faults: () => [
      { type: "status", status: 503, match: postGoLive },
      { type: "status", status: 500, match: poll },
      { type: "status", status: 502, match: poll },
    ],
    outcome: "succeeded",
    posts: 1,
    started: 1,
    verify: (ctx) => {
      // The 503 answer was checked against the running-operations list before the POST was re-sent.
      expect(requestsOf(ctx, "golive").map((r) => r.status)).toEqual([503, 202]);
    },
  },
  {
    fault: "5xx burst, long: every poll answers 503 (Retry-After: 0) until the provider gives up",
    faults: () => [{ type: "status", status: 503, retryAfter: "0", match: poll, times: 10_000 }],
    resume: true,
    outcome: "partial state (running), update resumed → succeeded",
    posts: 1,
    started: 1,
    error:
      /HTTP 503 \[ServiceUnavailable\] for operation http:\/\/127\.0\.0\.1:\d+\/api\/publishers\/contoso\/offers\/matrix-\d+\/operations\/[0-9a-f-]{36}.*: Simulated 503.* The go-live keeps running on the Cloud Partner Portal; run `pulumi up` again to resume waiting/,
    verify: (ctx) => {
      // 11 polls (the first + maxConsecutiveErrors 10), each retried 5 times by the client.
      expect(requestsOf(ctx, "operation").filter((r) => r.status === 503)).toHaveLength(66);
    },
  },
  {
    fault: "5xx on every go-live POST (Retry-After: 0)",
    faults: () => [{ type: "status", status: 503, retryAfter: "0", match: postGoLive, times: 100 }],
    outcome: "deployment error, nothing saved",
    posts: 0,
    started: 0,
    error: /HTTP 503 \[ServiceUnavailable\] for offer contoso\/matrix-\d+: Simulated 503/,
    verify: (ctx) => {
      // The first attempt and 5 retries, each 503 checked against the running list first.
      expect(requestsOf(ctx, "golive")).toHaveLength(6);
    },
  },
  {
    fault: "429 with Retry-After: 1 (seconds) on the go-live POST",
    faults: () => [{ type: "status", status: 429, retryAfter: "1", match: postGoLive }],
    outcome: "succeeded",
    posts: 1,
    started: 1,
    verify: (ctx) => {
      expect(requestsOf(ctx, "golive").map((r) => r.status)).toEqual([429, 202]);
      expect(gapMs(ctx, "golive")).toBeGreaterThanOrEqual(950);
    },
  },
  {
    fault: "429 with Retry-After as an HTTP date (~2 s ahead) on a poll",
    faults: () => {
      retryAtMs = Date.parse(new Date(Date.now() + 2_000).toUTCString());
      return [{ type: "status", status: 429, retryAfter: new Date(retryAtMs).toUTCString(), match: poll }];
    },
    // While polling, Retry-After is honoured up to the longest poll interval: allow 3 s here.
    inputs: { maxPollIntervalSeconds: 3 },
    outcome: "succeeded",
    posts: 1,
    started: 1,
    verify: (ctx) => {
      const [refused, next] = requestsOf(ctx, "operation");
      expect(refused?.status).toBe(429);
      // The next poll waits for the date (whole seconds), however late the 429 itself came on a loaded machine.
      expect(next?.at ?? 0).toBeGreaterThanOrEqual(retryAtMs - 50);
      expect(gapMs(ctx, "operation")).toBeGreaterThan(0);
    },
  },
  {
    fault: "connection reset before the go-live POST was processed",
    faults: () => [{ type: "reset", match: postGoLive }],
    outcome: "succeeded",
    posts: 1,
    started: 1,
    verify: (ctx) => {
      expect(requestsOf(ctx, "golive").map((r) => [r.fault, r.processed])).toEqual([
        ["reset", false],
        [undefined, true],
      ]);
    },
  },
  {
    fault: "connection reset after the go-live POST was processed",
    faults: () => [{ type: "resetAfterProcessing", match: postGoLive }],
    outcome: "succeeded",
    posts: 1,
    started: 1,
    verify: (ctx, { properties }) => {
      // Never re-sent: the provider found the go-live it had started and followed it.
      expect(requestsOf(ctx, "golive")).toHaveLength(1);
      expect(properties?.attached).toBe(true);
    },
  },
  {
    fault: "hung go-live POST (never answered), requestTimeoutSeconds 0.3",
    faults: () => [{ type: "hang", match: postGoLive }],
    inputs: { requestTimeoutSeconds: 0.3 },
    outcome: "succeeded",
    posts: 1,
    started: 1,
    verify: (ctx) => {
      expect(ctx.host.stdout).toMatch(
        new RegExp(`\\[contoso/${ctx.offerId}\\] .*No response within 300 ms.*retrying`),
      );
    },
  },
  {
    fault: "hung poll (never answered), requestTimeoutSeconds 0.3",
    faults: () => [{ type: "hang", match: poll }],
    inputs: { requestTimeoutSeconds: 0.3 },
    outcome: "succeeded",
    posts: 1,
    started: 1,
  },
  {
    fault: "slow go-live POST, processed 0.6 s after the 0.3 s client deadline",
    seed: { goLive: LONG_GO_LIVE },
    faults: () => [{ type: "hang", ms: 600, match: postGoLive }],
    inputs: { requestTimeoutSeconds: 0.3, timeoutSeconds: 20 },
    during: async (ctx) => {
      await waitFor(() => ctx.settled || ctx.sim.goLivePosts("contoso", ctx.offerId) === 2, "both POSTs");
      await waitFor(() => ctx.settled || requestsOf(ctx, "operation").length > 0, "a poll");
      ctx.sim.advance(2 * 10 ** 9);
    },
    outcome: "succeeded",
    // The retry reached the API too; its one-running-operation rule refused whichever came second (409).
    posts: 2,
    started: 1,
    verify: (ctx) => {
      // Whichever POST was processed second got 409; the late answer may land on a socket already closed
      // (logged as 0), so only "never two 202s" is certain from the log.
      const golive = requestsOf(ctx, "golive");
      expect(golive.map((r) => r.processed)).toEqual([true, true]);
      expect(golive.filter((r) => r.status === 202).length).toBeLessThanOrEqual(1);
    },
  },
  {
    fault: "truncated JSON on two polls",
    faults: () => [{ type: "malformedJson", match: poll, times: 2 }],
    outcome: "succeeded",
    posts: 1,
    started: 1,
  },
  {
    fault: "truncated JSON (HTTP 200, no Location) as the answer to the go-live POST",
    faults: () => [{ type: "malformedJson", match: postGoLive }],
    outcome: "succeeded",
    posts: 1,
    started: 1,
    verify: (_ctx, { properties }) => expect(properties?.attached).toBe(false),
  },
  {
    fault: "truncated JSON on the running-operations check before the POST",
    faults: () => [{ type: "malformedJson", match: { kind: "submissions" } }],
    outcome: "succeeded",
    posts: 1,
    started: 1,
  },
  {
    fault: 'unknown status spelling ("Pending") on two polls',
    faults: () => [{ type: "statusSpelling", status: "Pending", match: poll, times: 2 }],
    outcome: "succeeded",
    posts: 1,
    started: 1,
    verify: (ctx) => {
      expect(ctx.host.stdout).toContain(
        `[contoso/${ctx.offerId}] go-live Pending (unrecognized status, treated as running)`,
      );
    },
  },
  {
    fault: "202 without a Location header",
    faults: () => [{ type: "missingLocation", match: postGoLive }],
    outcome: "succeeded",
    posts: 1,
    started: 1,
    verify: (ctx, { properties }) => {
      expect(properties?.attached).toBe(false);
      expect(properties?.operationLocation).toMatch(new RegExp(`^${ctx.sim.url}/api/publishers/contoso/`));
    },
  },
  {
    fault: "Operation-Location only, without api-version",
    faults: () => [{ type: "operationLocationHeader", omitApiVersion: true, match: postGoLive }],
    outcome: "succeeded",
    posts: 1,
    started: 1,
    verify: (_ctx, { properties }) =>
      expect(properties?.operationLocation).toMatch(/\/operations\/[0-9a-f-]{36}\?api-version=2017-10-31$/),
  },
  {
    fault: "absolute Location on a foreign host (simulator on 127.0.0.2)",
    faults: (ctx) => [{ type: "absoluteLocation", host: ctx.foreign.url, match: postGoLive }],
    outcome: "succeeded",
    posts: 1,
    started: 1,
    verify: (ctx, { properties }) => {
      expect(ctx.foreign.requests).toHaveLength(0);
      expect(properties?.operationLocation.startsWith(`${ctx.sim.url}/api/`)).toBe(true);
      expect(ctx.host.stdout).toContain(`pointed the operation at ${ctx.foreign.url}`);
    },
  },
  {
    fault: "401 mid-poll with the static config token (cannot be refreshed)",
    faults: () => [{ type: "unauthorized", match: poll }],
    resume: true,
    outcome: "partial state (running), update resumed → succeeded",
    posts: 1,
    started: 1,
    error:
      /access token from explicit token was refused \(HTTP 401: The access token has expired\.\) while waiting .*expired or been revoked.*get a new token and run `pulumi up` again with it/,
  },
  {
    fault: "401 after token expiry mid-poll, Azure AD credential (in-process provider)",
    run: async (ctx) => {
      const issued: string[] = [];
      const credential = {
        async getToken() {
          const token = `aad-token-${issued.length + 1}`;
          issued.push(token);
          return { token, expiresOnTimestamp: Date.now() + 3_600_000 };
        },
      };
      const transport = new PooledTransport();
      const provider = new OfferGoLiveProvider({
        tokenProvider: new CredentialTokenProvider(credential),
        transport,
        // The API revokes the first token as soon as the go-live is accepted: the next poll gets 401.
        log: (line) => {
          if (line.includes("go-live accepted")) tokenExpiry["aad-token-1"] = 0;
        },
      });
      try {
        const checked = await provider.check({}, { ...baseInputs(ctx.offerId) });
        const created = await provider.create(checked.inputs);
        expect(issued).toEqual(["aad-token-1", "aad-token-2"]);
        const polls = requestsOf(ctx, "operation");
        expect(polls[0]).toMatchObject({ status: 401, headers: { authorization: "Bearer aad-token-1" } });
        expect(polls[1]).toMatchObject({ status: 200, headers: { authorization: "Bearer aad-token-2" } });
        return { properties: created.outs };
      } finally {
        await transport.close();
      }
    },
    outcome: "succeeded",
    posts: 1,
    started: 1,
  },
  {
    fault: "403 on the go-live POST",
    faults: () => [{ type: "forbidden", match: postGoLive }],
    outcome: "deployment error, nothing saved",
    posts: 0,
    started: 0,
    error:
      /Access to offer contoso\/matrix-\d+ was denied \(HTTP 403 \[Forbidden\]\): The service principal does not have access.*Check that the service principal was added/,
  },
  {
    fault: "409: a go-live is already running (started elsewhere, not listed on the first check)",
    seed: { goLive: LONG_GO_LIVE },
    before: async (ctx) => {
      const { client, transport } = clientFor(ctx.sim, { accessToken: CANARY });
      await client.goLive("contoso", ctx.offerId);
      await transport.close();
    },
    faults: () => [{ type: "status", status: 200, body: "[]", match: { kind: "submissions" } }],
    inputs: { timeoutSeconds: 20 },
    during: async (ctx) => {
      await waitFor(
        () =>
          ctx.settled ||
          (requestsOf(ctx, "golive").some((r) => r.status === 409) &&
            requestsOf(ctx, "operation").length > 0),
        "the refused POST and a poll",
      );
      ctx.sim.advance(2 * 10 ** 9);
    },
    outcome: "succeeded",
    posts: 1,
    started: 0,
    verify: (ctx, { properties }) => {
      expect(requestsOf(ctx, "golive").map((r) => r.status)).toEqual([202, 409]);
      expect(properties?.attached).toBe(true);
    },
  },
  {
    fault: "operation fails at a step with messages",
    seed: { goLive: { failAt: { stepId: "displaycertify", messages: ["No VM image for plan gold."] } } },
    outcome: "partial state (failed)",
    posts: 1,
    started: 1,
    error:
      /The operation for contoso\/matrix-\d+ failed at step "Certification" \(blocked\): No VM image for plan gold\..*Fix the offer/,
    verify: (_ctx, { error }) => {
      expect(decodeInitError(error)?.properties).toMatchObject({
        status: "failed",
        messages: expect.arrayContaining(["No VM image for plan gold."]),
      });
    },
  },
  {
    fault: "operation canceled",
    seed: { goLive: { cancel: true } },
    outcome: "partial state (canceled)",
    posts: 1,
    started: 1,
    error: /The operation for contoso\/matrix-\d+ was canceled at step "Validate Pre-Requisites"/,
  },
];

let sim: CppSimulator;
let foreign: CppSimulator;
let host: ProviderHost;
let providerText: string;
let counter = 0;
const results: Array<{ row: Row; outcome: string; posts: number; started: number; detail: string }> = [];

function baseInputs(offerId: string, extra: Record<string, unknown> = {}) {
  return goLiveInputs(sim.url, providerText, offerId, extra);
}

function goLivesOf(offerId: string): number {
  return (sim.offer("contoso", offerId)?.operations ?? []).filter(
    (id) => sim.operation(id)?.submissionType === "GoLive",
  ).length;
}

beforeAll(async () => {
  [sim, foreign, providerText] = await Promise.all([
    withSimulator({ acceptedTokens: [CANARY, "aad-token-1", "aad-token-2"], tokenExpiry }),
    withSimulator({ host: "127.0.0.2", acceptedTokens: [CANARY] }),
    serializedProvider(),
  ]);
  host = await ProviderHost.start();
  await host.configure({ "cloudpartner:accessToken": CANARY });
});

afterAll(async () => {
  await host?.stop();
  await Promise.all([sim?.close(), foreign?.close()]);
  writeMatrixReport(
    "fault-matrix.md",
    ["fault", "outcome", "go-live POSTs processed", "go-lives started", "error text / detail"],
    results.map((r) => [r.row.fault, r.outcome, r.posts, r.started, r.detail]),
  );
});

test.each(matrix)("$fault", async (row) => {
  const offerId = `matrix-${++counter}`;
  sim.addOffer({ publisherId: "contoso", offerId, ...row.seed });
  const ctx: RowContext = { offerId, sim, foreign, host, settled: false };
  await row.before?.(ctx);
  const postsBefore = sim.goLivePosts("contoso", offerId);
  const goLivesBefore = goLivesOf(offerId);
  sim.setFaults("contoso", offerId, row.faults?.(ctx) ?? []);

  const deploy = row.run ? row.run(ctx) : checkAndCreate(host, baseInputs(offerId, row.inputs));
  const { settled, outcome, detail } = await runMatrixDeployment({
    ctx,
    deploy,
    during: () => row.during?.(ctx),
    succeeded: (properties) => ({
      outcome: properties?.status === "succeeded" ? "succeeded" : `created (${properties?.status})`,
      detail: properties?.attached ? "attached to the running go-live" : "",
    }),
    partial: async (init) => {
      expect(init.properties.__provider).toBe(providerText);
      expect(init.properties.operationLocation).toMatch(/\/operations\//);
      if (!row.resume) return "";
      sim.setFaults("contoso", offerId, []);
      const news = (await host.check(init.properties, baseInputs(offerId, row.inputs))).inputs;
      const { properties } = await host.update(init.id, init.properties, news);
      expect(properties.operationLocation).toBe(init.properties.operationLocation);
      return `, update resumed → ${properties.status}`;
    },
  });
  const posts = sim.goLivePosts("contoso", offerId) - postsBefore;
  const started = goLivesOf(offerId) - goLivesBefore;
  results.push({ row, outcome, posts, started, detail: detail.slice(0, 300) });

  expectMatrixRow(
    row.error,
    detail,
    { outcome, posts, started },
    { outcome: row.outcome, posts: row.posts, started: row.started },
  );
  row.verify?.(ctx, settled);
});

test("no response, output or foreign request carried the token", () => {
  for (const response of host.responses) expect(response).not.toContain(CANARY);
  expect(host.stdout).not.toContain(CANARY);
  expect(host.stderr).not.toContain(CANARY);
  expect(foreign.requests).toHaveLength(0);
});
