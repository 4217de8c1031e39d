/**
 * The pollers the polling benchmark compares, each behind one small interface so the virtual-time harness
 * and the real-HTTP run drive them identically:
 * - ours: `pollOperation` with its defaults (60 s, growing by 10% of elapsed, capped at 900 s; Retry-After wins);
 * - baseline A: `@azure/core-lro` 3.4.2 `createHttpPoller` with its defaults (2 s), through an honest adapter
 *   (CPP's `Location` is a bare Location, so core-lro judges it by HTTP code), and a variant whose adapter
 *   renames `Location` to `Operation-Location`, the only switch its API offers to read the status from the body;
 * - baseline B: a fixed-interval poller at our default interval (60 s), reading statuses with our client;
 * - previous behaviour: Retry-After as an override; prototype (not shipped): step progress + lastActionDateTime
 *   to sleep until the earliest moment the current step can end.
 */

import { createHttpPoller, type OperationState, type RunningOperation } from "@azure/core-lro";
import type { Dispatcher } from "undici";
import type { OperationSnapshot } from "../../provider/core/operation";
import { type Clock, type ResolvedPollOptions, resolvePollOptions } from "../../provider/core/options";
import { nextPollDelayMs, pollOperation } from "../../provider/core/poller";
import { stepState } from "../../provider/core/status";
import type { CloudPartnerClient } from "../../provider/cpp/client";

export type Outcome = "succeeded" | "failed" | "canceled" | "gave-up" | "error";

/** Everything a poller may use to wait on one operation. */
export interface PollTarget {
  /** Our client (real) or a fake with the same `getOperation` (virtual time). */
  client: Pick<CloudPartnerClient, "getOperation">;
  operationLocation: string;
  /** The same operation as core-lro sees it: the go-live POST, then polls of the location it returned. */
  lro(mode: LroMode): RunningOperation;
  clock: Clock;
  /** Aborted when the harness gives up on a poller that never returns. */
  signal: AbortSignal;
}

/** `location`: CPP's headers as they are. `operation-location`: the adapter renames Location. */
export type LroMode = "location" | "operation-location";

export interface PollerUnderTest {
  id: string;
  name: string;
  /** Polls happen in virtual time only (prototypes and baselines too slow to run for real). */
  virtualOnly?: boolean;
  run(target: PollTarget): Promise<Outcome>;
}

/**
 * Poll settings stretched for a time-scaled run: with `scale` simulated seconds per real second, a 60 s
 * interval becomes 60/scale real seconds. `scale` 1 means the real defaults, untouched.
 */
export interface PollerSettings {
  scale: number;
}

function outcomeOf(snapshot: OperationSnapshot): Outcome {
  return snapshot.status === "running" ? "error" : snapshot.status;
}

async function settle(run: () => Promise<Outcome>, signal: AbortSignal): Promise<Outcome> {
  try {
    return await run();
  } catch (error) {
    if (signal.aborted) return "gave-up";
    const name = (error as { code?: string; name?: string }).code ?? (error as Error).name;
    if (name === "CPP_OPERATION_FAILED") return "failed";
    if (name === "CPP_OPERATION_CANCELED") return "canceled";
    const message = (error as Error).message ?? "";
    if (/long-running operation has failed/i.test(message)) return "failed";
    if (/Operation was canceled/i.test(message)) return "canceled";
    throw error;
  }
}

/** Our poller, as shipped. */
export function oursPoller(settings: PollerSettings): PollerUnderTest {
  const options =
    settings.scale === 1
      ? {}
      : {
          pollIntervalMs: 60_000 / settings.scale,
          maxPollIntervalMs: 900_000 / settings.scale,
          heartbeatIntervalMs: 300_000 / settings.scale,
          timeoutMs: (7 * 86_400_000) / settings.scale,
        };
  return {
    id: "ours",
    name: "ours: pollOperation (defaults)",
    run: (target) =>
      settle(
        async () =>
          outcomeOf(
            await pollOperation(target.client, target.operationLocation, {
              ...options,
              clock: target.clock,
              signal: target.signal,
            }),
          ),
        target.signal,
      ),
  };
}

interface ScheduleContext {
  elapsedMs: number;
  nowMs: number;
  snapshot: OperationSnapshot;
  retryAfterMs?: number;
}

/** A plain poll loop with a pluggable schedule (baseline B and the prototypes). */
async function scheduleLoop(
  target: PollTarget,
  next: (context: ScheduleContext) => number,
): Promise<Outcome> {
  const startedAt = target.clock.now();
  for (;;) {
    const { snapshot, retryAfterMs } = await target.client.getOperation(
      target.operationLocation,
      target.signal,
    );
    if (snapshot.status !== "running") return outcomeOf(snapshot);
    const nowMs = target.clock.now();
    await target.clock.sleep(
      next({ elapsedMs: nowMs - startedAt, nowMs, snapshot, retryAfterMs }),
      target.signal,
    );
  }
}

/** Baseline B: every 60 s, whatever the server says. */
export function fixedPoller(settings: PollerSettings): PollerUnderTest {
  const intervalMs = 60_000 / settings.scale;
  return {
    id: "fixed-60s",
    name: "baseline B: fixed 60 s",
    run: (target) => settle(() => scheduleLoop(target, () => intervalMs), target.signal),
  };
}

/** Baseline A: core-lro's HTTP poller with its default settings. */
export function coreLroPoller(mode: LroMode, settings: PollerSettings): PollerUnderTest {
  const intervalInMs = settings.scale === 1 ? undefined : 2_000 / settings.scale;
  return {
    id: mode === "location" ? "core-lro" : "core-lro-body",
    name:
      mode === "location"
        ? "baseline A: core-lro 3.4.2, CPP headers as is"
        : "baseline A': core-lro, Location→Operation-Location",
    run: (target) =>
      settle(async () => {
        const poller = createHttpPoller<unknown, OperationState<unknown>>(target.lro(mode), {
          ...(intervalInMs !== undefined ? { intervalInMs } : {}),
        });
        await poller.pollUntilDone({ abortSignal: target.signal });
        return "succeeded";
      }, target.signal),
  };
}

/** Before Retry-After became a floor: the server's hint replaced our wait (kept to show what the change saved). */
export function retryAfterOverridePoller(settings: PollerSettings): PollerUnderTest {
  const resolved = scaledOptions(settings);
  return {
    id: "prev-ra-override",
    name: "previous: ours, Retry-After as an override",
    virtualOnly: true,
    run: (target) =>
      settle(
        () =>
          scheduleLoop(
            target,
            ({ elapsedMs, retryAfterMs }) => retryAfterMs ?? nextPollDelayMs(elapsedMs, undefined, resolved),
          ),
        target.signal,
      ),
  };
}

/**
 * Prototype: the current step cannot end before `stepStart + elapsedInStep × 100 / (progress + 1)` if
 * progress grows linearly and is rounded down (the step start is `lastActionDateTime`); sleep until then
 * when that is later than our usual wait, never beyond the step's `estimatedTimeFrame`.
 */
export function progressAwarePoller(settings: PollerSettings): PollerUnderTest {
  const resolved = scaledOptions(settings);
  return {
    id: "proto-progress",
    name: "prototype: ours + step progress",
    virtualOnly: true,
    run: (target) =>
      settle(
        () =>
          scheduleLoop(target, ({ elapsedMs, nowMs, snapshot, retryAfterMs }) => {
            const usual = nextPollDelayMs(elapsedMs, retryAfterMs, resolved);
            const earliest = earliestStepEndMs(snapshot, nowMs);
            return earliest === undefined ? usual : Math.max(usual, earliest - nowMs);
          }),
        target.signal,
      ),
  };
}

function scaledOptions(settings: PollerSettings): ResolvedPollOptions {
  return resolvePollOptions(
    settings.scale === 1
      ? {}
      : { pollIntervalMs: 60_000 / settings.scale, maxPollIntervalMs: 900_000 / settings.scale },
  );
}

const UNIT_SECONDS: Record<string, number> = { min: 60, hour: 3600, day: 86_400 };

/** "< 15 min", "< 5 day" → an upper bound in ms. */
export function timeFrameMs(frame: string | undefined): number | undefined {
  const match = /^<\s*(\d+(?:\.\d+)?)\s*(min|hour|day)s?$/i.exec(frame?.trim() ?? "");
  if (!match) return undefined;
  return Number(match[1]) * (UNIT_SECONDS[(match[2] ?? "").toLowerCase()] ?? 0) * 1000;
}

export function earliestStepEndMs(snapshot: OperationSnapshot, nowMs: number): number | undefined {
  const step = snapshot.currentStep;
  if (!step || stepState(step.status) !== "active" || step.progressPercentage === undefined) return undefined;
  const stepStart = Date.parse(snapshot.lastActionDateTime ?? "");
  const inStep = nowMs - stepStart;
  if (!Number.isFinite(stepStart) || inStep <= 0) return undefined;
  const lowerBound = stepStart + (inStep * 100) / (step.progressPercentage + 1);
  const frame = timeFrameMs(step.estimatedTimeFrame);
  return frame === undefined ? lowerBound : Math.min(lowerBound, stepStart + frame);
}

/** core-lro's view of a CPP go-live over real HTTP: undici requests, headers lower-cased, JSON bodies. */
export function httpLro(options: {
  endpoint: string;
  goLiveUrl: string;
  token: string;
  mode: LroMode;
  dispatcher: Dispatcher;
}): RunningOperation {
  const { request } = require("undici") as typeof import("undici");
  const send = async (method: "GET" | "POST", url: string) => {
    const response = await request(url, {
      method,
      dispatcher: options.dispatcher,
      headers: {
        authorization: `Bearer ${options.token}`,
        accept: "application/json",
        ...(method === "POST" ? { "content-type": "application/json" } : {}),
      },
      body: method === "POST" ? "" : undefined,
    });
    const text = await response.body.text();
    const body: unknown = text ? JSON.parse(text) : undefined;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
    }
    return {
      flatResponse: body,
      rawResponse: { statusCode: response.statusCode, request: { method, url }, headers, body },
    };
  };
  return {
    sendInitialRequest: async () => {
      const response = await send("POST", options.goLiveUrl);
      renameLocation(response.rawResponse.headers, options.mode);
      return response;
    },
    sendPollRequest: (path) => send("GET", new URL(path, options.endpoint).toString()),
  };
}

/** The one adapter switch core-lro offers: with Operation-Location it reads `status` from the body. */
export function renameLocation(headers: Record<string, string>, mode: LroMode): void {
  if (mode !== "operation-location" || headers.location === undefined) return;
  headers["operation-location"] = headers.location;
  delete headers.location;
}
