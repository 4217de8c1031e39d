/**
 * Input checks for the resources. Each returns a list of per-field failures with messages a person can act
 * on; nothing here sends a request. Values still unknown during preview are skipped (checked again at apply).
 */

import { API_NAMES, type ApiName, type ApiProfile } from "./backend";
import { DEFAULT_API_VERSION, DEFAULT_ENDPOINT, endpointProblem } from "./options";

export interface CheckFailure {
  property: string;
  reason: string;
}

/** The placeholder the Pulumi engine sends for values not yet known during preview. */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Publisher and offer ids in the Cloud Partner Portal: letters, digits, `-`, `_`, `.`; at most 50 characters. */
export const MAX_ID_LENGTH = 50;

/**
 * A value as a message shows it: JSON where possible (BigInts and cycles cannot be), never longer than 60
 * characters, so a 10 KB input does not become a 10 KB error.
 */
function describeValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = typeof value === "bigint" ? `${value}n` : Object.prototype.toString.call(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function idProblem(value: unknown): string | undefined {
  if (value === undefined || value === null) return "is required";
  if (typeof value !== "string") return `must be a string, got ${typeof value}`;
  if (value === "") return "must not be empty";
  if (value.length > MAX_ID_LENGTH) return `must be at most ${MAX_ID_LENGTH} characters, got ${value.length}`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this rejects
  if (/[\u0000-\u001f\u007f-\u009f]/.test(value)) return "must not contain control characters";
  if (/\s/.test(value)) return "must not contain whitespace";
  if (/[/\\?#%]/.test(value))
    return `must not contain '/', '\\', '?', '#' or '%' (got ${describeValue(value)})`;
  if (value.includes("..")) return "must not contain '..'";
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(value)) {
    return `may only contain ASCII letters, digits, '-', '_' and '.', and must start with a letter or digit (got ${describeValue(value)})`;
  }
  return undefined;
}

export function apiVersionProblem(value: unknown): string | undefined {
  if (typeof value !== "string") return "must be a string";
  return /^\d{4}-\d{2}-\d{2}(-preview)?$/.test(value)
    ? undefined
    : `must be a date like ${DEFAULT_API_VERSION}, got ${describeValue(value)}`;
}

function positiveNumberProblem(value: unknown, max: number): string | undefined {
  if (typeof value !== "number" || !Number.isFinite(value))
    return `must be a number, got ${describeValue(value)}`;
  if (value <= 0) return `must be greater than zero, got ${value}`;
  if (value > max) return `must be at most ${max}, got ${value}`;
  return undefined;
}

/** Defaults of the resource inputs, in one place (documented on `OfferGoLiveArgs`). */
export const INPUT_DEFAULTS = {
  endpoint: DEFAULT_ENDPOINT,
  apiVersion: DEFAULT_API_VERSION,
  wait: true,
  timeoutSeconds: 7 * 24 * 3600,
  pollIntervalSeconds: 60,
  maxPollIntervalSeconds: 900,
  requestTimeoutSeconds: 60,
} as const;

export interface OperationInputs {
  /** Which API: `cpp` (default) or `ingestion`. */
  api?: ApiName;
  /** Required for `cpp`; optional for `ingestion` (the token identifies the seller account). */
  /** Required for `cpp`; optional for `ingestion` (the token identifies the account). */
  publisherId?: string;
  offerId: string;
  endpoint: string;
  apiVersion: string;
  wait: boolean;
  timeoutSeconds: number;
  pollIntervalSeconds: number;
  maxPollIntervalSeconds: number;
  requestTimeoutSeconds: number;
  /** Any values; a change replaces the resource (a new publish or go-live), e.g. `[image.version]`. */
  triggers?: unknown[];
}

const isUnknown = (value: unknown) => value === UNKNOWN_VALUE;

/**
 * Validates raw inputs and fills defaults. Returns the completed inputs and the failures; unknown
 * (preview-time) values are passed through untouched. `profileOf` says what each API takes (`apiProfile` in
 * backends.ts); an `api` that is not one of them is checked as `cpp` (and reported).
 */
export function checkOperationInputs(
  news: Record<string, unknown>,
  profileOf: (api: ApiName) => ApiProfile,
): {
  inputs: Record<string, unknown>;
  failures: CheckFailure[];
} {
  const inputs: Record<string, unknown> = { ...news };
  const failures: CheckFailure[] = [];
  const fail = (property: string, problem: string | undefined) => {
    if (problem) failures.push({ property, reason: `${property} ${problem}.` });
  };
  if (inputs.api !== undefined && !isUnknown(inputs.api) && !API_NAMES.includes(inputs.api as ApiName))
    fail(
      "api",
      `must be one of ${API_NAMES.map((a) => `"${a}"`).join(", ")}, got ${describeValue(inputs.api)}`,
    );
  const stated = API_NAMES.includes(inputs.api as ApiName) ? (inputs.api as ApiName) : undefined;
  const profile = profileOf(stated ?? "cpp");
  if (stated !== undefined && stated !== "cpp") {
    // Another API's own defaults; the CPP ones are INPUT_DEFAULTS, filled below.
    inputs.endpoint ??= profile.endpoint;
    inputs.apiVersion ??= profile.apiVersion;
  }
  for (const [key, value] of Object.entries(INPUT_DEFAULTS))
    if (inputs[key] === undefined) inputs[key] = value;

  for (const property of ["publisherId", "offerId"]) {
    if (profile.publisherOptional && property === "publisherId" && inputs[property] === undefined) continue;
    if (!isUnknown(inputs[property])) fail(property, idProblem(inputs[property]));
  }
  if (!isUnknown(inputs.endpoint)) {
    fail(
      "endpoint",
      typeof inputs.endpoint === "string"
        ? endpointProblem(inputs.endpoint, { allowPath: profile.endpointPath })
        : "must be a string",
    );
  }
  if (!isUnknown(inputs.apiVersion)) fail("apiVersion", profile.apiVersionProblem(inputs.apiVersion));
  if (!isUnknown(inputs.wait) && typeof inputs.wait !== "boolean") fail("wait", "must be true or false");
  const limits: Record<string, number> = {
    timeoutSeconds: 365 * 24 * 3600,
    pollIntervalSeconds: 24 * 3600,
    maxPollIntervalSeconds: 24 * 3600,
    requestTimeoutSeconds: 3600,
  };
  for (const [property, max] of Object.entries(limits)) {
    if (!isUnknown(inputs[property])) fail(property, positiveNumberProblem(inputs[property], max));
  }
  if (inputs.triggers !== undefined && !isUnknown(inputs.triggers) && !Array.isArray(inputs.triggers))
    fail("triggers", "must be a list (e.g. [image.version])");
  return { inputs, failures };
}
