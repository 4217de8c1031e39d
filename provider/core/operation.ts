/**
 * What every backend reports about an operation: one compact, typed snapshot (normalized status, the raw
 * spelling, steps, messages, timestamps). The poller and the Pulumi layer only ever see this shape; each API's
 * folder turns its own answers into it.
 */

import { type FailedStep, redactSecrets } from "./errors";
import { isWaitingForPublisher, type OperationStatus, stepState } from "./status";

export interface StepSnapshot {
  id?: string;
  name: string;
  /** The step status exactly as the API sent it. */
  status: string;
  progressPercentage?: number;
  estimatedTimeFrame?: string;
  messages: string[];
}

export interface OperationSnapshot {
  id?: string;
  submissionType?: string;
  status: OperationStatus;
  /** The status exactly as the API sent it. */
  rawStatus: string;
  /** False when `rawStatus` is a spelling this client does not know (treated as running). */
  statusRecognized: boolean;
  steps: StepSnapshot[];
  /** The step the operation is at: the first one not complete, else the last one. */
  currentStep?: StepSnapshot;
  /** Operation-level messages and the `error` field of a failed operation. */
  messages: string[];
  error?: string;
  createdDateTime?: string;
  lastActionDateTime?: string;
}

export function currentStep(steps: StepSnapshot[]): StepSnapshot | undefined {
  const stopped = steps.find((s) => stepState(s.status) === "stopped");
  if (stopped) return stopped;
  return steps.find((s) => stepState(s.status) !== "done") ?? steps[steps.length - 1];
}

function redactStep(step: StepSnapshot): StepSnapshot {
  return { ...step, messages: step.messages.map(redactSecrets) };
}

/**
 * A snapshot with SAS signatures removed from every text the API wrote (step and operation messages, `error`):
 * what progress lines, outputs and state may carry. Each API's parser returns its snapshots through this, and the
 * poller passes what it reads through it again (idempotent), so a backend cannot put a signature into a line.
 */
export function redactSnapshot(snapshot: OperationSnapshot): OperationSnapshot {
  const steps = snapshot.steps.map(redactStep);
  const at = snapshot.currentStep ? snapshot.steps.indexOf(snapshot.currentStep) : -1;
  return {
    ...snapshot,
    steps,
    ...(snapshot.currentStep ? { currentStep: at >= 0 ? steps[at] : redactStep(snapshot.currentStep) } : {}),
    messages: snapshot.messages.map(redactSecrets),
    ...(snapshot.error !== undefined ? { error: redactSecrets(snapshot.error) } : {}),
  };
}

/** The step to blame for a failed or canceled operation, with its messages. */
export function failedStepOf(snapshot: OperationSnapshot): FailedStep | undefined {
  const step =
    snapshot.steps.find((s) => stepState(s.status) === "stopped") ??
    snapshot.steps.find((s) => s.messages.length > 0 && stepState(s.status) !== "done") ??
    snapshot.currentStep;
  return step ? { id: step.id, name: step.name, status: step.status, messages: step.messages } : undefined;
}

/** A one-line summary of a step for progress output and outputs: `Certification (inProgress, 40%)`. */
export function describeStep(step: StepSnapshot): string {
  const parts = [step.status || "unknown"];
  if (step.progressPercentage !== undefined) parts.push(`${Math.round(step.progressPercentage)}%`);
  return `${step.name} (${parts.join(", ")})`;
}

/**
 * True when an operation (or the offer) rests at the preview sign-off point: the status or a step says
 * `waitingForPublisherReview` / `waitingForApproval`. Depending on the API's era the publish operation then
 * reads `running` or `succeeded`; either way the next move is the publisher's. Never true once failed or canceled.
 */
export function isAwaitingSignoff(
  snapshot: Pick<OperationSnapshot, "status" | "rawStatus" | "steps">,
): boolean {
  if (snapshot.status === "failed" || snapshot.status === "canceled") return false;
  return (
    isWaitingForPublisher(snapshot.rawStatus) || snapshot.steps.some((s) => isWaitingForPublisher(s.status))
  );
}
