/**
 * Kill and resume: the provider host is SIGKILLed mid-deployment (what a killed CI job or a second Ctrl-C
 * does), a new host is started, and the deployment is repeated the way the Pulumi CLI would repeat it:
 * - killed during `create` → the engine keeps a pending create; after `pulumi refresh --clear-pending-creates`
 *   the next `pulumi up` calls `create` again, which must attach to the running go-live;
 * - killed during `update` of a saved partial state → the state is unchanged; the next `pulumi up` calls
 *   `update` again, which must resume the saved operation.
 * Either way no second go-live is sent.
 */

import type { CppSimulator } from "../../emulator/server";
import { goLiveInputs, withSimulator } from "../support/harness";
import { decodeInitError, serializedProvider } from "../support/provider-host";
import {
  CANARY,
  createAgainOnNewHost,
  KillableHosts,
  kill,
  killMidUpdateThenResume,
  waitFor,
} from "./helpers";

const LONG_GO_LIVE = { steps: [{ id: "live", stepName: "Live", durationSeconds: 10 ** 9 }] };

let sim: CppSimulator;
let providerText: string;
let counter = 0;
const hosts = new KillableHosts();

function newOffer(): string {
  const offerId = `killed-${++counter}`;
  sim.addOffer({ publisherId: "contoso", offerId, goLive: LONG_GO_LIVE });
  return offerId;
}

function inputs(offerId: string, extra: Record<string, unknown> = {}) {
  return goLiveInputs(sim.url, providerText, offerId, { timeoutSeconds: 30, ...extra });
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

beforeAll(async () => {
  [sim, providerText] = await Promise.all([
    withSimulator({ acceptedTokens: [CANARY] }),
    serializedProvider(),
  ]);
  await hosts.start();
});

afterAll(async () => {
  await hosts.stop();
  await sim?.close();
});

test("killed mid-poll during create: create on a new host attaches to the running go-live, no second POST", async () => {
  const offerId = newOffer();
  const first = hosts.live;
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

  const created = await createAgainOnNewHost(hosts, inputs(offerId), () => finishOncePolled(offerId));
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
  const first = hosts.live;
  const creating = first.create((await first.check({}, inputs(offerId))).inputs).catch((e: unknown) => e);
  await waitFor(() => sim.count({ kind: "golive", offerId }) === 1, "the go-live POST to arrive");
  await kill(first);
  await creating;
  expect(sim.goLivePosts("contoso", offerId)).toBe(0);
  sim.releaseHeld();
  await waitFor(() => sim.goLivePosts("contoso", offerId) === 1, "the API to process the orphaned POST");
  const operationId = sim.offer("contoso", offerId)?.runningOperationId;

  const created = await createAgainOnNewHost(hosts, inputs(offerId), () => finishOncePolled(offerId));
  expect(created.properties).toMatchObject({ status: "succeeded", attached: true, operationId });
  expect(sim.goLivePosts("contoso", offerId)).toBe(1);
});

test("killed mid-poll during update of a saved partial state: update on a new host resumes it", async () => {
  const offerId = newOffer();
  const { saved, updated } = await killMidUpdateThenResume({
    hosts,
    providerText,
    inputs: (extra) => inputs(offerId, extra),
    polls: () => polls(offerId),
    finish: () => finishOncePolled(offerId),
  });
  expect(updated.properties).toMatchObject({
    status: "succeeded",
    operationLocation: saved.properties.operationLocation,
    __provider: providerText,
  });
  expect(sim.goLivePosts("contoso", offerId)).toBe(1);
});

test("no host ever printed or answered the token", () => {
  for (const host of hosts.all) {
    expect(host.stdout).not.toContain(CANARY);
    expect(host.stderr).not.toContain(CANARY);
    for (const response of host.responses) expect(response).not.toContain(CANARY);
  }
});
