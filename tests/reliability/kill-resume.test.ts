/**
 * Kill and resume: the provider host is SIGKILLed mid-deployment (what a killed CI job or a second Ctrl-C
 * does), a new host is started, and the deployment is repeated the way the Pulumi CLI would repeat it:
 * - killed during `create` → the engine keeps a pending create; after `pulumi refresh --clear-pending-creates`
 *   the next `pulumi up` calls `create` again, which must attach to the running go-live;
 * - killed during `update` of a saved partial state → the state is unchanged; the next `pulumi up` calls
 *   `update` again, which must resume the saved operation.
 * Either way no second go-live is sent.
 */

import type { CppSimulator } from "../simulator/server";
import { goLiveInputs, withSimulator } from "../support/harness";
import { decodeInitError, ProviderHost, serializedProvider } from "../support/provider-host";
import { CANARY, waitFor } from "./helpers";

const LONG_GO_LIVE = { steps: [{ id: "live", stepName: "Live", durationSeconds: 10 ** 9 }] };

let sim: CppSimulator;
let providerText: string;
let counter = 0;
const hosts: ProviderHost[] = [];
/** The host the next test starts with (the one that survived the previous test's kill). */
let live: ProviderHost;

function newOffer(): string {
  const offerId = `killed-${++counter}`;
  sim.addOffer({ publisherId: "contoso", offerId, goLive: LONG_GO_LIVE });
  return offerId;
}

function inputs(offerId: string, extra: Record<string, unknown> = {}) {
  return goLiveInputs(sim.url, providerText, offerId, { timeoutSeconds: 30, ...extra });
}

/** A fresh provider host, configured like `pulumi up` configures it. */
async function startHost(): Promise<ProviderHost> {
  const host = await ProviderHost.start();
  hosts.push(host);
  await host.configure({ "cloudpartner:accessToken": CANARY });
  live = host;
  return host;
}

function polls(offerId: string): number {
  return sim.count({ kind: "operation", offerId });
}

/**
 * Ends the long go-live once the new host is polling it (the killed host polls no more), so the deployment
 * that attached or resumed sees it succeed.
 */
async function finishOncePolled(offerId: string): Promise<void> {
  const before = polls(offerId);
  await waitFor(() => polls(offerId) >= before + 2, "the new host to poll the running go-live");
  sim.advance(2 * 10 ** 9);
}

/** SIGKILLs the host and checks the process is gone. */
async function kill(host: ProviderHost): Promise<void> {
  const pid = host.pid;
  expect(pid).toBeDefined();
  await host.stop();
  expect(() => process.kill(pid as number, 0)).toThrow(/ESRCH/);
}

beforeAll(async () => {
  [sim, providerText] = await Promise.all([
    withSimulator({ acceptedTokens: [CANARY] }),
    serializedProvider(),
  ]);
  await startHost();
});

afterAll(async () => {
  await Promise.all(hosts.map((h) => h.stop()));
  await sim?.close();
});

test("killed mid-poll during create: create on a new host attaches to the running go-live, no second POST", async () => {
  const offerId = newOffer();
  const first = live;
  const news = (await first.check({}, inputs(offerId))).inputs;
  const creating = first.create(news).catch((error: unknown) => error);
  await waitFor(() => polls(offerId) >= 3, "the first host to be polling");
  const operationId = sim.offer("contoso", offerId)?.runningOperationId;
  expect(operationId).toBeDefined();

  await kill(first);
  // The engine got no answer at all: no partial state, only a pending create in the checkpoint.
  const lost = await creating;
  expect(lost).toBeInstanceOf(Error);
  expect(decodeInitError(lost)).toBeUndefined();

  // `pulumi refresh --clear-pending-creates`, then `pulumi up`: check + create again on a new host.
  const second = await startHost();
  const again = (await second.check({}, inputs(offerId))).inputs;
  const [created] = await Promise.all([second.create(again), finishOncePolled(offerId)]);
  expect(created.properties).toMatchObject({ status: "succeeded", attached: true, operationId });
  expect(created.id).toBe(`contoso/${offerId}/golive/${operationId}`);
  expect(sim.goLivePosts("contoso", offerId)).toBe(1);
  expect(sim.count({ kind: "golive", offerId })).toBe(1);
});

test("killed while the go-live POST was in flight: the API still starts it; create again attaches", async () => {
  const offerId = newOffer();
  // The API holds the POST until released; the host dies before the answer arrives (an event, not a race).
  sim.setFaults("contoso", offerId, [
    { type: "hang", untilReleased: true, match: { method: "POST", kind: "golive" } },
  ]);
  const first = live;
  const creating = first.create((await first.check({}, inputs(offerId))).inputs).catch((e: unknown) => e);
  await waitFor(() => sim.count({ kind: "golive", offerId }) === 1, "the go-live POST to arrive");
  await kill(first);
  await creating;
  expect(sim.goLivePosts("contoso", offerId)).toBe(0);
  sim.releaseHeld();
  await waitFor(() => sim.goLivePosts("contoso", offerId) === 1, "the API to process the orphaned POST");
  const operationId = sim.offer("contoso", offerId)?.runningOperationId;

  const second = await startHost();
  const news = (await second.check({}, inputs(offerId))).inputs;
  const [created] = await Promise.all([second.create(news), finishOncePolled(offerId)]);
  expect(created.properties).toMatchObject({ status: "succeeded", attached: true, operationId });
  expect(sim.goLivePosts("contoso", offerId)).toBe(1);
});

test("killed mid-poll during update of a saved partial state: update on a new host resumes it", async () => {
  const offerId = newOffer();
  const first = live;
  // A first `pulumi up` timed out: the engine saved the partial state (operation location, status running).
  const timedOut = await first
    .create((await first.check({}, inputs(offerId, { timeoutSeconds: 0.2 }))).inputs)
    .catch((e: unknown) => e);
  const saved = decodeInitError(timedOut);
  expect(saved?.properties).toMatchObject({ status: "running", __provider: providerText });

  // The next `pulumi up` resumes it with update, and is killed mid-poll.
  const news = (await first.check(saved!.properties, inputs(offerId))).inputs;
  expect(await first.diff(saved!.id, saved!.properties, news)).toMatchObject({ changes: true, replaces: [] });
  const pollsBefore = polls(offerId);
  const updating = first.update(saved!.id, saved!.properties, news).catch((e: unknown) => e);
  await waitFor(() => polls(offerId) >= pollsBefore + 3, "the update to be polling");
  await kill(first);
  expect(decodeInitError(await updating)).toBeUndefined();

  // A killed update leaves the saved state as it was; the following `pulumi up` updates it again.
  const second = await startHost();
  const [updated] = await Promise.all([
    second.update(saved!.id, saved!.properties, news),
    finishOncePolled(offerId),
  ]);
  expect(updated.properties).toMatchObject({
    status: "succeeded",
    operationLocation: saved!.properties.operationLocation,
    __provider: providerText,
  });
  expect(sim.goLivePosts("contoso", offerId)).toBe(1);
});

test("no host ever printed or answered the token", () => {
  for (const host of hosts) {
    expect(host.stdout).not.toContain(CANARY);
    expect(host.stderr).not.toContain(CANARY);
    for (const response of host.responses) expect(response).not.toContain(CANARY);
  }
});
