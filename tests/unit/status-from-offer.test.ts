/**
 * What a resource whose operation record is gone (HTTP 404) records: its own list entry when listed, else only
 * what the offer's status can say about it (that status describes the offer's latest operation).
 */

import type { OperationSummary } from "../../provider/core/backend";
import { isFinished, statusFromList, statusFromOffer } from "../../provider/resources/status-from-offer";

const publishSteps = [
  { id: "displaycertify", name: "Certification", status: "complete", messages: [] },
  { id: "publisher-signoff", name: "Publisher signoff", status: "waitingForPublisherReview", messages: [] },
];
const goLiveSteps = [...publishSteps, { id: "live", name: "Live", status: "notStarted", messages: [] }];
const waiting = (steps: typeof publishSteps) => ({
  status: "waitingForPublisherReview",
  awaitingSignoff: true,
  steps,
});

test("a go-live: an offer resting at a publish's preview is a later publish, never a failed go-live", () => {
  expect(statusFromOffer("golive", waiting(publishSteps))).toMatchObject({
    status: "succeeded",
    source: "offer",
    note: expect.stringMatching(/later publish.*nothing is sent/),
  });
  // The go-live's own steps (with `live`) waiting for review: that go-live did not take.
  expect(statusFromOffer("golive", waiting(goLiveSteps))).toMatchObject({ status: "failed" });
});

test("a publish resting at its preview; live, failed and never published as before", () => {
  expect(statusFromOffer("publish", waiting(publishSteps))).toMatchObject({
    status: "running",
    awaitingSignoff: true,
  });
  const offer = (status: string) => ({ status, awaitingSignoff: false, steps: [] });
  expect(statusFromOffer("golive", offer("live")).status).toBe("succeeded");
  expect(statusFromOffer("golive", offer("failed")).status).toBe("failed");
  expect(statusFromOffer("publish", offer("neverPublished")).status).toBe("failed");
  expect(statusFromOffer("publish", offer("running")).status).toBe("running");
});

test("the operation's own list entry wins, matched by id and kind", () => {
  const entry = (over: Partial<OperationSummary>): OperationSummary => ({
    id: "op-1",
    kind: "golive",
    state: "succeeded",
    rawState: "succeeded",
    outcome: "succeeded",
    ...over,
  });
  expect(statusFromList("golive", "op-1", [entry({})])).toMatchObject({
    status: "succeeded",
    source: "list",
  });
  expect(statusFromList("golive", "op-1", [entry({ kind: "publish" })])).toBeUndefined();
  expect(statusFromList("golive", "op-2", [entry({})])).toBeUndefined();
  expect(statusFromList("golive", undefined, [entry({})])).toBeUndefined();
  expect(
    statusFromList("golive", "op-1", [entry({ outcome: "unrecognized", state: "running" })]),
  ).toBeUndefined();
  expect(
    statusFromList("publish", "op-1", [
      entry({
        kind: "publish",
        state: "running",
        rawState: "waitingForPublisherReview",
        outcome: "awaitingSignoff",
      }),
    ]),
  ).toMatchObject({ status: "running", awaitingSignoff: true, rawStatus: "waitingForPublisherReview" });
});

test("finished outcomes are the three terminal ones", () => {
  expect(["succeeded", "failed", "canceled"].every(isFinished)).toBe(true);
  expect(isFinished("running")).toBe(false);
  expect(isFinished(undefined)).toBe(false);
});
