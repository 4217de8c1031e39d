/**
 * Steering one running operation (a CPP operation or an ingestion configure job) from the page or a script:
 * finish it now, end its current step now, or make it fail at a step with a message. Each changes the
 * operation's own plan (its step durations, its failure), never the clock, so other operations keep their
 * schedule. Routes: `POST /_emulator/v1/operations/{id}/finish | next-step | fail`.
 */
import type { IngestionStore, JobRecord } from "../ingestion/store";
import { buildTimeline, evaluate, type OperationRecord } from "../operations";
import { SimError, type SimStore } from "../store";

export type OperationAction = "finish" | "next-step" | "fail";

export const OPERATION_ACTIONS: OperationAction[] = ["finish", "next-step", "fail"];

export interface FailRequest {
  /** Step id (`displaycertify`) or name (`Certification`), any case; default: the current step. */
  step?: string;
  /** Default "Failed from the emulator's control API." */
  message?: string;
}

export const DEFAULT_FAILURE_MESSAGE = "Failed from the emulator's control API.";

export interface ActionResult {
  api: "cpp" | "ingestion";
  id: string;
  /** What happens now, in words: "failed now at Certification", "fails at the end of Live". */
  outcome: string;
}

function elapsedSeconds(op: OperationRecord, nowMs: number): number {
  return Math.max(0, (nowMs - op.startMs) / 1000);
}

function starts(op: OperationRecord): number[] {
  let t = 0;
  return op.steps.map((step) => {
    const start = t;
    t += step.durationSeconds;
    return start;
  });
}

/** The step running at `elapsed`: the first whose end lies after it (the last when all are over). */
function currentIndex(op: OperationRecord, elapsed: number): number {
  const at = starts(op);
  const i = op.steps.findIndex((step, k) => elapsed < (at[k] ?? 0) + step.durationSeconds);
  return i >= 0 ? i : op.steps.length - 1;
}

function assertRunning(status: string, id: string): void {
  if (status !== "running")
    throw new SimError(
      409,
      "OperationEnded",
      `Operation '${id}' has already ended (${status}); only a running operation can be steered. Start a new one.`,
    );
}

/** Shortens step `index` to end at `elapsed` (it ends now) and, with `rest`, the steps after it to nothing. */
function cutAt(op: OperationRecord, index: number, elapsed: number, rest: boolean): void {
  const at = starts(op);
  // Copies: a fresh operation shares the default step plans.
  op.steps = op.steps.map((step, k) => {
    if (k === index) return { ...step, durationSeconds: Math.max(0, elapsed - (at[k] ?? 0)) };
    if (rest && k > index) return { ...step, durationSeconds: 0 };
    return { ...step };
  });
  op.timeline = buildTimeline(op.steps, op.plan);
}

function findStep(op: OperationRecord, step: string | undefined, elapsed: number): number {
  if (step === undefined || step === "") return currentIndex(op, elapsed);
  const wanted = step.toLowerCase();
  const index = op.steps.findIndex(
    (s) => s.id.toLowerCase() === wanted || s.stepName.toLowerCase() === wanted,
  );
  if (index < 0) {
    throw new SimError(
      400,
      "BadRequest",
      `Operation '${op.publicId}' has no step '${step}'; its steps: ${op.steps.map((s) => `${s.stepName} (${s.id})`).join(", ")}.`,
    );
  }
  return index;
}

export function steerCppOperation(
  store: SimStore,
  op: OperationRecord,
  action: OperationAction,
  request: FailRequest = {},
): ActionResult {
  const nowMs = store.clock.nowMs();
  const evaluation = evaluate(op, nowMs);
  assertRunning(evaluation.status, op.publicId);
  const elapsed = elapsedSeconds(op, nowMs);
  const current = currentIndex(op, elapsed);
  const result = (outcome: string): ActionResult => ({ api: "cpp", id: op.publicId, outcome });
  switch (action) {
    case "finish": {
      cutAt(op, current, elapsed, true);
      return result(`${evaluate(op, nowMs).status} now`);
    }
    case "next-step": {
      const name = op.steps[current]?.stepName ?? "the current step";
      cutAt(op, current, elapsed, false);
      return result(`${name} ended now`);
    }
    case "fail": {
      const index = findStep(op, request.step, elapsed);
      const step = op.steps[index];
      if (!step) throw new SimError(400, "BadRequest", `Operation '${op.publicId}' has no steps to fail.`);
      if (index < current) {
        throw new SimError(
          409,
          "StepComplete",
          `Step '${step.stepName}' of operation '${op.publicId}' is already complete; fail the current step (${op.steps[current]?.stepName}) or a later one.`,
        );
      }
      const message = request.message?.trim() || DEFAULT_FAILURE_MESSAGE;
      const { cancel: _, ...plan } = op.plan;
      op.plan = { ...plan, failAt: { stepId: step.id, messages: [message] } };
      if (index === current) {
        cutAt(op, index, elapsed, false);
        return result(`failed now at ${step.stepName}`);
      }
      op.timeline = buildTimeline(op.steps, op.plan);
      return result(`fails at the end of ${step.stepName}`);
    }
  }
}

export function steerIngestionJob(
  store: IngestionStore,
  job: JobRecord,
  action: OperationAction,
  request: FailRequest = {},
): ActionResult {
  const nowMs = store.clock.nowMs();
  const state = store.jobState(job, nowMs);
  if (state.jobStatus === "completed") assertRunning(state.jobResult, job.jobId);
  const elapsed = Math.max(0, (nowMs - job.startMs) / 1000);
  const queued = elapsed < job.queueSeconds;
  const result = (outcome: string): ActionResult => ({ api: "ingestion", id: job.jobId, outcome });
  const endNow = () => {
    if (queued) {
      job.queueSeconds = elapsed;
      job.runSeconds = 0;
    } else job.runSeconds = elapsed - job.queueSeconds;
  };
  switch (action) {
    case "finish":
      endNow();
      return result(`${job.outcome} now`);
    case "next-step":
      if (queued) {
        job.queueSeconds = elapsed;
        return result("Queued ended now");
      }
      endNow();
      return result(`${job.outcome} now`);
    case "fail": {
      const wanted = request.step?.toLowerCase();
      if (wanted && !["queued", job.target, "run", "running"].includes(wanted)) {
        throw new SimError(
          400,
          "BadRequest",
          `Job '${job.jobId}' has no step '${request.step}'; its steps: queued, ${job.target}.`,
        );
      }
      endNow();
      job.outcome = "failed";
      job.errors = [
        {
          code: "simulatedFailure",
          message: request.message?.trim() || DEFAULT_FAILURE_MESSAGE,
          details: [],
        },
      ];
      return result("failed now");
    }
  }
}
