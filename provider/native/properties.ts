/**
 * Property values as the engine sends them to a provider that accepts secrets: a `google.protobuf.Struct` whose
 * secrets are wrapped as `{ [specialSigKey]: specialSecretSig, value }` and whose unknown values (preview) are
 * `unknownValue`. The providers work on plain values; these helpers unwrap a request's properties (remembering
 * which top-level ones were secret) and wrap a response's properties again, so a secret input stays secret in
 * the outputs and in state.
 */

import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";

export type Properties = Record<string, unknown>;

export interface Unwrapped {
  /** The values with every secret wrapper removed (nested ones included). */
  values: Properties;
  /** Top-level keys whose value was, or contained, a secret. */
  secrets: Set<string>;
}

export function isSecret(value: unknown): value is { value: unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[specialSigKey] === specialSecretSig
  );
}

/** Removes secret wrappers from one value; `found` is set when there was one. */
function reveal(value: unknown, found: { secret: boolean }): unknown {
  if (isSecret(value)) {
    found.secret = true;
    return reveal(value.value, found);
  }
  if (Array.isArray(value)) return value.map((item) => reveal(item, found));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reveal(v, found)]));
  }
  return value;
}

/**
 * The dynamic resources' serialized provider, in state written before a stack moved to the native resource:
 * the native provider never runs it, so it is dropped from every request (and so from every answer and from
 * the state the engine writes next).
 */
const DYNAMIC_PROVIDER_KEY = "__provider";

/** Unwraps a request's properties (`Struct.toJavaScript()`; absent struct = no properties). */
export function unwrap(properties: Properties | undefined): Unwrapped {
  const values: Properties = {};
  const secrets = new Set<string>();
  for (const [key, value] of Object.entries(properties ?? {})) {
    if (key === DYNAMIC_PROVIDER_KEY) continue;
    const found = { secret: false };
    values[key] = reveal(value, found);
    if (found.secret) secrets.add(key);
  }
  return { values, secrets };
}

/** `value` wrapped as a secret, unless it is one already. */
export function asSecret(value: unknown): unknown {
  return isSecret(value) ? value : { [specialSigKey]: specialSecretSig, value };
}

/** Wraps the given top-level keys as secrets; every other value is returned as is. */
export function wrapSecrets(values: Properties, secrets: Iterable<string>): Properties {
  const out: Properties = { ...values };
  for (const key of secrets) {
    if (key in out && out[key] !== undefined) {
      out[key] = { [specialSigKey]: specialSecretSig, value: out[key] };
    }
  }
  return out;
}
