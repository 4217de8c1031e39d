/**
 * How a declared part meets its resource in the tree: both get the same **key** string, also used in outputs,
 * diffs and messages:
 *
 * `product`, `property`, `listing`, `listingAssets[<fileName>]`, `availability`, `reseller`,
 * `technicalConfiguration` (SaaS, offer level), `plans[<planId>]`, `plans[<planId>].listing`,
 * `plans[<planId>].availability`, `plans[<planId>].technicalConfiguration`; any other type (raw):
 * `resources[<type>]`, `resources[<type>:<planId>]` when it refers to a plan, plus `:<languageId>` when it has one.
 *
 * In the tree, plan durable ids map to plan external ids through the tree's `plan` resources (`identity`).
 * Resources of the tree without a key (a second listing language, submissions, a resource of an unknown plan, a
 * second resource with the same key) are kept in `unkeyed` and never matched.
 */

import { parseSchemaUri } from "../schemas";
import { formatDeclaration, readDeclaration } from "./declaration";
import { normalizeFields } from "./normalize";
import {
  CONTAINER_TECH_CONFIG_TYPE,
  CORE_VM_TECH_CONFIG_TYPE,
  isPlanTechConfigType,
  type OfferConfigurationInputs,
  SAAS_TECH_CONFIG_TYPE,
  techConfigTypeOf,
  VM_TECH_CONFIG_TYPE,
} from "./types";

type Json = Record<string, unknown>;

export interface DeclaredPart {
  key: string;
  type: string;
  scope: "offer" | "plan";
  planId?: string;
  /** The declared top-level fields (undefined ones left out); for raw parts the resource with its `$schema`. */
  fields: Record<string, unknown>;
  raw?: boolean;
}

export interface TreeIndex {
  productId?: string;
  productType?: string;
  byKey: Map<string, Record<string, unknown>>;
  /** plan externalId -> plan durable id */
  planIds: Map<string, string>;
  unkeyed: Array<Record<string, unknown>>;
}

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Top-level entries whose value is not undefined. */
function defined(fields: unknown): Json {
  if (!isObject(fields)) return {};
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

/** Offer-scope parts: key, input field, resource type. */
const OFFER_PARTS: ReadonlyArray<{ key: string; field: keyof OfferConfigurationInputs; type: string }> = [
  { key: "product", field: "product", type: "product" },
  { key: "property", field: "property", type: "property" },
  { key: "listing", field: "listing", type: "listing" },
  { key: "availability", field: "availability", type: "price-and-availability-offer" },
  { key: "reseller", field: "reseller", type: "reseller" },
  { key: "technicalConfiguration", field: "technicalConfiguration", type: SAAS_TECH_CONFIG_TYPE },
];

/** Plan-scope parts besides the plan itself: key suffix and input field -> resource type. */
const PLAN_PARTS: ReadonlyArray<{ field: "listing" | "availability"; type: string }> = [
  { field: "listing", type: "plan-listing" },
  { field: "availability", type: "price-and-availability-plan" },
];

/** Offer-scope key of a resource type (typed types only). */
const OFFER_KEY_OF_TYPE: Record<string, string> = {
  product: "product",
  property: "property",
  listing: "listing",
  "price-and-availability-offer": "availability",
  reseller: "reseller",
  [SAAS_TECH_CONFIG_TYPE]: "technicalConfiguration",
};

/** Plan-scope key suffix of a resource type. */
const PLAN_SUFFIX_OF_TYPE: Record<string, string> = {
  plan: "",
  "plan-listing": ".listing",
  "price-and-availability-plan": ".availability",
  [VM_TECH_CONFIG_TYPE]: ".technicalConfiguration",
  [CORE_VM_TECH_CONFIG_TYPE]: ".technicalConfiguration",
  [CONTAINER_TECH_CONFIG_TYPE]: ".technicalConfiguration",
};

/** Types never matched by key (publishing and envelopes belong elsewhere). */
const NEVER_KEYED = new Set([
  "submission",
  "resource-tree",
  "configure",
  "configure-status",
  "configure-detail",
]);

export const planKey = (planId: string): string => `plans[${planId}]`;

/**
 * The technical configuration type of a plan whose product type is not known: from its fields (`payloadType`,
 * image repository or CNAB fields -> container; `softwareType` -> core VM; else VM).
 */
export function inferTechConfigType(fields: unknown): string {
  const f = defined(fields);
  if (
    ["payloadType", "imageRepositoryDetails", "imageTags", "cnabReferences", "clusterExtensionType"].some(
      (k) => k in f,
    )
  )
    return CONTAINER_TECH_CONFIG_TYPE;
  if ("softwareType" in f) return CORE_VM_TECH_CONFIG_TYPE;
  return VM_TECH_CONFIG_TYPE;
}

/** The type a raw resource names in its `$schema` (undefined when it cannot be read). */
export function rawTypeOf(resource: unknown): string | undefined {
  return isObject(resource) ? parseSchemaUri(resource.$schema)?.type : undefined;
}

/** The plan external id a raw resource refers to (`plan: { externalId }`). */
export function rawPlanOf(resource: unknown): string | undefined {
  if (!isObject(resource) || !isObject(resource.plan)) return undefined;
  const id = resource.plan.externalId ?? resource.plan.externalID;
  return typeof id === "string" ? id : undefined;
}

/** `resources[<type>]`, `resources[<type>:<planId>]`, plus `:<languageId>`. */
export function rawKey(type: string, planId?: string, languageId?: unknown): string {
  const parts = [type, ...(planId !== undefined ? [planId] : [])];
  if (typeof languageId === "string" && languageId !== "") parts.push(languageId);
  return `resources[${parts.join(":")}]`;
}

/**
 * Every part the inputs declare, with its key and resource type. `productType` (the tree's, when the product
 * exists) chooses the plans' technical configuration type when `product.type` is not declared; without either,
 * the type is inferred from the fields (`inferTechConfigType`).
 */
export function declaredParts(inputs: OfferConfigurationInputs, productType?: string): DeclaredPart[] {
  const parts: DeclaredPart[] = [];
  for (const { key, field, type } of OFFER_PARTS) {
    const value = inputs[field];
    if (value === undefined || value === null) continue;
    parts.push({ key, type, scope: "offer", fields: defined(value) });
  }
  for (const asset of inputs.listingAssets ?? []) {
    if (!isObject(asset)) continue;
    parts.push({
      key: `listingAssets[${String(asset.fileName ?? "")}]`,
      type: "listing-asset",
      scope: "offer",
      fields: defined(asset),
    });
  }
  const typeOfProduct = inputs.product?.type ?? productType;
  for (const [planId, plan] of Object.entries(inputs.plans ?? {})) {
    if (!isObject(plan)) continue;
    const { listing: _l, availability: _a, technicalConfiguration, ...planFields } = plan;
    const key = planKey(planId);
    parts.push({ key, type: "plan", scope: "plan", planId, fields: defined(planFields) });
    for (const { field, type } of PLAN_PARTS) {
      const value = plan[field];
      if (value === undefined || value === null) continue;
      parts.push({ key: `${key}.${field}`, type, scope: "plan", planId, fields: defined(value) });
    }
    if (technicalConfiguration !== undefined && technicalConfiguration !== null)
      parts.push({
        key: `${key}.technicalConfiguration`,
        type: techConfigTypeOf(typeOfProduct) ?? inferTechConfigType(technicalConfiguration),
        scope: "plan",
        planId,
        fields: defined(technicalConfiguration),
      });
  }
  for (const resource of inputs.resources ?? []) {
    if (!isObject(resource)) continue;
    const type = rawTypeOf(resource) ?? String(resource.$schema ?? "");
    const planId = rawPlanOf(resource);
    const { plan: _plan, ...fields } = defined(resource);
    parts.push({
      key: rawKey(type, planId, resource.languageId),
      type,
      scope: planId !== undefined ? "plan" : "offer",
      ...(planId !== undefined ? { planId } : {}),
      fields,
      raw: true,
    });
  }
  return parts;
}

/** The type of a tree resource: its `$schema`'s, else its durable id's first segment. */
export function resourceTypeOf(resource: Json): string | undefined {
  const fromSchema = parseSchemaUri(resource.$schema)?.type;
  if (fromSchema) return fromSchema;
  const fromId = typeof resource.id === "string" ? resource.id.split("/")[0] : undefined;
  return fromId || undefined;
}

/** The GUID a plan reference names (`plan/<productGuid>/<planGuid>` or `plan/<planGuid>`), lower case. */
function planGuidOf(reference: unknown): string | undefined {
  if (typeof reference !== "string") return undefined;
  const parts = reference.split("/");
  if (parts[0] !== "plan" || parts.length < 2 || parts.length > 3) return undefined;
  return parts.at(-1)?.toLowerCase() || undefined;
}

function externalIdOf(resource: Json): string | undefined {
  const identity = isObject(resource.identity) ? resource.identity : undefined;
  const id = identity?.externalId ?? identity?.externalID;
  return typeof id === "string" ? id : undefined;
}

/**
 * A resource tree indexed by key (see the file comment). Order of the tree does not matter; the first resource
 * with a key wins, any other with the same key goes to `unkeyed`.
 */
export function indexTree(resources: Array<Record<string, unknown>>): TreeIndex {
  const index: TreeIndex = { byKey: new Map(), planIds: new Map(), unkeyed: [] };
  const list = (resources ?? []).filter(isObject);
  const planByGuid = new Map<string, string>();
  for (const resource of list) {
    const type = resourceTypeOf(resource);
    if (type === "product" && index.productId === undefined) {
      if (typeof resource.id === "string") index.productId = resource.id;
      if (typeof resource.type === "string") index.productType = resource.type;
    }
    if (type === "plan") {
      const externalId = externalIdOf(resource);
      const guid = planGuidOf(resource.id);
      if (externalId !== undefined && typeof resource.id === "string" && !index.planIds.has(externalId)) {
        index.planIds.set(externalId, resource.id);
        if (guid) planByGuid.set(guid, externalId);
      }
    }
  }
  const planOf = (resource: Json, type: string): string | undefined => {
    if (isObject(resource.plan)) {
      const id = resource.plan.externalId ?? resource.plan.externalID;
      if (typeof id === "string") return id;
    }
    const guid = planGuidOf(resource.plan);
    if (guid) return planByGuid.get(guid);
    // A technical configuration without a usable `plan`: its own id `<type>/<productGuid>/<planGuid>`.
    if (isPlanTechConfigType(type) && typeof resource.id === "string") {
      const parts = resource.id.split("/");
      if (parts.length === 3) return planByGuid.get((parts[2] ?? "").toLowerCase());
    }
    return undefined;
  };
  const put = (key: string | undefined, resource: Json) => {
    if (key === undefined || index.byKey.has(key)) index.unkeyed.push(resource);
    else index.byKey.set(key, resource);
  };
  for (const resource of list) {
    const type = resourceTypeOf(resource);
    if (type === undefined || NEVER_KEYED.has(type)) {
      index.unkeyed.push(resource);
      continue;
    }
    if (type === "plan") {
      const externalId = externalIdOf(resource);
      put(externalId !== undefined ? planKey(externalId) : undefined, resource);
      continue;
    }
    if (type in PLAN_SUFFIX_OF_TYPE) {
      const planId = planOf(resource, type);
      const language = resource.languageId;
      const secondLanguage = type === "plan-listing" && typeof language === "string" && language !== "en-us";
      put(
        planId !== undefined && !secondLanguage
          ? `${planKey(planId)}${PLAN_SUFFIX_OF_TYPE[type]}`
          : undefined,
        resource,
      );
      continue;
    }
    if (type === "listing") {
      const language = resource.languageId;
      put(typeof language === "string" && language !== "en-us" ? undefined : "listing", resource);
      continue;
    }
    if (type === "listing-asset") {
      put(
        typeof resource.fileName === "string" && resource.fileName !== ""
          ? `listingAssets[${resource.fileName}]`
          : undefined,
        resource,
      );
      continue;
    }
    const offerKey = OFFER_KEY_OF_TYPE[type];
    if (offerKey !== undefined) {
      put(offerKey, resource);
      continue;
    }
    const hasPlanRef = resource.plan !== undefined && resource.plan !== null;
    const planId = hasPlanRef ? planOf(resource, type) : undefined;
    put(hasPlanRef && planId === undefined ? undefined : rawKey(type, planId, resource.languageId), resource);
  }
  return index;
}

/** The part that stops selling a plan (`removedPlans: "hide"`): its availability with `visibility: hidden`. */
export function stopSellPart(planId: string): DeclaredPart {
  return {
    key: `${planKey(planId)}.availability`,
    type: "price-and-availability-plan",
    scope: "plan",
    planId,
    fields: { visibility: "hidden" },
  };
}

/** The declared fields of a part in normalised form (only the fields it declares). */
export function normalizedDeclared(part: DeclaredPart): Record<string, unknown> {
  const normalized = normalizeFields(part.type, part.fields);
  const out: Json = {};
  for (const field of Object.keys(part.fields).sort())
    if (field in normalized) out[field] = normalized[field];
  return out;
}

/**
 * The `declaration` output (OfferPublish's `configuration` and `triggers`): one format, defined in
 * `declaration.ts` (`formatDeclaration`/`parseDeclaration`); these two delegate to it.
 */
export function declarationOf(parts: DeclaredPart[], offerId?: string): string {
  return formatDeclaration(parts, offerId);
}

/** The parts of a `declaration` string (fields normalised); [] when it is not one. */
export function parseDeclaration(text: string | undefined): DeclaredPart[] {
  try {
    return readDeclaration(text).parts;
  } catch {
    return [];
  }
}
