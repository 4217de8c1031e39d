/**
 * Operation and step statuses, normalized once. The CPP documentation spells them differently by page and
 * era (`complete`, `Completed`, `succeeded`, `cancelled`, `not started`, ...); everything downstream only
 * sees the four values of `OperationStatus`.
 */

export type OperationStatus = "succeeded" | "running" | "failed" | "canceled";

export interface NormalizedStatus {
  status: OperationStatus;
  /** False when the API sent a spelling this client does not know; it is then treated as running. */
  recognized: boolean;
  /** What the API actually sent, for progress output. */
  raw: string;
}

const spellings: Record<string, OperationStatus> = {
  succeeded: "succeeded",
  success: "succeeded",
  successful: "succeeded",
  complete: "succeeded",
  completed: "succeeded",
  failed: "failed",
  failure: "failed",
  canceled: "canceled",
  cancelled: "canceled",
  running: "running",
  inprogress: "running",
  notstarted: "running",
  queued: "running",
  waitingforpublisherreview: "running",
  waitingforapproval: "running",
};

function key(raw: string): string {
  return raw.toLowerCase().replace(/[\s_-]+/g, "");
}

export function normalizeStatus(raw: unknown): NormalizedStatus {
  const text = typeof raw === "string" ? raw : raw === undefined || raw === null ? "" : String(raw);
  const status = spellings[key(text)];
  return status
    ? { status, recognized: true, raw: text }
    : { status: "running", recognized: false, raw: text };
}

export function isTerminal(status: OperationStatus): boolean {
  return status !== "running";
}

/** Step statuses that mean the step is done, or that it stopped the operation. */
export function stepState(raw: string): "done" | "active" | "pending" | "stopped" {
  switch (key(raw)) {
    case "complete":
    case "completed":
    case "succeeded":
      return "done";
    case "notstarted":
    case "":
      return "pending";
    case "blocked":
    case "rejected":
    case "failed":
    case "canceled":
    case "cancelled":
      return "stopped";
    default:
      return "active";
  }
}

/** True for a step waiting on the publisher (the preview sign-off point of a publish). */
export function isWaitingForPublisher(raw: string): boolean {
  const k = key(raw);
  return k === "waitingforpublisherreview" || k === "waitingforapproval";
}
