/**
 * Field-level differences, after normalisation (`normalize.ts`), between declared parts and the tree, between two
 * trees (draft vs preview vs live), or between the state and the program (no request).
 *
 * A change's `field` is a path below the part: objects are followed down to the field that differs
 * (`pricing.corePricing.price`), a list is one field (`markets`): lists are compared whole (sets sorted first),
 * so one changed price or market is exactly one change. Only the top-level fields a part declares are compared;
 * below a declared field, the declared value is the whole truth (a key the draft has and the program does not is
 * a `delete`: the write replaces declared top-level fields).
 */

import { redactSecrets } from "../../core/errors";
import { type DeclaredPart, declaredParts, resourceTypeOf, type TreeIndex } from "./keys";
import { normalizeFields, sameNormalized, sameValue } from "./normalize";
import type { OfferConfigurationInputs } from "./types";

type Json = Record<string, unknown>;

export interface FieldChange {
  key: string;
  field: string;
  kind: "add" | "update" | "delete";
  old?: unknown;
  new?: unknown;
}

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `a` + `b` -> `a.b`; a key that is not an identifier -> `a["b-c"]`. */
function join(path: string, name: string): string {
  if (IDENTIFIER.test(name)) return path === "" ? name : `${path}.${name}`;
  return `${path}[${JSON.stringify(name)}]`;
}

/** Changes between two normalised values at `path`. */
function compare(key: string, path: string, declared: unknown, current: unknown, out: FieldChange[]): void {
  if (sameNormalized(declared, current)) return;
  if (isObject(declared) && isObject(current)) {
    for (const name of [...new Set([...Object.keys(declared), ...Object.keys(current)])].sort())
      compare(key, join(path, name), declared[name], current[name], out);
    return;
  }
  if (current === undefined) out.push({ key, field: path, kind: "add", new: declared });
  else if (declared === undefined) out.push({ key, field: path, kind: "delete", old: current });
  else out.push({ key, field: path, kind: "update", old: current, new: declared });
}

/**
 * The changes one declared part makes to its resource, over the fields it declares. `current` undefined: the part
 * is new, one `add` for the key with field "" (its normalised declared fields as `new`).
 */
export function diffPart(part: DeclaredPart, current: Record<string, unknown> | undefined): FieldChange[] {
  const declared = normalizeFields(part.type, part.fields);
  if (current === undefined) {
    const fields: Json = {};
    for (const name of Object.keys(part.fields).sort()) if (name in declared) fields[name] = declared[name];
    return [{ key: part.key, field: "", kind: "add", new: fields }];
  }
  // Only the declared top-level fields of the resource are compared: only those are normalised (a VM
  // configuration's image versions, when not declared, are never walked).
  const subset: Json = {};
  for (const name of Object.keys(part.fields)) if (name in current) subset[name] = current[name];
  const stored = normalizeFields(part.type, subset);
  const out: FieldChange[] = [];
  for (const name of Object.keys(part.fields).sort()) {
    // Managed fields ($schema, id, references) are not in the normalised form: never compared.
    if (!(name in declared) && part.fields[name] !== null) continue;
    compare(part.key, join("", name), declared[name], stored[name], out);
  }
  return out;
}

/** The changes the declared parts make to the tree (by key). */
export function diffDeclared(parts: DeclaredPart[], tree: TreeIndex): FieldChange[] {
  return parts.flatMap((part) => diffPart(part, tree.byKey.get(part.key)));
}

/** Inputs that are not parts, compared as plain values. */
const SETTINGS = ["offerId", "api", "removedPlans", "endpoint", "requestTimeoutSeconds"] as const;

/**
 * State (`olds`: the draft's values as last read, for the declared fields) against the program (`news`), without
 * a request. A part only in the program is one `add` (field ""); a part only in the state one `delete` (field "":
 * no longer declared; the offer keeps it); a field no longer declared is a `delete` of that field (the offer keeps
 * its value). Settings (`offerId`, `removedPlans`, ...) are changes with their own name as key and field "".
 */
export function diffInputs(olds: OfferConfigurationInputs, news: OfferConfigurationInputs): FieldChange[] {
  const out: FieldChange[] = [];
  for (const name of SETTINGS) {
    const before = olds?.[name];
    const after = news?.[name];
    if (sameValue(before ?? null, after ?? null)) continue;
    out.push(
      before === undefined || before === null
        ? { key: name, field: "", kind: "add", new: after }
        : after === undefined || after === null
          ? { key: name, field: "", kind: "delete", old: before }
          : { key: name, field: "", kind: "update", old: before, new: after },
    );
  }
  const oldParts = new Map(declaredParts(olds ?? ({} as OfferConfigurationInputs)).map((p) => [p.key, p]));
  const newParts = declaredParts(news ?? ({} as OfferConfigurationInputs), olds?.product?.type);
  const seen = new Set<string>();
  for (const part of newParts) {
    seen.add(part.key);
    const old = oldParts.get(part.key);
    if (!old) {
      out.push(...diffPart(part, undefined));
      continue;
    }
    out.push(...diffPart(part, old.fields));
    const declared = normalizeFields(part.type, part.fields);
    const before = normalizeFields(old.type, old.fields);
    for (const name of Object.keys(old.fields).sort()) {
      if (name in part.fields || !(name in before)) continue;
      if (name in declared && sameValue(declared[name], before[name])) continue;
      out.push({ key: part.key, field: join("", name), kind: "delete", old: before[name] });
    }
  }
  for (const [key, old] of oldParts)
    if (!seen.has(key))
      out.push({ key, field: "", kind: "delete", old: normalizeFields(old.type, old.fields) });
  return out;
}

/**
 * Changes between two trees for the declared parts (`only`: their declared fields: pending changes, e.g. draft vs
 * preview), or everything except them (`except`: whole resources not declared, and the fields a declared part does
 * not declare: what the draft holds that nobody declared). `from` is the newer side (e.g. the draft), `to` the
 * older (e.g. preview): `add` means `from` has what `to` has not.
 */
export function diffTrees(
  from: TreeIndex,
  to: TreeIndex,
  scope: { only?: DeclaredPart[]; except?: DeclaredPart[] } = {},
): FieldChange[] {
  const out: FieldChange[] = [];
  if (scope.only) {
    for (const part of scope.only) {
      const a = from.byKey.get(part.key);
      const b = to.byKey.get(part.key);
      if (!a && !b) continue;
      const type = part.type;
      const left = a ? normalizeFields(type, a) : undefined;
      const right = b ? normalizeFields(type, b) : undefined;
      if (!left || !right) {
        out.push(
          left
            ? { key: part.key, field: "", kind: "add", new: pick(left, part.fields) }
            : { key: part.key, field: "", kind: "delete", old: pick(right ?? {}, part.fields) },
        );
        continue;
      }
      for (const name of Object.keys(part.fields).sort())
        compare(part.key, join("", name), left[name], right[name], out);
    }
    return out;
  }
  const declared = new Map((scope.except ?? []).map((p) => [p.key, p]));
  for (const key of [...new Set([...from.byKey.keys(), ...to.byKey.keys()])].sort()) {
    const a = from.byKey.get(key);
    const b = to.byKey.get(key);
    const part = declared.get(key);
    const type = part?.type ?? resourceTypeOf((a ?? b) as Json) ?? "";
    const left = a ? normalizeFields(type, a) : undefined;
    const right = b ? normalizeFields(type, b) : undefined;
    if (!left || !right) {
      if (!part)
        out.push(
          left ? { key, field: "", kind: "add", new: left } : { key, field: "", kind: "delete", old: right },
        );
      continue;
    }
    for (const name of [...new Set([...Object.keys(left), ...Object.keys(right)])].sort()) {
      if (part && name in part.fields) continue;
      compare(key, join("", name), left[name], right[name], out);
    }
  }
  return out;
}

function pick(values: Json, fields: Json): Json {
  return Object.fromEntries(
    Object.keys(fields)
      .filter((k) => k in values)
      .map((k) => [k, values[k]]),
  );
}

/** `plans[gen-2].availability` -> `plans["gen-2"].availability`; `resources[x:y]` -> `resources["x:y"]`. */
function keyPath(key: string, inputs?: OfferConfigurationInputs): string {
  const match = /^(plans|listingAssets|resources)\[(.*?)\](.*)$/.exec(key);
  if (!match) return key;
  const [, head, id = "", rest = ""] = match;
  if (head === "plans") return `plans[${JSON.stringify(id)}]${rest}`;
  // Lists in the inputs: the item's index when the inputs are at hand.
  if (inputs && head === "listingAssets") {
    const at = (inputs.listingAssets ?? []).findIndex((a) => a?.fileName === id);
    if (at >= 0) return `listingAssets[${at}]${rest}`;
  }
  if (inputs && head === "resources") {
    const parts = declaredParts(inputs).filter((p) => p.raw);
    const at = parts.findIndex((p) => p.key === key);
    if (at >= 0) return `resources[${at}]${rest}`;
  }
  return `${head}[${JSON.stringify(id)}]${rest}`;
}

/**
 * The Pulumi property path of a change: `plans["gen-2"].availability.pricing.corePricing.price`, `listing.title`.
 * With the inputs at hand, list items (`listingAssets`, `resources`) are addressed by their index in them.
 */
export function propertyPath(key: string, field: string, inputs?: OfferConfigurationInputs): string {
  const base = keyPath(key, inputs);
  if (field === "") return base;
  return field.startsWith("[") ? `${base}${field}` : `${base}.${field}`;
}

/** Keys whose values are secrets wherever they appear. */
const SECRET_KEYS = /^(password|clientSecret|secret|sasUri|accessKey|primaryKey|secondaryKey)$/i;

/** A value as a message shows it: secrets masked, SAS signatures redacted, at most 80 characters. */
export function describeValue(value: unknown): string {
  let text: string;
  try {
    text =
      JSON.stringify(value, (name, v) => (name !== "" && SECRET_KEYS.test(name) ? "[secret]" : v)) ?? "none";
  } catch {
    text = String(value);
  }
  text = redactSecrets(text);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** One line for logs and errors: `plans[gen2].availability.pricing.corePricing.price: 10 -> 12`. */
export function describeChange(change: FieldChange): string {
  const where =
    change.field === ""
      ? change.key
      : `${change.key}${change.field.startsWith("[") ? "" : "."}${change.field}`;
  const secretField = change.field.split(/[.[\]"]+/).some((s) => SECRET_KEYS.test(s));
  const show = (value: unknown) => (secretField ? "[secret]" : describeValue(value));
  switch (change.kind) {
    case "add":
      return redactSecrets(
        change.field === "" ? `${where}: new (${show(change.new)})` : `${where}: added ${show(change.new)}`,
      );
    case "delete":
      return redactSecrets(`${where}: removed (was ${show(change.old)})`);
    default:
      return redactSecrets(`${where}: ${show(change.old)} -> ${show(change.new)}`);
  }
}
