/** Shared bits of the reliability tier: waiting on conditions, scaled clocks, recording transports. */

import type { HttpRequest, HttpResponse, HttpTransport } from "../../provider/core/http";
import { type Clock, sleep } from "../../provider/core/options";

/** A token that must never show up anywhere but an Authorization header sent to the endpoint. */
export const CANARY = "canary-7c1e5b09d2f84a6f-token";

/** Polls `condition` every 10 ms until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Real time, but every sleep is `factor` times shorter: the provider's default backoff (1 s base, full
 * jitter) and poll waits shrink to milliseconds while Retry-After and timeout arithmetic stay real.
 */
export function scaledClock(factor: number): Clock {
  return { now: () => Date.now(), sleep: (ms, signal) => sleep(ms / factor, signal) };
}

/** Wraps a transport and records every request it is asked to send (before anything goes on the wire). */
export class RecordingTransport implements HttpTransport {
  readonly sent: HttpRequest[] = [];
  constructor(private readonly inner: HttpTransport) {}

  send(request: HttpRequest): Promise<HttpResponse> {
    this.sent.push(request);
    return this.inner.send(request);
  }
}

/** Everything an error exposes when printed, logged or serialized, its causes included. */
export function errorText(error: unknown): string {
  const { inspect } = require("node:util") as typeof import("node:util");
  const parts: string[] = [inspect(error, { depth: 6, showHidden: false })];
  for (let e: unknown = error, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    parts.push(String((e as Error).message), String((e as Error).stack));
    try {
      parts.push(JSON.stringify(e));
    } catch {
      // circular causes are covered by inspect above
    }
  }
  return parts.join("\n");
}
