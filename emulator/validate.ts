import { SimError } from "./store";

/** A control request's body that is wrong: 400, and nothing was changed. */
export function badInput(message: string): SimError {
  return new SimError(400, "BadRequest", message);
}

type Body = Record<string, unknown>;

/** Throws 400 when the body has keys other than `allowed`. */
export function onlyKeys(body: Body, allowed: string[], what: string): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key))
      throw badInput(`Unknown field '${key}' in ${what}; known: ${allowed.join(", ") || "none"}.`);
  }
}

export function optionalString(body: Body, key: string): string | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw badInput(`'${key}' must be a string, got ${JSON.stringify(value)}.`);
  return value;
}

export function requiredString(body: Body, key: string): string {
  const value = optionalString(body, key);
  if (value === undefined || value === "") throw badInput(`'${key}' is required (a non-empty string).`);
  return value;
}

export function optionalBoolean(body: Body, key: string): boolean | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== "boolean")
    throw badInput(`'${key}' must be true or false, got ${JSON.stringify(value)}.`);
  return value;
}

/** A finite number within [min, max]. */
export function optionalNumber(
  body: Body,
  key: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  const value = body[key];
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max)
    throw badInput(`'${key}' must be a number from ${min} to ${max}, got ${JSON.stringify(value)}.`);
  return value;
}

export function requiredNumber(body: Body, key: string, min: number, max?: number): number {
  const value = optionalNumber(body, key, min, max);
  if (value === undefined) throw badInput(`'${key}' is required (a number).`);
  return value;
}

export function isObject(value: unknown): value is Body {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
