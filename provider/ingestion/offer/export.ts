/**
 * A resource tree as `OfferConfiguration` inputs: what `pulumi import` writes into the program and what
 * `pulumi-cloudpartner export <offerId>` prints.
 *
 * - Every typed part is filled from the tree with the fields its type declares (`TYPED_FIELDS`), as read, less the
 *   server fields and the read-only `deprecationSchedule.date`;
 * - a VM / core VM technical configuration is exported **without** `vmImageVersions`: the image versions stay
 *   owned by VmImageVersion (or the portal), and a configuration declared without them carries the draft's on
 *   every write (and holds no SAS URI in the program);
 * - fields a typed part cannot express are left out and stay untouched in the offer: a `productGroup`/`basePlan`
 *   held as a durable id, a `deprecationSchedule` whose `alternative` is one (programs refer by external id
 *   only), fields this package does not type;
 * - every other resource type goes into `resources` as raw JSON with its `$schema` as read, less `id`,
 *   `resourceName`, `validations` and the `product` reference; a `plan` reference becomes `{ externalId }`;
 * - resources without a key (see `keys.ts`: a second listing language, submissions, ...) are not exported.
 *
 * It round-trips: `diffDeclared(declaredParts(inputsFromTree(t, id)), indexTree(t))` is empty.
 */

import { declaredParts, indexTree, resourceTypeOf } from "./keys";
import {
  CORE_VM_TECH_CONFIG_TYPE,
  type ListingAssetFields,
  type OfferConfigurationInputs,
  type PlanInputs,
  type RawResource,
  TYPED_FIELDS,
  VM_TECH_CONFIG_TYPE,
} from "./types";

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A copy without `$schema` (at any depth) and read-only `deprecationSchedule.date`. */
function clean(value: unknown, parent?: string): unknown {
  if (Array.isArray(value)) return value.map((item) => clean(item, parent));
  if (!isObject(value)) return value;
  const out: Json = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === "$schema" || (parent === "deprecationSchedule" && key === "date")) continue;
    out[key] = clean(item, key);
  }
  return out;
}

/** A reference programs can hold: `{ externalId }` (durable ids and resource names are not). */
function externalRef(value: unknown): Json | undefined {
  if (!isObject(value)) return undefined;
  const id = value.externalId ?? value.externalID;
  return typeof id === "string" ? { externalId: id } : undefined;
}

function schedule(value: unknown): Json | undefined {
  if (!isObject(value)) return undefined;
  const { alternative, ...rest } = clean(value, "deprecationSchedule") as Json;
  const out: Json = { ...rest };
  if (alternative === undefined || alternative === null) return out;
  const product = isObject(alternative) ? externalRef(alternative.product) : undefined;
  const plan = isObject(alternative) ? externalRef(alternative.plan) : undefined;
  // An alternative held as a durable id cannot be declared: the whole schedule stays undeclared (untouched).
  if (product) out.alternative = { product };
  else if (plan) out.alternative = { plan };
  else return undefined;
  return out;
}

/** What an export holds beyond the default. */
export interface ExportOptions {
  /**
   * Also export VM / core VM `vmImageVersions` (SAS URIs included: for state, never for a program), e.g. to read
   * back what the draft holds for a program that declares them. Default false.
   */
  vmImageVersions?: boolean;
}

/** The typed fields of a resource, as read. */
function typed(type: string, resource: Json, options: ExportOptions): Json {
  const out: Json = {};
  for (const field of TYPED_FIELDS[type] ?? []) {
    if (!(field in resource) || resource[field] === undefined) continue;
    const value = resource[field];
    if (
      field === "vmImageVersions" &&
      !options.vmImageVersions &&
      (type === VM_TECH_CONFIG_TYPE || type === CORE_VM_TECH_CONFIG_TYPE)
    )
      continue;
    if (field === "productGroup" || field === "basePlan") {
      const ref = externalRef(value);
      if (ref) out[field] = ref;
      continue;
    }
    if (field === "deprecationSchedule") {
      const s = schedule(value);
      if (s) out[field] = s;
      continue;
    }
    out[field] = clean(value, field);
  }
  return out;
}

const RAW_DROPPED = new Set(["id", "resourceName", "validations", "product"]);

/**
 * Inputs declaring what the tree holds (see the file comment). `resources` is the tree as the API returns it
 * (any order); `offerId` the product's external id.
 */
export function inputsFromTree(
  resources: Array<Record<string, unknown>>,
  offerId: string,
  options: ExportOptions = {},
): OfferConfigurationInputs {
  const tree = indexTree(resources);
  const inputs: OfferConfigurationInputs = { offerId };
  const plans: Record<string, PlanInputs> = {};
  const assets: ListingAssetFields[] = [];
  const raw: RawResource[] = [];
  const planOfGuid = new Map([...tree.planIds].map(([externalId, id]) => [id.toLowerCase(), externalId]));
  const plan = (id: string): PlanInputs => {
    plans[id] ??= {};
    return plans[id];
  };
  for (const [key, resource] of [...tree.byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const type = resourceTypeOf(resource) ?? "";
    const planMatch = /^plans\[(.*?)\](\.(listing|availability|technicalConfiguration))?$/.exec(key);
    if (planMatch) {
      // Parts of a plan the tree has no plan resource for cannot be declared (the plan would read as new).
      if (!tree.byKey.has(`plans[${planMatch[1]}]`)) continue;
      const target = plan(planMatch[1] ?? "");
      const fields = typed(type, resource, options);
      const sub = planMatch[3] as "listing" | "availability" | "technicalConfiguration" | undefined;
      if (sub === undefined) Object.assign(target, fields);
      else (target as Json)[sub] = fields;
      continue;
    }
    if (key.startsWith("listingAssets[")) {
      assets.push(typed(type, resource, options) as unknown as ListingAssetFields);
      continue;
    }
    if (key.startsWith("resources[")) {
      const out: Json = {};
      for (const [field, value] of Object.entries(resource)) {
        if (RAW_DROPPED.has(field) || value === undefined) continue;
        if (field === "plan") {
          const ref =
            externalRef(value) ??
            (typeof value === "string" ? planFromDurable(value, planOfGuid) : undefined);
          if (ref) out.plan = ref;
          continue;
        }
        out[field] = field === "$schema" ? value : clean(value, field);
      }
      raw.push(out as RawResource);
      continue;
    }
    (inputs as unknown as Json)[key] = typed(type, resource, options);
  }
  if (assets.length) inputs.listingAssets = assets.sort((a, b) => (a.fileName < b.fileName ? -1 : 1));
  if (Object.keys(plans).length) inputs.plans = plans;
  if (raw.length) inputs.resources = raw;
  return inputs;
}

function planFromDurable(reference: string, planOfGuid: Map<string, string>): Json | undefined {
  const exact = planOfGuid.get(reference.toLowerCase());
  if (exact) return { externalId: exact };
  const guid = reference.split("/").at(-1)?.toLowerCase();
  for (const [id, externalId] of planOfGuid) if (id.split("/").at(-1) === guid) return { externalId };
  return undefined;
}

/** The keys `inputsFromTree` declares for a tree (for tests and the CLI's summary). */
export function exportedKeys(resources: Array<Record<string, unknown>>, offerId: string): string[] {
  return declaredParts(inputsFromTree(resources, offerId)).map((p) => p.key);
}
