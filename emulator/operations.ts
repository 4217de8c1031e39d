import type { CanonicalStatus, OperationPlan, StatusSpelling, StepPlan, SubmissionKind } from "./types";

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86400;

const DESCRIPTIONS: Record<string, string> = {
  displaydummycertify: "Validating the offer's prerequisites.",
  displaycertify: "Certifying the offer's technical assets.",
  displayprovision: "Provisioning the offer in Azure.",
  displaypackage: "Packaging the offer and registering lead generation.",
  "publisher-signoff": "Waiting for the publisher to review the preview.",
  live: "Publishing the offer to production regions.",
};

const PRE_SIGNOFF_STEPS: StepPlan[] = [
  { id: "displaydummycertify", stepName: "Validate Pre-Requisites", durationSeconds: 15 * MINUTE },
  { id: "displaycertify", stepName: "Certification", durationSeconds: DAY },
  { id: "displayprovision", stepName: "Provisioning", durationSeconds: 4 * HOUR },
  { id: "displaypackage", stepName: "Packaging and Lead Generation Registration", durationSeconds: HOUR },
];

export const DEFAULT_GO_LIVE_STEPS: StepPlan[] = [
  ...PRE_SIGNOFF_STEPS,
  // The preview was signed off before go-live was allowed, so this step passes at once.
  { id: "publisher-signoff", stepName: "Publisher signoff", durationSeconds: 0 },
  { id: "live", stepName: "Live", durationSeconds: 2 * DAY },
];

export const DEFAULT_PUBLISH_STEPS: StepPlan[] = [
  ...PRE_SIGNOFF_STEPS,
  { id: "publisher-signoff", stepName: "Publisher signoff", durationSeconds: 0, waitsForSignoff: true },
];

export function cancelSteps(seconds: number): StepPlan[] {
  return [{ id: "cancel", stepName: "Cancel", durationSeconds: seconds }];
}

export function defaultSteps(kind: SubmissionKind): StepPlan[] {
  return kind === "golive"
    ? DEFAULT_GO_LIVE_STEPS
    : kind === "publish"
      ? DEFAULT_PUBLISH_STEPS
      : cancelSteps(60);
}

/** When and how an operation ends if nobody cancels it; fixed at creation. */
interface Timeline {
  outcome: CanonicalStatus;
  /** Simulated seconds after start. */
  endAt: number;
  /** Index of the step the operation ends on (-1 when there are no steps). */
  stopIndex: number;
}

export interface OperationRecord {
  /** GUID; the public id of migrated offers' operations. */
  guid: string;
  /** `p$o$version$slot`; the public id of non-migrated offers' operations. */
  dollarId: string;
  publicId: string;
  kind: SubmissionKind;
  publisherId: string;
  offerId: string;
  offerVersion: number;
  slot: string;
  steps: StepPlan[];
  plan: OperationPlan;
  timeline: Timeline;
  /** Simulated epoch ms. */
  startMs: number;
  /** Set by a cancel request: the operation ends canceled at this simulated time. */
  cancelAtMs?: number;
  /** For cancel operations: the GUID of the operation being canceled. */
  cancelOf?: string;
  /** Publish operations: the preview was signed off afterwards (by a go-live, or seeded). */
  signedOff: boolean;
  /** Publish operations with `publishRunsAtSignoff`: the operation stays `running` at sign-off until this time. */
  holdsAtSignoff?: boolean;
  /** Simulated epoch ms of the sign-off (the go-live that completed this publish). */
  signedOffAtMs?: number;
  /** The operation's record is gone: its GET answers 404. */
  recordGone?: boolean;
  /** Left out of the submissions list. */
  hiddenFromSubmissions?: boolean;
  /** Its effect on the offer's state was applied. */
  applied: boolean;
  notificationEmails: string;
}

export interface StepSnapshot {
  id: string;
  stepName: string;
  description: string;
  status: string;
  estimatedTimeFrame: string;
  progressPercentage: number;
  messages: Array<{ messageHtml: string; level: string; timestamp: string }>;
}

export interface Evaluation {
  status: CanonicalStatus;
  steps: StepSnapshot[];
  lastActionMs: number;
  /** Messages of the step the operation failed on. */
  errorMessages: string[];
  cancelRequested: boolean;
}

function stepStarts(steps: StepPlan[]): number[] {
  let t = 0;
  return steps.map((step) => {
    const start = t;
    t += step.durationSeconds;
    return start;
  });
}

export function buildTimeline(steps: StepPlan[], plan: OperationPlan): Timeline {
  const starts = stepStarts(steps);
  for (const [i, step] of steps.entries()) {
    const start = starts[i] ?? 0;
    const end = start + step.durationSeconds;
    const stopsHere = plan.failAt ? plan.failAt.stepId === step.id : plan.cancel === true && i === 0;
    if (stopsHere) return { outcome: plan.cancel ? "canceled" : "failed", endAt: end, stopIndex: i };
    // Reaching a signoff step ends the publish: the preview is ready for review.
    if (step.waitsForSignoff) return { outcome: "succeeded", endAt: start, stopIndex: i };
  }
  const total = steps.reduce((sum, step) => sum + step.durationSeconds, 0);
  return { outcome: "succeeded", endAt: total, stopIndex: steps.length - 1 };
}

function indexAt(steps: StepPlan[], starts: number[], at: number): number {
  for (const [i, step] of steps.entries()) {
    if (at < (starts[i] ?? 0) + step.durationSeconds) return i;
  }
  return steps.length - 1;
}

export function estimatedTimeFrame(seconds: number): string {
  if (seconds >= DAY) return `< ${Math.ceil(seconds / DAY)} day`;
  if (seconds >= HOUR) return `< ${Math.ceil(seconds / HOUR)} hour`;
  return `< ${Math.max(1, Math.ceil(seconds / MINUTE))} min`;
}

function percent(elapsed: number, duration: number): number {
  if (duration <= 0) return 100;
  return Math.min(99, Math.max(0, Math.floor((elapsed / duration) * 100)));
}

/** The operation as it stands at simulated time `nowMs`. */
export function evaluate(op: OperationRecord, nowMs: number): Evaluation {
  const steps = op.steps;
  const starts = stepStarts(steps);
  let { outcome, endAt, stopIndex } = op.timeline;
  const restsAtSignoff = outcome === "succeeded" && steps[stopIndex]?.waitsForSignoff === true;
  if (restsAtSignoff && op.holdsAtSignoff) {
    // Still running at sign-off until the go-live (the sign-off) ends it.
    endAt =
      op.signedOffAtMs === undefined ? Infinity : Math.max(endAt, (op.signedOffAtMs - op.startMs) / 1000);
  }
  if (op.cancelAtMs !== undefined) {
    const cancelAt = Math.max(0, (op.cancelAtMs - op.startMs) / 1000);
    if (cancelAt < endAt) {
      outcome = "canceled";
      endAt = cancelAt;
      stopIndex = indexAt(steps, starts, cancelAt);
    }
  }
  const elapsed = (nowMs - op.startMs) / 1000;
  const terminal = elapsed >= endAt;
  const failMessages = op.plan.failAt?.messages ?? [];
  const errorMessages: string[] = [];

  const snapshots = steps.map((step, i): StepSnapshot => {
    const start = starts[i] ?? 0;
    const end = start + step.durationSeconds;
    let status: string;
    let progress: number;
    let messages: StepSnapshot["messages"] = [];
    if (!terminal) {
      if (restsAtSignoff && i === stopIndex && elapsed >= start)
        [status, progress] = ["waitingForPublisherReview", 0];
      else if (elapsed >= end) [status, progress] = ["complete", 100];
      else if (elapsed >= start)
        [status, progress] = ["inProgress", percent(elapsed - start, step.durationSeconds)];
      else [status, progress] = ["notStarted", 0];
    } else if (i < stopIndex) {
      [status, progress] = ["complete", 100];
    } else if (i > stopIndex) {
      [status, progress] = ["notStarted", 0];
    } else if (outcome === "failed") {
      [status, progress] = ["blocked", 0];
      const timestamp = new Date(op.startMs + endAt * 1000).toISOString();
      messages = failMessages.map((messageHtml) => ({ messageHtml, level: "error", timestamp }));
      errorMessages.push(...failMessages);
    } else if (outcome === "canceled") {
      [status, progress] = ["canceled", percent(endAt - start, step.durationSeconds)];
    } else if (step.waitsForSignoff && !op.signedOff) {
      [status, progress] = ["waitingForPublisherReview", 0];
    } else {
      [status, progress] = ["complete", 100];
    }
    return {
      id: step.id,
      stepName: step.stepName,
      description:
        step.description ??
        (Object.hasOwn(DESCRIPTIONS, step.id) ? DESCRIPTIONS[step.id] : undefined) ??
        step.stepName,
      status,
      estimatedTimeFrame: estimatedTimeFrame(step.durationSeconds),
      progressPercentage: progress,
      messages,
    };
  });

  // Last step boundary passed: what the API calls lastActionDateTime.
  const horizon = Math.min(Math.max(elapsed, 0), endAt);
  let lastAction = 0;
  for (const [i, step] of steps.entries()) {
    const start = starts[i] ?? 0;
    if (start <= horizon) lastAction = Math.max(lastAction, start);
    if (start + step.durationSeconds <= horizon)
      lastAction = Math.max(lastAction, start + step.durationSeconds);
  }
  if (terminal) lastAction = endAt;

  return {
    status: terminal ? outcome : "running",
    steps: snapshots,
    lastActionMs: op.startMs + lastAction * 1000,
    errorMessages,
    cancelRequested: op.cancelAtMs !== undefined,
  };
}

export function spell(status: CanonicalStatus, spelling: StatusSpelling | undefined): string {
  return spelling?.[status] ?? status;
}

export const SUBMISSION_TYPES: Record<SubmissionKind, string> = {
  golive: "GoLive",
  publish: "Publish",
  cancel: "Cancel",
};

/** The submissions' `slot`: `staging` for a publish (preview), `production` for a go-live. */
export const SLOTS: Record<SubmissionKind, string> = {
  golive: "production",
  publish: "staging",
  cancel: "cancel",
};

/** The operation JSON as served by an operation GET. */
export function renderOperation(
  op: OperationRecord,
  nowMs: number,
  statusOverride?: string,
  spelling: StatusSpelling | undefined = op.plan.statusSpelling,
): Record<string, unknown> {
  const evaluation = evaluate(op, nowMs);
  const status = statusOverride ?? spell(evaluation.status, spelling);
  const body: Record<string, unknown> = {
    id: op.publicId,
    submissionType: SUBMISSION_TYPES[op.kind],
    status,
    messages: [],
    publishingVersion: op.offerVersion,
    offerVersion: op.offerVersion,
    cancellationRequestState:
      evaluation.status !== "running"
        ? "cannotCancel"
        : evaluation.cancelRequested
          ? "cancelRequested"
          : "canCancel",
    createdDateTime: new Date(op.startMs).toISOString(),
    lastActionDateTime: new Date(evaluation.lastActionMs).toISOString(),
    steps: evaluation.steps,
    previewLinks: [],
    liveLinks: [],
    notificationEmails: op.notificationEmails,
  };
  if (evaluation.status === "failed") {
    body.error = evaluation.errorMessages.join(" ") || "The operation failed.";
  }
  return body;
}
