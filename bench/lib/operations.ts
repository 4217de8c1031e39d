/**
 * The simulated operations the polling benchmark waits on. Each is a go-live with the simulator's default
 * six steps scaled to a target duration, so statuses, steps, percentages and `estimatedTimeFrame` are the
 * simulator's own (emulator/operations.ts) — the virtual harness and the real simulator agree.
 */

import {
  buildTimeline,
  DEFAULT_GO_LIVE_STEPS,
  type OperationRecord,
  renderOperation,
} from "../../emulator/operations";
import type { OperationPlan, StepPlan } from "../../emulator/types";
import { prng } from "./stats";

export interface OperationSpec {
  /** Index in the set, stable across runs. */
  index: number;
  label: string;
  /** Target duration (seconds) the steps were scaled to. */
  plannedSeconds: number;
  /** When the operation actually ends (seconds after start): earlier for one that fails. */
  endSeconds: number;
  outcome: "succeeded" | "failed";
  /** Seconds the server asks for in `Retry-After` on every poll, if any. */
  retryAfterSeconds?: number;
  /** How the API spells success for this operation (default "succeeded"). */
  successSpelling?: string;
  steps: StepPlan[];
  plan: OperationPlan;
}

const DEFAULT_TOTAL = DEFAULT_GO_LIVE_STEPS.reduce((total, step) => total + step.durationSeconds, 0);

/** The default go-live steps, stretched or shrunk to last `seconds` in total. */
export function scaledGoLiveSteps(seconds: number): StepPlan[] {
  return DEFAULT_GO_LIVE_STEPS.map((step) => ({
    ...step,
    durationSeconds: (step.durationSeconds / DEFAULT_TOTAL) * seconds,
  }));
}

export interface OperationSetOptions {
  count: number;
  minSeconds: number;
  maxSeconds: number;
  seed: number;
  /** Retry-After values handed out, in turn, to every other operation. Empty: none has Retry-After. */
  retryAfterSeconds: number[];
  /**
   * Which operations fail at Certification and which spell success "Completed": by index modulo `period`,
   * chosen so that both halves (with and without Retry-After) get some of each.
   */
  pattern?: { period: number; fail: number[]; completed: number[] };
}

/**
 * Durations log-uniform between min and max, stratified (one per equal slice of log-space, jittered inside
 * it) so that a few dozen operations cover the range evenly; the same seed gives the same set everywhere.
 */
export function operationSet(options: OperationSetOptions): OperationSpec[] {
  const random = prng(options.seed);
  const lo = Math.log(options.minSeconds);
  const hi = Math.log(options.maxSeconds);
  const specs: OperationSpec[] = [];
  let retryAfterTurn = 0;
  for (let i = 0; i < options.count; i++) {
    const planned = Math.exp(lo + ((i + random()) / options.count) * (hi - lo));
    const steps = scaledGoLiveSteps(planned);
    const residue = options.pattern ? i % options.pattern.period : -1;
    const fails = options.pattern?.fail.includes(residue) ?? false;
    const completed = !fails && (options.pattern?.completed.includes(residue) ?? false);
    const withRetryAfter = options.retryAfterSeconds.length > 0 && i % 2 === 1;
    const plan: OperationPlan = {
      steps,
      ...(fails
        ? { failAt: { stepId: "displaycertify", messages: ["No virtual machine image was found."] } }
        : {}),
      ...(completed ? { statusSpelling: { succeeded: "Completed" } } : {}),
    };
    const timeline = buildTimeline(steps, plan);
    specs.push({
      index: i,
      label: `op${String(i).padStart(2, "0")}`,
      plannedSeconds: planned,
      endSeconds: timeline.endAt,
      outcome: fails ? "failed" : "succeeded",
      retryAfterSeconds: withRetryAfter
        ? options.retryAfterSeconds[retryAfterTurn++ % options.retryAfterSeconds.length]
        : undefined,
      successSpelling: completed ? "Completed" : undefined,
      steps,
      plan,
    });
  }
  return specs;
}

/** An operation record the simulator's renderer understands, started at `startMs` (virtual time). */
export function operationRecord(spec: OperationSpec, startMs: number): OperationRecord {
  const id = `00000000-0000-4000-8000-${String(spec.index).padStart(12, "0")}`;
  return {
    guid: id,
    dollarId: `bench$${spec.label}$1$production`,
    publicId: id,
    kind: "golive",
    publisherId: "bench",
    offerId: spec.label,
    offerVersion: 1,
    slot: "production",
    steps: spec.steps,
    plan: spec.plan,
    timeline: buildTimeline(spec.steps, spec.plan),
    startMs,
    signedOff: true,
    applied: false,
    notificationEmails: "bench@example.com",
  };
}

/** The operation GET body at `nowMs`, exactly as the simulator would serve it. */
export function operationBody(record: OperationRecord, nowMs: number): Record<string, unknown> {
  return renderOperation(record, nowMs);
}
