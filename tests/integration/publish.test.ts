/**
 * The full path to live against the simulator: publish until the sign-off point, then go live (the go-live is
 * the publisher's sign-off); cancel;
 * and `getOfferStatus`. The providers are called directly (the engine tier drives them through Pulumi's host).
 */

import { StaticTokenProvider } from "../../provider/core/auth";
import { OperationFailedError, RejectedError } from "../../provider/core/errors";
import { pollOperation } from "../../provider/core/poller";
import { OfferGoLiveProvider, OfferPublishProvider, ResourceInitError } from "../../provider/resources";
import { getOfferStatus, isAwaitingSignoff } from "../../provider/status-api";
import { clientSuite, fastPoll, TOKEN } from "../support/harness";

const suite = clientSuite("publish", { state: "neverPublished" });
const { newOffer } = suite;

let lines: string[];

const EMAILS = ["ops@contoso.com", "release@contoso.com"];
/** A go-live that runs long enough to be canceled. */
const longGoLive = { steps: [{ id: "live", stepName: "Live", durationSeconds: 10 ** 9 }] };

function hooks() {
  return {
    tokenProvider: new StaticTokenProvider(TOKEN),
    transport: suite.transport,
    log: (line: string) => lines.push(line),
  };
}

function inputs(offerId: string, extra: Record<string, unknown> = {}) {
  return {
    publisherId: "contoso",
    offerId,
    endpoint: suite.sim.url,
    notificationEmails: EMAILS,
    pollIntervalSeconds: 0.01,
    maxPollIntervalSeconds: 0.02,
    ...extra,
  };
}

/** What the engine does for a new resource: check, then create with the checked inputs. */
async function checkAndCreate(
  provider: OfferPublishProvider | OfferGoLiveProvider,
  raw: Record<string, unknown>,
) {
  const checked = await provider.check({}, raw);
  expect(checked.failures).toEqual([]);
  return provider.create(checked.inputs ?? {});
}

const publishPosts = (offerId: string) =>
  suite.sim.requests.filter(
    (r) => r.kind === "publish" && r.method === "POST" && r.processed && r.offerId === offerId,
  ).length;

beforeEach(() => {
  lines = [];
});

describe("client + poller: publish until the sign-off point", () => {
  test("go-live is refused until the preview is ready; `until` stops there; the go-live is the sign-off", async () => {
    // Certification outlasts the test until the clock is advanced, so the early go-live cannot race it.
    const offerId = newOffer({
      publish: {
        steps: [
          { id: "displaycertify", stepName: "Certification", durationSeconds: 10 ** 9 },
          {
            id: "publisher-signoff",
            stepName: "Publisher signoff",
            durationSeconds: 0,
            waitsForSignoff: true,
          },
        ],
      },
    });
    const started = await suite.client.publish("contoso", offerId, EMAILS);
    const early = await suite.client.goLive("contoso", offerId).catch((e) => e);
    expect(early).toBeInstanceOf(RejectedError);
    expect(early.message).toMatch(/HTTP 400.*preview .* is not ready yet/);
    suite.sim.advance(10 ** 9);
    const final = await pollOperation(suite.client, started.operationLocation, {
      ...fastPoll,
      until: isAwaitingSignoff,
    });
    expect(isAwaitingSignoff(final)).toBe(true);
    expect(final.currentStep).toMatchObject({
      name: "Publisher signoff",
      status: "waitingForPublisherReview",
    });
    const post = suite.sim.requests.find((r) => r.kind === "publish" && r.offerId === offerId);
    expect(post?.method).toBe("POST");
    expect(suite.sim.offer("contoso", offerId)?.notificationEmails).toBe(
      "ops@contoso.com,release@contoso.com",
    );

    // No separate sign-off call: go live directly; it completes the publish's sign-off step.
    const live = await suite.client.goLive("contoso", offerId);
    const signedOff = await pollOperation(suite.client, started.operationLocation, fastPoll);
    expect(isAwaitingSignoff(signedOff)).toBe(false);
    expect(signedOff.currentStep).toMatchObject({ name: "Publisher signoff", status: "complete" });
    expect((await pollOperation(suite.client, live.operationLocation, fastPoll)).status).toBe("succeeded");
  });

  test("an API that keeps the publish `running` at sign-off: `until` is what ends the wait", async () => {
    const offerId = newOffer();
    // Every operation GET says "running", as a publish resting at sign-off does on some API versions.
    suite.sim.setFaults("contoso", offerId, [
      { type: "statusSpelling", status: "running", times: 10_000, match: { kind: "operation" } },
    ]);
    const started = await suite.client.publish("contoso", offerId, EMAILS);
    const final = await pollOperation(suite.client, started.operationLocation, {
      ...fastPoll,
      until: isAwaitingSignoff,
    });
    expect(final.status).toBe("running");
    expect(isAwaitingSignoff(final)).toBe(true);
  });
});

describe("OfferPublishProvider → review the preview → OfferGoLiveProvider", () => {
  test("publish stops at sign-off with awaitingSignoff, then go-live (the sign-off) succeeds", async () => {
    const offerId = newOffer();
    const publish = new OfferPublishProvider(hooks());
    const created = await checkAndCreate(
      publish,
      inputs(offerId, { notificationEmails: [...EMAILS, " OPS@contoso.com"] }),
    );
    expect(created.id).toMatch(new RegExp(`^contoso/${offerId}/publish/[0-9a-f-]{36}$`));
    expect(created.outs).toMatchObject({
      status: "succeeded",
      awaitingSignoff: true,
      attached: false,
      currentStep: "Publisher signoff",
      notificationEmails: EMAILS,
    });
    expect(lines.join("\n")).toMatch(
      new RegExp(
        `\\[contoso/${offerId}\\] publish stopped at Publisher signoff: the preview is ready\\. Review the preview links, then go live \\(OfferGoLive\\)`,
      ),
    );
    expect(publishPosts(offerId)).toBe(1);

    // An e-mail change is recorded in place: no second publish.
    const news =
      (await publish.check(created.outs, inputs(offerId, { notificationEmails: ["ops@contoso.com"] })))
        .inputs ?? {};
    expect(await publish.diff(created.id, created.outs, news)).toMatchObject({ changes: true, replaces: [] });
    const updated = await publish.update(created.id, created.outs, news);
    expect(updated.outs).toMatchObject({ notificationEmails: ["ops@contoso.com"], awaitingSignoff: true });
    expect(publishPosts(offerId)).toBe(1);

    // After reviewing the preview, go live directly: the go-live is the publisher's sign-off.
    const live = await checkAndCreate(
      new OfferGoLiveProvider(hooks()),
      inputs(offerId, { notificationEmails: undefined }),
    );
    expect(live.outs).toMatchObject({ status: "succeeded", currentStep: "Live" });
    expect(live.outs).not.toHaveProperty("awaitingSignoff");
    expect(suite.sim.offer("contoso", offerId)?.state).toBe("live");
    // A refresh of the publish sees its sign-off step completed by the go-live.
    const refreshed = await publish.read(created.id, updated.outs ?? {});
    expect(refreshed.props).toMatchObject({ status: "succeeded", awaitingSignoff: false });
  });

  test("publish kept `running` at sign-off: stops there; a later diff does not resume it", async () => {
    const offerId = newOffer();
    suite.sim.setFaults("contoso", offerId, [
      { type: "statusSpelling", status: "running", times: 10_000, match: { kind: "operation" } },
    ]);
    const publish = new OfferPublishProvider(hooks());
    const created = await checkAndCreate(publish, inputs(offerId));
    expect(created.outs).toMatchObject({ status: "running", awaitingSignoff: true });
    const news = (await publish.check(created.outs, inputs(offerId))).inputs ?? {};
    expect(await publish.diff(created.id, created.outs, news)).toMatchObject({ changes: false });
  });

  test("timeout before sign-off → partial state; update resumes without a second publish", async () => {
    const offerId = newOffer({
      publish: {
        steps: [
          { id: "displaycertify", stepName: "Certification", durationSeconds: 10 ** 9 },
          {
            id: "publisher-signoff",
            stepName: "Publisher signoff",
            durationSeconds: 0,
            waitsForSignoff: true,
          },
        ],
      },
    });
    const publish = new OfferPublishProvider(hooks());
    const error = await checkAndCreate(publish, inputs(offerId, { timeoutSeconds: 0.2 })).catch((e) => e);
    expect(error).toBeInstanceOf(ResourceInitError);
    expect(error.message).toMatch(/Stopped waiting.*still running.*publish is not sent again/);
    expect(error.properties).toMatchObject({
      status: "running",
      awaitingSignoff: false,
      notificationEmails: EMAILS,
    });

    const news = (await publish.check(error.properties, inputs(offerId))).inputs ?? {};
    expect(await publish.diff(error.id, error.properties, news)).toMatchObject({
      changes: true,
      replaces: [],
    });
    suite.sim.advance(2 * 10 ** 9);
    const resumed = await publish.update(error.id, error.properties, news);
    expect(resumed.outs).toMatchObject({ status: "succeeded", awaitingSignoff: true });
    expect(resumed.outs?.operationLocation).toBe(error.properties.operationLocation);
    expect(publishPosts(offerId)).toBe(1);
  });

  test("422 (validation failed) is a plain error: nothing saved", async () => {
    const offerId = newOffer({ publishValidationError: "Plan 'gold' has no price." });
    const error = await checkAndCreate(new OfferPublishProvider(hooks()), inputs(offerId)).catch((e) => e);
    expect(error).not.toBeInstanceOf(ResourceInitError);
    expect(error.message).toMatch(/failed validation \(HTTP 422.*Plan 'gold' has no price/);
  });

  test("create attaches to a publish already running (no second POST)", async () => {
    // Long enough to still be running when create looks, however loaded the machine is.
    const offerId = newOffer({
      publish: { steps: [{ id: "displaycertify", stepName: "Certification", durationSeconds: 10 ** 9 }] },
    });
    const running = await suite.client.publish("contoso", offerId, EMAILS);
    const created = await checkAndCreate(new OfferPublishProvider(hooks()), inputs(offerId, { wait: false }));
    expect(created.outs).toMatchObject({
      attached: true,
      status: "running",
      awaitingSignoff: false,
      operationLocation: running.operationLocation,
    });
    expect(publishPosts(offerId)).toBe(1);
  });

  test("delete removes the record only; a publish still running names the cancel command with its e-mails", async () => {
    const offerId = newOffer();
    suite.sim.setFaults("contoso", offerId, [
      { type: "statusSpelling", status: "running", times: 10_000, match: { kind: "operation" } },
    ]);
    const publish = new OfferPublishProvider(hooks());
    const resting = await checkAndCreate(publish, inputs(offerId));
    const before = suite.sim.requests.length;
    await publish.delete(resting.id, resting.outs);
    expect(suite.sim.requests.length).toBe(before);
    expect(lines.at(-1)).toMatch(
      new RegExp(
        `removing the publish record from the stack only.*the preview stays ready for go-live.*` +
          `\`npx pulumi-cloudpartner cancel contoso ${offerId} --notification-emails ops@contoso.com,release@contoso.com\``,
      ),
    );
    // A finished publish: nothing to cancel.
    await publish.delete(resting.id, { ...resting.outs, status: "succeeded" });
    expect(lines.at(-1)).toMatch(/cannot undo a publish, so the offer stays as it is\.$/);
  });
});

describe("cancel", () => {
  test("202 + a cancel operation that ends the running go-live as canceled", async () => {
    const offerId = newOffer({ state: "signedOff", goLive: longGoLive });
    const live = await suite.client.goLive("contoso", offerId);
    const cancel = await suite.client.cancel("contoso", offerId, EMAILS);
    expect(cancel.completed).toBe(false);
    const ended = await pollOperation(suite.client, cancel.operationLocation ?? "", fastPoll);
    expect(ended.submissionType).toBe("Cancel");
    const error = await pollOperation(suite.client, live.operationLocation, fastPoll).catch((e) => e);
    expect(error).toBeInstanceOf(OperationFailedError);
    expect(error.code).toBe("CPP_OPERATION_CANCELED");
    const post = suite.sim.requests.find((r) => r.kind === "cancel" && r.offerId === offerId);
    expect(post?.status).toBe(202);
  });

  test("200 when the API cancels synchronously; 400 with the API's message when nothing runs", async () => {
    const offerId = newOffer({ state: "signedOff", goLive: longGoLive, cancelSync: true });
    await suite.client.goLive("contoso", offerId);
    expect(await suite.client.cancel("contoso", offerId, EMAILS)).toEqual({ completed: true });
    const idle = await suite.client.cancel("contoso", offerId, EMAILS).catch((e) => e);
    expect(idle).toBeInstanceOf(RejectedError);
    expect(idle.message).toMatch(/HTTP 400.*No operation is running/);
  });
});

describe("getOfferStatus", () => {
  test("status, sign-off, steps and preview link of a published offer", async () => {
    const offerId = newOffer({ state: "published" });
    const report = await getOfferStatus({
      publisherId: "contoso",
      offerId,
      endpoint: suite.sim.url,
      accessToken: TOKEN,
      transport: suite.transport,
    });
    expect(report).toMatchObject({
      publisherId: "contoso",
      offerId,
      status: "waitingForPublisherReview",
      awaitingSignoff: true,
      currentStep: { name: "Publisher signoff", status: "waitingForPublisherReview" },
    });
    expect(report.steps.map((s) => s.name)).toEqual([
      "Validate Pre-Requisites",
      "Certification",
      "Provisioning",
      "Packaging and Lead Generation Registration",
      "Publisher signoff",
    ]);
    expect(report.previewLinks[0]).toMatch(/preview$/);
    expect(report.liveLinks).toEqual([]);
  });

  test("a never published offer; errors and bad ids", async () => {
    const offerId = newOffer();
    const report = await getOfferStatus({
      publisherId: "contoso",
      offerId,
      endpoint: suite.sim.url,
      accessToken: TOKEN,
      transport: suite.transport,
    });
    expect(report).toMatchObject({ status: "neverPublished", awaitingSignoff: false, steps: [] });
    await expect(
      getOfferStatus({
        publisherId: "contoso",
        offerId: "nope",
        endpoint: suite.sim.url,
        accessToken: TOKEN,
        transport: suite.transport,
      }),
    ).rejects.toMatchObject({ code: "CPP_NOT_FOUND" });
    await expect(
      getOfferStatus({ publisherId: "a/b", offerId, endpoint: suite.sim.url, accessToken: TOKEN }),
    ).rejects.toMatchObject({
      code: "CPP_CONFIGURATION",
      message: expect.stringMatching(/^publisherId must not contain/),
    });
  });
});
