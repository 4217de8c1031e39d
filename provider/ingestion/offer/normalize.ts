/**
 * Normalisation of a resource's fields before any comparison, the same for the program's side and the API's:
 *
 * - server-managed fields go: `$schema` (at any depth), `id`, `resourceName`, `validations`, the `product` and
 *   `plan` references, `identity` (the external id is the part's key), a listing asset's `listing` reference, and
 *   the read-only `deprecationSchedule.date` (at any depth);
 * - documented defaults are filled where a side leaves them out (the schemas' `default`s: `lifecycleState:
 *   "generallyAvailable"`, `customerMarkets: "customMarkets"`, `markets: []`, `trial.value: 0`, `azureRegions:
 *   ["azureGlobal"]`, `vmProperties` booleans, `softwareType: "operatingSystem"`, ...); `null` of the nullable lists
 *   (`privateAudiences`, `previewAudiences`, `softwareReservation`) is the empty list, a `null` trial is none;
 * - object keys are sorted; `undefined` entries go;
 * - lists the API does not order are compared as sets, lists of objects with a key are sorted by it, every other
 *   list keeps its order. Per path (`[]` is "each item", `*` "each value of a map"):
 *
 * | type | sets (sorted, duplicates dropped) | keyed (sorted by) | kept in order (shown to buyers in order, or ordered by meaning) |
 * |---|---|---|---|
 * | property | `categories.*`, `industries.*` | | `customAmendments` |
 * | listing | `searchKeywords` (used for search, not shown) | | `generalLinks` (shown in order) |
 * | price-and-availability-offer | | `previewAudiences` (type, id) | |
 * | reseller | | `audiences` (type, id) | |
 * | plan | `azureRegions` (uniqueItems in the schema) | `azureGovernmentCertifications` (name, link) | |
 * | price-and-availability-plan | `markets`, `pricing.corePricing.prices[].markets` | `pricing.corePricing.prices` (currency), `privateAudiences` (type, id), `softwareReservation` (type, term) | |
 * | VM / core VM technical configuration | `skus[].securityType` | `skus` (imageType), `vmImageVersions` (versionNumber), `vmImageVersions[].vmImages` (imageType), `...source.dataDisks` (lunNumber), `openPorts` (protocol, portRange, label) | `recommendedVmSizes` (shown in order) |
 * | container technical configuration | `imageTags` | | `cnabReferences` (one per version, in order) |
 *
 * Listing assets are separate resources keyed by `fileName` (their order is their `displayOrder` field).
 */

import { canonical } from "../../core/canonical";
import {
  CONTAINER_TECH_CONFIG_TYPE,
  CORE_VM_TECH_CONFIG_TYPE,
  SAAS_TECH_CONFIG_TYPE,
  VM_TECH_CONFIG_TYPE,
} from "./types";

type Json = Record<string, unknown>;

/** Top-level fields the provider manages (never declared, never compared). */
export const SERVER_FIELDS: readonly string[] = [
  "$schema",
  "id",
  "resourceName",
  "validations",
  "product",
  "plan",
  "identity",
];

/** Extra top-level references the provider manages, per type. */
const MANAGED_REFS: Record<string, readonly string[]> = {
  "listing-asset": ["listing"],
};

interface Rules {
  /** Path (dotted, `[]` each item, `*` each map value) -> default filled when the parent object lacks it. */
  defaults?: Record<string, unknown>;
  /** Lists of primitives (or objects) compared as sets: sorted, duplicates dropped. */
  sets?: string[];
  /** Lists of objects sorted by these fields (then by the whole item). */
  keyed?: Record<string, string[]>;
  /** `null` means the empty list. */
  nullIsEmpty?: string[];
  /** `null` means absent. */
  nullIsAbsent?: string[];
}

const GA = "generallyAvailable";

const VM_RULES: Rules = {
  defaults: {
    "vmImageVersions[].lifecycleState": GA,
    "vmImageVersions[].vmImages[].source.dataDisks": [],
    "vmProperties.isNetworkVirtualAppliance": false,
    "vmProperties.requiresCustomArmTemplate": false,
    "vmProperties.supportsAadLogin": false,
    "vmProperties.supportsAcceleratedNetworking": false,
    "vmProperties.supportsBackup": false,
    "vmProperties.supportsCloudInit": false,
    "vmProperties.supportsExtensions": true,
    "vmProperties.supportsHibernation": false,
    "vmProperties.supportsNVMe": false,
    "vmProperties.supportsRemoteConnection": true,
  },
  sets: ["skus[].securityType"],
  keyed: {
    skus: ["imageType"],
    vmImageVersions: ["versionNumber"],
    "vmImageVersions[].vmImages": ["imageType"],
    "vmImageVersions[].vmImages[].source.dataDisks": ["lunNumber"],
    openPorts: ["protocol", "portRange", "label"],
  },
};

/** Normalisation rules per resource type (types not listed get only the common rules). */
export const NORMALIZE_RULES: Record<string, Rules> = {
  product: { defaults: { lifecycleState: GA } },
  property: { defaults: { lifecycleState: GA }, sets: ["categories.*", "industries.*"] },
  listing: { defaults: { lifecycleState: GA, languageId: "en-us" }, sets: ["searchKeywords"] },
  "listing-asset": { defaults: { lifecycleState: GA, languageId: "en-us", kind: "azure" } },
  "price-and-availability-offer": {
    defaults: { previewAudiences: [] },
    nullIsEmpty: ["previewAudiences"],
    keyed: { previewAudiences: ["type", "id"] },
  },
  reseller: {
    defaults: { resellerChannelState: "none", audiences: [] },
    nullIsEmpty: ["audiences"],
    keyed: { audiences: ["type", "id"] },
  },
  [SAAS_TECH_CONFIG_TYPE]: {},
  plan: {
    defaults: { lifecycleState: GA, azureRegions: ["azureGlobal"], displayRank: 2147483647 },
    sets: ["azureRegions"],
    keyed: { azureGovernmentCertifications: ["name", "link"] },
  },
  "plan-listing": { defaults: { lifecycleState: GA, languageId: "en-us" } },
  "price-and-availability-plan": {
    defaults: {
      customerMarkets: "customMarkets",
      markets: [],
      privateAudiences: [],
      softwareReservation: [],
      "trial.value": 0,
      "pricing.corePricing.prices[].markets": [],
    },
    sets: ["markets", "pricing.corePricing.prices[].markets"],
    keyed: {
      "pricing.corePricing.prices": ["currency"],
      privateAudiences: ["type", "id"],
      softwareReservation: ["type", "term"],
    },
    nullIsEmpty: ["privateAudiences", "softwareReservation"],
    nullIsAbsent: ["trial"],
  },
  [VM_TECH_CONFIG_TYPE]: VM_RULES,
  [CORE_VM_TECH_CONFIG_TYPE]: {
    ...VM_RULES,
    defaults: { ...VM_RULES.defaults, softwareType: "operatingSystem" },
  },
  [CONTAINER_TECH_CONFIG_TYPE]: { sets: ["imageTags"] },
};

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** `a.b[].c` -> ["a", "b", "[]", "c"]. */
function segments(path: string): string[] {
  return path
    .split(".")
    .flatMap((s) => (s.endsWith("[]") ? [s.slice(0, -2), "[]"] : [s]))
    .filter((s) => s !== "");
}

/** The rules of one type as a tree of path segments (`[]` each item, `*` each map value). */
interface RuleNode {
  children: Map<string, RuleNode>;
  /** A list compared as a set. */
  set?: boolean;
  /** A list of objects sorted by these fields. */
  keyedBy?: string[];
  nullIsEmpty?: boolean;
  nullIsAbsent?: boolean;
  /** Defaults of this object's fields. */
  defaults: Array<[string, unknown]>;
}

const newNode = (): RuleNode => ({ children: new Map(), defaults: [] });

function nodeAt(root: RuleNode, path: string[]): RuleNode {
  let node = root;
  for (const segment of path) {
    let next = node.children.get(segment);
    if (!next) {
      next = newNode();
      node.children.set(segment, next);
    }
    node = next;
  }
  return node;
}

const compiled = new Map<string, RuleNode>();

function rulesOf(type: string): RuleNode {
  const cached = compiled.get(type);
  if (cached) return cached;
  const rules = NORMALIZE_RULES[type] ?? {};
  const root = newNode();
  for (const [path, value] of Object.entries(rules.defaults ?? {})) {
    const segs = segments(path);
    nodeAt(root, segs.slice(0, -1)).defaults.push([segs.at(-1) ?? "", value]);
    nodeAt(root, segs);
  }
  for (const path of rules.sets ?? []) nodeAt(root, segments(path)).set = true;
  for (const [path, by] of Object.entries(rules.keyed ?? {})) nodeAt(root, segments(path)).keyedBy = by;
  for (const path of rules.nullIsEmpty ?? []) nodeAt(root, segments(path)).nullIsEmpty = true;
  for (const path of rules.nullIsAbsent ?? []) nodeAt(root, segments(path)).nullIsAbsent = true;
  compiled.set(type, root);
  return root;
}

const sortKey = (value: unknown): string => JSON.stringify(canonical(value)) ?? "";
/** For values already normalised (keys sorted at every depth): no second canonical pass. */
const normalizedKey = (value: unknown): string => JSON.stringify(value) ?? "";

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** `value` normalised under the rules `node` (undefined: no rule applies below). */
function normalizeValue(value: unknown, node: RuleNode | undefined, name?: string): unknown {
  if (value === undefined) return undefined;
  if (typeof value === "number") return Object.is(value, -0) ? 0 : value;
  if (Array.isArray(value)) {
    const itemNode = node?.children.get("[]");
    const items: unknown[] = [];
    for (const item of value) {
      const normalized = normalizeValue(item, itemNode);
      if (normalized !== undefined) items.push(normalized);
    }
    if (node?.set) {
      const unique = new Map(items.map((item) => [normalizedKey(item), item]));
      return [...unique.keys()].sort(byString).map((k) => unique.get(k));
    }
    const by = node?.keyedBy;
    if (by) {
      const keyOf = (item: unknown) =>
        normalizedKey(isObject(item) ? by.map((field) => item[field] ?? null) : [item]);
      return items
        .map((item) => ({ item, key: keyOf(item), whole: normalizedKey(item) }))
        .sort((a, b) => byString(a.key, b.key) || byString(a.whole, b.whole))
        .map((entry) => entry.item);
    }
    return items;
  }
  if (!isObject(value)) return value;
  const out: Json = {};
  const inSchedule = name === "deprecationSchedule";
  const keys = Object.keys(value);
  if (node) for (const [field] of node.defaults) if (!(field in value)) keys.push(field);
  for (const key of keys.sort(byString)) {
    if (key === "$schema" || (inSchedule && key === "date")) continue;
    const childNode = node ? (node.children.get(key) ?? node.children.get("*")) : undefined;
    let child = key in value ? value[key] : undefined;
    if (child === undefined && node) child = node.defaults.find(([field]) => field === key)?.[1];
    if (child === null && childNode?.nullIsAbsent) continue;
    if (child === null && childNode?.nullIsEmpty) child = [];
    const normalized = normalizeValue(child, childNode, key);
    if (normalized !== undefined) out[key] = normalized;
  }
  return out;
}

/**
 * A resource's (or a declared part's) fields in comparable form: server-managed fields dropped, defaults filled,
 * sets sorted, keys sorted (see the file comment). Pure; the input is not changed.
 */
export function normalizeFields(type: string, fields: Record<string, unknown>): Record<string, unknown> {
  const managed = new Set([...SERVER_FIELDS, ...(MANAGED_REFS[type] ?? [])]);
  const top: Json = {};
  for (const [key, value] of Object.entries(fields ?? {})) if (!managed.has(key)) top[key] = value;
  return normalizeValue(top, rulesOf(type)) as Record<string, unknown>;
}

/** Whether a top-level field is managed by the provider for this type (never declared, never compared). */
export function isManagedField(type: string, field: string): boolean {
  return SERVER_FIELDS.includes(field) || (MANAGED_REFS[type] ?? []).includes(field);
}

/** Two values are the same JSON, whatever the order of object keys. */
export function sameValue(a: unknown, b: unknown): boolean {
  return sortKey(a) === sortKey(b);
}

/** Two normalised values (`normalizeFields` output, keys already sorted) are the same; cheaper than `sameValue`. */
export function sameNormalized(a: unknown, b: unknown): boolean {
  return normalizedKey(a) === normalizedKey(b);
}
