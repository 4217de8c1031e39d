/**
 * The native plugin `pulumi-resource-cloudpartner` over gRPC, as the engine drives it, against the simulator:
 * provider configuration with a secret token, check/diff/create/read/update/delete, the engine's `timeout`
 * (customTimeouts), Cancel, import and getOfferStatus.
 */

import * as fs from "node:fs";
import * as path from "node:path";
import type { CppSimulator } from "../../emulator/server";
import { GO_LIVE, isSecret, NativeHost, nativeHostSuite, PUBLISH, secret } from "../support/native-host";
import { decodeInitError } from "../support/provider-host";

const CANARY = "canary-native-token-5d1e8b7a";
const longGoLive = { steps: [{ id: "live", stepName: "Live", durationSeconds: 10 ** 9 }] };
let sim: CppSimulator;
let host: NativeHost;
let counter = 0;

function newOffer(seed: Record<string, unknown> = {}): string {
  const offerId = `native-${++counter}`;
  sim.addOffer({ publisherId: "contoso", offerId, ...seed });
  return offerId;
}

/** Go-live inputs without an endpoint: it comes from the provider configuration. */
function inputs(offerId: string, extra: Record<string, unknown> = {}) {
  return {
    publisherId: "contoso",
    offerId,
    pollIntervalSeconds: 0.01,
    maxPollIntervalSeconds: 0.02,
    ...extra,
  };
}

async function checked(type: string, news: Record<string, unknown>) {
  const result = await host.check(type, {}, news);
  expect(result.failures).toEqual([]);
  return result.inputs;
}

/** Resolves once `predicate` holds, checked on every simulator request and every 5 ms. */
async function until(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !predicate(); ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

nativeHostSuite(CANARY, (suite) => {
  ({ sim, host } = suite);
});

afterEach(() => {
  // The secret token never leaves the plugin: not in any response, error, log line or progress output.
  expect(host.transcript().includes(CANARY)).toBe(false);
});

test("GetSchema serves schema.json and GetPluginInfo the package version", async () => {
  const root = path.resolve(__dirname, "../..");
  expect(await host.getSchema()).toBe(fs.readFileSync(path.join(root, "schema.json"), "utf8"));
  const { version } = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  expect(await host.getPluginInfo()).toBe(version);
});

test("CheckConfig validates endpoint and api and keeps the token secret; DiffConfig never replaces", async () => {
  const good = await host.checkConfig({ accessToken: secret(CANARY), endpoint: sim.url, api: "cpp" });
  expect(good.failures).toEqual([]);
  expect(isSecret(good.inputs.accessToken)).toBe(true);
  // A token that arrives plain (a stack config set without --secret, an explicit provider's plain input) goes
  // back marked secret: the engine stores the provider's CheckConfig answer in state.
  const plain = await host.checkConfig({ accessToken: "a-plain-token-1", endpoint: sim.url });
  expect(plain.failures).toEqual([]);
  expect(isSecret(plain.inputs.accessToken)).toBe(true);
  expect(plain.inputs.accessToken.value).toBe("a-plain-token-1");
  expect(plain.inputs.endpoint).toBe(sim.url);
  // The ingestion API's endpoint has a path; a CPP endpoint may not.
  const ingestion = { endpoint: "https://graph.microsoft.com/rp/product-ingestion", api: "ingestion" };
  expect((await host.checkConfig(ingestion)).failures).toEqual([]);
  const cppWithPath = await host.checkConfig({ ...ingestion, api: "cpp" });
  expect(cppWithPath.failures.map((f) => f.property)).toEqual(["endpoint"]);
  const bad = await host.checkConfig({ endpoint: "http://example.com", api: "soap" });
  expect(bad.failures.map((f) => f.property).sort()).toEqual(["api", "endpoint"]);
  expect(bad.failures.find((f) => f.property === "endpoint")?.reason).toMatch(/https/);

  const same = await host.diffConfig(
    { accessToken: secret("a-token-1") },
    { accessToken: secret("a-token-1") },
  );
  expect(same.none).toBe(true);
  const rotated = await host.diffConfig(
    { accessToken: secret("a-token-1"), endpoint: sim.url },
    { accessToken: secret("a-token-2"), endpoint: "https://cloudpartner.azure.com" },
  );
  expect(rotated).toMatchObject({ changes: true, replaces: [], hasDetailedDiff: true });
  expect(rotated.detailed).toEqual({ accessToken: "UPDATE", endpoint: "UPDATE" });
});

test("Check fills defaults, takes endpoint from the provider config, and reports bad fields", async () => {
  const ok = await checked(GO_LIVE, { publisherId: "contoso", offerId: "o" });
  expect(ok).toMatchObject({
    endpoint: sim.url,
    apiVersion: "2017-10-31",
    wait: true,
    timeoutSeconds: 604800,
  });
  const own = await checked(GO_LIVE, {
    publisherId: "contoso",
    offerId: "o",
    endpoint: "https://example.com",
  });
  expect(own.endpoint).toBe("https://example.com");
  const bad = await host.check(GO_LIVE, {}, { publisherId: "a/b", offerId: "" });
  expect(bad.failures.map((f) => f.property).sort()).toEqual(["offerId", "publisherId"]);
});

test("create: one go-live, waits until succeeded, id and outputs like the dynamic resource; delete sends nothing", async () => {
  const offerId = newOffer();
  const { id, properties } = await host.create(GO_LIVE, await checked(GO_LIVE, inputs(offerId)));
  expect(id).toMatch(new RegExp(`^contoso/${offerId}/golive/[0-9a-f-]{36}$`));
  expect(properties).toMatchObject({
    publisherId: "contoso",
    offerId,
    endpoint: sim.url,
    status: "succeeded",
    attached: false,
    currentStep: "Live",
  });
  expect(sim.goLivePosts("contoso", offerId)).toBe(1);

  const before = sim.requests.length;
  await host.delete(GO_LIVE, id, properties);
  expect(sim.requests.length).toBe(before);
});

test("preview create sends nothing and leaves the outputs unknown", async () => {
  const offerId = newOffer();
  const before = sim.requests.length;
  const { properties } = await host.create(GO_LIVE, await checked(GO_LIVE, inputs(offerId)), {
    preview: true,
  });
  expect(sim.requests.length).toBe(before);
  expect(properties.offerId).toBe(offerId);
  expect(properties.status).toBe("04da6b54-80e4-46f7-96ec-b56ff0331ba9");
  expect(properties.operationLocation).toBe("04da6b54-80e4-46f7-96ec-b56ff0331ba9");
});

test("Diff is detailed: identity inputs replace, waiting inputs update in place, a dynamic-era state diffs clean", async () => {
  const offerId = newOffer();
  const news = await checked(GO_LIVE, inputs(offerId));
  const { id, properties } = await host.create(GO_LIVE, news);

  expect((await host.diff(GO_LIVE, id, properties, news)).none).toBe(true);
  // State written by the dynamic resource carries __provider; moving to the native type must not replace.
  expect(
    (await host.diff(GO_LIVE, id, { ...properties, __provider: "exports.handler = ..." }, news)).none,
  ).toBe(true);

  const waiting = await host.diff(GO_LIVE, id, properties, { ...news, timeoutSeconds: 60 });
  expect(waiting).toMatchObject({ changes: true, replaces: [], hasDetailedDiff: true });
  expect(waiting.detailed).toEqual({ timeoutSeconds: "UPDATE" });

  const moved = await host.diff(GO_LIVE, id, properties, { ...news, offerId: "other", timeoutSeconds: 60 });
  expect(moved.replaces).toEqual(["offerId"]);
  expect(moved.deleteBeforeReplace).toBe(true);
  expect(moved.detailed).toEqual({ offerId: "UPDATE_REPLACE", timeoutSeconds: "UPDATE" });

  const failed = await host.diff(GO_LIVE, id, { ...properties, status: "failed" }, news);
  expect(failed.replaces).toEqual(["status"]);
  expect(failed.detailed).toEqual({ status: "UPDATE_REPLACE" });

  const running = await host.diff(GO_LIVE, id, { ...properties, status: "running" }, news);
  expect(running).toMatchObject({ changes: true, replaces: [] });
  expect(running.detailed).toEqual({ status: "UPDATE" });
});

test("the request timeout (customTimeouts) ends the wait with partial state; update resumes with 1 go-live in total", async () => {
  const offerId = newOffer({ goLive: longGoLive });
  const news = await checked(GO_LIVE, inputs(offerId, { timeoutSeconds: 3600 }));
  const error = await host.create(GO_LIVE, news, { timeout: 1 }).catch((e: unknown) => e);
  const init = decodeInitError(error);
  expect(init).toBeDefined();
  expect(init?.id).toMatch(new RegExp(`^contoso/${offerId}/golive/`));
  expect(init?.properties).toMatchObject({ offerId, status: "running" });
  expect(init?.properties.operationLocation).toEqual(expect.stringContaining(sim.url));
  expect(init?.message).toMatch(/pulumi up/);
  // The limit that ended the wait is the resource's customTimeouts, not timeoutSeconds (an hour): the message
  // names it and says to raise that one.
  expect(init?.message).toMatch(/after [\d.]+s, the limit set by the resource option customTimeouts\.create/);
  expect(init?.message).toMatch(/or raise customTimeouts\.create\.$/);
  expect(init?.message).not.toMatch(/raise timeoutSeconds/);
  expect(sim.goLivePosts("contoso", offerId)).toBe(1);

  // The same on resume, where customTimeouts.update applies.
  const again = decodeInitError(
    await host
      .update(GO_LIVE, init?.id ?? "", init?.properties ?? {}, news, { timeout: 1 })
      .catch((e: unknown) => e),
  );
  expect(again?.message).toMatch(/or raise customTimeouts\.update\.$/);
  // timeoutSeconds ending first is still named as such.
  const own = decodeInitError(
    await host
      .update(
        GO_LIVE,
        init?.id ?? "",
        init?.properties ?? {},
        { ...news, timeoutSeconds: 1 },
        { timeout: 3600 },
      )
      .catch((e: unknown) => e),
  );
  expect(own?.message).toMatch(/or raise timeoutSeconds\.$/);
  expect(own?.message).not.toMatch(/customTimeouts/);
  expect(sim.goLivePosts("contoso", offerId)).toBe(1);

  sim.advance(2 * 10 ** 9);
  const resumed = await host.update(GO_LIVE, init?.id ?? "", init?.properties ?? {}, news);
  expect(resumed.properties).toMatchObject({
    status: "succeeded",
    operationLocation: init?.properties.operationLocation,
  });
  expect(sim.goLivePosts("contoso", offerId)).toBe(1);
});

test("a dynamic-era state (with __provider) migrates: update and refresh drop the serialized provider, send nothing", async () => {
  const offerId = newOffer({ goLive: longGoLive });
  const news = await checked(GO_LIVE, inputs(offerId, { wait: false }));
  const { id, properties } = await host.create(GO_LIVE, news);
  const dynamicEra = { ...properties, __provider: "exports.handler = __f0;" };
  sim.advance(2 * 10 ** 9);
  const updated = await host.update(GO_LIVE, id, dynamicEra, { ...news, wait: true });
  expect(updated.properties).toMatchObject({ status: "succeeded" });
  expect(updated.properties.__provider).toBeUndefined();
  const refreshed = await host.read(GO_LIVE, id, dynamicEra, {
    ...news,
    __provider: "exports.handler = __f0;",
  });
  expect(refreshed.properties.__provider).toBeUndefined();
  expect(refreshed.inputs.__provider).toBeUndefined();
  expect(sim.goLivePosts("contoso", offerId)).toBe(1);
});

test("Cancel mid-poll aborts the wait within 1 s and saves partial state; the provider keeps working", async () => {
  const offerId = newOffer({ goLive: longGoLive });
  // One poll an hour: without Cancel this create would sleep far beyond the test's timeout.
  const news = await checked(
    GO_LIVE,
    inputs(offerId, { pollIntervalSeconds: 3600, maxPollIntervalSeconds: 3600 }),
  );
  const polls = () => sim.requests.filter((r) => r.offerId === offerId && r.kind === "operation").length;
  const pending = host.create(GO_LIVE, news).catch((e: unknown) => e);
  await until(() => polls() >= 1, "the first poll");
  await host.host.printed(`[contoso/${offerId}] go-live running`);

  const canceledAt = Date.now();
  await host.cancel();
  const error = await pending;
  const abortedAfterMs = Date.now() - canceledAt;
  expect(abortedAfterMs).toBeLessThan(1000);
  const init = decodeInitError(error);
  expect(init?.properties).toMatchObject({ offerId, status: "running" });
  expect(init?.message).toMatch(/pulumi up/);
  expect(polls()).toBe(1);

  // Cancel is also sent at every normal shutdown: it only stopped what was in flight.
  sim.advance(2 * 10 ** 9);
  const resumed = await host.update(GO_LIVE, init?.id ?? "", init?.properties ?? {}, news);
  expect(resumed.properties.status).toBe("succeeded");
  expect(sim.goLivePosts("contoso", offerId)).toBe(1);
});

test("Cancel aborts an HTTP request in flight at once", async () => {
  const offerId = newOffer({ goLive: longGoLive });
  sim.setFaults("contoso", offerId, [
    { type: "hang", ms: 60_000, match: { method: "GET", kind: "operation" } },
  ]);
  const news = await checked(GO_LIVE, inputs(offerId, { requestTimeoutSeconds: 3600 }));
  const pending = host.create(GO_LIVE, news).catch((e: unknown) => e);
  await until(() => sim.requests.some((r) => r.offerId === offerId && r.fault === "hang"), "the hung poll");

  const canceledAt = Date.now();
  await host.cancel();
  const init = decodeInitError(await pending);
  expect(Date.now() - canceledAt).toBeLessThan(1000);
  expect(init?.properties).toMatchObject({ offerId, status: "running" });
  expect(sim.goLivePosts("contoso", offerId)).toBe(1);
  sim.setFaults("contoso", offerId, []);
});

test("import adopts a go-live already done (by its id) or running (`current`) without sending one", async () => {
  const done = newOffer();
  const created = await host.create(GO_LIVE, await checked(GO_LIVE, inputs(done)));
  const imported = await host.read(GO_LIVE, created.id);
  expect(imported.id).toBe(created.id);
  expect(imported.properties).toMatchObject({
    publisherId: "contoso",
    offerId: done,
    status: "succeeded",
    attached: true,
    operationId: created.properties.operationId,
    operationLocation: created.properties.operationLocation,
  });
  expect(imported.inputs).toMatchObject({ publisherId: "contoso", offerId: done, endpoint: sim.url });
  expect(imported.inputs.status).toBeUndefined();
  expect(sim.goLivePosts("contoso", done)).toBe(1);

  const running = newOffer({ goLive: longGoLive });
  const started = await host.create(GO_LIVE, await checked(GO_LIVE, inputs(running, { wait: false })));
  expect(started.properties.status).toBe("running");
  const adopted = await host.read(GO_LIVE, `contoso/${running}/golive/current`);
  expect(adopted.id).toBe(started.id);
  expect(adopted.properties).toMatchObject({
    status: "running",
    operationId: started.properties.operationId,
  });
  expect(sim.goLivePosts("contoso", running)).toBe(1);

  const bad = await host.read(GO_LIVE, "contoso-only").catch((e: Error) => e);
  expect((bad as Error).message).toMatch(/<publisherId>\/<offerId>\/golive\/<operationId\|current>/);
});

test("import on the Product Ingestion API: a publish and a go-live by their ids or `current`, 0 POSTs", async () => {
  // A stack on the ingestion API: its provider config names the API and the endpoint (import runs no program).
  const ing = await NativeHost.start();
  try {
    await ing.configure({
      accessToken: secret(CANARY),
      endpoint: `${sim.url}/rp/product-ingestion`,
      api: "ingestion",
      version: "0.1.0",
    });
    const offerId = `native-ing-${++counter}`;
    sim.ingestion.addProduct({ externalId: offerId });
    const check = async (type: string) => {
      const result = await ing.check(type, {}, { offerId, wait: false });
      expect(result.failures).toEqual([]);
      return result.inputs;
    };
    const posts = () => sim.count({ method: "POST" });

    const publish = await ing.create(PUBLISH, await check(PUBLISH));
    expect(publish.id).toBe(`${offerId}/publish/${publish.properties.operationId}`);
    const before = posts();
    const running = await ing.read(PUBLISH, publish.id);
    expect(running.id).toBe(publish.id);
    expect(running.properties).toMatchObject({
      api: "ingestion",
      offerId,
      operationId: publish.properties.operationId,
      operationLocation: publish.properties.operationLocation,
      attached: true,
    });
    sim.advance(10 ** 9);
    const published = await ing.read(PUBLISH, publish.id);
    expect(published.properties).toMatchObject({ status: "succeeded", awaitingSignoff: true });
    expect(published.inputs).toMatchObject({ api: "ingestion", offerId });
    expect(published.inputs.status).toBeUndefined();
    expect(posts()).toBe(before);

    const live = await ing.create(GO_LIVE, await check(GO_LIVE));
    sim.advance(10 ** 9);
    const afterGoLive = posts();
    const byId = await ing.read(GO_LIVE, live.id);
    expect(byId).toMatchObject({ id: live.id, properties: { status: "succeeded", attached: true } });
    const current = await ing.read(GO_LIVE, `${offerId}/golive/current`);
    expect(current.properties).toMatchObject({ status: "succeeded", submissionId: expect.any(String) });
    expect(current.id).toBe(`${offerId}/golive/${current.properties.submissionId}`);
    // The id of a resource that attached to a submission imports as well.
    expect((await ing.read(GO_LIVE, current.id)).properties).toMatchObject({ status: "succeeded" });
    expect(posts()).toBe(afterGoLive);
    expect(sim.ingestion.configurePosts(offerId)).toBe(2);

    const bad = await ing.read(GO_LIVE, offerId).catch((e: Error) => e);
    expect((bad as Error).message).toMatch(/<offerExternalId>\/golive\/<jobId\|current>/);
    expect(ing.transcript().includes(CANARY)).toBe(false);
  } finally {
    await ing.stop();
  }
});

test("refresh reads the saved operation and keeps the old inputs", async () => {
  const offerId = newOffer();
  const news = await checked(GO_LIVE, inputs(offerId));
  const { id, properties } = await host.create(GO_LIVE, news);
  const refreshed = await host.read(GO_LIVE, id, { ...properties, status: "running" }, news);
  expect(refreshed.properties.status).toBe("succeeded");
  expect(refreshed.inputs).toEqual(news);
});

test("OfferPublish: secret inputs stay secret in outputs and in partial state", async () => {
  const offerId = newOffer({ state: "neverPublished" });
  const news = await checked(PUBLISH, inputs(offerId, { notificationEmails: secret(["ops@example.com"]) }));
  expect(isSecret(news.notificationEmails)).toBe(true);
  const { properties } = await host.create(PUBLISH, news);
  expect(properties.awaitingSignoff).toBe(true);
  expect(isSecret(properties.notificationEmails)).toBe(true);
  expect(properties.notificationEmails.value).toEqual(["ops@example.com"]);
  expect(isSecret(properties.offerId)).toBe(false);

  const slow = newOffer({ goLive: longGoLive });
  const slowNews = await checked(GO_LIVE, inputs(slow, { offerId: secret(slow) }));
  const init = decodeInitError(
    await host.create(GO_LIVE, slowNews, { timeout: 0.2 }).catch((e: unknown) => e),
  );
  expect(isSecret(init?.properties.offerId)).toBe(true);
});

test("OfferPublish triggers: `--replace` with the same triggers adopts the resting publish; a change publishes", async () => {
  const offerId = newOffer({ state: "neverPublished" });
  const publishPosts = () =>
    sim.requests.filter(
      (r) => r.kind === "publish" && r.method === "POST" && r.processed && r.offerId === offerId,
    ).length;
  const first = await host.create(PUBLISH, await checked(PUBLISH, inputs(offerId, { triggers: ["1.0.0"] })));
  expect(first.properties).toMatchObject({ awaitingSignoff: true });
  // `pulumi up --replace`: Check gets the old inputs; the diff shows no input change (the marker is not one).
  const same = (await host.check(PUBLISH, first.properties, inputs(offerId, { triggers: ["1.0.0"] }))).inputs;
  expect(same.__triggersChanged).toBe(false);
  expect((await host.diff(PUBLISH, first.id, first.properties, same)).none).toBe(true);
  const replaced = await host.create(PUBLISH, same);
  expect(replaced.properties).toMatchObject({ attached: true, operationId: first.properties.operationId });
  expect(publishPosts()).toBe(1);
  // A new trigger value (a new image version in the draft): the diff replaces on triggers alone; a new publish.
  sim.portalEdit("contoso", offerId, { displayText: "with image 2.0.0" });
  const changed = (await host.check(PUBLISH, first.properties, inputs(offerId, { triggers: ["2.0.0"] })))
    .inputs;
  const diff = await host.diff(PUBLISH, first.id, first.properties, changed);
  expect(diff.replaces).toEqual(["triggers"]);
  expect(diff.detailed).toEqual({ triggers: "UPDATE_REPLACE" });
  const republished = await host.create(PUBLISH, changed);
  expect(republished.properties).toMatchObject({ attached: false, awaitingSignoff: true });
  expect(publishPosts()).toBe(2);
});

test("getOfferStatus is served as an Invoke with the configured token and endpoint", async () => {
  const offerId = newOffer();
  const { result, failures } = await host.invoke("cloudpartner:index:getOfferStatus", {
    publisherId: "contoso",
    offerId,
  });
  expect(failures).toEqual([]);
  expect(result).toMatchObject({ publisherId: "contoso", offerId, awaitingSignoff: true });
  expect(typeof result?.status).toBe("string");
  const missing = await host.invoke("cloudpartner:index:getOfferStatus", { publisherId: "contoso" });
  expect(missing.failures.map((f) => f.property)).toEqual(["offerId"]);
  await expect(host.invoke("cloudpartner:index:nothing", {})).rejects.toThrow(/getOfferStatus/);
});
