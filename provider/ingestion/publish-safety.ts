/**
 * Publish safety: what a preview submission would ship that the program did not declare. A publish to preview
 * sends the whole draft (or, modular, the listed resources), so a portal edit sitting in the draft would ship
 * unreviewed; OfferPublish compares the draft with the preview (nothing, when the offer was never published)
 * and with the declaration (OfferConfiguration's `declaration` output) before it sends anything.
 *
 * Pure functions over trees already indexed by key and normalised (no requests here): a change of the draft
 * relative to the preview is explained when the program declares that field of that part and the draft holds
 * the declared value; anything else that differs is not. Compared per top-level field, the unit a declaration
 * owns (undeclared top-level fields keep the draft's values when OfferConfiguration writes).
 */

import { canonical } from "../core/canonical";
import { CloudPartnerError, ConfigurationError, redactSecrets } from "../core/errors";
import { type DeclaredPart, readDeclaration } from "./offer/declaration";
import { indexTree, planKey, resourceTypeOf } from "./offer/keys";
import { isManagedField, normalizeFields } from "./offer/normalize";
import { isWrittenType, parseSchemaUri, schemaUri } from "./schemas";

/** A tree resource as compared: its type and its fields, normalised, server-managed ones dropped. */
export interface TreePart {
  type: string;
  fields: Record<string, unknown>;
}

/** A resource tree (draft, preview or live) indexed by part key. */
export type ComparedTree = ReadonlyMap<string, TreePart>;

/** A resource tree as read (`IngestionClient.resourceTree`), indexed by key: raw resources and compared parts. */
export interface ReadTree {
  raw: ReadonlyMap<string, Record<string, unknown>>;
  compared: ComparedTree;
}

/** Types a tree lists that are not offer content: publishing and envelopes. */
const NOT_CONTENT = new Set([
  "submission",
  "resource-tree",
  "configure",
  "configure-status",
  "configure-detail",
]);

/**
 * Indexes a tree by key (`keys.ts`) and normalises each resource (`normalize.ts`) as a declared part is. A
 * resource without a key (a second listing language, a resource of a plan the tree does not list, a second one
 * with the same key) is still offer content a publish ships: it is compared under its durable id, which no
 * declaration uses, so a change there is never explained.
 */
export function readTree(resources: Array<Record<string, unknown>>): ReadTree {
  const index = indexTree(resources);
  const compared = new Map<string, TreePart>();
  const add = (key: string, resource: Record<string, unknown>) => {
    const type = resourceTypeOf(resource) ?? "";
    // normalizeFields drops what the server manages (`id`, `$schema`, `validations`, refs, `identity`).
    compared.set(key, { type, fields: normalizeFields(type, resource) });
  };
  for (const [key, resource] of index.byKey) add(key, resource);
  for (const resource of index.unkeyed) {
    const type = resourceTypeOf(resource);
    if (type === undefined || NOT_CONTENT.has(type) || typeof resource.id !== "string") continue;
    if (!compared.has(resource.id)) add(resource.id, resource);
  }
  return { raw: index.byKey, compared };
}

/** One top-level field of one part that the draft changes relative to the preview. */
export interface DraftChange {
  key: string;
  /** The top-level field; undefined when the whole part is in the preview and not in the draft. */
  field?: string;
  /** The preview's value (undefined: absent, or no preview at all). */
  preview: unknown;
  /** The draft's value (undefined: absent). */
  draft: unknown;
  /** The declared value, when the program declares this field. */
  declared?: unknown;
  /** Whether the program declares this field of this part. */
  isDeclared: boolean;
  /** Declared, and the draft holds the declared value: the change is the program's. */
  explained: boolean;
}

export interface DraftChangeOptions {
  /** Only these part keys are published (a modular publish): changes elsewhere do not ship and are left out. */
  only?: ReadonlySet<string>;
}

/**
 * What the draft changes relative to the preview, per part and top-level field, each marked explained or not.
 * `preview` undefined: the offer was never published, so every value in the draft is a change, compared with
 * nothing: an empty resource of its type with its documented defaults (so is a part new in the draft). An empty
 * value (absent, null, "", [], {}) equals any other empty value: "nothing" has no value.
 */
export function draftChanges(
  draft: ComparedTree,
  preview: ComparedTree | undefined,
  declared: readonly DeclaredPart[],
  options: DraftChangeOptions = {},
): DraftChange[] {
  const declaredByKey = new Map(declared.map((part) => [part.key, part]));
  const keys = new Set([...draft.keys(), ...(preview?.keys() ?? [])]);
  const changes: DraftChange[] = [];
  for (const key of [...keys].sort()) {
    if (options.only && !options.only.has(key)) continue;
    const inDraft = draft.get(key);
    const inPreview = preview?.get(key);
    const part = declaredByKey.get(key);
    if (!inDraft) {
      // In the preview and gone from the draft: no declaration removes a part (OfferConfiguration never deletes).
      changes.push({
        key,
        preview: inPreview?.fields,
        draft: undefined,
        isDeclared: false,
        explained: false,
      });
      continue;
    }
    // Not published yet: compared with nothing, i.e. with the type's documented defaults (an empty resource).
    const baseline = inPreview?.fields ?? normalizeFields(inDraft.type, {});
    const fields = new Set([...Object.keys(inDraft.fields), ...Object.keys(baseline)]);
    for (const field of [...fields].sort()) {
      const draftValue = inDraft.fields[field];
      if (sameValue(draftValue, baseline[field])) continue;
      // Shown as nothing when the preview lacks the part (the default it was compared with is not published).
      const previewValue = inPreview?.fields[field];
      const isDeclared = part !== undefined && Object.hasOwn(part.fields, field);
      const declaredValue = isDeclared ? part.fields[field] : undefined;
      // `kind` of a declared part the program leaves out: the offer type fixes it, and OfferConfiguration writes
      // it when it creates the part (write.ts); the program's change, not a portal edit.
      const writtenForIt = part !== undefined && !isDeclared && field === "kind";
      changes.push({
        key,
        field,
        preview: previewValue,
        draft: draftValue,
        ...(isDeclared ? { declared: declaredValue } : {}),
        isDeclared,
        explained: (isDeclared && sameValue(draftValue, declaredValue)) || writtenForIt,
      });
    }
  }
  return changes;
}

/**
 * What a modular publish lists before its submission: the draft's product resource (Microsoft: a modular publish
 * needs the resources above the ones it publishes), each declared part's resource and, for plan-level parts, their
 * plan — as the draft holds them (that is what gets published), with the pinned `$schema` of their type and
 * without the read-only `validations`. A declared part the draft does not hold yet cannot be published: the
 * OfferConfiguration has not written it.
 */
export function modularResources(
  draft: ReadTree,
  declared: readonly DeclaredPart[],
  offerId: string,
): { keys: Set<string>; resources: Array<Record<string, unknown>> } {
  const keys = new Set<string>(["product"]);
  for (const part of declared) {
    if (part.scope === "plan" && part.planId !== undefined) keys.add(planKey(part.planId));
    keys.add(part.key);
  }
  const missing = [...keys].filter((key) => !draft.raw.has(key));
  if (missing.length > 0)
    throw new ConfigurationError(
      `A modular publish of offer ${offerId} lists the declared resources, and the draft has no ${missing.join(", ")}: the OfferConfiguration has not written ${missing.length === 1 ? "it" : "them"} yet. Nothing was sent. Make the OfferPublish depend on the OfferConfiguration (triggers: [config.declaration], or dependsOn), then run \`pulumi up\` again.`,
      { offerId },
    );
  // The product first, then the rest by key (a plan before its parts, as cloudpub sends product, plan, config).
  const order = ["product", ...[...keys].filter((key) => key !== "product").sort()];
  const resources = order.map((key) => {
    const { validations: _readOnly, ...body } = draft.raw.get(key) as Record<string, unknown>;
    const type = parseSchemaUri(body.$schema)?.type;
    return isWrittenType(type) ? { ...body, $schema: schemaUri(type) } : body;
  });
  return { keys, resources };
}

/**
 * Whether a change is one the program allows without declaring it (`allowUndeclaredChangesTo`): a pattern is a
 * `key.field` or a whole `key`, where `[*]` stands for any one id (`plans[*].technicalConfiguration.vmImageVersions`,
 * the image versions VmImageVersion adds beside an OfferConfiguration).
 */
export function isAllowedChange(change: DraftChange, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => {
    const escaped = pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\\\[\\\*\\\]/g, "\\[[^\\]]+\\]");
    const regex = new RegExp(`^${escaped}$`);
    return (
      regex.test(change.key) ||
      (change.field !== undefined && regex.test(fieldPath(change.key, change.field)))
    );
  });
}

/** Why a pattern of `allowUndeclaredChangesTo` is not one, or undefined. */
export function allowedPatternProblem(pattern: unknown): string | undefined {
  if (typeof pattern !== "string" || pattern.trim() === "") return "must be a non-empty `key.field` string";
  if (!/^[A-Za-z][A-Za-z0-9_]*(\[[^\]]+\])?(\.[A-Za-z0-9_$]+(\[[^\]]+\])?)*$/.test(pattern))
    return `"${pattern}" is not a \`key.field\` path (e.g. plans[*].technicalConfiguration.vmImageVersions, listing.title)`;
  return undefined;
}

/** `key.field`, as messages, outputs and diffs name a field of a part. */
export function fieldPath(key: string, field: string | undefined): string {
  return field === undefined ? key : `${key}.${field}`;
}

/**
 * One change as a message line, down to what differs: `listing.title: preview "A", draft "B" (declared "C")`;
 * inside an object the paths that differ (`…vmProperties.supportsBackup: preview false, draft true`); a list
 * by the items added and removed, each named by its key when it has one (`…vmImageVersions: added 9.3.0`).
 */
export function describeDraftChange(change: DraftChange): string {
  const path = fieldPath(change.key, change.field);
  if (change.field === undefined) return `${path}: in the preview, not in the draft`;
  const unexplained = change.isDeclared && !change.explained;
  const leaves = leafDifferences(change.preview, change.draft);
  // A declared field: only the places where the draft does not hold the declared value were not reviewed.
  const notDeclared = unexplained
    ? leaves.filter(({ at, draft }) => !sameValue(valueAt(change.declared, at), draft))
    : leaves;
  return (notDeclared.length > 0 ? notDeclared : leaves)
    .map(({ at, preview, draft }) => {
      const where = at.length > 0 ? `${path}.${at.join(".")}` : path;
      const declared = unexplained ? ` (declared ${showValue(valueAt(change.declared, at))})` : "";
      if (Array.isArray(preview) || Array.isArray(draft))
        return `${where}: ${listDifference(asList(preview), asList(draft))}${declared}`;
      return `${where}: preview ${showValue(preview)}, draft ${showValue(draft)}${declared}`;
    })
    .join("; ");
}

/** The places two values differ: followed down through objects, a list or a value as a whole. */
function leafDifferences(
  preview: unknown,
  draft: unknown,
  at: string[] = [],
): Array<{ at: string[]; preview: unknown; draft: unknown }> {
  if (sameValue(preview, draft)) return [];
  if (isRecord(preview) && isRecord(draft))
    return [...new Set([...Object.keys(preview), ...Object.keys(draft)])]
      .sort()
      .flatMap((name) => leafDifferences(preview[name], draft[name], [...at, name]));
  return [{ at, preview, draft }];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function valueAt(value: unknown, at: string[]): unknown {
  return at.reduce<unknown>((current, name) => (isRecord(current) ? current[name] : undefined), value);
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : isEmpty(value) ? [] : [value];
}

/** Fields that name an item of a list in messages, in order of preference. */
const ITEM_NAMES = ["versionNumber", "imageType", "fileName", "currency", "id", "name", "skuId", "type"];

/** `added 9.3.0, changed 9.2.0, removed 9.0.1` (items named by their key field, else shown as JSON). */
function listDifference(preview: unknown[], draft: unknown[]): string {
  const text = (item: unknown) => JSON.stringify(canonical(item));
  const name = (item: unknown): string => {
    const field = isRecord(item) ? ITEM_NAMES.find((n) => typeof item[n] === "string") : undefined;
    return field && isRecord(item) ? String(item[field]) : showValue(item);
  };
  const inPreview = new Set(preview.map(text));
  const inDraft = new Set(draft.map(text));
  const added = draft.filter((item) => !inPreview.has(text(item))).map(name);
  const removed = preview.filter((item) => !inDraft.has(text(item))).map(name);
  const changed = added.filter((n) => removed.includes(n));
  const parts = [
    ...(added.some((n) => !changed.includes(n))
      ? [`added ${added.filter((n) => !changed.includes(n)).join(", ")}`]
      : []),
    ...(changed.length ? [`changed ${changed.join(", ")}`] : []),
    ...(removed.some((n) => !changed.includes(n))
      ? [`removed ${removed.filter((n) => !changed.includes(n)).join(", ")}`]
      : []),
  ];
  // Same items in another order (a list whose order counts).
  return parts.length > 0
    ? parts.join(", ")
    : `reordered (preview ${showValue(preview)}, draft ${showValue(draft)})`;
}

/** A declared field and its value in each tree, when they are not all the same. */
export interface StageDifference {
  key: string;
  field: string;
  declared: unknown;
  draft: unknown;
  preview: unknown;
  live: unknown;
}

/**
 * For `pulumi preview`: each declared `key.field` whose values differ between draft, preview and live (or from
 * the declared value), so a reviewer sees what the next publish and go-live carry. A tree that does not exist
 * (never published, never live) has no values.
 */
export function stageDifferences(
  declared: readonly DeclaredPart[],
  draft: ComparedTree,
  preview: ComparedTree | undefined,
  live: ComparedTree | undefined,
): StageDifference[] {
  const differences: StageDifference[] = [];
  for (const part of [...declared].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
    for (const field of Object.keys(part.fields).sort()) {
      if (isManagedField(part.type, field)) continue;
      const values = {
        declared: part.fields[field],
        draft: draft.get(part.key)?.fields[field],
        preview: preview?.get(part.key)?.fields[field],
        live: live?.get(part.key)?.fields[field],
      };
      const all = Object.values(values);
      if (all.every((value) => sameValue(value, all[0]))) continue;
      differences.push({ key: part.key, field, ...values });
    }
  }
  return differences;
}

/**
 * One stage difference as log lines, one per place that differs: `listing.title: draft "B" | preview "A" | live
 * "A"`, `…vmProperties.supportsBackup: draft true | preview false | live false`.
 */
export function describeStageDifference(difference: StageDifference): string[] {
  const { declared, draft, preview, live } = difference;
  return stageLeaves([declared, draft, preview, live]).map(({ at, values: [d, dr, p, l] }) => {
    const path = [fieldPath(difference.key, difference.field), ...at].join(".");
    const pending = sameValue(d, dr) ? "" : ` (declared ${showValue(d)}: not in the draft yet)`;
    return `${path}: draft ${showValue(dr)} | preview ${showValue(p)} | live ${showValue(l)}${pending}`;
  });
}

/** Where values differ, followed down through objects (absent counts as an empty object there). */
function stageLeaves(values: unknown[], at: string[] = []): Array<{ at: string[]; values: unknown[] }> {
  if (values.every((value) => sameValue(value, values[0]))) return [];
  if (values.some(isRecord) && values.every((value) => value === undefined || isRecord(value))) {
    const records = values as Array<Record<string, unknown> | undefined>;
    const names = new Set(records.flatMap((record) => Object.keys(record ?? {})));
    return [...names].sort().flatMap((name) =>
      stageLeaves(
        records.map((record) => record?.[name]),
        [...at, name],
      ),
    );
  }
  return [{ at, values }];
}

/** Equal by meaning: canonical JSON, and every empty value (absent, null, "", [], {}) the same. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (isEmpty(a) || isEmpty(b)) return isEmpty(a) && isEmpty(b);
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === "") return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === "object" && Object.keys(value as object).length === 0;
}

/** At most this many characters of a value in a message. */
const SHOWN_CHARS = 80;

/** A value for a message: JSON, cut to a readable length, SAS signatures removed; absent is `(none)`. */
export function showValue(value: unknown): string {
  if (isEmpty(value) && value !== "" && !Array.isArray(value)) return "(none)";
  const text = redactSecrets(JSON.stringify(canonical(value)) ?? String(value));
  return text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS - 1)}…` : text;
}

/** OfferPublish's `configuration` input (`backends.ts` start input): a declaration text, kept as given. */
export function checkConfiguration(value: unknown): { value: unknown; problems: string[] } {
  try {
    readDeclaration(value);
    return { value, problems: [] };
  } catch (error) {
    if (error instanceof CloudPartnerError) return { value: undefined, problems: [error.message] };
    throw error;
  }
}

/** OfferPublish's `allowUndeclaredChangesTo` input (`backends.ts` start input): a list of `key.field` paths. */
export function checkAllowedPaths(value: unknown): { value: unknown; problems: string[] } {
  if (!Array.isArray(value))
    return {
      value: undefined,
      problems: [
        `allowUndeclaredChangesTo must be a list of key.field paths, got ${typeof value} (write ["plans[*].technicalConfiguration.vmImageVersions"]).`,
      ],
    };
  const problems = value.flatMap((pattern, i) => {
    const problem = allowedPatternProblem(pattern);
    return problem ? [`allowUndeclaredChangesTo[${i}] ${problem}.`] : [];
  });
  return { value: problems.length ? undefined : value, problems };
}
