/**
 * The resources of one `configure` from the changed declared parts:
 *
 * - **merge with the draft** at top-level fields: the draft's resource as read (minus `validations`), the declared
 *   top-level fields replacing the draft's; a VM / core VM technical configuration declared without
 *   `vmImageVersions` therefore carries the draft's versions exactly as read (VmImageVersion may own them);
 * - an **existing** resource keeps its durable `id` and gets durable references (`product/<guid>`,
 *   `plan/<guid>/<guid>`); a **new** one gets a `resourceName` (from its key, `resourceNameOf`) and references to
 *   what is created in the same request by `{ resourceName }` (the product of a new offer, a new plan, a new
 *   listing for its assets), to existing resources by durable id;
 * - every typed resource is written with the pinned `$schema` of its type (`schemas.ts`); a raw resource with the
 *   `$schema` the program gave;
 * - defaults a new resource needs and the program may leave out: `languageId: "en-us"` (listing, plan listing,
 *   listing asset), `kind` where the offer type fixes it (listing/property `azureVM` and plan listing
 *   `azureVM-plan` for VM and core VM offers, `azureSaaS`/`azureSaaS-plan` for SaaS,
 *   `azureContainer`/`azureContainer-plan` for containers, listing asset `azure`), and the
 *   schemas' defaults of required fields (reseller `resellerChannelState: "none"`, `audiences: []`; offer
 *   availability `previewAudiences: []`).
 *
 * Order: product, plans, then the rest (by key), so a reader of the request sees what is created first.
 */

import { createHash } from "node:crypto";
import { isWrittenType, schemaUri } from "../schemas";
import { type DeclaredPart, planKey, type TreeIndex } from "./keys";
import { techConfigTypeOf } from "./types";

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const RESOURCE_NAME = /^[a-zA-Z0-9-_]+$/;

/**
 * The `resourceName` of a new part, from its key: the key itself when it is a valid name, else the key with other
 * characters replaced by `-` and a short hash of the key (unique, at most 50 characters, `^[a-zA-Z0-9-_]+$`).
 */
export function resourceNameOf(key: string): string {
  if (RESOURCE_NAME.test(key) && key.length <= 50) return key;
  const hash = createHash("sha256").update(key).digest("hex").slice(0, 8);
  const base = key
    .replace(/[^a-zA-Z0-9-_]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 40);
  return `${base}-${hash}`;
}

/** `resourceName` -> key of the new resources of a configure (to map job errors back to keys). */
export function keysByResourceName(
  resources: Array<Record<string, unknown>>,
  changed: DeclaredPart[],
): Map<string, string> {
  const names = new Map(changed.map((p) => [resourceNameOf(p.key), p.key]));
  const out = new Map<string, string>();
  for (const resource of resources) {
    const name = resource.resourceName;
    const key = typeof name === "string" ? names.get(name) : undefined;
    if (typeof name === "string" && key !== undefined) out.set(name, key);
  }
  return out;
}

/** Listing, property and plan listing `kind` by product type, where the offer type fixes it. */
const KINDS: Record<string, Record<string, string>> = {
  azureVirtualMachine: { listing: "azureVM", property: "azureVM", "plan-listing": "azureVM-plan" },
  // Core VM offers are VM offers in the listing's terms (as the emulator's seeded core VM offer has them).
  coreVirtualMachine: { listing: "azureVM", property: "azureVM", "plan-listing": "azureVM-plan" },
  softwareAsAService: { listing: "azureSaaS", property: "azureSaaS", "plan-listing": "azureSaaS-plan" },
  azureContainer: {
    listing: "azureContainer",
    property: "azureContainer",
    "plan-listing": "azureContainer-plan",
  },
};

const LANGUAGE_TYPES = new Set(["listing", "plan-listing", "listing-asset"]);

function rank(part: DeclaredPart): number {
  if (part.type === "product") return 0;
  if (part.type === "plan") return 1;
  if (part.type === "listing") return 2;
  return 3;
}

/**
 * The `configure` resources for the changed parts (see the file comment). `tree` is the draft as read right
 * before the write; `offerId` the product's external id.
 */
export function configureResources(
  changed: DeclaredPart[],
  tree: TreeIndex,
  offerId: string,
): Array<Record<string, unknown>> {
  const creatingProduct = tree.productId === undefined;
  const productType =
    tree.productType ?? (changed.find((p) => p.type === "product")?.fields.type as string | undefined);
  const productRef = (): unknown => tree.productId ?? { resourceName: resourceNameOf("product") };
  const planRef = (planId: string): unknown =>
    tree.planIds.get(planId) ??
    (changed.some((p) => p.key === planKey(planId))
      ? { resourceName: resourceNameOf(planKey(planId)) }
      : { externalId: planId });
  const listingRef = (): unknown => {
    const listing = tree.byKey.get("listing");
    if (typeof listing?.id === "string") return listing.id;
    return { resourceName: resourceNameOf("listing") };
  };

  const ordered = [...changed].sort(
    (a, b) => rank(a) - rank(b) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
  return ordered.map((part) => {
    const current = tree.byKey.get(part.key);
    // A technical configuration's type follows the offer's type (the declared part may have been inferred).
    const type =
      part.scope === "plan" && part.key.endsWith(".technicalConfiguration")
        ? (techConfigTypeOf(productType) ?? part.type)
        : part.type;
    const { validations: _v, $schema: _s, resourceName: _r, ...draft } = current ?? {};
    const { $schema: rawSchema, ...declared } = part.fields;
    const body: Json = { ...draft, ...declared };
    body.$schema = part.raw ? rawSchema : isWrittenType(type) ? schemaUri(type) : current?.$schema;
    if (current && typeof current.id === "string") body.id = current.id;
    else {
      delete body.id;
      body.resourceName = resourceNameOf(part.key);
    }
    if (type === "product") {
      delete body.product;
      body.identity = isObject(current?.identity) ? current.identity : { externalId: offerId };
    } else {
      body.product = creatingProduct ? productRef() : (tree.productId as string);
    }
    if (type === "plan" && part.planId !== undefined)
      body.identity = isObject(current?.identity) ? current.identity : { externalId: part.planId };
    if (type !== "plan" && part.scope === "plan" && part.planId !== undefined)
      body.plan = planRef(part.planId);
    if (type === "listing-asset" && body.listing === undefined) body.listing = listingRef();
    if (!current) {
      if (LANGUAGE_TYPES.has(type) && body.languageId === undefined) body.languageId = "en-us";
      const kind = type === "listing-asset" ? "azure" : KINDS[productType ?? ""]?.[type];
      if (kind !== undefined && body.kind === undefined) body.kind = kind;
      // Required by their schemas, with a documented default.
      if (type === "reseller") {
        body.resellerChannelState ??= "none";
        body.audiences ??= [];
      }
      if (type === "price-and-availability-offer") body.previewAudiences ??= [];
    }
    // `$schema` first, as the API's own samples and answers have it.
    const { $schema, ...rest } = body;
    return { $schema, ...rest };
  });
}
