/**
 * The `declaration` text OfferConfiguration outputs and OfferPublish reads back (`configuration` input, and the
 * usual `triggers` value): the offer's declared parts, normalised, as canonical JSON. Both ends use this one
 * file, so the format has a single definition: `formatDeclaration` writes it, `parseDeclaration` reads it.
 *
 * Canonical (object keys sorted at every depth, parts sorted by key, no whitespace): the same program gives the
 * same text on every run, so `triggers: [config.declaration]` changes exactly when a declared part does.
 */

import { canonical } from "../../core/canonical";
import { ConfigurationError } from "../../core/errors";
import type { DeclaredPart } from "./keys";
import { normalizeFields } from "./normalize";

export type { DeclaredPart };

/** The format's version: a text of another version is refused rather than misread. */
export const DECLARATION_VERSION = 1;

/**
 * The declaration as text: `{"offerId":…,"parts":[{"fields":{…},"key":…,"scope":…,"type":…}],"version":1}`, each
 * part's declared fields normalised: only the fields it declares, in comparable form (the defaults `normalize.ts`
 * fills for the others are not declared); a raw part keeps its `$schema` beside its fields.
 */
export function formatDeclaration(parts: readonly DeclaredPart[], offerId?: string): string {
  const seen = new Set<string>();
  for (const part of parts) {
    if (seen.has(part.key)) throw new Error(`formatDeclaration: the key ${part.key} is declared twice.`);
    seen.add(part.key);
  }
  const sorted = [...parts]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((part) => ({
      key: part.key,
      type: part.type,
      scope: part.scope,
      ...(part.planId !== undefined ? { planId: part.planId } : {}),
      fields: declaredFields(part),
      // A raw part's schema version is part of what it declares (normalisation drops `$schema` from fields).
      ...(part.raw ? { raw: true, ...schemaOf(part) } : {}),
    }));
  return JSON.stringify(
    canonical({ version: DECLARATION_VERSION, ...(offerId ? { offerId } : {}), parts: sorted }),
  );
}

function schemaOf(part: DeclaredPart): { $schema?: string } {
  return typeof part.fields.$schema === "string" ? { $schema: part.fields.$schema } : {};
}

/** The fields a part declares, normalised (as `keys.ts` `normalizedDeclared`, without importing keys.ts). */
function declaredFields(part: DeclaredPart): Record<string, unknown> {
  const normalized = normalizeFields(part.type, part.fields);
  return Object.fromEntries(
    Object.keys(part.fields).flatMap((field) => (field in normalized ? [[field, normalized[field]]] : [])),
  );
}

/** A parsed declaration: its parts and, when it names one, the offer it was made for. */
export interface Declaration {
  offerId?: string;
  parts: DeclaredPart[];
}

const WHAT_TO_PASS =
  "Pass OfferConfiguration's `declaration` output as it is (configuration: offerConfig.declaration).";

/** Reads a declaration; a text that is not one throws a ConfigurationError that says what is wrong. */
export function readDeclaration(text: unknown): Declaration {
  const fail = (why: string): never => {
    throw new ConfigurationError(`configuration is not an offer declaration: ${why}. ${WHAT_TO_PASS}`);
  };
  if (typeof text !== "string") return fail(`expected a string, got ${text === null ? "null" : typeof text}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail("it is not JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return fail("it is not a JSON object");
  const document = value as Record<string, unknown>;
  if (document.version !== DECLARATION_VERSION)
    return fail(
      `its version is ${JSON.stringify(document.version)}, this package reads version ${DECLARATION_VERSION} (use the same pulumi-cloudpartner version for OfferConfiguration and OfferPublish)`,
    );
  if (document.offerId !== undefined && typeof document.offerId !== "string")
    return fail("offerId is not a string");
  if (!Array.isArray(document.parts)) return fail("it has no list of parts");
  const keys = new Set<string>();
  const parts = document.parts.map((entry, i): DeclaredPart => {
    const part = entry as Record<string, unknown> | null;
    if (typeof part !== "object" || part === null || Array.isArray(part))
      return fail(`parts[${i}] is not an object`);
    const { key, type, scope, planId, fields, raw, $schema } = part;
    if (typeof key !== "string" || key === "") return fail(`parts[${i}] has no key`);
    if (typeof type !== "string" || type === "") return fail(`${key} has no resource type`);
    if (typeof fields !== "object" || fields === null || Array.isArray(fields))
      return fail(`${key} has no object of fields`);
    if (scope !== "offer" && scope !== "plan") return fail(`${key} has no scope (offer or plan)`);
    if (planId !== undefined && typeof planId !== "string")
      return fail(`${key} has a planId that is not a string`);
    if (scope === "plan" && planId === undefined) return fail(`${key} is plan-level and names no plan`);
    if (keys.has(key)) return fail(`${key} is declared twice`);
    keys.add(key);
    return {
      key,
      type,
      scope,
      ...(typeof planId === "string" ? { planId } : {}),
      fields: {
        ...(fields as Record<string, unknown>),
        ...(raw === true && typeof $schema === "string" ? { $schema } : {}),
      },
      ...(raw === true ? { raw: true } : {}),
    };
  });
  return { ...(typeof document.offerId === "string" ? { offerId: document.offerId } : {}), parts };
}

/** The declared parts of a declaration text (see `readDeclaration` for the offer it names). */
export function parseDeclaration(text: string): DeclaredPart[] {
  return readDeclaration(text).parts;
}
