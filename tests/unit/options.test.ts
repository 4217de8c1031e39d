import { apiProfile } from "../../provider/backends";
import { ConfigurationError } from "../../provider/core/errors";
import {
  endpointProblem,
  resolveEndpoint,
  resolvePollOptions,
  resolveRetryOptions,
} from "../../provider/core/options";
import { nextPollDelayMs } from "../../provider/core/poller";
import { checkOperationInputs, INPUT_DEFAULTS, idProblem, UNKNOWN_VALUE } from "../../provider/core/validate";

describe("option resolution", () => {
  test("poll defaults", () => {
    expect(resolvePollOptions()).toEqual({
      pollIntervalMs: 60_000,
      maxPollIntervalMs: 900_000,
      timeoutMs: 604_800_000,
      maxConsecutiveErrors: 10,
      heartbeatIntervalMs: 300_000,
    });
  });

  test("max interval never below the interval", () => {
    expect(resolvePollOptions({ pollIntervalMs: 2_000_000 }).maxPollIntervalMs).toBe(2_000_000);
  });

  test.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])("bad interval %p is refused", (value) => {
    expect(() => resolvePollOptions({ pollIntervalMs: value })).toThrow(ConfigurationError);
  });

  test("retry defaults and validation", () => {
    expect(resolveRetryOptions()).toEqual({
      maxRetries: 5,
      baseDelayMs: 1000,
      maxDelayMs: 30_000,
      maxRetryAfterMs: 600_000,
    });
    expect(() => resolveRetryOptions({ maxRetries: 1.5 })).toThrow(/whole number/);
  });

  test("poll delay: interval, then 10% of elapsed, capped; Retry-After is a floor, itself capped", () => {
    const o = resolvePollOptions({ pollIntervalMs: 1000, maxPollIntervalMs: 60_000 });
    expect(nextPollDelayMs(0, undefined, o)).toBe(1000);
    expect(nextPollDelayMs(50_000, undefined, o)).toBe(5000);
    expect(nextPollDelayMs(10_000_000, undefined, o)).toBe(60_000);
    expect(nextPollDelayMs(10_000_000, 7, o)).toBe(60_000);
    expect(nextPollDelayMs(0, 7_000, o)).toBe(7_000);
    expect(nextPollDelayMs(10_000_000, 3_600_000, o)).toBe(60_000);
  });

  test("endpoints: https anywhere, http only on loopback", () => {
    expect(endpointProblem("https://cloudpartner.azure.com")).toBeUndefined();
    expect(endpointProblem("http://127.0.0.1:8080")).toBeUndefined();
    expect(endpointProblem("http://localhost:1")).toBeUndefined();
    expect(endpointProblem("http://[::1]:1")).toBeUndefined();
    expect(endpointProblem("http://cloudpartner.azure.com")).toMatch(/must use https/);
    expect(endpointProblem("http://127.0.0.1.evil.com")).toMatch(/must use https/);
    expect(endpointProblem("https://user:pw@host")).toMatch(/credentials/);
    expect(endpointProblem("ftp://host")).toMatch(/unsupported/);
    expect(endpointProblem("not a url")).toMatch(/not a URL/);
    expect(resolveEndpoint("https://h/")).toBe("https://h");
    expect(() => resolveEndpoint("http://example.com")).toThrow(ConfigurationError);
  });
});

describe("input checks", () => {
  test("defaults are filled", () => {
    const { inputs, failures } = checkOperationInputs(
      { publisherId: "contoso", offerId: "contoso-offer" },
      apiProfile,
    );
    expect(failures).toEqual([]);
    expect(inputs).toMatchObject(INPUT_DEFAULTS);
  });

  test.each([
    ["", /must not be empty/],
    ["a/b", /must not contain '\/'/],
    ["a?b", /'\?'/],
    ["a#b", /'#'/],
    ["..", /'\.\.'/],
    ["a b", /whitespace/],
    ["a\u0000b", /control/],
    ["%2e%2e", /'%'/],
    ["x".repeat(51), /at most 50/],
    ["сontoso", /ASCII/],
    ["-x", /start with a letter or digit/],
  ])("bad id %p", (value, message) => {
    expect(idProblem(value)).toMatch(message);
  });

  test("every bad field is reported, each with its own message", () => {
    const { failures } = checkOperationInputs(
      {
        publisherId: "",
        offerId: "../x",
        endpoint: "http://example.com",
        apiVersion: "latest",
        wait: "yes",
        timeoutSeconds: 0,
        pollIntervalSeconds: -1,
      },
      apiProfile,
    );
    expect(failures.map((f) => f.property).sort()).toEqual(
      [
        "apiVersion",
        "endpoint",
        "offerId",
        "pollIntervalSeconds",
        "publisherId",
        "timeoutSeconds",
        "wait",
      ].sort(),
    );
    for (const f of failures) expect(f.reason.startsWith(f.property)).toBe(true);
  });

  test("unknown values during preview are not judged", () => {
    expect(
      checkOperationInputs(
        { publisherId: UNKNOWN_VALUE, offerId: UNKNOWN_VALUE, endpoint: UNKNOWN_VALUE },
        apiProfile,
      ).failures,
    ).toEqual([]);
  });
});
