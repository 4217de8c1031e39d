/**
 * Waiting on a long-running operation. Knows only "get status, decide, wait": the client does the HTTP,
 * `status.ts` decides what a status means. The wait between polls grows with the time already waited
 * (10% of it, between `pollIntervalMs` and `maxPollIntervalMs`), and never polls sooner than a server's Retry-After.
 */

import type { OperationRead } from "./backend";
import {
  AbortedError,
  CloudPartnerError,
  type CloudPartnerErrorDetails,
  OperationFailedError,
  PollTimeoutError,
} from "./errors";
import { describeStep, failedStepOf, type OperationSnapshot } from "./operation";
import {
  type Clock,
  type PollOptions,
  type ResolvedPollOptions,
  resolvePollOptions,
  systemClock,
} from "./options";

export interface ProgressEvent {
  operationLocation: string;
  status: OperationSnapshot["status"];
  /** The status as the API spelled it; differs from `status` for unknown spellings. */
  rawStatus: string;
  statusRecognized: boolean;
  stepName?: string;
  stepStatus?: string;
  progressPercentage?: number;
  /** Messages of the current step (e.g. why it is blocked). */
  messages: string[];
  elapsedMs: number;
  /** True when nothing changed and this is only a sign of life. */
  heartbeat: boolean;
  /** A poll failed and will be retried; its message. */
  transientError?: string;
  snapshot?: OperationSnapshot;
}

export interface PollOperationOptions extends PollOptions {
  /** Called when the status, step, percentage or messages change, and at least every heartbeat interval. */
  onProgress?: (event: ProgressEvent) => void;
  /** Stop waiting early when this returns true for a snapshot (e.g. a publish reaching sign-off). */
  until?: (snapshot: OperationSnapshot) => boolean;
  signal?: AbortSignal;
  clock?: Clock;
  /** Offer, for error messages. */
  publisherId?: string;
  offerId?: string;
  /** What started the operation ("go-live", "publish"), for the timeout message. */
  label?: string;
  /** The service as messages name it. Default "the Cloud Partner Portal". */
  service?: string;
}

/**
 * The delay before the next poll: 10% of the time waited, within bounds, and never less than the server's
 * Retry-After. Retry-After is a floor, not an override: a 30 s hint on a days-long go-live must not turn the
 * poller back into a 30 s fixed-interval one (bench/polling.ts: 662 → 62 requests per operation).
 */
export function nextPollDelayMs(
  elapsedMs: number,
  retryAfterMs: number | undefined,
  options: ResolvedPollOptions,
): number {
  const adaptive = Math.min(options.maxPollIntervalMs, Math.max(options.pollIntervalMs, elapsedMs / 10));
  return Math.max(adaptive, retryAfterMs ?? 0);
}

/**
 * What the poller reads: a backend's "read this operation" function, or any client that reads an operation by
 * its location (`CloudPartnerClient`). The poller never learns which API is behind it.
 */
export type OperationSource =
  | ((signal?: AbortSignal) => Promise<OperationRead>)
  | { getOperation(operationLocation: string, signal?: AbortSignal): Promise<OperationRead> };

/**
 * Polls the operation until it is terminal (or `until` says stop). Returns the last snapshot of a
 * succeeded operation; throws `OperationFailedError` for a failed or canceled one, `PollTimeoutError`
 * when `timeoutMs` passes, `AbortedError` when `signal` aborts, or the last error after too many
 * consecutive failed polls. None of these errors means the operation itself stopped, except
 * `OperationFailedError`.
 */
export async function pollOperation(
  source: OperationSource,
  operationLocation: string,
  options: PollOperationOptions = {},
): Promise<OperationSnapshot> {
  const read =
    typeof source === "function"
      ? source
      : (signal?: AbortSignal) => source.getOperation(operationLocation, signal);
  const resolved = resolvePollOptions(options);
  const clock = options.clock ?? systemClock;
  const startedAt = clock.now();
  const context: CloudPartnerErrorDetails = {
    operationLocation,
    publisherId: options.publisherId,
    offerId: options.offerId,
  };
  const what =
    options.publisherId && options.offerId
      ? `${options.publisherId}/${options.offerId}`
      : (options.offerId ?? operationLocation);
  const service = options.service ?? "the Cloud Partner Portal";
  const reporter = new ProgressReporter(operationLocation, resolved.heartbeatIntervalMs, options.onProgress);
  let consecutiveErrors = 0;
  let last: OperationSnapshot | undefined;

  for (;;) {
    if (options.signal?.aborted) throw new AbortedError(`Stopped waiting for ${what}.`, context);
    let retryAfterMs: number | undefined;
    try {
      const polled = await read(options.signal);
      consecutiveErrors = 0;
      last = polled.snapshot;
      retryAfterMs = polled.retryAfterMs;
      reporter.snapshot(last, clock.now() - startedAt);
      if (last.status === "succeeded" || options.until?.(last)) return last;
      if (last.status === "failed" || last.status === "canceled")
        throw operationFailed(last, what, context, service);
    } catch (error) {
      if (error instanceof OperationFailedError || error instanceof AbortedError) throw error;
      if (options.signal?.aborted)
        throw new AbortedError(`Stopped waiting for ${what}.`, { ...context, cause: error });
      const transient = error instanceof CloudPartnerError && error.transient;
      consecutiveErrors++;
      if (!transient || consecutiveErrors > resolved.maxConsecutiveErrors) throw error;
      reporter.transient((error as Error).message, clock.now() - startedAt, last);
      retryAfterMs = (error as { retryAfterMs?: number }).retryAfterMs;
    }

    const elapsedMs = clock.now() - startedAt;
    const remainingMs = resolved.timeoutMs - elapsedMs;
    if (remainingMs <= 0) throw timedOut(what, elapsedMs, last, context, options.label, service);
    const delayMs = Math.min(nextPollDelayMs(elapsedMs, retryAfterMs, resolved), remainingMs);
    await sleepChunked(clock, delayMs, resolved.heartbeatIntervalMs, options.signal, what, context, () =>
      reporter.heartbeat(clock.now() - startedAt, last),
    );
  }
}

/** Sleeps in slices no longer than the heartbeat interval, so a silent wait still shows signs of life. */
async function sleepChunked(
  clock: Clock,
  delayMs: number,
  sliceMs: number,
  signal: AbortSignal | undefined,
  what: string,
  context: CloudPartnerErrorDetails,
  onSlice: () => void,
): Promise<void> {
  let left = delayMs;
  while (left > 0) {
    const slice = Math.min(left, sliceMs);
    try {
      await clock.sleep(slice, signal);
    } catch (cause) {
      throw new AbortedError(`Stopped waiting for ${what}.`, { ...context, cause });
    }
    left -= slice;
    onSlice();
  }
}

function operationFailed(
  snapshot: OperationSnapshot,
  what: string,
  context: CloudPartnerErrorDetails,
  service: string,
): OperationFailedError {
  const canceled = snapshot.status === "canceled";
  const step = failedStepOf(snapshot);
  const messages = [
    ...(step?.messages ?? []),
    ...(snapshot.error ? [snapshot.error] : []),
    ...snapshot.messages,
  ];
  const where = step ? ` at step "${step.name}" (${step.status || "no status"})` : "";
  const detail = messages.length ? `: ${[...new Set(messages)].join(" | ")}` : ".";
  const advice = canceled
    ? " Start it again with `pulumi up` once the cause is resolved."
    : ` Fix the offer in ${service}, then run \`pulumi up\` again to start a new operation.`;
  return new OperationFailedError(
    `The operation for ${what} ${canceled ? "was canceled" : "failed"}${where}${detail}${advice}`,
    {
      ...context,
      canceled,
      failedStep: step,
      operationError: snapshot.error,
    },
  );
}

function timedOut(
  what: string,
  elapsedMs: number,
  last: OperationSnapshot | undefined,
  context: CloudPartnerErrorDetails,
  label: string | undefined,
  service: string,
) {
  const at = last?.currentStep ? ` It was at ${describeStep(last.currentStep)}.` : "";
  return new PollTimeoutError(
    `Stopped waiting for ${what} after ${formatDuration(elapsedMs)}; the operation is still running on ${service}.${at} ` +
      `Run \`pulumi up\` again to resume waiting (${label ? `${label} is not sent again` : "the operation is not started again"}), or raise timeoutSeconds.`,
    context,
  );
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts = [d ? `${d}d` : "", h ? `${h}h` : "", m ? `${m}m` : "", !d && s % 60 ? `${s % 60}s` : ""];
  return parts.filter(Boolean).join(" ");
}

/** Emits progress only when something a person would notice changed, plus heartbeats. */
class ProgressReporter {
  #lastKey?: string;
  #lastEmitMs = 0;

  constructor(
    private readonly operationLocation: string,
    private readonly heartbeatIntervalMs: number,
    private readonly onProgress?: (event: ProgressEvent) => void,
  ) {}

  snapshot(snapshot: OperationSnapshot, elapsedMs: number): void {
    const step = snapshot.currentStep;
    const key = JSON.stringify([
      snapshot.rawStatus,
      step?.name,
      step?.status,
      step?.progressPercentage,
      step?.messages,
    ]);
    if (key === this.#lastKey) return;
    this.#lastKey = key;
    this.#emit(this.#event(snapshot, elapsedMs, false));
  }

  heartbeat(elapsedMs: number, snapshot: OperationSnapshot | undefined): void {
    if (elapsedMs - this.#lastEmitMs < this.heartbeatIntervalMs) return;
    this.#emit(this.#event(snapshot, elapsedMs, true));
  }

  transient(message: string, elapsedMs: number, snapshot: OperationSnapshot | undefined): void {
    this.#emit({ ...this.#event(snapshot, elapsedMs, false), transientError: message });
  }

  #event(snapshot: OperationSnapshot | undefined, elapsedMs: number, heartbeat: boolean): ProgressEvent {
    const step = snapshot?.currentStep;
    return {
      operationLocation: this.operationLocation,
      status: snapshot?.status ?? "running",
      rawStatus: snapshot?.rawStatus ?? "unknown",
      statusRecognized: snapshot?.statusRecognized ?? true,
      stepName: step?.name,
      stepStatus: step?.status,
      progressPercentage: step?.progressPercentage,
      messages: step?.messages ?? [],
      elapsedMs,
      heartbeat,
      snapshot,
    };
  }

  #emit(event: ProgressEvent): void {
    this.#lastEmitMs = event.elapsedMs;
    this.onProgress?.(event);
  }
}

/** One progress line, naming the offer and the step: what a release engineer watches for days. */
export function progressLine(what: string, label: string, event: ProgressEvent): string {
  const elapsed = formatDuration(event.elapsedMs);
  if (event.transientError)
    return `[${what}] ${label}: poll failed, will retry (${event.transientError}) — ${elapsed} waited`;
  const step = event.stepName
    ? `${event.stepName} (${event.stepStatus || "?"}${event.progressPercentage !== undefined ? `, ${Math.round(event.progressPercentage)}%` : ""})`
    : "no step reported";
  const status = event.statusRecognized
    ? event.status
    : `${event.rawStatus} (unrecognized status, treated as running)`;
  const prefix = event.heartbeat ? `still ${status}` : status;
  const messages = event.messages.length ? ` — ${event.messages.join(" | ")}` : "";
  return `[${what}] ${label} ${prefix}: ${step}${messages} — ${elapsed} waited`;
}
