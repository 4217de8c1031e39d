/**
 * Engine tier: the real dynamic provider host from @pulumi/pulumi, spoken to over gRPC as the Pulumi
 * engine does, running our serialized provider against the CPP simulator.
 */

import type { CppSimulator } from "../../emulator/server";
import { clientFor, goLiveInputs, withSimulator } from "../support/harness";
import { decodeInitError, ProviderHost, serializedProvider } from "../support/provider-host";

const CANARY = "canary-token-7f3a91c2e5";
let sim: CppSimulator;
let host: ProviderHost;
let providerText: string;
let counter = 0;

const longGoLive = { steps: [{ id: "live", stepName: "Live", durationSeconds: 10 ** 9 }] };

function newOffer(seed: Record<string, unknown> = {}): string {
  const offerId = `engine-${++counter}`;
  sim.addOffer({ publisherId: "contoso", offerId, ...seed });
  return offerId;
}

function inputs(offerId: string, extra: Record<string, unknown> = {}) {
  return goLiveInputs(sim.url, providerText, offerId, extra);
}

/** check, then create: what `pulumi up` does for a new resource. */
async function checkAndCreate(news: Record<string, unknown>) {
  const checked = await host.check({}, news);
  expect(checked.failures).toEqual([]);
  return host.create(checked.inputs);
}

beforeAll(async () => {
  sim = await withSimulator({ acceptedTokens: [CANARY] });
  providerText = await serializedProvider();
  host = await ProviderHost.start();
  await host.configure({ "cloudpartner:accessToken": CANARY, "project:other": "x" });
});

afterAll(async () => {
  await host?.stop();
  await sim?.close();
});

test("serialized __provider is small and holds no token or module code", () => {
  expect(providerText.length).toBeLessThan(8 * 1024);
  expect(providerText).not.toContain(CANARY);
  expect(providerText).not.toMatch(/undici|Pool|Authorization/i);
});

test("check fills defaults and reports each bad field", async () => {
  const ok = await host.check({}, { publisherId: "contoso", offerId: "o", __provider: providerText });
  expect(ok.failures).toEqual([]);
  expect(ok.inputs).toMatchObject({
    endpoint: "https://cloudpartner.azure.com",
    apiVersion: "2017-10-31",
    wait: true,
    timeoutSeconds: 604800,
    pollIntervalSeconds: 60,
  });
  const bad = await host.check(
    {},
    { publisherId: "a/b", offerId: "", endpoint: "http://example.com", __provider: providerText },
  );
  expect(bad.failures.map((f) => f.property).sort()).toEqual(["endpoint", "offerId", "publisherId"]);
  expect(bad.failures.find((f) => f.property === "endpoint")?.reason).toMatch(/https/);
});

test("create (migrated offer): go-live once, waits until succeeded, returns every output", async () => {
  const offerId = newOffer();
  const { id, properties } = await checkAndCreate(inputs(offerId));
  expect(id).toMatch(new RegExp(`^contoso/${offerId}/golive/[0-9a-f-]{36}$`));
  expect(properties).toMatchObject({
    publisherId: "contoso",
    offerId,
    status: "succeeded",
    attached: false,
    currentStep: "Live",
  });
  expect(properties.operationLocation).toMatch(
    new RegExp(`^${sim.url}/api/publishers/contoso/offers/${offerId}/operations/`),
  );
  expect(properties.operationId).toMatch(/^[0-9a-f-]{36}$/);
  expect(Date.parse(properties.completedAt)).toBeGreaterThanOrEqual(Date.parse(properties.startedAt));
  expect(properties.steps.map((s: { name: string }) => s.name)).toContain("Certification");
  expect(properties.__provider).toBe(providerText);
  expect(sim.goLivePosts("contoso", offerId)).toBe(1);
  expect(host.stdout).toContain(`[contoso/${offerId}] go-live`);
});

test("create (non-migrated offer): `$` operation id", async () => {
  const offerId = newOffer({ migrated: false });
  const { properties } = await checkAndCreate(inputs(offerId));
  expect(properties.operationId).toBe(`contoso$${offerId}$1$production`);
  expect(properties.status).toBe("succeeded");
});

test("400 → deployment error with the API's message, nothing saved", async () => {
  const offerId = newOffer({ state: "neverPublished" });
  const error = await checkAndCreate(inputs(offerId)).catch((e) => e);
  expect(error.message).toMatch(/HTTP 400.*published/);
  expect(decodeInitError(error)).toBeUndefined();
});

test("404 → deployment error naming the offer, nothing saved", async () => {
  const error = await checkAndCreate(inputs("does-not-exist")).catch((e) => e);
  expect(error.message).toMatch(/contoso\/does-not-exist was not found \(HTTP 404/);
  expect(decodeInitError(error)).toBeUndefined();
});

test("failed operation → partial state with status failed and the step's messages; next diff replaces", async () => {
  const offerId = newOffer({
    goLive: { failAt: { stepId: "displaycertify", messages: ["No VM image for plan gold."] } },
  });
  const error = await checkAndCreate(inputs(offerId)).catch((e) => e);
  const init = decodeInitError(error);
  expect(init?.message).toMatch(/failed at step "Certification".*No VM image for plan gold/);
  expect(init?.properties).toMatchObject({ status: "failed", offerId, __provider: providerText });
  expect(init?.reasons[0]).toMatch(/No VM image/);
  const diff = await host.diff(init!.id, init!.properties, inputs(offerId));
  expect(diff.replaces).toContain("status");
});

test("timeout → partial state keeps the operation; update resumes it with no second go-live", async () => {
  const offerId = newOffer({ goLive: longGoLive });
  const error = await checkAndCreate(inputs(offerId, { timeoutSeconds: 0.3 })).catch((e) => e);
  const init = decodeInitError(error);
  expect(init?.message).toMatch(/Stopped waiting.*still running.*pulumi up/);
  expect(init?.properties).toMatchObject({ status: "running", __provider: providerText });
  expect(init?.properties.operationLocation).toMatch(/\/operations\//);

  const news = (await host.check(init!.properties, inputs(offerId))).inputs;
  const diff = await host.diff(init!.id, init!.properties, news);
  expect(diff).toMatchObject({ changes: true, replaces: [] });

  sim.advance(2 * 10 ** 9);
  const { properties } = await host.update(init!.id, init!.properties, news);
  expect(properties.status).toBe("succeeded");
  expect(properties.operationLocation).toBe(init?.properties.operationLocation);
  expect(properties.__provider).toBe(providerText);
  expect(sim.goLivePosts("contoso", offerId)).toBe(1);
});

test("create attaches to a go-live already running (no POST)", async () => {
  const offerId = newOffer({ goLive: longGoLive });
  const { client, transport } = clientFor(sim, { accessToken: CANARY });
  const started = await client.goLive("contoso", offerId);
  await transport.close();
  const error = await checkAndCreate(inputs(offerId, { timeoutSeconds: 0.2 })).catch((e) => e);
  const init = decodeInitError(error);
  expect(init?.properties).toMatchObject({ attached: true, operationLocation: started.operationLocation });
  expect(sim.goLivePosts("contoso", offerId)).toBe(1);
});

test("wait: false records the running operation; in-place changes never re-send go-live", async () => {
  const offerId = newOffer({ goLive: longGoLive });
  const created = await checkAndCreate(inputs(offerId, { wait: false }));
  expect(created.properties.status).toBe("running");
  const news = inputs(offerId, { wait: false, pollIntervalSeconds: 5 });
  const diff = await host.diff(
    created.id,
    created.properties,
    (await host.check(created.properties, news)).inputs,
  );
  expect(diff).toMatchObject({ changes: true, replaces: [] });
  const updated = await host.update(
    created.id,
    created.properties,
    (await host.check(created.properties, news)).inputs,
  );
  expect(updated.properties).toMatchObject({ pollIntervalSeconds: 5, status: "running" });
  expect(updated.properties.operationLocation).toBe(created.properties.operationLocation);
  expect(sim.goLivePosts("contoso", offerId)).toBe(1);
});

test("diff: identity inputs replace; a finished operation with equal inputs has no changes", async () => {
  const offerId = newOffer();
  const created = await checkAndCreate(inputs(offerId));
  const same = await host.diff(
    created.id,
    created.properties,
    (await host.check(created.properties, inputs(offerId))).inputs,
  );
  expect(same).toMatchObject({ changes: false, replaces: [] });
  for (const change of [
    { offerId: "other" },
    { publisherId: "fabrikam" },
    { apiVersion: "2018-01-01" },
    { endpoint: `${sim.url}/x` },
  ]) {
    const diff = await host.diff(created.id, created.properties, inputs(offerId, change));
    expect(diff.replaces).toEqual(Object.keys(change));
    expect(diff.deleteBeforeReplace).toBe(true);
  }
});

test("read (refresh) reports the operation's current status; a vanished offer is removed", async () => {
  const offerId = newOffer({ goLive: longGoLive });
  const created = await checkAndCreate(inputs(offerId, { wait: false }));
  sim.advance(2 * 10 ** 9);
  const read = await host.read(created.id, created.properties);
  expect(read.id).toBe(created.id);
  expect(read.properties.status).toBe("succeeded");
  expect(read.properties.__provider).toBe(providerText);

  const gone = await host.read("x", {
    ...created.properties,
    offerId: "vanished",
    operationLocation: `${sim.url}/api/publishers/contoso/offers/vanished/operations/0000?api-version=2017-10-31`,
  });
  expect(gone.id).toBe("");
});

test("delete only removes from state and says the offer stays live", async () => {
  const offerId = newOffer();
  const created = await checkAndCreate(inputs(offerId));
  const requestsBefore = sim.requests.length;
  await host.delete(created.id, created.properties);
  expect(sim.requests.length).toBe(requestsBefore);
  const removed = new RegExp(`\\[contoso/${offerId}\\] removing the go-live record from the stack only`);
  expect(await host.printed(removed)).toMatch(removed);
});

test("the token never appears in any response, in the provider's output or in __provider", () => {
  expect(host.responses.length).toBeGreaterThan(10);
  for (const response of host.responses) expect(response).not.toContain(CANARY);
  expect(host.stdout).not.toContain(CANARY);
  expect(host.stderr).not.toContain(CANARY);
  const seen = sim.requests.map((r) => r.headers.authorization);
  expect(seen.every((a) => a === `Bearer ${CANARY}`)).toBe(true);
});

test("a go-live that already finished for the latest published version is adopted, not sent again", async () => {
  const offerId = newOffer();
  await checkAndCreate(inputs(offerId));
  expect(sim.goLivePosts("contoso", offerId)).toBe(1);
  // The state was lost (e.g. a killed `pulumi up` whose pending create was cleared after go-live finished).
  const again = await checkAndCreate(inputs(offerId));
  expect(again.properties).toMatchObject({ status: "succeeded", attached: true });
  expect(sim.goLivePosts("contoso", offerId)).toBe(1);
  expect(host.stdout).toContain(`[contoso/${offerId}] the latest published version already went live`);

  // A new publish makes a new go-live due.
  const { client, transport } = clientFor(sim, { accessToken: CANARY });
  const publish = await client.publish("contoso", offerId, ["ops@contoso.com"]);
  await transport.close();
  sim.advance(10 ** 7);
  expect(publish.operationLocation).toBeTruthy();
  const fresh = await checkAndCreate(inputs(offerId));
  expect(fresh.properties).toMatchObject({ status: "succeeded", attached: false });
  expect(sim.goLivePosts("contoso", offerId)).toBe(2);
});

test("an operation that reports no steps and no id still saves cleanly (no undefined outputs)", async () => {
  const offerId = newOffer({
    migrated: false,
    goLive: { steps: [{ id: "live", stepName: "Live", durationSeconds: 0 }] },
  });
  sim.setFaults("contoso", offerId, [
    { type: "status", status: 200, body: '{"status":"succeeded"}', match: { kind: "operation" }, times: 100 },
  ]);
  const { properties } = await checkAndCreate(inputs(offerId));
  expect(properties.status).toBe("succeeded");
  expect(properties).not.toHaveProperty("currentStep");
  const read = await host.read("x", properties);
  expect(read.properties.status).toBe("succeeded");
});

test("an operation record that answers 404: refresh takes the offer's status, then `up` succeeds", async () => {
  const offerId = newOffer({ goLive: longGoLive });
  const error = await checkAndCreate(inputs(offerId, { timeoutSeconds: 0.2 })).catch((e) => e);
  const init = decodeInitError(error);
  expect(init?.properties).toMatchObject({ status: "running" });
  sim.advance(2 * 10 ** 9);
  sim.setFaults("contoso", offerId, [
    {
      type: "status",
      status: 404,
      body: '{"error":{"code":"NotFound","message":"gone"}}',
      match: { kind: "operation" },
      times: 1000,
    },
  ]);
  // refresh
  const read = await host.read(init!.id, init!.properties);
  expect(read.properties).toMatchObject({ status: "succeeded", rawStatus: "succeeded" });
  // up: nothing left to resume
  const news = (await host.check(read.properties, inputs(offerId, { timeoutSeconds: 0.2 }))).inputs;
  const diff = await host.diff(init!.id, read.properties, news);
  expect(diff.changes).toBe(false);
  // and an `up` straight from the stale state (no refresh) also ends, with the offer's status
  const updated = await host.update(init!.id, init!.properties, news);
  expect(updated.properties).toMatchObject({ status: "succeeded", rawStatus: "succeeded" });
  expect(sim.goLivePosts("contoso", offerId)).toBe(1);
});

test("an operation record that answers 404 while the offer still runs: `up` says exactly what to do", async () => {
  const offerId = newOffer({ goLive: longGoLive });
  const error = await checkAndCreate(inputs(offerId, { timeoutSeconds: 0.2 })).catch((e) => e);
  const init = decodeInitError(error);
  sim.setFaults("contoso", offerId, [
    {
      type: "status",
      status: 404,
      body: '{"error":{"code":"NotFound","message":"gone"}}',
      match: { kind: "operation" },
      times: 1000,
    },
  ]);
  const read = await host.read(init!.id, init!.properties);
  expect(read.properties).toMatchObject({ status: "running", rawStatus: "running" });
  const news = (await host.check(read.properties, inputs(offerId))).inputs;
  const failed = await host.update(init!.id, read.properties, news).catch((e) => e);
  expect(String(failed.message ?? failed)).toMatch(
    /no longer available \(HTTP 404\).*still runs.*pulumi up --replace.*pulumi-cloudpartner status contoso .*pulumi refresh/,
  );
  expect(sim.goLivePosts("contoso", offerId)).toBe(1);
});

test("a finished go-live whose record is gone keeps its outcome when a later publish waits for review", async () => {
  const offerId = newOffer({ goLive: { steps: [{ id: "live", stepName: "Live", durationSeconds: 0 }] } });
  const live = await checkAndCreate(inputs(offerId));
  expect(live.properties).toMatchObject({ status: "succeeded" });
  // Long after: the go-live's record expired (gone from the list too), and a new publish rests at its preview.
  sim.dropOperationRecord(String(live.properties.operationId), { fromSubmissions: true });
  const { client, transport } = clientFor(sim, { accessToken: CANARY });
  await client.publish("contoso", offerId);
  await transport.close();
  sim.advance(10 * 86400);
  expect(sim.offer("contoso", offerId)?.status).toBe("waitingForPublisherReview");
  // refresh: the go-live stays succeeded (the offer's status describes the later publish) ...
  const read = await host.read(live.id, live.properties);
  expect(read.properties).toMatchObject({ status: "succeeded", rawStatus: live.properties.rawStatus });
  expect(await host.printed("and that is kept")).toContain("and that is kept");
  // ... so the next `pulumi up` replaces nothing and sends no go-live for the unreviewed preview.
  const news = (await host.check(read.properties, inputs(offerId))).inputs;
  expect(await host.diff(live.id, read.properties, news)).toMatchObject({ changes: false, replaces: [] });
  expect(sim.goLivePosts("contoso", offerId)).toBe(1);
});

test("a running go-live whose record and list entry are gone, with a later publish waiting: not failed", async () => {
  const offerId = newOffer({ goLive: longGoLive });
  const error = await checkAndCreate(inputs(offerId, { timeoutSeconds: 0.2 })).catch((e) => e);
  const init = decodeInitError(error);
  expect(init?.properties).toMatchObject({ status: "running" });
  sim.advance(2 * 10 ** 9);
  sim.dropOperationRecord(String(init?.properties.operationId), { fromSubmissions: true });
  const { client, transport } = clientFor(sim, { accessToken: CANARY });
  await client.publish("contoso", offerId);
  await transport.close();
  sim.advance(10 * 86400);
  const read = await host.read(init!.id, init!.properties);
  // The offer shows a publish's steps: a later publish, so this go-live's end cannot be read from it.
  expect(read.properties).toMatchObject({ status: "succeeded", rawStatus: "waitingForPublisherReview" });
  expect(read.properties.messages[0]).toMatch(/later publish waits for review.*nothing is sent/);
  const news = (await host.check(read.properties, inputs(offerId, { timeoutSeconds: 0.2 }))).inputs;
  expect(await host.diff(init!.id, read.properties, news)).toMatchObject({ changes: false, replaces: [] });
  expect(sim.goLivePosts("contoso", offerId)).toBe(1);
});

test("an endpoint with a path prefix is refused in check, with what to use instead", async () => {
  const checked = await host.check({}, inputs("x", { endpoint: `${sim.url}/cpp` }));
  expect(checked.failures).toEqual([
    {
      property: "endpoint",
      reason: expect.stringMatching(/without a path \(got path "\/cpp"\).*Use "http:\/\/127\.0\.0\.1:\d+"/),
    },
  ]);
});
