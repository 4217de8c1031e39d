/**
 * `POST configure` of resources (anything but a submission): any list of resources of any types in one job, as
 * the API's declarative configure does. In order:
 * 1. request-level checks (a 400 with a `schemaValidationError` detail): each resource's `$schema`, what its
 *    version requires, the schema rules of its type (validation.ts; VM technical configurations: their image
 *    version rules), and that every reference resolves: `product` / `plan` / `listing` as durable ids,
 *    `{"externalId": ...}` or `{"resourceName": ...}` of a resource created in the same request;
 * 2. the business rules, reported as job errors with the `resourceId` of the resource at fault (the job fails,
 *    nothing is applied): published images, stop-sell, deleting published resources, published prices, ...;
 * 3. else every resource is applied to the draft at once: new ones (no `id`, no stored resource with the same
 *    key) get durable ids as the API shapes them (resources.ts), `lifecycleState: deleted` removes a
 *    never-published one.
 */
import { randomUUID } from "node:crypto";
import {
  capitalized,
  isRecord,
  MESSAGES,
  parseSchema,
  SCHEMA_HOST,
  techConfigSchemaProblem,
} from "./messages";
import { naturalKey, newDurableId, planGuidOf, storedKey, typeOfId, VM_TECH_CONFIG_TYPES } from "./resources";
import { missingRequired, requiredMessage, type SchemaSettings } from "./schemas";
import {
  type IngestionStore,
  type PlanRecord,
  type ProductRecord,
  productId,
  type ResourceJson,
  sameImages,
  sameVersion,
  versionsOf,
} from "./store";
import type { JobError } from "./types";
import { schemaViolations, violationMessage } from "./validation";

type Json = Record<string, unknown>;

/** A request-level refusal: the detail's message and where (`resources[<i>].<field>`). */
export interface Invalid {
  message: string;
  target?: string;
}

export interface ConfigurePlan {
  product: ProductRecord;
  /** The product is created by this request (not in the store until applied). */
  created: boolean;
  errors: JobError[];
  /** configure-detail: each resource as stored (or as sent, for a failed job) with its durable id. */
  detail: Json[];
  /** Applies every resource to the draft; only when `errors` is empty. */
  apply(): void;
}

interface Entry {
  index: number;
  type: string;
  schemaUri: string;
  raw: Json;
  planGuid?: string;
  id?: string;
  stored?: ResourceJson;
  resolved?: Json;
}

const PUBLISHED_PRICE_TYPES = ["azureVirtualMachine", "coreVirtualMachine"];

/** Two JSON values mean the same (object key order aside). */
function same(a: unknown, b: unknown): boolean {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (!isRecord(value)) return value;
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical(value[key])]),
    );
  };
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function externalIdOf(reference: unknown): string | undefined {
  if (!isRecord(reference)) return undefined;
  const value = reference.externalId ?? reference.externalID;
  return typeof value === "string" ? value : undefined;
}

/** `product/<g>`, `<type>/<g>/...`: the product guid of a durable id. */
function productGuidOf(id: unknown): string | undefined {
  if (typeof id !== "string") return undefined;
  const match = /^[a-z0-9-]+\/([0-9a-fA-F-]+)(?:\/|$)/.exec(id);
  return match?.[1]?.toLowerCase();
}

export function planConfigure(
  store: IngestionStore,
  settings: SchemaSettings,
  resources: unknown[],
): ConfigurePlan | Invalid {
  // 1a. shapes
  const entries: Entry[] = [];
  for (const [index, raw] of resources.entries()) {
    if (!isRecord(raw)) return { message: `Resource ${index}: must be a JSON object.` };
    const schema = parseSchema(raw.$schema);
    if (!schema)
      return { message: `Resource ${index}: '$schema' must be '${SCHEMA_HOST}/<type>/<version>'.` };
    if (schema.type === "submission")
      return {
        message: `Resource ${index}: a submission must be the only resource of its request (the simulator does not simulate modular publish).`,
      };
    const schemaUri = String(raw.$schema);
    const missing = missingRequired(raw, schema.type, schema.version, settings);
    if (missing.length > 0) return { message: requiredMessage(schemaUri, missing) };
    if (VM_TECH_CONFIG_TYPES.includes(schema.type)) {
      // `vmImageVersions` is not required by the schema (a new plan's configuration may come without versions).
      const problem = raw.vmImageVersions === undefined ? undefined : techConfigSchemaProblem(raw);
      if (problem) return { message: `Resource ${index}: ${problem}` };
    } else {
      const violation = schemaViolations(schema.type, raw)[0];
      if (violation)
        return {
          message: violationMessage(schemaUri, violation),
          target: `resources[${index}]${violation.path ? `.${violation.path}` : ""}`,
        };
    }
    entries.push({ index, type: schema.type, schemaUri, raw });
  }

  // 1b. the product: a product resource (by id, by external id, or a new one), else the one the references name.
  const productEntries = entries.filter((e) => e.type === "product");
  if (productEntries.length > 1)
    return {
      message: "A configure request can hold one product resource (assumed: one product per request).",
    };
  let product: ProductRecord | undefined;
  let created = false;
  let productName: string | undefined;
  const productEntry = productEntries[0];
  if (productEntry) {
    const { raw } = productEntry;
    if (raw.id !== undefined) {
      product = store.findByGuid(productGuidOf(raw.id) ?? "");
      if (!product || raw.id !== productId(product))
        return { message: `Resource ${productEntry.index}: no product '${String(raw.id)}'.` };
    } else {
      const externalId = externalIdOf(raw.identity) ?? "";
      product = store.findByExternalId(externalId);
      if (!product) {
        product = store.buildProduct({
          externalId,
          type: String(raw.type),
          alias: String(raw.alias),
          plans: [],
        });
        product.draft = [];
        created = true;
      }
    }
    productName = typeof raw.resourceName === "string" ? raw.resourceName : undefined;
  }
  const productOfRef = (reference: unknown): ProductRecord | undefined => {
    if (typeof reference === "string") return store.findByGuid(productGuidOf(reference) ?? "");
    if (!isRecord(reference)) return undefined;
    const externalId = externalIdOf(reference);
    if (externalId !== undefined)
      return product?.externalId === externalId ? product : store.findByExternalId(externalId);
    if (typeof reference.resourceName === "string")
      return reference.resourceName === productName ? product : undefined;
    if (typeof reference.durableId === "string")
      return store.findByGuid(productGuidOf(reference.durableId) ?? "");
    return undefined;
  };
  const mustName = (index: number) => ({
    message: `Resource ${index}: 'product' must name an existing product (product/<guid> or {"externalId": ...}).`,
  });
  for (const entry of entries) {
    if (entry === productEntry) continue;
    const { raw } = entry;
    const named =
      raw.product !== undefined ? productOfRef(raw.product) : store.findByGuid(productGuidOf(raw.id) ?? "");
    if (!named) return mustName(entry.index);
    if (product && named !== product)
      return {
        message: `Resource ${entry.index}: a configure request changes one product; '${named.externalId}' is not '${product.externalId}' (assumed).`,
      };
    product = named;
  }
  if (!product) return mustName(0);
  const owner = product;
  const g = owner.guid;

  // 1c. plans: by id, by external id, or new ones.
  const newPlans: PlanRecord[] = [];
  const planNames = new Map<string, PlanRecord>();
  const allPlans = () => [...owner.plans, ...newPlans];
  for (const entry of entries.filter((e) => e.type === "plan")) {
    const { raw } = entry;
    let plan: PlanRecord | undefined;
    if (raw.id !== undefined) {
      plan = owner.plans.find((p) => raw.id === `plan/${g}/${p.guid}`);
      if (!plan)
        return {
          message: `Resource ${entry.index}: no plan '${String(raw.id)}' in product '${owner.externalId}'.`,
        };
    } else {
      const externalId = externalIdOf(raw.identity) ?? "";
      plan = allPlans().find((p) => p.externalId === externalId);
      if (plan && newPlans.includes(plan))
        return { message: `Resource ${entry.index}: plan '${externalId}' is sent twice.` };
      if (!plan) {
        plan = { guid: randomUUID(), externalId, alias: String(raw.alias ?? externalId) };
        newPlans.push(plan);
      }
    }
    entry.planGuid = plan.guid;
    if (typeof raw.resourceName === "string") planNames.set(raw.resourceName, plan);
  }
  const planOfRef = (reference: unknown): PlanRecord | undefined => {
    if (typeof reference === "string") {
      const guid = planGuidOf(reference);
      return allPlans().find((p) => p.guid === guid);
    }
    if (!isRecord(reference)) return undefined;
    const externalId = externalIdOf(reference);
    if (externalId !== undefined) return allPlans().find((p) => p.externalId === externalId);
    if (typeof reference.resourceName === "string") return planNames.get(reference.resourceName);
    if (typeof reference.durableId === "string") return planOfRef(reference.durableId);
    return undefined;
  };
  const draft = owner.draft;
  for (const entry of entries) {
    if (entry.type === "plan" || entry.type === "product") continue;
    const { raw } = entry;
    if (raw.plan !== undefined) {
      const plan = planOfRef(raw.plan);
      if (!plan)
        return {
          message: `Resource ${entry.index}: 'plan' ${JSON.stringify(raw.plan)} names no plan of product '${owner.externalId}'.`,
          target: `resources[${entry.index}].plan`,
        };
      entry.planGuid = plan.guid;
    } else if (typeof raw.id === "string") {
      entry.planGuid = planGuidOf(draft.find((r) => r.id === raw.id)?.plan);
    }
  }

  // 1d. stored resources and durable ids (listing assets last: they may name a listing of this request).
  const assigned: Array<{ id: string }> = [];
  const listingNames = new Map<string, string>();
  const byKey = new Map<string, ResourceJson>();
  for (const resource of draft) {
    const key = storedKey(resource);
    if (key !== undefined && !byKey.has(key)) byKey.set(key, resource);
  }
  const ordered = [
    ...entries.filter((e) => e.type !== "listing-asset" && e.type !== "listing-trailer"),
    ...entries.filter((e) => e.type === "listing-asset" || e.type === "listing-trailer"),
  ];
  for (const entry of ordered) {
    const { raw, type } = entry;
    if (raw.id !== undefined) {
      entry.stored = draft.find((r) => r.id === raw.id);
      if (!entry.stored)
        return {
          message: VM_TECH_CONFIG_TYPES.includes(type)
            ? `Resource ${entry.index}: no technical configuration '${String(raw.id)}' in the product.`
            : `Resource ${entry.index}: no resource '${String(raw.id)}' in product '${owner.externalId}'.`,
        };
      entry.id = String(raw.id);
    } else {
      const key = naturalKey(type, entry.planGuid, raw);
      entry.stored = key === undefined ? undefined : byKey.get(key);
      entry.id = entry.stored?.id ?? newDurableId(type, g, entry.planGuid, raw, [...draft, ...assigned]);
    }
    if (type === "product") entry.id = productId(owner);
    assigned.push({ id: entry.id });
    if (type === "listing" && typeof raw.resourceName === "string")
      listingNames.set(raw.resourceName, entry.id);
  }

  // 1e. the stored form: durable references in place of {externalId}/{resourceName} ones (string ids as sent).
  for (const entry of entries) {
    const {
      $schema: _schema,
      resourceName: _name,
      validations: _validations,
      ...rest
    } = structuredClone(entry.raw);
    const resolved: Json = { ...rest, id: entry.id };
    if (entry.type !== "product" && typeof rest.product !== "string") resolved.product = productId(owner);
    if (entry.type !== "plan" && entry.planGuid && typeof rest.plan !== "string")
      resolved.plan = `plan/${g}/${entry.planGuid}`;
    if (rest.listing !== undefined && typeof rest.listing !== "string") {
      const name = isRecord(rest.listing) ? rest.listing.resourceName : undefined;
      const listingId = typeof name === "string" ? listingNames.get(name) : undefined;
      if (!listingId)
        return {
          message: `Resource ${entry.index}: 'listing' ${JSON.stringify(rest.listing)} names no listing (a durable id or the resourceName of a listing in this request).`,
          target: `resources[${entry.index}].listing`,
        };
      resolved.listing = listingId;
    }
    entry.resolved = resolved;
  }

  // 2. rules
  const errors = businessErrors(store, owner, entries, [...owner.plans, ...newPlans]);
  const detail = entries.map((entry) => ({
    $schema: entry.schemaUri,
    ...(typeof entry.raw.resourceName === "string" ? { resourceName: entry.raw.resourceName } : {}),
    ...(entry.resolved ?? {}),
  }));

  return {
    product: owner,
    created,
    errors,
    detail,
    apply: () => {
      if (created) store.insertProduct(owner);
      owner.plans.push(...newPlans);
      const sorted = [...entries].sort((a, b) => Number(b.type === "product") - Number(a.type === "product"));
      for (const entry of sorted) {
        const resolved = entry.resolved as ResourceJson;
        const at = owner.draft.findIndex((r) => r.id === resolved.id);
        if (resolved.lifecycleState === "deleted") {
          if (at >= 0) owner.draft.splice(at, 1);
          if (entry.type === "plan") {
            owner.draft = owner.draft.filter((r) => planGuidOf(r.plan) !== entry.planGuid);
            owner.plans = owner.plans.filter((p) => p.guid !== entry.planGuid);
          }
          continue;
        }
        if (at >= 0) owner.draft[at] = resolved;
        else if (entry.type === "product") owner.draft.unshift(resolved);
        else owner.draft.push(resolved);
        if (entry.type === "product" && typeof resolved.alias === "string") owner.alias = resolved.alias;
      }
    },
  };
}

/** A plan stays on sale: not deprecated or deleted, and its price-and-availability-plan (if any) not hidden. */
function visible(plan: Json | undefined, availability: Json | undefined): boolean {
  if (!plan || plan.lifecycleState === "deprecated" || plan.lifecycleState === "deleted") return false;
  return availability?.visibility !== "hidden";
}

function businessErrors(
  store: IngestionStore,
  product: ProductRecord,
  entries: Entry[],
  plans: PlanRecord[],
): JobError[] {
  const errors: JobError[] = [];
  const seen = new Map<string, number>();
  const trees = (["preview", "live"] as const).map((t) => store.current(product, t)?.tree ?? []);
  const published = new Map<string, ResourceJson>();
  // The newest published state of each resource: the live tree, then the preview over it.
  for (const tree of [trees[1] ?? [], trees[0] ?? []]) for (const r of tree) published.set(r.id, r);
  const planName = (guid: string | undefined) =>
    plans.find((p) => p.guid === guid)?.externalId ?? String(guid);

  for (const entry of entries) {
    const n = seen.get(entry.type) ?? 0;
    seen.set(entry.type, n + 1);
    const resolved = entry.resolved as ResourceJson;
    const messages: string[] = [];
    if (resolved.lifecycleState === "deleted" && published.has(resolved.id))
      messages.push(MESSAGES.deletePublished(resolved.id));
    if (entry.type === "product" && entry.stored && entry.stored.type !== resolved.type)
      messages.push(MESSAGES.typeFixed(String(entry.stored.type), String(resolved.type)));
    if ((entry.type === "product" || entry.type === "plan") && entry.stored) {
      const before = externalIdOf(entry.stored.identity);
      const after = externalIdOf(resolved.identity);
      if (before !== undefined && after !== undefined && before !== after)
        messages.push(MESSAGES.externalIdFixed(entry.type, before, after));
    }
    if (entry.type === "price-and-availability-plan" && PUBLISHED_PRICE_TYPES.includes(product.type)) {
      const before = published.get(resolved.id);
      if (
        before &&
        published.has(`plan/${product.guid}/${entry.planGuid}`) &&
        !same(before.pricing, resolved.pricing)
      )
        messages.push(MESSAGES.publishedPrice(planName(entry.planGuid)));
    }
    if (VM_TECH_CONFIG_TYPES.includes(entry.type))
      messages.push(...imageVersionMessages(entry, published, planName(entry.planGuid)));
    errors.push(
      ...messages.map((message) => ({
        code: "badRequest",
        message,
        resourceId: resolved.id,
        details: [{ code: "invalidResource", message: MESSAGES.failureFor(entry.type, n) }],
      })),
    );
  }

  // Stop-sell: a plan hidden or deprecated by this request must leave another plan on sale.
  const draft = new Map(product.draft.map((r) => [r.id, r as Json]));
  for (const entry of entries) draft.set(String(entry.resolved?.id), entry.resolved as Json);
  const availabilityOf = (guid: string) =>
    [...draft.values()].find(
      (r) => typeOfId(String(r.id)) === "price-and-availability-plan" && planGuidOf(r.plan) === guid,
    );
  const planOf = (guid: string) => draft.get(`plan/${product.guid}/${guid}`);
  const remaining = plans.filter((p) => planOf(p.guid)?.lifecycleState !== "deleted");
  const onSale = remaining.filter((p) => visible(planOf(p.guid), availabilityOf(p.guid)));
  for (const entry of entries) {
    const guid = entry.planGuid;
    if (!guid || !entry.stored) continue;
    const stopped =
      (entry.type === "price-and-availability-plan" &&
        entry.stored.visibility !== "hidden" &&
        entry.resolved?.visibility === "hidden") ||
      (entry.type === "plan" &&
        entry.stored.lifecycleState !== "deprecated" &&
        entry.resolved?.lifecycleState === "deprecated");
    if (!stopped) continue;
    // A plan whose technical configuration another plan reuses (`basePlan`) cannot be stop-sold [UPD].
    const reuser = remaining.find((p) => {
      if (p.guid === guid) return false;
      const config = [...draft.values()].find(
        (r) =>
          typeOfId(String(r.id)).endsWith("plan-technical-configuration") && planGuidOf(r.plan) === p.guid,
      );
      const base = config?.basePlan;
      const baseGuid = isRecord(base)
        ? plans.find((q) => q.externalId === externalIdOf(base))?.guid
        : planGuidOf(base);
      return baseGuid === guid;
    });
    const message =
      remaining.length < 2
        ? MESSAGES.stopSellOnePlan(planName(guid))
        : onSale.length < 1
          ? MESSAGES.stopSellLastVisible(planName(guid))
          : reuser
            ? MESSAGES.stopSellBasePlan(planName(guid), reuser.externalId)
            : undefined;
    if (message)
      errors.push({
        code: "badRequest",
        message,
        resourceId: String(entry.resolved?.id),
        details: [{ code: "invalidResource", message: MESSAGES.failureFor(entry.type, 0) }],
      });
  }
  return errors;
}

/**
 * The image version rules of a VM (or core VM) technical configuration: published versions cannot be omitted,
 * deleted or changed; a deprecation made before the version went live cannot be stripped; a `vmProperties` key
 * once true stays true; and the last version that is not deprecated cannot be deprecated.
 */
function imageVersionMessages(entry: Entry, published: Map<string, ResourceJson>, plan: string): string[] {
  const messages: string[] = [];
  const resource = entry.resolved as ResourceJson;
  const stored = entry.stored;
  const sent = new Map(versionsOf(resource).map((v) => [String(v.versionNumber), v]));
  const publishedVersions = new Map(
    versionsOf(published.get(resource.id)).map((v) => [String(v.versionNumber), v]),
  );
  const typesOf = (v: Json) =>
    (Array.isArray(v.vmImages) ? v.vmImages : []).map((i) =>
      capitalized(String((i as { imageType?: unknown })?.imageType)),
    );
  for (const [number, entryOf] of publishedVersions) {
    const mine = sent.get(number);
    if (!mine || mine.lifecycleState === "deleted") {
      for (const t of typesOf(entryOf)) messages.push(MESSAGES.cannotDelete(number, t));
    } else if (!sameImages(mine.vmImages, entryOf.vmImages)) {
      for (const t of typesOf(entryOf)) messages.push(MESSAGES.publishedChanged(number, t));
    }
  }
  for (const before of versionsOf(stored)) {
    const mine = sent.get(String(before.versionNumber));
    if (before.lifecycleState !== "deprecated" || !before.deprecationSchedule || !mine) continue;
    if (mine.lifecycleState !== "deprecated" || !mine.deprecationSchedule)
      messages.push(MESSAGES.cannotRestore(String(before.versionNumber)));
  }
  const oldProps = (stored?.vmProperties ?? {}) as Json;
  const newProps = (resource.vmProperties ?? {}) as Json;
  for (const [key, value] of Object.entries(oldProps))
    if (value === true && newProps[key] !== true) messages.push(MESSAGES.sticky(capitalized(key)));
  const standing = (versions: Json[]) =>
    versions.filter((v) => v.lifecycleState !== "deprecated" && v.lifecycleState !== "deleted");
  const changed = stored === undefined || !sameVersion(versionsOf(stored), versionsOf(resource));
  const before = new Map(versionsOf(stored).map((v) => [String(v.versionNumber), v]));
  const deprecating = [...sent.entries()].some(
    ([number, v]) => v.lifecycleState === "deprecated" && before.get(number)?.lifecycleState !== "deprecated",
  );
  if (
    changed &&
    deprecating &&
    standing(versionsOf(stored)).length > 0 &&
    standing([...sent.values()]).length === 0
  )
    messages.push(MESSAGES.lastImageVersion(plan));
  return messages;
}
