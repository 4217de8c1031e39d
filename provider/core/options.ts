/**
 * Every default of the client and the poller, resolved in one place. Option names carry their units.
 */

import type { TokenCredentialLike, TokenProvider } from "./auth";
import { ConfigurationError } from "./errors";
import type { HttpTransport } from "./http";

export const DEFAULT_ENDPOINT = "https://cloudpartner.azure.com";
export const DEFAULT_API_VERSION = "2017-10-31";

/** Time and waiting, injectable so tests never sleep for real. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The longest delay `setTimeout` takes (longer ones fire at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Resolves after `ms` (any length: long waits re-arm the timer), or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const end = Date.now() + ms;
    let timer: NodeJS.Timeout;
    const arm = (left: number) => {
      timer = setTimeout(
        () => {
          const rest = end - Date.now();
          if (rest > 0 && left > MAX_TIMER_MS) return arm(rest);
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
        Math.min(left, MAX_TIMER_MS),
      );
    };
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    arm(ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export const systemClock: Clock = { now: () => Date.now(), sleep };

export interface RetryOptions {
  /** Retries after the first attempt, for calls that are safe to repeat. Default 5. */
  maxRetries?: number;
  /** Upper bound of the first backoff (full jitter, doubling). Default 1 000 ms. */
  baseDelayMs?: number;
  /** Upper bound of any one backoff. Default 30 000 ms. */
  maxDelayMs?: number;
  /** A server's Retry-After is honoured up to this long. Default 10 minutes. */
  maxRetryAfterMs?: number;
}

export type ResolvedRetryOptions = Required<RetryOptions>;

export function resolveRetryOptions(options: RetryOptions = {}): ResolvedRetryOptions {
  return {
    maxRetries: nonNegativeInteger("retry.maxRetries", options.maxRetries ?? 5),
    baseDelayMs: nonNegative("retry.baseDelayMs", options.baseDelayMs ?? 1_000),
    maxDelayMs: nonNegative("retry.maxDelayMs", options.maxDelayMs ?? 30_000),
    maxRetryAfterMs: nonNegative("retry.maxRetryAfterMs", options.maxRetryAfterMs ?? 10 * 60_000),
  };
}

export interface PollOptions {
  /** First and shortest wait between polls. Default 60 000 ms. */
  pollIntervalMs?: number;
  /**
   * Longest wait between polls. The poller waits `max(pollIntervalMs, 10% of the time elapsed)` capped here,
   * so a days-long go-live is not polled every minute, yet its end is seen within 10% of its duration.
   * Default: 15 minutes, or `pollIntervalMs` when that is larger.
   */
  maxPollIntervalMs?: number;
  /** Give up waiting (the operation keeps running) after this long. Default 7 days. */
  timeoutMs?: number;
  /** Consecutive failed polls (each already retried by the client) tolerated before giving up. Default 10. */
  maxConsecutiveErrors?: number;
  /** Report progress at least this often even when nothing changed (CI systems kill silent jobs). Default 5 min. */
  heartbeatIntervalMs?: number;
}

export type ResolvedPollOptions = Required<PollOptions>;

export function resolvePollOptions(options: PollOptions = {}): ResolvedPollOptions {
  const pollIntervalMs = positive("pollIntervalMs", options.pollIntervalMs ?? 60_000);
  return {
    pollIntervalMs,
    maxPollIntervalMs: Math.max(
      pollIntervalMs,
      positive("maxPollIntervalMs", options.maxPollIntervalMs ?? 15 * 60_000),
    ),
    timeoutMs: positive("timeoutMs", options.timeoutMs ?? 7 * 24 * 3_600_000),
    maxConsecutiveErrors: nonNegativeInteger("maxConsecutiveErrors", options.maxConsecutiveErrors ?? 10),
    heartbeatIntervalMs: positive("heartbeatIntervalMs", options.heartbeatIntervalMs ?? 5 * 60_000),
  };
}

/**
 * Returns a problem with an endpoint, or undefined: https only, plain http only for loopback addresses, and
 * no path. A path prefix (`https://proxy/cpp`) is refused rather than half supported: the API's operation
 * locations are absolute paths (`/api/...`), so polls would silently drop a prefix that the POST kept.
 */
export function endpointProblem(endpoint: string, options: { allowPath?: boolean } = {}): string | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return `"${endpoint}" is not a URL`;
  }
  if (url.username || url.password) return "must not contain credentials";
  if (url.search || url.hash) return "must not contain a query or fragment";
  if (!options.allowPath && url.pathname !== "/" && url.pathname !== "")
    return `must be the API host only, without a path (got path ${JSON.stringify(url.pathname)}): the API's operation locations are absolute paths (/api/...), so a path prefix would be lost on polls. Use ${JSON.stringify(url.origin)}, or a proxy that serves the API at its root`;
  if (url.protocol === "https:") return undefined;
  if (url.protocol === "http:" && isLoopback(url.hostname)) return undefined;
  return url.protocol === "http:"
    ? "must use https (plain http is allowed only for loopback addresses such as a local simulator)"
    : `unsupported scheme ${url.protocol}`;
}

export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "");
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Normalizes an endpoint: validated, no trailing slash. `allowPath` for APIs whose every URL the client builds
 * itself under the endpoint (ingestion); CPP hands out absolute operation paths, so its endpoint is a host only.
 */
export function resolveEndpoint(endpoint: string | undefined, options: { allowPath?: boolean } = {}): string {
  const value = endpoint ?? DEFAULT_ENDPOINT;
  const problem = endpointProblem(value, options);
  if (problem) throw new ConfigurationError(`endpoint ${problem}.`);
  return value.replace(/\/+$/, "");
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new ConfigurationError(`${name} must be a positive number, got ${value}.`);
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0)
    throw new ConfigurationError(`${name} must be zero or more, got ${value}.`);
  return value;
}

function nonNegativeInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0)
    throw new ConfigurationError(`${name} must be a whole number ≥ 0, got ${value}.`);
  return value;
}

/** What every API client takes (each API documents its own endpoint and version defaults). */
export interface ApiClientOptions {
  /** API host; plain http only for loopback. */
  endpoint?: string;
  /** The API's version parameter. */
  apiVersion?: string;
  /** An explicit bearer token; otherwise `CLOUDPARTNER_ACCESS_TOKEN`, otherwise Azure AD. */
  accessToken?: string;
  /** Any `@azure/identity` credential. */
  credential?: TokenCredentialLike;
  /** Full control over tokens (wins over `accessToken` and `credential`). */
  tokenProvider?: TokenProvider;
  /** Deadline for one HTTP request, headers and body. Default 60 000 ms. */
  requestTimeoutMs?: number;
  retry?: RetryOptions;
  transport?: HttpTransport;
  clock?: Clock;
  /** Random source for backoff jitter (tests pin it). */
  random?: () => number;
  /** Called with one line per notable event (retries, re-based locations). Never receives a token. */
  log?: (message: string) => void;
}
