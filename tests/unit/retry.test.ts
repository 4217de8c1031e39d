import { backoffDelayMs, isRetryableStatus, parseRetryAfter, retryDelayMs } from "../../provider/core/retry";

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-11-25T12:00:00Z");

  test.each([
    ["0", 0],
    ["5", 5000],
    [" 12 ", 12000],
    ["1.5", 1500],
  ])("delta seconds %p → %p ms", (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });

  test("HTTP date in the future", () => {
    expect(parseRetryAfter("Wed, 25 Nov 2026 12:00:30 GMT", now)).toBe(30_000);
  });

  test("HTTP date in the past is zero, not negative", () => {
    expect(parseRetryAfter("Wed, 25 Nov 2026 11:00:00 GMT", now)).toBe(0);
  });

  test.each([undefined, "", "soon", "-5", "12abc"])("unusable value %p → undefined", (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });

  test("first of several header values", () => {
    expect(parseRetryAfter(["3", "9"], now)).toBe(3000);
  });
});

describe("backoff", () => {
  const options = { baseDelayMs: 100, maxDelayMs: 1000 };

  test("full jitter stays within [0, min(max, base*2^attempt)]", () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const ceiling = Math.min(1000, 100 * 2 ** attempt);
      expect(backoffDelayMs(attempt, options, () => 0)).toBe(0);
      expect(backoffDelayMs(attempt, options, () => 0.999999)).toBeLessThanOrEqual(ceiling);
      expect(backoffDelayMs(attempt, options, () => 0.999999)).toBeGreaterThanOrEqual(ceiling - 1);
    }
  });

  test("Retry-After wins over backoff but is capped", () => {
    const opts = { ...options, maxRetryAfterMs: 5000 };
    expect(retryDelayMs(0, 3000, opts, () => 0.5)).toBe(3000);
    expect(retryDelayMs(0, 60_000, opts, () => 0.5)).toBe(5000);
    expect(retryDelayMs(2, undefined, opts, () => 0.5)).toBe(200);
  });

  test("retryable statuses: a POST keeps the narrow list", () => {
    const post = (status: number) => isRetryableStatus(status, "POST");
    expect([408, 429, 500, 502, 503, 504].every(post)).toBe(true);
    expect([200, 400, 401, 403, 404, 409, 422, 501, 505, 507, 599].some(post)).toBe(false);
  });

  test("every 5xx is transient on a GET", () => {
    const get = (status: number) => isRetryableStatus(status, "GET");
    const fiveHundreds = Array.from({ length: 100 }, (_, i) => 500 + i);
    expect([408, 429, ...fiveHundreds].every(get)).toBe(true);
    expect([200, 400, 401, 403, 404, 409, 422, 499, 600].some(get)).toBe(false);
  });
});
