/**
 * What an operation resource keeps in state, how a poll's snapshot lands there, and the partial state a
 * create that failed after the API accepted the operation leaves behind.
 */

import type { OperationSnapshot } from "../core/operation";
import type { OperationStatus } from "../core/status";
import type { OperationInputs } from "../core/validate";

/** One step of an operation, as kept in the outputs. */
export interface StepOutput {
  name: string;
  status: string;
  progressPercentage?: number;
  messages?: string[];
}

/** What an operation resource keeps in state. */
export interface OperationOutputs extends OperationInputs {
  operationLocation: string;
  operationId?: string;
  /** Ingestion: the durable product id, `product/<guid>`. */
  productId?: string;
  /** Ingestion: the submission sent to preview or live (learned while polling for a publish). */
  submissionId?: string;
  status: OperationStatus;
  /** The status as the API last spelled it. */
  rawStatus?: string;
  /** True when the resource attached to an operation that was already running instead of starting one. */
  attached: boolean;
  startedAt: string;
  completedAt?: string;
  currentStep?: string;
  steps: StepOutput[];
  /** The latest messages of the step that needs attention (blocked, failed). */
  messages: string[];
  /** Kinds that stop at the preview sign-off point (publish): true while the operation rests there. */
  awaitingSignoff?: boolean;
}

/**
 * Thrown once the API accepted the operation and something later went wrong (timeout, failure, repeated
 * errors). The dynamic provider host turns `id` + `properties` into a partially created resource, so the
 * operation location is saved and the next `pulumi up` resumes it instead of starting another one.
 */
export class ResourceInitError extends Error {
  constructor(
    message: string,
    readonly id: string,
    readonly properties: Record<string, unknown>,
    readonly reasons: string[],
  ) {
    super(message);
    this.name = "ResourceInitError";
  }
}

/** Applies what a poll returned to the outputs. */
export function applySnapshot(
  outs: OperationOutputs,
  snapshot: OperationSnapshot,
  nowMs: number,
): OperationOutputs {
  const attention = snapshot.steps.find(
    (s) => s.messages.length > 0 && s.status.toLowerCase() !== "complete",
  );
  const terminal = snapshot.status !== "running";
  return {
    ...outs,
    status: snapshot.status,
    rawStatus: snapshot.rawStatus,
    currentStep: snapshot.currentStep?.name ?? outs.currentStep,
    steps: snapshot.steps.map((s) => ({
      name: s.name,
      status: s.status,
      ...(s.progressPercentage !== undefined ? { progressPercentage: s.progressPercentage } : {}),
      ...(s.messages.length ? { messages: s.messages.slice(-5) } : {}),
    })),
    messages: [
      ...new Set([...(attention?.messages ?? []), ...(snapshot.error ? [snapshot.error] : [])]),
    ].slice(-10),
    ...(terminal && !outs.completedAt ? { completedAt: new Date(nowMs).toISOString() } : {}),
  };
}

/**
 * Outputs as the provider host can store them: it rejects `undefined` ("Unexpected struct type"), which
 * would fail a deployment after the API accepted the operation, so absent values are left out.
 */
export function forState<T extends object>(outputs: T): T {
  return Object.fromEntries(Object.entries(outputs).filter(([, value]) => value !== undefined)) as T;
}
