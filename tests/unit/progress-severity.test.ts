/** Which progress lines are warnings or errors (the native plugin sends them to the engine at that severity). */

import type { ProgressEvent } from "../../provider/core/poller";
import { progressSeverity } from "../../provider/resources/connection";

const running: ProgressEvent = {
  operationLocation: "/api/publishers/contoso/offers/o/operations/1",
  status: "running",
  rawStatus: "running",
  statusRecognized: true,
  stepName: "Certification",
  stepStatus: "inProgress",
  messages: [],
  elapsedMs: 1000,
  heartbeat: false,
};

test("a failed operation is an error; a canceled one, a stopped step or a retried poll a warning; the rest info", () => {
  expect(progressSeverity(running)).toBe("info");
  expect(progressSeverity({ ...running, heartbeat: true })).toBe("info");
  expect(progressSeverity({ ...running, stepStatus: undefined })).toBe("info");
  expect(progressSeverity({ ...running, status: "succeeded", stepStatus: "complete" })).toBe("info");
  expect(progressSeverity({ ...running, status: "failed", stepStatus: "blocked" })).toBe("error");
  expect(progressSeverity({ ...running, status: "canceled" })).toBe("warning");
  expect(progressSeverity({ ...running, stepStatus: "blocked" })).toBe("warning");
  expect(progressSeverity({ ...running, stepStatus: "Rejected" })).toBe("warning");
  expect(progressSeverity({ ...running, transientError: "HTTP 503" })).toBe("warning");
});
