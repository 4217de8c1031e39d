import {
  type ApiRequest,
  bearerToken,
  checkBearer,
  header,
  json,
  type Route,
  type SimResponse,
} from "../api";
import { SimError } from "../store";
import { planConfigure } from "./configure";
import { isRecord, MESSAGES, parseSchema, SCHEMA_HOST } from "./messages";
import {
  missingRequired,
  renderedVersion,
  requiredMessage,
  type SchemaSettings,
  versionsOfType,
} from "./schemas";
import {
  type IngestionStore,
  type JobRecord,
  NULL_DATE,
  type ProductRecord,
  productId,
  type ResourceJson,
  type SubmissionRecord,
  submissionId,
  TECH_CONFIG_TYPES,
} from "./store";
import {
  type ConfigureTarget,
  type ConflictMode,
  INGESTION_PREFIX,
  INGESTION_SCOPE,
  type IngestionRequestKind,
  type JobError,
  type TargetType,
} from "./types";

/** The `$version` the simulator renders with when a control call has none: what cloudpub sends. */
export const DEFAULT_INGESTION_VERSION = "2022-07-01";
export { MESSAGES, parseSchema, SCHEMA_HOST } from "./messages";

const TARGETS: TargetType[] = ["draft", "preview", "live"];
/** Types whose body `$schema` is refused in any deprecated version (see `configure`). */
const STRICTLY_VERSIONED = ["configure", "submission", ...TECH_CONFIG_TYPES];
/** Resource types readable by durable id (`GET <type>/<guid>/...`) besides product, plan and VM configurations. */
const RESOURCE_COLLECTIONS = [
  "property",
  "listing",
  "listing-asset",
  "listing-trailer",
  "plan-listing",
  "price-and-availability-offer",
  "price-and-availability-plan",
  "reseller",
  "customer-leads",
  "test-drive",
  "commercial-marketplace-setup",
  "container-plan-technical-configuration",
  "software-as-a-service-technical-configuration",
];

export interface IngestionAuth {
  acceptedTokens: string[];
  tokenExpiry: Record<string, Date | number>;
  wrongAudienceTokens: string[];
  forbiddenTokens: string[];
}

export interface IngestionSettings extends SchemaSettings {
  deprecatedVersions: string[];
  configureStatus: 200 | 202;
  jobIdField: "jobId" | "jobID";
  conflictMode: ConflictMode;
  /** Default false: a missing `$version` is served. */
  versionRequired?: boolean;
  /** The emulator-wide go-live refusal (control `settings.refuseGoLive`); a product's own setting wins. */
  refuseGoLive?: () => boolean | string | undefined;
}

const REFUSED_GO_LIVE = "Go-live was refused for this product.";

export const DEFAULT_DEPRECATED_VERSIONS = ["2022-03-01-preview3"];

/** `{"error":{code,message,details?}}`, the request-level error of the API. */
export function ingestionError(
  status: number,
  code: string,
  message: string,
  details?: unknown[],
  headers?: Record<string, string>,
): SimResponse {
  return json(status, { error: { code, message, ...(details ? { details } : {}) } }, headers);
}

export function ingestionForbidden(): SimResponse {
  return ingestionError(403, "forbidden", MESSAGES.forbidden);
}

/**
 * A query parameter by name, its key compared case-insensitively: SUSE's client writes `externalid`, the docs
 * `externalId` (and `externalID`); the real API serves them all.
 */
export function queryValue(query: URLSearchParams, name: string): string | null {
  const wanted = name.toLowerCase();
  for (const [key, value] of query) if (key.toLowerCase() === wanted) return value;
  return null;
}

function segmentsOf(pathname: string): string[] | undefined {
  try {
    const segments = pathname
      .slice(INGESTION_PREFIX.length)
      .split("/")
      .filter(Boolean)
      .map(decodeURIComponent);
    // `<type>/product/<g>/plan/<g>/<planGuid>`: Flatcar's script joins the two durable ids into the path.
    const [type, product, guid, plan, planProduct, planGuid, ...rest] = segments;
    if (
      type &&
      TECH_CONFIG_TYPES.includes(type) &&
      product === "product" &&
      plan === "plan" &&
      guid &&
      planGuid &&
      planProduct === guid &&
      rest.length === 0
    )
      return [type, guid, planGuid];
    return segments;
  } catch {
    return undefined;
  }
}

/** Job errors as the API renders them: every error has `details`, `[]` on the innermost (cloudpub's fixtures). */
function withDetails(errors: JobError[]): JobError[] {
  return errors.map((error) => ({ ...error, details: withDetails(error.details ?? []) }));
}

/** The Product Ingestion API. Like CppApi it returns the response, so faults can alter or drop it. */
export class IngestionApi {
  private treeReads = 0;

  constructor(
    private readonly store: IngestionStore,
    private readonly auth: IngestionAuth,
    private readonly settings: IngestionSettings,
  ) {}

  /** The request's kind and product (by external id), for the log and per-product faults. */
  route(pathname: string, query: URLSearchParams, body: string): Route {
    const segments = segmentsOf(pathname) ?? [];
    const [collection, first, second, ...rest] = segments;
    const scoped = (kind: IngestionRequestKind, product?: ProductRecord, operationId?: string): Route => ({
      kind,
      publisherId: INGESTION_SCOPE,
      offerId: product?.externalId,
      operationId,
    });
    const byGuid = (guid: string | undefined) => (guid ? this.store.findByGuid(guid) : undefined);
    switch (collection) {
      case "product":
        if (second !== undefined) break;
        return scoped(
          "product",
          first ? byGuid(first) : this.store.findByExternalId(queryValue(query, "externalId") ?? ""),
        );
      case "plan":
        if (rest.length > 0) break;
        return scoped("plan", byGuid(first ?? queryValue(query, "product")?.replace(/^product\//, "")));
      case "virtual-machine-plan-technical-configuration":
      case "core-virtual-machine-plan-technical-configuration":
        if (!first || !second || rest.length > 0) break;
        return scoped("technicalConfiguration", byGuid(first));
      case "resource-tree":
        if (first !== "product" || !second || rest.length > 0) break;
        return { ...scoped("resourceTree", byGuid(second)), targetType: this.targetOfQuiet(query) };
      case "submission":
        if (!first || rest.length > 0) break;
        return scoped("submission", byGuid(first));
      case "configure": {
        if (first === undefined) {
          const { product, offerId, configures, resourceTypes } = this.bodyOf(body);
          return {
            ...scoped("configure", product),
            ...(offerId && !product ? { offerId } : {}),
            configures,
            ...(resourceTypes ? { resourceTypes } : {}),
          };
        }
        const job = this.store.findJob(first);
        if (rest.length > 0) break;
        const kind =
          second === undefined
            ? "configureDetail"
            : second === "status"
              ? "configureStatus"
              : second === "cancel"
                ? "configureCancel"
                : undefined;
        if (kind) return scoped(kind, job?.product, first);
        break;
      }
    }
    // `GET <durable id>` of any other resource type (the draft, as the docs say).
    if (collection && RESOURCE_COLLECTIONS.includes(collection) && first && segments.length >= 2)
      return scoped("resource", byGuid(first));
    return { kind: "other", publisherId: INGESTION_SCOPE };
  }

  /** The tree a resource-tree GET asks for, for the log (an invalid one is answered by the handler). */
  private targetOfQuiet(query: URLSearchParams): TargetType | undefined {
    const raw = queryValue(query, "targetType") ?? "draft";
    return (TARGETS as string[]).includes(raw) ? (raw as TargetType) : undefined;
  }

  /**
   * The product a configure body names (or, for a product it creates, that product's external id), what it
   * configures (technical configurations only, a submission to preview or live, or other resources) and the
   * types of its resources; each undefined when the body does not parse or does not say.
   */
  private bodyOf(body: string): {
    product?: ProductRecord;
    offerId?: string;
    configures?: ConfigureTarget;
    resourceTypes?: string[];
  } {
    try {
      const parsed: unknown = JSON.parse(body);
      const resources = isRecord(parsed) && Array.isArray(parsed.resources) ? parsed.resources : [];
      const records = resources.filter(isRecord);
      const types = records.map((r) => parseSchema(r.$schema)?.type ?? "unknown");
      // A modular publish lists resources before its submission: the submission says what it configures.
      const submission = records.find((r) => parseSchema(r.$schema)?.type === "submission");
      const target = isRecord(submission?.target) ? submission.target.targetType : undefined;
      const configures: ConfigureTarget | undefined =
        types.length > 0 && types.every((t) => t.endsWith("technical-configuration"))
          ? "technicalConfiguration"
          : submission && (target === "preview" || target === "live")
            ? target
            : types.length > 0 && !types.includes("submission")
              ? "resources"
              : undefined;
      const resourceTypes = types.length > 0 ? types : undefined;
      for (const resource of records) {
        const product = this.resolveProduct(resource.product) ?? this.productOfId(resource.id);
        if (product) return { product, configures, resourceTypes };
      }
      const created = records.find((r) => parseSchema(r.$schema)?.type === "product");
      const identity = isRecord(created?.identity) ? created.identity : undefined;
      const offerId = identity?.externalId ?? identity?.externalID;
      return {
        configures,
        resourceTypes,
        ...(typeof offerId === "string" ? { offerId } : {}),
      };
    } catch {
      // An unparseable body is answered by the handler; here it just names no product.
    }
    return {};
  }

  private resolveProduct(reference: unknown): ProductRecord | undefined {
    if (typeof reference === "string") {
      const match = /^product\/([0-9a-fA-F-]+)$/.exec(reference);
      return match ? this.store.findByGuid(match[1] ?? "") : undefined;
    }
    if (isRecord(reference)) {
      const externalId = reference.externalId ?? reference.externalID;
      return typeof externalId === "string" ? this.store.findByExternalId(externalId) : undefined;
    }
    return undefined;
  }

  private productOfId(id: unknown): ProductRecord | undefined {
    const match = typeof id === "string" ? /^[a-z0-9-]+\/([0-9a-fA-F-]+)(?:\/|$)/.exec(id) : null;
    return match ? this.store.findByGuid(match[1] ?? "") : undefined;
  }

  handle(request: ApiRequest): { response: SimResponse; processed: boolean } {
    const rejection = this.precheck(request);
    if (rejection) return { response: rejection, processed: false };
    try {
      return { response: this.dispatch(request), processed: true };
    } catch (error) {
      if (error instanceof SimError)
        return { response: ingestionError(error.status, error.code, error.message), processed: true };
      throw error;
    }
  }

  /** Auth first (as Graph does), then the app's access, then `$version`, then the product's access. */
  private precheck(request: ApiRequest): SimResponse | undefined {
    const authorization = header(request.headers, "authorization");
    const token = bearerToken(authorization);
    const unauthorized = (message: string) =>
      ingestionError(401, "InvalidAuthenticationToken", message, undefined, { "WWW-Authenticate": "Bearer" });
    // Both lists name valid tokens (no need to list them in acceptedTokens): one for another audience,
    // one of an app that was never added in Partner Center.
    if (token && this.auth.wrongAudienceTokens.includes(token)) return unauthorized(MESSAGES.invalidAudience);
    if (token && this.auth.forbiddenTokens.includes(token)) return ingestionForbidden();
    const failure = checkBearer(this.auth, authorization);
    if (failure) return unauthorized(failure);
    const version = queryValue(request.query, "$version");
    // SUSE's production client, Flatcar's script and Microsoft's samples send no `$version`, evidently served.
    if (version === null || version === "") {
      if (this.settings.versionRequired) return ingestionError(400, "badRequest", MESSAGES.versionRequired);
    } else {
      const versionError = this.versionError(version);
      if (versionError) return versionError;
    }
    const offerId = request.route.offerId;
    const product = offerId ? this.store.findByExternalId(offerId) : undefined;
    if (product?.seed.forbidden) return ingestionForbidden();
    return undefined;
  }

  private versionError(version: string): SimResponse | undefined {
    if (this.settings.deprecatedVersions.includes(version))
      return ingestionError(400, "badRequest", MESSAGES.deprecated(version));
    if (!/^\d{4}-\d{2}-\d{2}(-preview\d+)?$/.test(version))
      return ingestionError(400, "badRequest", MESSAGES.invalidVersion(version));
    return undefined;
  }

  private dispatch(request: ApiRequest): SimResponse {
    const { method, route, query } = request;
    const version = queryValue(query, "$version") || DEFAULT_INGESTION_VERSION;
    const segments = segmentsOf(request.pathname) ?? [];
    const allowed = route.kind === "configure" || route.kind === "configureCancel" ? "POST" : "GET";
    if (route.kind === "other")
      throw new SimError(404, "notFound", `Resource not found for the segment '${segments.join("/")}'.`);
    if (method !== allowed) {
      return json(
        405,
        { error: { code: "methodNotAllowed", message: `${method} is not allowed here.` } },
        { Allow: allowed },
      );
    }
    switch (route.kind) {
      case "product":
        return segments[1]
          ? this.resource(this.requireProduct(segments[1]).draft[0], version)
          : this.products(query, version);
      case "plan":
        return this.plans(segments, query, version);
      case "technicalConfiguration": {
        const product = this.requireProduct(segments[1]);
        const id = segments.join("/");
        const response = this.resource(
          product.draft.find((r) => r.id === id),
          version,
        );
        this.store.afterRead(product, { planGuid: segments[2] ?? "", resourceId: id });
        return response;
      }
      case "resource": {
        const product = this.requireProduct(segments[1]);
        const id = segments.join("/");
        const response = this.resource(
          product.draft.find((r) => r.id === id),
          version,
        );
        this.store.afterRead(product, { resourceId: id });
        return response;
      }
      case "resourceTree":
        return this.resourceTree(this.requireProduct(segments[2]), query, version);
      case "submission":
        return this.submissions(this.requireProduct(segments[1]), segments[2], query, version);
      case "configure":
        return this.configure(request.body, version);
      case "configureStatus":
        return json(200, this.renderStatus(this.requireJob(segments[1]), version));
      case "configureDetail":
        return this.detail(this.requireJob(segments[1]), version);
      case "configureCancel": {
        const job = this.requireJob(segments[1]);
        this.store.cancel(job);
        return json(200, this.renderStatus(job, version));
      }
    }
    throw new SimError(404, "notFound", `Resource not found for the segment '${segments.join("/")}'.`);
  }

  private requireProduct(guid: string | undefined): ProductRecord {
    const product = guid ? this.store.findByGuid(guid) : undefined;
    if (!product) throw new SimError(404, "notFound", `Product 'product/${guid ?? ""}' was not found.`);
    return product;
  }

  private requireJob(jobId: string | undefined): JobRecord {
    const job = jobId ? this.store.findJob(jobId) : undefined;
    if (!job) throw new SimError(404, "notFound", `Job '${jobId ?? ""}' was not found.`);
    return job;
  }

  /** The `$schema` a resource of `type` is answered with for `$version`: its type's newest not newer than asked. */
  private schemaOf(type: string, version: string): string {
    return `${SCHEMA_HOST}/${type}/${renderedVersion(type, version, this.settings)}`;
  }

  /** Adds catalogue versions (e.g. a newer preview) and requirements at run time; see `schemas.ts`. */
  updateSchemas(update: Partial<SchemaSettings>): void {
    for (const [type, versions] of Object.entries(update.schemaVersions ?? {}))
      this.settings.schemaVersions[type] = [...(this.settings.schemaVersions[type] ?? []), ...versions];
    Object.assign(this.settings.schemaRequirements, update.schemaRequirements ?? {});
  }

  private withSchema(resource: ResourceJson, version: string): Record<string, unknown> {
    return { $schema: this.schemaOf(resource.id.split("/")[0] ?? "", version), ...resource };
  }

  private resource(resource: ResourceJson | undefined, version: string): SimResponse {
    if (!resource) throw new SimError(404, "notFound", "Resource not found.");
    return json(200, this.withSchema(resource, version));
  }

  /** `GET product?externalId=`: that product or `[]`; without a filter every product (cloudpub lists them all). */
  private products(query: URLSearchParams, version: string): SimResponse {
    const externalId = queryValue(query, "externalId");
    const products =
      externalId === null
        ? this.store.all()
        : [this.store.findByExternalId(externalId)].filter((p) => p !== undefined);
    return json(200, {
      value: products
        .filter((p) => !p.seed.forbidden)
        .map((p) => this.withSchema(p.draft[0] as ResourceJson, version)),
    });
  }

  private plans(segments: string[], query: URLSearchParams, version: string): SimResponse {
    const productGuid = segments[1] ?? queryValue(query, "product")?.replace(/^product\//, "");
    const product = this.requireProduct(productGuid);
    const plans = product.draft.filter((resource) => resource.id.startsWith("plan/"));
    if (segments[2])
      return this.resource(
        plans.find((plan) => plan.id.endsWith(`/${segments[2]}`)),
        version,
      );
    const externalId = queryValue(query, "externalId");
    const matching = plans.filter(
      (plan) => !externalId || (plan.identity as { externalId?: string }).externalId === externalId,
    );
    return json(200, { value: matching.map((plan) => this.withSchema(plan, version)) });
  }

  /** `targetType` as sent; the docs' quoted form (`targetType="live"`) is rejected as the real API does. */
  private targetOf(query: URLSearchParams): TargetType | undefined {
    const raw = queryValue(query, "targetType");
    if (raw === null) return undefined;
    if (!(TARGETS as string[]).includes(raw)) {
      throw new SimError(
        400,
        "badRequest",
        `The value '${raw}' is not valid for targetType. Expected one of: draft, preview, live.`,
      );
    }
    return raw as TargetType;
  }

  /** Resource order changes between reads (it is not stable on the real API either). */
  private resourceTree(product: ProductRecord, query: URLSearchParams, version: string): SimResponse {
    const target = this.targetOf(query) ?? "draft";
    const tree = target === "draft" ? product.draft : this.store.current(product, target)?.tree;
    if (!tree) throw new SimError(400, "badRequest", MESSAGES.noTree(target, productId(product)));
    this.treeReads += 1;
    const resources = [...tree, this.treeSubmission(product, target)].map((resource) =>
      this.withSchema(structuredClone(resource), version),
    );
    if (this.treeReads % 2 === 0) resources.reverse();
    if (target === "draft") this.store.afterRead(product, { all: true });
    return json(200, {
      $schema: this.schemaOf("resource-tree", version),
      root: productId(product),
      target: { targetType: target },
      resources,
    });
  }

  /**
   * The `submission` resource a tree carries (cloudpub's fixture: the draft tree holds `submission/<g>/0` with
   * `target.targetType` draft); a preview or live tree the submission it shows (assumed).
   */
  private treeSubmission(product: ProductRecord, target: TargetType): ResourceJson {
    const number = target === "draft" ? "0" : (this.store.current(product, target)?.number ?? "0");
    return {
      id: submissionId(product, number),
      product: productId(product),
      target: { targetType: target },
      lifecycleState: "generallyAvailable",
    };
  }

  private renderSubmission(product: ProductRecord, submission: SubmissionRecord, version: string) {
    return {
      $schema: this.schemaOf("submission", version),
      id: submissionId(product, submission.number),
      product: productId(product),
      target: { targetType: submission.target },
      ...this.store.submissionState(submission),
      created: new Date(submission.createdMs).toISOString(),
      lifecycleState: "generallyAvailable",
    };
  }

  private submissions(
    product: ProductRecord,
    number: string | undefined,
    query: URLSearchParams,
    version: string,
  ): SimResponse {
    const target = this.targetOf(query);
    const draft = {
      $schema: this.schemaOf("submission", version),
      id: submissionId(product, "0"),
      product: productId(product),
      target: { targetType: "draft" },
      lifecycleState: "generallyAvailable",
    };
    const entries = [
      draft,
      ...(["preview", "live"] as const).flatMap((t) =>
        this.store
          .listed(product, t)
          .map((submission) => this.renderSubmission(product, submission, version)),
      ),
    ].filter((entry) => !target || entry.target.targetType === target);
    if (number === undefined) return json(200, { value: entries });
    // `GET submission/<guid>/<n>`: the newest entry with that id.
    const entry = entries.filter((e) => e.id === submissionId(product, number)).at(-1);
    if (!entry)
      throw new SimError(404, "notFound", `Submission '${submissionId(product, number)}' was not found.`);
    return json(200, entry);
  }

  renderStatus(job: JobRecord, version: string): Record<string, unknown> {
    const state = this.store.jobState(job);
    return {
      $schema: this.schemaOf("configure-status", version),
      [this.settings.jobIdField]: job.jobId,
      jobStatus: state.jobStatus,
      jobResult: state.jobResult,
      jobStart: new Date(job.startMs).toISOString(),
      jobEnd: state.jobStatus === "completed" ? new Date(state.endMs).toISOString() : NULL_DATE,
      errors: state.jobStatus === "completed" && state.jobResult === "failed" ? withDetails(job.errors) : [],
    };
  }

  private detail(job: JobRecord, version: string): SimResponse {
    if (this.store.jobState(job).jobStatus !== "completed")
      throw new SimError(400, "badRequest", MESSAGES.jobNotCompleted(job.jobId));
    const submission = job.submission;
    if (job.detail)
      return json(200, {
        $schema: this.schemaOf("configure", version),
        resources: structuredClone(job.detail),
      });
    return json(200, {
      $schema: this.schemaOf("configure", version),
      resources: submission
        ? [
            {
              $schema: this.schemaOf("submission", version),
              id: submissionId(job.product, submission.number),
              product: productId(job.product),
              target: { targetType: submission.target },
            },
          ]
        : [],
    });
  }

  private configure(rawBody: string, version: string): SimResponse {
    let body: unknown;
    try {
      body = JSON.parse(rawBody);
    } catch {
      throw new SimError(400, "badRequest", "The request body is not valid JSON.");
    }
    if (!isRecord(body)) return this.invalid("The request body must be a JSON object.");
    const configureSchema = parseSchema(body.$schema);
    if (configureSchema?.type !== "configure")
      return this.invalid(`'$schema' must be '${SCHEMA_HOST}/configure/<version>'.`);
    const resources = Array.isArray(body.resources) ? body.resources : [];
    if (resources.length === 0) return this.invalid("'resources' must contain at least one resource.");
    const deprecated = [
      configureSchema,
      ...resources.map((r) => parseSchema(isRecord(r) ? r.$schema : undefined)),
    ]
      // `2022-03-01-preview3` was retired as `$version` (cloudpub 38cfe27, private offers), yet Microsoft's API
      // reference lists products, offer availability, SaaS and container configurations in it, and cloudpub's
      // fixtures read listings and properties in it: a deprecated version is refused in the body schemas of
      // configure, submission and VM technical configurations (Flatcar's replay), and of other types only when the
      // catalogue does not serve them in it.
      .filter(
        (schema) =>
          schema !== undefined &&
          (STRICTLY_VERSIONED.includes(schema.type) ||
            !versionsOfType(schema.type, this.settings).includes(schema.version)),
      )
      .map((schema) => schema?.version)
      .find((v) => v !== undefined && this.settings.deprecatedVersions.includes(v));
    if (deprecated) return ingestionError(400, "badRequest", MESSAGES.deprecated(deprecated));
    const isSubmission = (r: unknown) => isRecord(r) && parseSchema(r.$schema)?.type === "submission";
    if (!resources.some(isSubmission)) return this.configureResources(resources, version);
    // A modular publish (preview only): the draft resources to publish, by durable id, beside one submission.
    const submissions = resources.filter(isSubmission);
    if (submissions.length > 1) return this.invalid("A request may hold only one submission resource.");
    const resource = submissions[0] as Record<string, unknown>;
    const modular = resources.filter((r) => !isSubmission(r));
    const schema = parseSchema(resource.$schema);
    // What the version named requires (a newer preview can require more): the API's words, as a schema error.
    const missing = schema ? missingRequired(resource, schema.type, schema.version, this.settings) : [];
    if (missing.length > 0) return this.invalid(requiredMessage(String(resource.$schema), missing));
    const product = this.resolveProduct(resource.product) ?? this.productOfId(resource.id);
    if (!product)
      return this.invalid(
        `Resource 0: 'product' must name an existing product (product/<guid> or {"externalId": ...}).`,
      );
    const target = isRecord(resource.target) ? resource.target.targetType : undefined;
    if (target !== "preview" && target !== "live")
      return this.invalid(
        `Resource 0: target.targetType must be 'preview' or 'live', got ${JSON.stringify(target)}.`,
      );
    if (modular.length > 0 && target === "live") return this.invalid(MESSAGES.modularLive);
    const modularIds = modular.map((r) => (isRecord(r) && typeof r.id === "string" ? r.id : undefined));
    const notInDraft = modularIds.findIndex((id) => !id || !product.draft.some((d) => d.id === id));
    if (notInDraft >= 0) return this.invalid(MESSAGES.modularNotInDraft(notInDraft, modularIds[notInDraft]));

    const refusal = product.refuseNext.shift();
    if (refusal) {
      return ingestionError(
        refusal.status ?? 400,
        refusal.code ?? "badRequest",
        refusal.message,
        refusal.details,
      );
    }
    const number =
      typeof resource.id === "string"
        ? /^submission\/[0-9a-fA-F-]+\/(\d+)$/.exec(resource.id)?.[1]
        : undefined;
    if (target === "live") {
      const refused = product.seed.refuseGoLive || this.settings.refuseGoLive?.();
      if (refused)
        return ingestionError(400, "badRequest", typeof refused === "string" ? refused : REFUSED_GO_LIVE);
    }
    if (target === "live" && (number === undefined || /^0+$/.test(number)))
      throw new SimError(400, "badRequest", MESSAGES.liveNeedsId);
    if (this.store.inFlight(product)) return this.conflict(product, target, MESSAGES.inProgress, version);

    if (target === "preview")
      return this.accepted(
        modular.length > 0
          ? this.store.startModularPreview(product, modular as Array<Record<string, unknown>>, resource)
          : this.store.startPreview(product, [resource]),
        version,
      );
    const latestPreview = product.submissions.filter((s) => s.target === "preview").at(-1);
    if (!latestPreview || latestPreview.number !== number || !this.store.succeeded(latestPreview))
      return this.conflict(product, target, MESSAGES.notLatest, version);
    return this.accepted(this.store.startLive(product, latestPreview, [resource]), version);
  }

  /**
   * Resources of any types (configure.ts): schema checks and unresolved references answer 400; a queued
   * `refuseNext` answers as is; business rules fail the job (nothing applied); else the draft takes every
   * resource at once and the job ends in `configureSeconds`.
   */
  private configureResources(resources: unknown[], version: string): SimResponse {
    const plan = planConfigure(this.store, this.settings, resources);
    if ("message" in plan) return this.invalid(plan.message, plan.target);
    const refusal = plan.created ? undefined : plan.product.refuseNext.shift();
    if (refusal)
      return ingestionError(
        refusal.status ?? 400,
        refusal.code ?? "badRequest",
        refusal.message,
        refusal.details,
      );
    if (plan.errors.length === 0) plan.apply();
    const job = this.store.resourceJob(
      plan.product,
      resources as Array<Record<string, unknown>>,
      plan.errors,
    );
    job.detail = plan.detail;
    return this.accepted(job, version);
  }

  /** 400 with a `schemaValidationError` detail, the shape of the API's schema errors. */
  private invalid(message: string, target?: string): SimResponse {
    return ingestionError(400, "badRequest", "The request is not valid.", [
      { code: "schemaValidationError", message, ...(target ? { target } : {}) },
    ]);
  }

  private conflict(product: ProductRecord, target: "preview" | "live", message: string, version: string) {
    if (this.settings.conflictMode === "requestError") throw new SimError(400, "badRequest", message);
    const errors: JobError[] = [{ code: "conflict", message, resourceId: productId(product) }];
    return this.accepted(this.store.rejectedJob(product, target, errors), version);
  }

  private accepted(job: JobRecord, version: string): SimResponse {
    return json(this.settings.configureStatus, this.renderStatus(job, version));
  }
}
