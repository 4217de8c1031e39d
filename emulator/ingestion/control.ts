import { json, type SimResponse } from "../api";
import { SimError } from "../store";
import type { RequestLogEntry } from "../types";
import {
  badInput,
  isObject,
  onlyKeys,
  optionalBoolean,
  optionalNumber,
  optionalString,
  requiredNumber,
  requiredString,
} from "../validate";
import { DEFAULT_INGESTION_VERSION, type IngestionApi, ingestionError } from "./api";
import { languageOf, planGuidOf, typeOfId } from "./resources";
import type { IngestionStore, ProductRecord, ResourceJson } from "./store";
import {
  INGESTION_SCOPE,
  type IngestionControl,
  type IngestionCounts,
  type IngestionProductSeed,
  type IngestionProductView,
  type JobFailure,
  type Refusal,
  type ResourcePatch,
  type ResourceSelector,
  type TargetType,
  type TechnicalConfigurationEdit,
} from "./types";

/** Accepts a seed file's content: `{ "ingestionProducts": [...] }` (other keys ignored) or an array. */
export function parseIngestionSeed(value: unknown): IngestionProductSeed[] {
  const products = Array.isArray(value)
    ? value
    : ((value as { ingestionProducts?: unknown } | null)?.ingestionProducts ?? []);
  if (!Array.isArray(products)) throw new Error("ingestionProducts must be an array of products.");
  for (const product of products) {
    if (typeof (product as Partial<IngestionProductSeed> | null)?.externalId !== "string") {
      throw new Error(`Every seeded ingestion product needs an externalId: ${JSON.stringify(product)}`);
    }
  }
  return products as IngestionProductSeed[];
}

/** `sim.ingestion`: reads the current store and API (both replaced by `reset()`). */
export class IngestionSimControl implements IngestionControl {
  constructor(
    private readonly state: () => { store: IngestionStore; api: IngestionApi },
    private readonly requests: RequestLogEntry[],
  ) {}

  private require(externalId: string) {
    const product = this.state().store.findByExternalId(externalId);
    if (!product) throw new SimError(404, "notFound", `Ingestion product '${externalId}' was not found.`);
    return product;
  }

  addProduct(seed: IngestionProductSeed): IngestionProductView {
    const product = this.state().store.addProduct(parseIngestionSeed([seed])[0] as IngestionProductSeed);
    return this.state().store.view(product, this.configurePosts(product.externalId));
  }

  product(externalId: string): IngestionProductView | undefined {
    const product = this.state().store.findByExternalId(externalId);
    return product && this.state().store.view(product, this.configurePosts(externalId));
  }

  job(jobId: string): Record<string, unknown> | undefined {
    const { store, api } = this.state();
    const job = store.findJob(jobId);
    return job && api.renderStatus(job, DEFAULT_INGESTION_VERSION);
  }

  failNext(externalId: string, failure: JobFailure = {}): void {
    this.require(externalId).failNext.push(failure);
  }

  refuseNext(externalId: string, refusal: Refusal): void {
    if (typeof refusal.message !== "string")
      throw new SimError(400, "badRequest", "A refusal needs a message.");
    this.require(externalId).refuseNext.push(refusal);
  }

  updateSchemas(update: Parameters<IngestionControl["updateSchemas"]>[0]): void {
    this.state().api.updateSchemas({
      ...(update.schemaVersions ? { schemaVersions: update.schemaVersions } : {}),
      ...(update.schemaRequirements ? { schemaRequirements: update.schemaRequirements } : {}),
    });
  }

  technicalConfiguration(
    externalId: string,
    planExternalId: string,
    target: TargetType = "draft",
  ): Record<string, unknown> | undefined {
    const { store } = this.state();
    const product = this.require(externalId);
    const plan = this.plan(product, planExternalId);
    const tree = target === "draft" ? product.draft : store.current(product, target)?.tree;
    const config = tree?.find(
      (r) => typeOfId(r.id).endsWith("plan-technical-configuration") && planGuidOf(r.plan) === plan.guid,
    );
    return config && structuredClone(config);
  }

  tree(externalId: string, target: TargetType = "draft"): Array<Record<string, unknown>> | undefined {
    const product = this.require(externalId);
    const tree = target === "draft" ? product.draft : this.state().store.current(product, target)?.tree;
    return tree && structuredClone(tree);
  }

  resource(
    externalId: string,
    selector: ResourceSelector,
    target: TargetType = "draft",
  ): Record<string, unknown> | undefined {
    const product = this.require(externalId);
    const tree =
      target === "draft" ? product.draft : (this.state().store.current(product, target)?.tree ?? []);
    const found = this.select(product, tree, selector);
    return found && structuredClone(found);
  }

  editResource(
    externalId: string,
    selector: ResourceSelector,
    patch: ResourcePatch,
    options: { afterNextRead?: boolean } = {},
  ): Record<string, unknown> | undefined {
    const product = this.require(externalId);
    const found = this.select(product, product.draft, selector);
    if (!found)
      throw new SimError(
        404,
        "notFound",
        `The draft of '${externalId}' has no resource ${JSON.stringify(selector)}; read it with GET .../resources.`,
      );
    if (options.afterNextRead) {
      product.pendingEdits.push({ resourceId: found.id, patch: structuredClone(patch) });
      return undefined;
    }
    return structuredClone(this.state().store.patchResource(product, found.id, patch));
  }

  counts(externalId: string): IngestionCounts {
    const mine = this.requests.filter(
      (entry) => entry.processed && entry.publisherId === INGESTION_SCOPE && entry.offerId === externalId,
    );
    const configures = mine.filter((entry) => entry.kind === "configure" && entry.method === "POST");
    const by = (what: string) => configures.filter((entry) => entry.configures === what).length;
    const configuredResources: Record<string, number> = {};
    for (const entry of configures)
      for (const type of entry.resourceTypes ?? [])
        if (type !== "submission") configuredResources[type] = (configuredResources[type] ?? 0) + 1;
    const trees = mine.filter((entry) => entry.kind === "resourceTree" && entry.method === "GET");
    const tree = (target: TargetType) =>
      trees.filter((entry) => (entry.targetType ?? "draft") === target).length;
    return {
      treeReads: { draft: tree("draft"), preview: tree("preview"), live: tree("live") },
      reads: mine.filter((entry) => entry.method === "GET").length,
      configurePosts: configures.length,
      configures: {
        technicalConfiguration: by("technicalConfiguration"),
        resources: by("resources"),
        preview: by("preview"),
        live: by("live"),
      },
      writes: by("technicalConfiguration") + by("resources"),
      configuredResources,
    };
  }

  /**
   * The resource a selector means in `tree`: by durable id, or the first of its type (of that plan, in that
   * language, when they are given).
   */
  private select(
    product: ProductRecord,
    tree: ResourceJson[],
    selector: ResourceSelector,
  ): ResourceJson | undefined {
    if (selector.id !== undefined) return tree.find((r) => r.id === selector.id);
    if (!selector.type)
      throw new SimError(400, "badRequest", "Name a resource by 'id', or by 'type' (and 'planId').");
    const plan = selector.planId === undefined ? undefined : this.plan(product, selector.planId);
    return tree.find((r) => {
      if (typeOfId(r.id) !== selector.type) return false;
      if (selector.type === "plan") return plan === undefined || r.id === `plan/${product.guid}/${plan.guid}`;
      if (plan && planGuidOf(r.plan) !== plan.guid) return false;
      return selector.languageId === undefined || languageOf(r) === selector.languageId.toLowerCase();
    });
  }

  portalEdit(
    externalId: string,
    planExternalId: string,
    edit: TechnicalConfigurationEdit,
    options: { afterNextRead?: boolean } = {},
  ): void {
    const product = this.require(externalId);
    const plan = this.plan(product, planExternalId);
    if (options.afterNextRead) product.pendingEdits.push({ planGuid: plan.guid, edit });
    else this.state().store.portalEdit(product, plan.guid, edit);
  }

  removePlan(externalId: string, planExternalId: string): void {
    const product = this.require(externalId);
    const plan = this.plan(product, planExternalId);
    const planId = `plan/${product.guid}/${plan.guid}`;
    product.draft = product.draft.filter((r) => r.id !== planId && r.plan !== planId);
  }

  private plan(product: ProductRecord, planExternalId: string) {
    const plan = product.plans.find((p) => p.externalId === planExternalId);
    if (!plan) throw new SimError(404, "notFound", `Plan '${planExternalId}' was not found.`);
    return plan;
  }

  private requireJob(jobId: string) {
    const job = this.state().store.findJob(jobId);
    if (!job) throw new SimError(404, "notFound", `Job '${jobId}' was not found.`);
    return job;
  }

  refuseGoLive(externalId: string, refusal: boolean | string): void {
    const product = this.require(externalId);
    product.seed = { ...product.seed, refuseGoLive: refusal };
  }

  advanceJob(jobId: string, by: number | "end"): void {
    this.state().store.advanceJob(this.requireJob(jobId), by);
  }

  failJob(jobId: string, message: string): void {
    this.state().store.failJob(this.requireJob(jobId), message);
  }

  configurePosts(externalId: string): number {
    return this.requests.filter(
      (entry) =>
        entry.kind === "configure" &&
        entry.method === "POST" &&
        entry.processed &&
        entry.publisherId === INGESTION_SCOPE &&
        entry.offerId === externalId,
    ).length;
  }
}

/**
 * `/_sim/ingestion/...` control routes (segments after `ingestion`):
 *   POST products (a seed) · GET products/<externalId> · POST products/<externalId>/fail-next (a JobFailure)
 *   POST products/<externalId>/refuse-next (a Refusal) · GET jobs/<jobId>
 *   POST products/<externalId>/portal-edit `{planId, edit, afterNextRead?}`
 *   POST schemas `{schemaVersions?, schemaRequirements?}` (a newer preview and what it requires)
 *   GET products/<externalId>/resources[?targetType=&id=&type=&planId=&languageId=] (a tree, or the matching resources)
 *   POST products/<externalId>/resource-edit `{id? | type, planId?, languageId?, set?, remove?, afterNextRead?}`
 *   GET products/<externalId>/counts (requests per kind)
 */
export function handleIngestionControl(
  control: IngestionControl,
  method: string,
  segments: string[],
  body: Record<string, unknown>,
  prefix = "/_sim",
  query: URLSearchParams = new URLSearchParams(),
): SimResponse {
  const [collection, id = "", action] = segments;
  const route = `${method} ${[collection, id && ":", action].filter(Boolean).join("/")}`;
  switch (route) {
    case "POST products":
      return json(201, control.addProduct(parseIngestionSeed([body])[0] as IngestionProductSeed));
    case "POST jobs/:/finish":
      onlyKeys(body, [], "finish");
      control.advanceJob(id, "end");
      return json(200, control.job(id));
    case "POST jobs/:/advance":
      onlyKeys(body, ["seconds"], "advance");
      control.advanceJob(id, requiredNumber(body, "seconds", 0, 100 * 365 * 86_400));
      return json(200, control.job(id));
    case "POST jobs/:/fail":
      onlyKeys(body, ["message"], "fail");
      control.failJob(id, optionalString(body, "message") ?? "The emulator failed this job on request.");
      return json(200, control.job(id));
    case "GET products/:": {
      const product = control.product(id);
      return product
        ? json(200, product)
        : ingestionError(404, "notFound", `Ingestion product '${id}' was not found.`);
    }
    case "POST products/:/fail-next":
      control.failNext(id, parseJobFailure(body));
      return json(200, control.product(id));
    case "POST products/:/refuse-golive": {
      onlyKeys(body, ["message", "refuse"], "refuse-golive");
      const message = optionalString(body, "message");
      const refuse = optionalBoolean(body, "refuse") ?? true;
      control.refuseGoLive(id, refuse ? (message ?? true) : false);
      return json(200, control.product(id));
    }
    case "POST products/:/refuse-next":
      control.refuseNext(id, body as unknown as Refusal);
      return json(200, control.product(id));
    case "POST products/:/portal-edit":
      onlyKeys(body, ["planId", "edit", "afterNextRead"], "portal-edit");
      requiredString(body, "planId");
      if (!isObject(body.edit))
        throw badInput("'edit' must be an object (the technical configuration edit).");
      optionalBoolean(body, "afterNextRead");
      control.portalEdit(id, String(body.planId ?? ""), (body.edit ?? {}) as TechnicalConfigurationEdit, {
        afterNextRead: body.afterNextRead === true,
      });
      return json(200, control.technicalConfiguration(id, String(body.planId ?? "")) ?? {});
    case "GET products/:/resources": {
      const known = ["targetType", "id", "type", "planId", "languageId"];
      for (const key of query.keys())
        if (!known.includes(key))
          throw badInput(`Unknown query parameter '${key}'; known: ${known.join(", ")}.`);
      const target = query.get("targetType") ?? "draft";
      if (target !== "draft" && target !== "preview" && target !== "live")
        throw badInput(`'targetType' must be draft, preview or live, got '${target}'.`);
      const selector = selectorOf(Object.fromEntries(query.entries()));
      const tree = control.tree(id, target);
      if (!tree) return ingestionError(404, "notFound", `Product '${id}' has no ${target} tree yet.`);
      if (selector.id === undefined && selector.type === undefined) return json(200, { resources: tree });
      const one = control.resource(id, selector, target);
      return json(200, { resources: one ? [one] : [] });
    }
    case "POST products/:/resource-edit": {
      onlyKeys(
        body,
        ["id", "type", "planId", "languageId", "set", "remove", "afterNextRead"],
        "resource-edit",
      );
      const selector = selectorOf(body);
      if (body.set !== undefined && !isObject(body.set))
        throw badInput("'set' must be an object of fields (dotted keys for nested fields).");
      if (
        body.remove !== undefined &&
        (!Array.isArray(body.remove) || !body.remove.every((f) => typeof f === "string"))
      )
        throw badInput("'remove' must be an array of field names.");
      if (body.set === undefined && body.remove === undefined) throw badInput("Send 'set' or 'remove'.");
      const afterNextRead = optionalBoolean(body, "afterNextRead") ?? false;
      const patch: ResourcePatch = {
        ...(body.set ? { set: body.set as Record<string, unknown> } : {}),
        ...(body.remove ? { remove: body.remove as string[] } : {}),
      };
      const edited = control.editResource(id, selector, patch, { afterNextRead });
      return edited ? json(200, edited) : json(202, { pending: true });
    }
    case "GET products/:/counts":
      if (!control.product(id))
        return ingestionError(404, "notFound", `Ingestion product '${id}' was not found.`);
      return json(200, control.counts(id));
    case "POST schemas":
      control.updateSchemas(body as Parameters<IngestionControl["updateSchemas"]>[0]);
      return { status: 204, headers: {} };
    case "GET jobs/:": {
      const job = control.job(id);
      return job ? json(200, job) : ingestionError(404, "notFound", `Job '${id}' was not found.`);
    }
  }
  return ingestionError(
    404,
    "notFound",
    `No control route ${method} ${prefix}/ingestion/${segments.join("/")}.`,
  );
}

/** `{id}` or `{type, planId?, languageId?}` from a body or a query. */
function selectorOf(body: Record<string, unknown>): ResourceSelector {
  const selector: ResourceSelector = {};
  for (const key of ["id", "type", "planId", "languageId"] as const) {
    const value = optionalString(body, key);
    if (value !== undefined) selector[key] = value;
  }
  if (selector.id !== undefined && (selector.type ?? selector.planId) !== undefined)
    throw badInput("Name a resource by 'id' or by 'type' (and 'planId'), not both.");
  return selector;
}

function parseJobFailure(body: Record<string, unknown>): JobFailure {
  onlyKeys(body, ["target", "errors", "afterSeconds"], "fail-next");
  const target = optionalString(body, "target");
  if (target !== undefined && target !== "preview" && target !== "live")
    throw badInput(`'target' must be preview or live, got ${JSON.stringify(target)}.`);
  optionalNumber(body, "afterSeconds", 0, 100 * 365 * 86_400);
  if (body.errors !== undefined) {
    if (
      !Array.isArray(body.errors) ||
      !body.errors.every((e) => isObject(e) && typeof e.message === "string")
    )
      throw badInput("'errors' must be an array of {code, message} job errors.");
  }
  return body as JobFailure;
}
