/**
 * Waiting on a long-running operation. Knows only "get status, decide, wait": the client does the HTTP,
 * `status.ts` decides what a status means. The wait between polls grows with the operation's age (10% of it,
 * between `pollIntervalMs` and `maxPollIntervalMs`), and never polls sooner than a server's Retry-After (itself
 * capped at `maxPollIntervalMs`).
 */

import type { OperationRead, ReadLimits } from "./backend";
import {
  AbortedError,
  CloudPartnerError,
  type CloudPartnerErrorDetails,
  endSentence,
  OperationFailedError,
  PollTimeoutError,
} from "./errors";
import { describeStep, failedStepOf, type OperationSnapshot, redactSnapshot } from "./operation";
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
  /** Time since the operation started (see `startedAtMs`). */
  elapsedMs: number;
  /** True when nothing changed and this is only a sign of life. */
  heartbeat: boolean;
  /** A poll failed and will be retried; its message. */
  transientError?: string;
  snapshot?: OperationSnapshot;
}

export interface PollOperationOptions extends PollOptions {
  /**
   * Called when the status, step, percentage or messages change, and at least every heartbeat interval. If it
   * throws, the wait stops and fails with that error, on a heartbeat as on a change (the operation goes on).
   */
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
  /**
   * When the operation started (ms since the epoch), e.g. the `startedAt` a resumed resource saved. The wait
   * between polls grows with the operation's age, so a wait resumed after two days keeps polling at its
   * 10%-of-elapsed pace instead of starting over at `pollIntervalMs`. The API's `createdDateTime` wins when
   * it is earlier. `timeoutMs` still counts from this call.
   */
  startedAtMs?: number;
  /** The service as messages name it. Default "the Cloud Partner Portal". */
  service?: string;
  /**
   * The setting `timeoutMs` came from, as the timeout message names it (`description`) and says to raise it
   * (`name`), e.g. a Pulumi resource option. Default: `timeoutSeconds`, named in the advice only.
   */
  timeoutSetting?: { name: string; description: string };
}

/**
 * The delay before the next poll: 10% of the time the operation has run, within bounds, and never less than
 * the server's Retry-After. Retry-After is a floor, not an override: a 30 s hint on a days-long go-live must not
 * turn the poller back into a 30 s fixed-interval one (bench/polling.ts: 662 → 62 requests per operation). It is
 * itself capped at `maxPollIntervalMs`: a broken or hostile `Retry-After: 259200` must not park a wait for days.
 */
export function nextPollDelayMs(
  elapsedMs: number,
  retryAfterMs: number | undefined,
  options: ResolvedPollOptions,
): number {
  const adaptive = Math.min(options.maxPollIntervalMs, Math.max(options.pollIntervalMs, elapsedMs / 10));
  return Math.max(adaptive, Math.min(retryAfterMs ?? 0, options.maxPollIntervalMs));
}

/**
 * What the poller reads: a backend's "read this operation" function, or any client that reads an operation by
 * its location (`CloudPartnerClient`). The poller never learns which API is behind it. The signal it passes
 * aborts when the caller's signal does or when the wait's deadline (`timeoutMs`) passes, so retries inside one
 * read end with the wait.
 */
export type OperationSource =
  | ((signal?: AbortSignal, limits?: ReadLimits) => Promise<OperationRead>)
  | {
      getOperation(
        operationLocation: string,
        signal?: AbortSignal,
        limits?: ReadLimits,
      ): Promise<OperationRead>;
    };

/** Why the wait's own signal aborted when the deadline passed. */
class DeadlineReached extends Error {}

/**
 * Polls the operation until it is terminal (or `until` says stop). Returns the last snapshot of a
 * succeeded operation; throws `OperationFailedError` for a failed or canceled one, `PollTimeoutError`
 * when `timeoutMs` passes (even in the middle of a read and its retries), `AbortedError` when `signal` aborts,
 * or the last error after too many consecutive failed polls. None of these errors means the operation itself
 * stopped, except `OperationFailedError`.
 *
 * Two clocks run beside the polls: the deadline, and the heartbeat, which reports a sign of life whenever
 * `heartbeatIntervalMs` passed since the last progress line, whether the poller is sleeping or a slow
 * request is in flight.
 */
export async function pollOperation(
  source: OperationSource,
  operationLocation: string,
  options: PollOperationOptions = {},
): Promise<OperationSnapshot> {
  const read =
    typeof source === "function"
      ? source
      : (signal?: AbortSignal, limits?: ReadLimits) => source.getOperation(operationLocation, signal, limits);
  const resolved = resolvePollOptions(options);
  const clock = options.clock ?? systemClock;
  const runStartedAt = clock.now();
  // The schedule counts from the operation's start (a resumed wait keeps its pace); the timeout from this run's.
  let operationStartedAt = Math.min(runStartedAt, validTime(options.startedAtMs) ?? runStartedAt);
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
  const reporter = new ProgressReporter(
    operationLocation,
    options.onProgress,
    () => clock.now() - operationStartedAt,
    clock,
  );
  const stopTimers = new AbortController();
  const deadline = new AbortController();
  // Aborted with the error a progress callback threw during a heartbeat: the wait fails with it.
  const callbackFailed = new AbortController();
  const signal = AbortSignal.any([
    ...(options.signal ? [options.signal] : []),
    deadline.signal,
    callbackFailed.signal,
  ]);
  /** The progress callback's own error, when it threw between polls. */
  const callbackError = () => (callbackFailed.signal.aborted ? callbackFailed.signal.reason : undefined);
  const aborted = (cause?: unknown) =>
    new AbortedError(`Stopped waiting for ${what}.`, { ...context, ...(cause ? { cause } : {}) });
  const timeout = () =>
    timedOut(
      what,
      clock.now() - runStartedAt,
      reporter.last,
      context,
      options.label,
      service,
      options.timeoutSetting,
    );
  clock.sleep(resolved.timeoutMs, stopTimers.signal).then(
    () => deadline.abort(new DeadlineReached("the wait's deadline passed")),
    () => {},
  );
  keepAlive(clock, reporter, resolved.heartbeatIntervalMs, stopTimers.signal, (error) =>
    callbackFailed.abort(error),
  );
  let consecutiveErrors = 0;

  try {
    for (;;) {
      if (callbackFailed.signal.aborted) throw callbackError();
      if (options.signal?.aborted) throw aborted();
      if (deadline.signal.aborted || clock.now() - runStartedAt >= resolved.timeoutMs) throw timeout();
      let retryAfterMs: number | undefined;
      try {
        const polled = await read(signal, { maxRetryAfterMs: resolved.maxPollIntervalMs });
        // A read that did not heed the signal: the callback's error still wins over its answer.
        if (callbackFailed.signal.aborted) throw callbackError();
        consecutiveErrors = 0;
        // Whatever the source, no SAS signature reaches a progress line, an error or the returned snapshot.
        const last = redactSnapshot(polled.snapshot);
        operationStartedAt = Math.min(
          operationStartedAt,
          validTime(Date.parse(last.createdDateTime ?? "")) ?? Infinity,
        );
        retryAfterMs = polled.retryAfterMs;
        reporter.snapshot(last);
        if (last.status === "succeeded" || options.until?.(last)) return last;
        if (last.status === "failed" || last.status === "canceled")
          throw operationFailed(last, what, context, service);
      } catch (error) {
        if (callbackFailed.signal.aborted) throw callbackError();
        if (error instanceof OperationFailedError) throw error;
        if (options.signal?.aborted) throw aborted(error);
        if (deadline.signal.aborted) throw timeout();
        if (error instanceof AbortedError) throw error;
        const transient = error instanceof CloudPartnerError && error.transient;
        consecutiveErrors++;
        if (!transient || consecutiveErrors > resolved.maxConsecutiveErrors) throw error;
        reporter.transient((error as Error).message);
        retryAfterMs = (error as { retryAfterMs?: number }).retryAfterMs;
      }

      const delayMs = nextPollDelayMs(clock.now() - operationStartedAt, retryAfterMs, resolved);
      try {
        await clock.sleep(delayMs, signal);
      } catch (cause) {
        if (callbackFailed.signal.aborted) throw callbackError();
        if (options.signal?.aborted) throw aborted(cause);
        throw timeout();
      }
    }
  } finally {
    stopTimers.abort();
  }
}

function validTime(ms: number | undefined): number | undefined {
  return ms !== undefined && Number.isFinite(ms) ? ms : undefined;
}

/**
 * Reports a heartbeat whenever `intervalMs` passed since the last progress line, until `stop` aborts. A progress
 * callback that throws on a heartbeat ends the heartbeats and is handed to `failed` once: the wait then fails with
 * that error, as it does when the callback throws on a change of status.
 */
function keepAlive(
  clock: Clock,
  reporter: ProgressReporter,
  intervalMs: number,
  stop: AbortSignal,
  failed: (error: unknown) => void,
): void {
  void (async () => {
    for (;;) {
      const dueInMs = reporter.lastLineAt + intervalMs - clock.now();
      if (dueInMs > 0) await clock.sleep(dueInMs, stop);
      else reporter.heartbeat();
    }
  })().catch((error: unknown) => {
    // Stopped with the wait (the sleep's abort), or the callback threw.
    if (!stop.aborted) failed(error);
  });
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
  const detail = messages.length ? `: ${endSentence([...new Set(messages)].join(" | "))}` : ".";
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
  setting: PollOperationOptions["timeoutSetting"],
) {
  const at = last?.currentStep ? ` It was at ${describeStep(last.currentStep)}.` : "";
  const limit = setting ? `, the limit set by ${setting.description}` : "";
  return new PollTimeoutError(
    `Stopped waiting for ${what} after ${formatDuration(elapsedMs)}${limit}; the operation is still running on ${service}.${at} ` +
      `Run \`pulumi up\` again to resume waiting (${label ? `${label} is not sent again` : "the operation is not started again"}), or raise ${setting?.name ?? "timeoutSeconds"}.`,
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
  /** The last snapshot read. */
  last?: OperationSnapshot;
  /** When the last line was reported (clock time); the wait's start counts as one. */
  lastLineAt: number;

  constructor(
    private readonly operationLocation: string,
    private readonly onProgress: ((event: ProgressEvent) => void) | undefined,
    private readonly elapsedMs: () => number,
    private readonly clock: Clock,
  ) {
    this.lastLineAt = clock.now();
  }

  snapshot(snapshot: OperationSnapshot): void {
    this.last = snapshot;
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
    this.#emit(this.#event(false));
  }

  heartbeat(): void {
    this.#emit(this.#event(true));
  }

  transient(message: string): void {
    this.#emit({ ...this.#event(false), transientError: message });
  }

  #event(heartbeat: boolean): ProgressEvent {
    const snapshot = this.last;
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
      elapsedMs: this.elapsedMs(),
      heartbeat,
      snapshot,
    };
  }

  #emit(event: ProgressEvent): void {
    this.lastLineAt = this.clock.now();
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
