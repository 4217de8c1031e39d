import { currentStep, describeStep, failedStepOf } from "../../provider/core/operation";
import { normalizeStatus, stepState } from "../../provider/core/status";
import { parseMessages, parseOperation, plainText } from "../../provider/cpp/operation";

describe("normalizeStatus", () => {
  test.each([
    ["succeeded", "succeeded"],
    ["Succeeded", "succeeded"],
    ["complete", "succeeded"],
    ["Completed", "succeeded"],
    ["failed", "failed"],
    ["Failure", "failed"],
    ["canceled", "canceled"],
    ["cancelled", "canceled"],
    ["running", "running"],
    ["notStarted", "running"],
    ["not started", "running"],
    ["waitingForPublisherReview", "running"],
  ])("%p → %p (recognized)", (raw, expected) => {
    expect(normalizeStatus(raw)).toEqual({ status: expected, recognized: true, raw });
  });

  test.each(["weird", "", undefined, 42])("unknown %p → running, not recognized", (raw) => {
    const result = normalizeStatus(raw);
    expect(result.status).toBe("running");
    expect(result.recognized).toBe(false);
  });

  test("step states", () => {
    expect(stepState("complete")).toBe("done");
    expect(stepState("notStarted")).toBe("pending");
    expect(stepState("inProgress")).toBe("active");
    expect(stepState("waitingForPublisherReview")).toBe("active");
    expect(stepState("blocked")).toBe("stopped");
    expect(stepState("rejected")).toBe("stopped");
  });
});

describe("parseOperation", () => {
  const operation = {
    id: "56615b67-2185-49fe-80d2-c4ddf77bb2e8",
    submissionType: "GoLive",
    status: "running",
    messages: [],
    steps: [
      {
        id: "displaydummycertify",
        stepName: "Validate Pre-Requisites",
        status: "complete",
        progressPercentage: 100,
      },
      {
        id: "displaycertify",
        stepName: "Certification",
        status: "blocked",
        estimatedTimeFrame: "< 5 day",
        progressPercentage: 0,
        messages: [
          {
            messageHtml: "No virtual machine image was found for the plan <b>contoso</b>.",
            level: "error",
            timestamp: "x",
          },
          "plain string message",
        ],
      },
      { id: "live", stepName: "Live", status: "notStarted" },
    ],
  };

  test("object form", () => {
    const snapshot = parseOperation(operation);
    expect(snapshot?.status).toBe("running");
    expect(snapshot?.steps).toHaveLength(3);
    expect(snapshot?.currentStep?.name).toBe("Certification");
    expect(snapshot?.currentStep?.messages).toEqual([
      "No virtual machine image was found for the plan contoso .",
      "plain string message",
    ]);
  });

  test("array-wrapped form (the docs' sample) is the same", () => {
    expect(parseOperation([operation])).toEqual(parseOperation(operation));
  });

  test("not an operation", () => {
    expect(parseOperation({ hello: 1 })).toBeUndefined();
    expect(parseOperation("text")).toBeUndefined();
    expect(parseOperation([])).toBeUndefined();
  });

  test("failed step and error", () => {
    const snapshot = parseOperation({
      ...operation,
      status: "failed",
      error: { code: "X", message: "certification failed" },
    });
    expect(snapshot?.error).toBe("certification failed");
    expect(failedStepOf(snapshot!)).toMatchObject({ name: "Certification", status: "blocked" });
  });

  test("current step: first not done, else last", () => {
    const done = parseOperation({
      status: "complete",
      steps: [
        { stepName: "A", status: "complete" },
        { stepName: "B", status: "complete" },
      ],
    });
    expect(done?.currentStep?.name).toBe("B");
    expect(currentStep([])).toBeUndefined();
  });

  test("messages and html", () => {
    expect(parseMessages("one")).toEqual(["one"]);
    expect(parseMessages([{ message: "m" }, 3, null])).toEqual(["m"]);
    expect(plainText("<p>a&amp;b&nbsp;&lt;c&gt;</p>")).toBe("a&b <c>");
    expect(describeStep({ name: "Live", status: "inProgress", progressPercentage: 42.4, messages: [] })).toBe(
      "Live (inProgress, 42%)",
    );
  });
});
