/**
 * The one classification of CPP submissions and the decisions built on it (attach, adopt, fail closed).
 */

import type { OperationSummary } from "../../provider/core/backend";
import { ProtocolError } from "../../provider/core/errors";
import {
  assertDecidable,
  classifySubmission,
  existingOf,
  readSubmissionList,
  type Submission,
  withSteps,
} from "../../provider/cpp/submissions";

const context = { publisherId: "contoso", offerId: "o" };

function sub(id: string, type: string, state: string, extra: Partial<Submission> = {}): OperationSummary {
  return classifySubmission({ id, submissionType: type, submissionState: state, ...extra });
}

describe("classifySubmission", () => {
  test.each([
    ["GoLive", undefined, "golive"],
    ["go-live", "production", "golive"],
    ["Publish", "staging", "publish"],
    ["", "production", "golive"],
    ["", "staging", "publish"],
    ["", "preview", "publish"],
    ["Cancel", undefined, "cancel"],
    ["SomethingNew", "production", "golive"],
    ["", undefined, "unknown"],
    // Type and slot disagree: the type wins (the docs' own go-live id ends in $preview).
    ["GoLive", "preview", "golive"],
    ["Publish", "production", "publish"],
  ])("type %j, slot %j → %s", (type, slot, kind) => {
    expect(sub("1", type, "running", slot ? { slot } : {}).kind).toBe(kind);
  });

  test("state through the one normalizer, with an outcome", () => {
    expect(sub("1", "GoLive", "InProgress")).toMatchObject({ state: "running", outcome: "inProgress" });
    expect(sub("1", "Publish", "waitingForPublisherReview")).toMatchObject({
      state: "running",
      outcome: "awaitingSignoff",
    });
    expect(sub("1", "GoLive", "Completed")).toMatchObject({ state: "succeeded", outcome: "succeeded" });
    expect(sub("1", "GoLive", "cancelled")).toMatchObject({ state: "canceled", outcome: "canceled" });
    expect(sub("1", "GoLive", "Pending")).toMatchObject({ state: "running", outcome: "unrecognized" });
  });

  test("version and time", () => {
    expect(sub("1", "GoLive", "running", { version: 3, changedTime: "2026-01-02T00:00:00Z" })).toMatchObject({
      version: 3,
      changedAt: Date.parse("2026-01-02T00:00:00Z"),
    });
  });
});

describe("readSubmissionList", () => {
  test("an array or {value: [...]}; items without an id are problems, not dropped silently", () => {
    expect(readSubmissionList([{ id: "a", submissionType: "GoLive" }], context).submissions).toHaveLength(1);
    const wrapped = readSubmissionList({ value: [{ id: "a" }, { submissionType: "GoLive" }, 7] }, context);
    expect(wrapped.submissions.map((s) => s.id)).toEqual(["a"]);
    expect(wrapped.problems).toEqual(["item 1 has no id", "item 2 is not an object (7)"]);
  });

  test("publishingVersion / offerVersion stand in for a missing version", () => {
    const { submissions } = readSubmissionList([{ id: "a", publishingVersion: 4, offerVersion: 2 }], context);
    expect(submissions[0]?.version).toBe(4);
  });

  test.each([[{ items: [] }], [{}], [null], ["[]"], [{ value: {} }]])(
    "%j is a ProtocolError that says so, never an empty list",
    (body) => {
      expect(() => readSubmissionList(body, context)).toThrow(ProtocolError);
      expect(() => readSubmissionList(body, context)).toThrow(/offer contoso\/o is not a list/);
    },
  );
});

describe("assertDecidable (may I POST?)", () => {
  const ok = (summaries: OperationSummary[], problems: string[] = []) => ({ summaries, problems });

  test("a list it understands passes", () => {
    expect(() =>
      assertDecidable(
        ok([sub("a", "GoLive", "succeeded"), sub("b", "Publish", "InProgress")]),
        "golive",
        context,
      ),
    ).not.toThrow();
  });

  test("an item without an id fails", () => {
    expect(() => assertDecidable(ok([], ["item 0 has no id"]), "golive", context)).toThrow(
      /not understood \(item 0 has no id\).*cannot be told and none is sent.*pulumi-cloudpartner operations contoso o/,
    );
  });

  test("an unknown state of this kind (or of an unknown kind) fails; of another known kind it does not", () => {
    expect(() => assertDecidable(ok([sub("a", "GoLive", "Pending")]), "golive", context)).toThrow(
      /a has the state "Pending", which this client does not know/,
    );
    expect(() => assertDecidable(ok([sub("a", "GoLive", "")]), "golive", context)).toThrow(/a has no state/);
    expect(() => assertDecidable(ok([sub("a", "", "Pending")]), "publish", context)).toThrow(ProtocolError);
    expect(() => assertDecidable(ok([sub("a", "Cancel", "Pending")]), "golive", context)).not.toThrow();
    expect(() => assertDecidable(ok([sub("a", "GoLive", "Pending")]), "publish", context)).not.toThrow();
  });

  test("a running item of unknown kind fails; a finished one does not", () => {
    expect(() => assertDecidable(ok([sub("a", "Mystery", "running")]), "golive", context)).toThrow(
      /a is running, but neither its submissionType "Mystery" nor its slot "" says what it is/,
    );
    expect(() => assertDecidable(ok([sub("a", "Mystery", "succeeded")]), "golive", context)).not.toThrow();
  });
});

describe("existingOf", () => {
  const t = (day: number) => ({ changedTime: `2026-01-${String(day).padStart(2, "0")}T00:00:00Z` });

  test("a running one of the kind, whatever its spelling, is attached", () => {
    const found = existingOf(
      [sub("p", "Publish", "succeeded", t(1)), sub("g", "GoLive", "InProgress", t(2))],
      "golive",
    );
    expect(found).toEqual({ summary: expect.objectContaining({ id: "g" }), running: true });
  });

  test("publish replaced by a triggers change (onlyInProgress): only a publish in progress is taken over", () => {
    const resting = [sub("p1", "Publish", "waitingForPublisherReview", { version: 1, ...t(1) })];
    const done = [sub("p1", "Publish", "succeeded", { version: 1, ...t(1) })];
    const certifying = [sub("p1", "Publish", "running", { version: 1, ...t(1) })];
    // Without the option a resting or finished publish of the current version is adopted (no re-certification)...
    expect(existingOf(resting, "publish")?.summary.id).toBe("p1");
    expect(existingOf(done, "publish")?.summary.id).toBe("p1");
    // ...but it predates the draft change the trigger stands for: a new publish is due.
    expect(existingOf(resting, "publish", { onlyInProgress: true })).toBeUndefined();
    expect(existingOf(done, "publish", { onlyInProgress: true })).toBeUndefined();
    expect(existingOf(certifying, "publish", { onlyInProgress: true })).toEqual({
      summary: expect.objectContaining({ id: "p1" }),
      running: true,
    });
  });

  test("a publish listed `running` is told apart by its steps: resting at publisher-signoff, or in progress", () => {
    const running = sub("p1", "Publish", "running", { version: 1, ...t(1) });
    const step = (status: string) => ({
      id: "publisher-signoff",
      name: "Publisher signoff",
      status,
      messages: [],
    });
    const snapshot = (status: string) => ({
      status: "running" as const,
      rawStatus: "running",
      statusRecognized: true,
      steps: [
        { id: "displaycertify", name: "Certification", status: "complete", messages: [] },
        step(status),
      ],
      messages: [],
    });
    const resting = withSteps(running, snapshot("waitingForPublisherReview"));
    expect(resting.outcome).toBe("awaitingSignoff");
    expect(withSteps(running, snapshot("notStarted")).outcome).toBe("inProgress");
    // The listed state alone is all there is without a snapshot; other kinds and ended ones are left as listed.
    expect(withSteps(running, undefined)).toBe(running);
    const goLive = sub("g1", "GoLive", "running");
    expect(withSteps(goLive, snapshot("waitingForPublisherReview"))).toBe(goLive);
    // A triggers change never takes over the resting one; without the option it is still the current publish.
    expect(existingOf([resting], "publish", { onlyInProgress: true })).toBeUndefined();
    expect(existingOf([running], "publish", { onlyInProgress: true })?.running).toBe(true);
    expect(existingOf([resting], "publish")).toEqual({ summary: resting, running: true });
  });

  test("go-live: a failed or canceled publish after the go-live does not make a new one due", () => {
    const list = [
      sub("p1", "Publish", "succeeded", { version: 1, ...t(1) }),
      sub("g1", "GoLive", "succeeded", { version: 1, ...t(2) }),
      sub("p2", "Publish", "failed", { version: 2, ...t(3) }),
      sub("p3", "Publish", "canceled", { version: 2, ...t(4) }),
    ];
    expect(existingOf(list, "golive")).toEqual({
      summary: expect.objectContaining({ id: "g1" }),
      running: false,
    });
  });

  test("go-live: a succeeded publish after it makes a new go-live due, whatever the list order", () => {
    const list = [
      sub("g1", "GoLive", "succeeded", { version: 1, ...t(2) }),
      sub("p2", "Publish", "succeeded", { version: 2, ...t(3) }),
      sub("p1", "Publish", "succeeded", { version: 1, ...t(1) }),
    ];
    expect(existingOf(list, "golive")).toBeUndefined();
    expect(existingOf([...list].reverse(), "golive")).toBeUndefined();
  });

  test("go-live: order by version before time, not by list position", () => {
    // The go-live of version 2 was listed first and changed earlier than a late edit to publish 1.
    const list = [
      sub("g2", "GoLive", "succeeded", { version: 2, ...t(5) }),
      sub("p1", "Publish", "succeeded", { version: 1, ...t(9) }),
      sub("p2", "Publish", "succeeded", { version: 2, ...t(4) }),
    ];
    expect(existingOf(list, "golive")?.summary.id).toBe("g2");
  });

  test("go-live: only a succeeded go-live is adopted", () => {
    const list = [sub("p1", "Publish", "succeeded", t(1)), sub("g1", "GoLive", "failed", t(2))];
    expect(existingOf(list, "golive")).toBeUndefined();
  });

  test("publish: a publish of the current version that succeeded or rests at sign-off is adopted", () => {
    const done = [
      sub("g1", "GoLive", "succeeded", { version: 1, ...t(2) }),
      sub("p2", "Publish", "succeeded", { version: 2, ...t(3) }),
    ];
    expect(existingOf(done, "publish")).toEqual({
      summary: expect.objectContaining({ id: "p2" }),
      running: false,
    });
    const resting = [sub("p2", "Publish", "waitingForPublisherReview", { version: 2, ...t(3) })];
    expect(existingOf(resting, "publish")).toEqual({
      summary: expect.objectContaining({ id: "p2" }),
      running: true,
    });
  });

  test("publish: one that already went live, or whose newest attempt failed, is not current", () => {
    const live = [
      sub("p1", "Publish", "succeeded", { version: 1, ...t(1) }),
      sub("g1", "GoLive", "succeeded", { version: 1, ...t(2) }),
    ];
    expect(existingOf(live, "publish")).toBeUndefined();
    const failed = [
      sub("p1", "Publish", "succeeded", { version: 1, ...t(1) }),
      sub("p2", "Publish", "failed", { version: 2, ...t(2) }),
    ];
    expect(existingOf(failed, "publish")).toBeUndefined();
  });
});
