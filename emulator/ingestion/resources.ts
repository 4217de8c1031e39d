/**
 * The resource model of a product's tree: durable ids as the API shapes them, the key that makes two resources
 * the same one when a configure sends no `id`, and which technical configuration type an offer type uses.
 *
 * Durable ids (ingestion-api.md §3; Microsoft's container page; cloudpub's resource-tree fixture):
 * `product/<g>`, `plan/<g>/<pg>`, `property/<g>/public/main`, `listing/<g>/public/main/default/<lang>`,
 * `listing-asset/<g>/public/main/default/<lang>/<asset type, lower case>/<n>`,
 * `plan-listing/<g>/public/main/<pg>/<lang>`, `price-and-availability-offer/<g>`,
 * `price-and-availability-plan/<g>/<pg>`, `reseller/<g>`, `customer-leads/<g>`, `test-drive/<g>`,
 * `<tech config type>/<g>/<pg>`. Any other type: `<type>/<g>` at the offer level, `<type>/<g>/<pg>` with a
 * plan reference (assumed).
 */

type Json = Record<string, unknown>;

export const VM_TECH_CONFIG = "virtual-machine-plan-technical-configuration";
export const CORE_VM_TECH_CONFIG = "core-virtual-machine-plan-technical-configuration";
export const CONTAINER_TECH_CONFIG = "container-plan-technical-configuration";
export const SAAS_TECH_CONFIG = "software-as-a-service-technical-configuration";

/** Plan technical configuration types whose image versions follow the VM rules (published images...). */
export const VM_TECH_CONFIG_TYPES = [VM_TECH_CONFIG, CORE_VM_TECH_CONFIG];

/** The plan-level technical configuration type of an offer type (SaaS has an offer-level one instead). */
export function planTechConfigType(productType: string, core?: boolean): string | undefined {
  if (core) return CORE_VM_TECH_CONFIG;
  switch (productType) {
    case "azureVirtualMachine":
      return VM_TECH_CONFIG;
    case "coreVirtualMachine":
      return CORE_VM_TECH_CONFIG;
    case "azureContainer":
      return CONTAINER_TECH_CONFIG;
    default:
      return undefined;
  }
}

/** The type of a durable id (`plan/<g>/<pg>` → `plan`). */
export function typeOfId(id: string): string {
  return id.split("/")[0] ?? "";
}

/** `languageId` as sent (`languageID` in Microsoft's container samples); default en-us. */
export function languageOf(resource: Json): string {
  const value = resource.languageId ?? resource.languageID;
  return typeof value === "string" && value ? value.toLowerCase() : "en-us";
}

/** The plan guid of a plan durable id, `plan/<g>/<pg>` or cloudpub's `plan/<pg>`. */
export function planGuidOf(planId: unknown): string | undefined {
  if (typeof planId !== "string") return undefined;
  const parts = planId.split("/");
  return parts[0] === "plan" ? parts.at(-1) : undefined;
}

/**
 * What makes a resource sent without `id` the same as a stored one: its type, plan and language; a listing asset
 * also its asset type and file name (assumed); a plan its external id. Undefined: always a new resource.
 */
export function naturalKey(type: string, planGuid: string | undefined, resource: Json): string | undefined {
  switch (type) {
    case "product":
      return "product";
    case "plan": {
      const identity = resource.identity as Json | undefined;
      const externalId = identity?.externalId ?? identity?.externalID;
      return typeof externalId === "string" ? `plan:${externalId}` : undefined;
    }
    case "listing":
      return `listing:${languageOf(resource)}`;
    case "listing-asset":
      return typeof resource.fileName === "string"
        ? `listing-asset:${languageOf(resource)}:${String(resource.type)}:${resource.fileName}`
        : undefined;
    case "plan-listing":
      return `plan-listing:${planGuid}:${languageOf(resource)}`;
    case "listing-trailer":
      return undefined;
    default: {
      const language = resource.languageId ?? resource.languageID;
      return [type, planGuid, typeof language === "string" ? language.toLowerCase() : undefined]
        .filter((part) => part !== undefined)
        .join(":");
    }
  }
}

/** The natural key of a stored resource (its plan from its `plan` reference). */
export function storedKey(resource: Json & { id: string }): string | undefined {
  const type = typeOfId(resource.id);
  const planGuid = type === "plan" ? undefined : planGuidOf(resource.plan);
  return naturalKey(type, planGuid, resource);
}

/** A durable id for a new resource of `type` in product `guid` (plan `planGuid` when plan-scoped). */
export function newDurableId(
  type: string,
  guid: string,
  planGuid: string | undefined,
  resource: Json,
  draft: ReadonlyArray<{ id: string }>,
): string {
  const lang = languageOf(resource);
  switch (type) {
    case "product":
      return `product/${guid}`;
    case "plan":
      return `plan/${guid}/${planGuid}`;
    case "property":
      return `property/${guid}/public/main`;
    case "listing":
      return `listing/${guid}/public/main/default/${lang}`;
    case "listing-asset": {
      const prefix = `listing-asset/${guid}/public/main/default/${lang}/${String(resource.type).toLowerCase()}/`;
      return `${prefix}${draft.filter((r) => r.id.startsWith(prefix)).length + 1}`;
    }
    case "listing-trailer": {
      const prefix = `listing-trailer/${guid}/public/main/default/${lang}/`;
      return `${prefix}${draft.filter((r) => r.id.startsWith(prefix)).length + 1}`;
    }
    case "plan-listing":
      return `plan-listing/${guid}/public/main/${planGuid}/${lang}`;
    default:
      return planGuid ? `${type}/${guid}/${planGuid}` : `${type}/${guid}`;
  }
}
