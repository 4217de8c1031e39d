/**
 * Engine tier for `OfferPublish`: Pulumi's real dynamic provider host, spoken to over gRPC as the engine
 * does, running the serialized OfferPublish provider against the simulator — then, going live directly, the
 * OfferGoLive provider in the same host: the full path to live.
 */

import * as net from "node:net";
import type { CppSimulator } from "../../emulator/server";
import { decodeInitError, type ProviderHost, providerHostSuite } from "../support/provider-host";

const CANARY = "canary-token-publish-55d0e1";
const EMAILS = ["ops@contoso.com", "release@contoso.com"];
let sim: CppSimulator;
let host: ProviderHost;
let publishText: string;
let goLiveText: string;
let counter = 0;

function newOffer(seed: Record<string, unknown> = {}): string {
  const offerId = `engine-publish-${++counter}`;
  sim.addOffer({ publisherId: "contoso", offerId, state: "neverPublished", ...seed });
  return offerId;
}

/** Inputs as the engine sends them; a key set to undefined is left out (protobuf has no undefined). */
function inputs(offerId: string, extra: Record<string, unknown> = {}) {
  const all: Record<string, unknown> = {
    publisherId: "contoso",
    offerId,
    endpoint: sim.url,
    notificationEmails: EMAILS,
    pollIntervalSeconds: 0.01,
    maxPollIntervalSeconds: 0.02,
    __provider: publishText,
    ...extra,
  };
  return Object.fromEntries(Object.entries(all).filter(([, value]) => value !== undefined));
}

async function checkAndCreate(news: Record<string, unknown>) {
  const checked = await host.check({}, news);
  expect(checked.failures).toEqual([]);
  return host.create(checked.inputs);
}

const publishPosts = (offerId: string) =>
  sim.requests.filter(
    (r) => r.kind === "publish" && r.method === "POST" && r.processed && r.offerId === offerId,
  ).length;

providerHostSuite(CANARY, (suite) => {
  ({ sim, host, publishText, goLiveText } = suite);
});

test("the serialized provider is small, names its class, holds no token", () => {
  expect(publishText.length).toBeLessThan(8 * 1024);
  expect(publishText).toContain("OfferPublishProvider");
  expect(publishText).not.toBe(goLiveText);
  expect(publishText).not.toContain(CANARY);
  expect(publishText).not.toMatch(/undici|Pool|Authorization/i);
});

test("check validates notificationEmails and normalizes them", async () => {
  const ok = await host.check(
    {},
    inputs("o", { notificationEmails: [" ops@contoso.com", "OPS@contoso.com"] }),
  );
  expect(ok.failures).toEqual([]);
  expect(ok.inputs.notificationEmails).toEqual(["ops@contoso.com"]);
  const bad = await host.check(
    {},
    inputs("o", { notificationEmails: ["ops@contoso.com,dev@contoso.com", "x"] }),
  );
  expect(bad.failures.map((f) => f.property)).toEqual(["notificationEmails", "notificationEmails"]);
  expect(bad.failures[0]?.reason).toMatch(/\[0\].*comma/);
  const missing = await host.check({}, inputs("o", { notificationEmails: undefined }));
  // Optional: absent is fine (the publish is sent without a body).
  expect(missing.failures).toEqual([]);
});

test("publish → stops at sign-off; e-mail change in place; go-live (the sign-off) through the same host", async () => {
  const offerId = newOffer();
  const created = await checkAndCreate(inputs(offerId));
  expect(created.id).toMatch(new RegExp(`^contoso/${offerId}/publish/[0-9a-f-]{36}$`));
  expect(created.properties).toMatchObject({
    status: "succeeded",
    awaitingSignoff: true,
    currentStep: "Publisher signoff",
    notificationEmails: EMAILS,
    __provider: publishText,
  });
  expect(await host.printed(`[contoso/${offerId}] publish stopped at Publisher signoff`)).toContain(
    `[contoso/${offerId}] publish stopped at Publisher signoff`,
  );
  expect(sim.offer("contoso", offerId)?.notificationEmails).toBe(EMAILS.join(","));

  // Nothing changed: no diff. A new e-mail list: an in-place update, no second publish.
  const same = (await host.check(created.properties, inputs(offerId))).inputs;
  expect(await host.diff(created.id, created.properties, same)).toMatchObject({
    changes: false,
    replaces: [],
  });
  const news = (
    await host.check(created.properties, inputs(offerId, { notificationEmails: ["ops@contoso.com"] }))
  ).inputs;
  expect(await host.diff(created.id, created.properties, news)).toMatchObject({
    changes: true,
    replaces: [],
  });
  const updated = await host.update(created.id, created.properties, news);
  expect(updated.properties).toMatchObject({
    notificationEmails: ["ops@contoso.com"],
    awaitingSignoff: true,
  });
  expect(updated.properties.__provider).toBe(publishText);
  expect(publishPosts(offerId)).toBe(1);

  // A go-live the API refuses: its 400, nothing saved.
  const goLive = inputs(offerId, { __provider: goLiveText, notificationEmails: undefined });
  sim.configureOffer("contoso", offerId, { refuseGoLive: "The preview is not ready for go-live." });
  const refused = await checkAndCreate(goLive).catch((e) => e);
  expect(refused.message).toMatch(/HTTP 400.*The preview is not ready for go-live\./);
  expect(decodeInitError(refused)).toBeUndefined();
  sim.configureOffer("contoso", offerId, { refuseGoLive: false });

  // After reviewing the preview, go live directly: the go-live is the publisher's sign-off.
  const live = await checkAndCreate(goLive);
  expect(live.properties).toMatchObject({ status: "succeeded", currentStep: "Live", __provider: goLiveText });
  expect(sim.offer("contoso", offerId)?.state).toBe("live");
  const refreshed = await host.read(created.id, updated.properties);
  expect(refreshed.properties).toMatchObject({ status: "succeeded", awaitingSignoff: false });
});

test("an API that keeps the publish running at sign-off: status running, awaitingSignoff, no resume", async () => {
  const offerId = newOffer();
  sim.setFaults("contoso", offerId, [
    { type: "statusSpelling", status: "running", times: 10_000, match: { kind: "operation" } },
  ]);
  const created = await checkAndCreate(inputs(offerId));
  expect(created.properties).toMatchObject({ status: "running", awaitingSignoff: true });
  const news = (await host.check(created.properties, inputs(offerId))).inputs;
  expect(await host.diff(created.id, created.properties, news)).toMatchObject({ changes: false });
});

/** A second endpoint for the same simulator (a TCP forwarder on another port), as an `endpoint` change. */
async function forwarder(): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(sim.url);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const s of [socket, upstream]) {
      sockets.add(s);
      s.on("error", () => s.destroy());
      s.on("close", () => sockets.delete(s));
    }
    socket.pipe(upstream).pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

test("triggers changed, on an API that keeps the publish running at sign-off: the new draft is published", async () => {
  const offerId = newOffer();
  sim.configureOffer("contoso", offerId, { publishRunsAtSignoff: true });
  const first = await checkAndCreate(inputs(offerId, { triggers: ["1.0.0"] }));
  expect(first.properties).toMatchObject({ status: "running", awaitingSignoff: true });
  // A new image version goes into the draft; the publish is replaced because its triggers changed.
  sim.portalEdit("contoso", offerId, { displayText: "with image 2.0.0" });
  const news = (await host.check(first.properties, inputs(offerId, { triggers: ["2.0.0"] }))).inputs;
  expect(await host.diff(first.id, first.properties, news)).toMatchObject({ replaces: ["triggers"] });
  await host.delete(first.id, first.properties);
  const second = await host.create(news);
  // Not the resting publish of the old draft (listed `running` like one in progress): a new one.
  expect(second.properties.operationId).not.toBe(first.properties.operationId);
  expect(second.properties).toMatchObject({ attached: false, status: "running", awaitingSignoff: true });
  expect(publishPosts(offerId)).toBe(2);
  // The go-live that follows takes the new draft live, not the old preview.
  const draftVersion = sim.offer("contoso", offerId)?.offerVersion;
  const live = await checkAndCreate(
    inputs(offerId, { __provider: goLiveText, notificationEmails: undefined }),
  );
  expect(live.properties).toMatchObject({ status: "succeeded" });
  expect(sim.operation(String(live.properties.operationId))?.offerVersion).toBe(draftVersion);
});

test("triggers unchanged: a replace for another reason (endpoint) adopts the resting publish; a triggers change publishes", async () => {
  const offerId = newOffer();
  const first = await checkAndCreate(inputs(offerId, { triggers: ["1.0.0"] }));
  expect(first.properties).toMatchObject({ awaitingSignoff: true });
  const proxy = await forwarder();
  try {
    const moved = inputs(offerId, { triggers: ["1.0.0"], endpoint: proxy.url });
    const news = (await host.check(first.properties, moved)).inputs;
    expect(await host.diff(first.id, first.properties, news)).toMatchObject({ replaces: ["endpoint"] });
    await host.delete(first.id, first.properties);
    const second = await host.create(news);
    expect(second.properties).toMatchObject({
      attached: true,
      awaitingSignoff: true,
      operationId: first.properties.operationId,
      endpoint: proxy.url,
    });
    expect(publishPosts(offerId)).toBe(1);
    // The triggers change (a new image version in the draft): that one is published.
    sim.portalEdit("contoso", offerId, { displayText: "with image 2.0.0" });
    const changed = (
      await host.check(second.properties, inputs(offerId, { triggers: ["2.0.0"], endpoint: proxy.url }))
    ).inputs;
    const third = await host.create(changed);
    expect(third.properties).toMatchObject({ attached: false, awaitingSignoff: true });
    expect(publishPosts(offerId)).toBe(2);
  } finally {
    await proxy.close();
  }
});

test("timeout before sign-off → partial state; update resumes it without a second publish", async () => {
  const offerId = newOffer({
    publish: {
      steps: [
        { id: "displaycertify", stepName: "Certification", durationSeconds: 10 ** 9 },
        { id: "publisher-signoff", stepName: "Publisher signoff", durationSeconds: 0, waitsForSignoff: true },
      ],
    },
  });
  const error = await checkAndCreate(inputs(offerId, { timeoutSeconds: 0.3 })).catch((e) => e);
  const init = decodeInitError(error);
  expect(init?.message).toMatch(/Stopped waiting.*still running/);
  expect(init?.properties).toMatchObject({
    status: "running",
    awaitingSignoff: false,
    notificationEmails: EMAILS,
    __provider: publishText,
  });

  const news = (await host.check(init!.properties, inputs(offerId))).inputs;
  expect(await host.diff(init!.id, init!.properties, news)).toMatchObject({ changes: true, replaces: [] });
  sim.advance(2 * 10 ** 9);
  const { properties } = await host.update(init!.id, init!.properties, news);
  expect(properties).toMatchObject({ status: "succeeded", awaitingSignoff: true });
  expect(properties.operationLocation).toBe(init?.properties.operationLocation);
  expect(publishPosts(offerId)).toBe(1);
});

test("422 validation failure → deployment error with the API's message, nothing saved", async () => {
  const offerId = newOffer({ publishValidationError: "Plan 'gold' has no VM image." });
  const error = await checkAndCreate(inputs(offerId)).catch((e) => e);
  expect(error.message).toMatch(/HTTP 422.*Plan 'gold' has no VM image/);
  expect(decodeInitError(error)).toBeUndefined();
});

test("delete only removes from state; for a publish still running it names the cancel command", async () => {
  const offerId = newOffer({
    publish: { steps: [{ id: "displaycertify", stepName: "Certification", durationSeconds: 10 ** 9 }] },
  });
  const error = await checkAndCreate(inputs(offerId, { timeoutSeconds: 0.2 })).catch((e) => e);
  const init = decodeInitError(error);
  const before = sim.requests.length;
  await host.delete(init!.id, init!.properties);
  expect(sim.requests.length).toBe(before);
  const hint = `keeps running (cancel it with \`npx pulumi-cloudpartner cancel contoso ${offerId} --notification-emails ${EMAILS.join(",")}\`)`;
  expect(await host.printed(hint)).toContain(hint);
});

test("the token never appears in a response, the host's output or __provider", () => {
  for (const response of host.responses) expect(response).not.toContain(CANARY);
  expect(host.stdout).not.toContain(CANARY);
  expect(host.stderr).not.toContain(CANARY);
});
