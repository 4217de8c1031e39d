/**
 * Kill and resume for `api: "ingestion"` (see kill-resume.test.ts for the CPP side and what the CLI does): the
 * provider host running OfferPublish is SIGKILLed mid-create, while the configure POST is in flight, and
 * mid-update of a saved partial state; a new host repeats the deployment and attaches to (or resumes) the
 * preview submission the first one started. The API never gets a second configure POST.
 */

import type { CppSimulator } from "../../emulator/server";
import { INGESTION_SCOPE } from "../../emulator/server";
import { ingestionInputs, withSimulator } from "../support/harness";
import { decodeInitError, serializedProvider } from "../support/provider-host";
import {
  CANARY,
  createAgainOnNewHost,
  KillableHosts,
  kill,
  killMidUpdateThenResume,
  waitFor,
} from "./helpers";

/** ~30 years of simulated time: the publish runs until the test advances the clock. */
const LONG = 10 ** 9;

let sim: CppSimulator;
let providerText: string;
let counter = 0;
const hosts = new KillableHosts();

function newProduct(): string {
  const offerId = `killed-ing-${++counter}`;
  sim.ingestion.addProduct({ externalId: offerId, previewSeconds: LONG });
  return offerId;
}

function inputs(offerId: string, extra: Record<string, unknown> = {}) {
  return ingestionInputs(sim.url, providerText, offerId, { timeoutSeconds: 30, ...extra });
}

/** Reads of the running job or submission (a host waiting on it). */
function polls(offerId: string): number {
  return sim.requests.filter(
    (r) =>
      r.publisherId === INGESTION_SCOPE &&
      r.offerId === offerId &&
      r.method === "GET" &&
      (r.kind === "configureStatus" || r.kind === "submission"),
  ).length;
}

/** Ends the long publish once the new host is polling it, so the deployment that attached sees it ready. */
async function finishOncePolled(offerId: string): Promise<void> {
  const before = polls(offerId);
  await waitFor(() => polls(offerId) >= before + 2, "the new host to poll the running publish");
  sim.advance(2 * LONG);
}

const configurePosts = (offerId: string) => sim.ingestion.configurePosts(offerId);

beforeAll(async () => {
  [sim, providerText] = await Promise.all([
    withSimulator({ acceptedTokens: [CANARY] }),
    serializedProvider("OfferPublishProvider"),
  ]);
  await hosts.start();
});

afterAll(async () => {
  await hosts.stop();
  await sim?.close();
});

test("killed mid-poll during create: create on a new host attaches to the running preview, no second configure", async () => {
  const offerId = newProduct();
  const first = hosts.live;
  const creating = first.create((await first.check({}, inputs(offerId))).inputs).catch((e: unknown) => e);
  await waitFor(() => polls(offerId) >= 3, "the first host to be polling");
  const submission = sim.ingestion.product(offerId)?.submissions.find((s) => s.target === "preview");
  expect(submission).toBeDefined();

  await kill(first);
  const lost = await creating;
  expect(lost).toBeInstanceOf(Error);
  expect(decodeInitError(lost)).toBeUndefined();

  const created = await createAgainOnNewHost(hosts, inputs(offerId), () => finishOncePolled(offerId));
  expect(created.properties).toMatchObject({
    status: "succeeded",
    awaitingSignoff: true,
    attached: true,
    submissionId: submission?.id,
  });
  expect(configurePosts(offerId)).toBe(1);
  expect(sim.ingestion.product(offerId)?.jobs).toHaveLength(1);
});

test("killed while the configure POST was in flight: the API still applies it; create again attaches", async () => {
  const offerId = newProduct();
  // The API holds the POST until released; the host dies before the answer arrives (an event, not a race).
  sim.setFaults(INGESTION_SCOPE, offerId, [
    { type: "hang", untilReleased: true, match: { method: "POST", kind: "configure" } },
  ]);
  const first = hosts.live;
  const creating = first.create((await first.check({}, inputs(offerId))).inputs).catch((e: unknown) => e);
  await waitFor(
    () => sim.count({ kind: "configure", method: "POST", offerId }) === 1,
    "the configure POST to arrive",
  );
  await kill(first);
  await creating;
  expect(configurePosts(offerId)).toBe(0);
  sim.releaseHeld();
  await waitFor(() => configurePosts(offerId) === 1, "the API to process the orphaned configure POST");
  const jobId = sim.ingestion.product(offerId)?.runningJobId;
  expect(jobId).toBeDefined();

  const created = await createAgainOnNewHost(hosts, inputs(offerId), () => finishOncePolled(offerId));
  expect(created.properties).toMatchObject({ status: "succeeded", awaitingSignoff: true, attached: true });
  expect(configurePosts(offerId)).toBe(1);
  expect(sim.ingestion.product(offerId)?.jobs).toEqual([jobId]);
});

test("killed mid-poll during update of a saved partial state: update on a new host resumes the same job", async () => {
  const offerId = newProduct();
  const { saved, updated } = await killMidUpdateThenResume({
    hosts,
    providerText,
    inputs: (extra) => inputs(offerId, extra),
    polls: () => polls(offerId),
    finish: () => finishOncePolled(offerId),
  });
  expect(updated.properties).toMatchObject({
    status: "succeeded",
    awaitingSignoff: true,
    operationId: saved.properties.operationId,
    operationLocation: saved.properties.operationLocation,
    __provider: providerText,
  });
  expect(configurePosts(offerId)).toBe(1);
});

test("no host ever printed or answered the token", () => {
  for (const host of hosts.all) {
    expect(host.stdout + host.stderr).not.toContain(CANARY);
    for (const response of host.responses) expect(response).not.toContain(CANARY);
  }
});
