/**
 * Retry timing: `Retry-After` parsing and exponential backoff with full jitter, in one place.
 * Pure functions; the clock and the random source are parameters so tests can pin them.
 */

/**
 * Statuses worth retrying: throttling and server-side failures. For a GET (reads, polls) every 5xx is
 * transient: reading again cannot do harm. Calls that change something keep the narrower list (500, 502, 503,
 * 504), and their callers still check before repeating one that may have been applied.
 */
export function isRetryableStatus(status: number, method: "GET" | "POST" | "PUT"): boolean {
  if (status === 408 || status === 429) return true;
  if (method === "GET") return status >= 500 && status <= 599;
  return status === 500 || status === 502 || status === 503 || status === 504;
}

/**
 * Parses a `Retry-After` header (delta seconds, or an HTTP date) into milliseconds from `nowMs`.
 * Returns undefined for a missing or unparseable value; a date in the past yields 0.
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (text === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // HTTP dates always name a weekday or month; refuse bare numbers-with-junk that Date.parse would accept.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

export interface BackoffOptions {
  /** First retry waits up to this long. */
  baseDelayMs: number;
  /** No single wait exceeds this. */
  maxDelayMs: number;
}

/**
 * "Full jitter" backoff: a uniformly random delay in [0, min(max, base * 2^attempt)].
 * `attempt` counts from 0 for the first retry.
 */
export function backoffDelayMs(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt));
  return Math.floor(random() * ceiling);
}

/**
 * The delay before the next retry: the server's Retry-After when given (capped by `maxRetryAfterMs`, so a
 * hostile or broken header cannot park a deployment for days), else jittered backoff.
 */
export function retryDelayMs(
  attempt: number,
  retryAfterMs: number | undefined,
  options: BackoffOptions & { maxRetryAfterMs: number },
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, options.maxRetryAfterMs);
  return backoffDelayMs(attempt, options, random);
}
