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
import { missingRequired, renderedVersion, requiredMessage, type SchemaSettings } from "./schemas";
import {
  type IngestionStore,
  isTechConfig,
  type JobRecord,
  NULL_DATE,
  type ProductRecord,
  productId,
  type ResourceJson,
  type SubmissionRecord,
  sameImages,
  submissionId,
  TECH_CONFIG_TYPES,
  versionsOf,
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
export const SCHEMA_HOST = "https://schema.mp.microsoft.com/schema";
/** Old host of the docs' samples; bodies using it are accepted (whether the real API does: unconfirmed). */
const SCHEMA_HOSTS = ["schema.mp.microsoft.com", "product-ingestion.azureedge.net"];
const TARGETS: TargetType[] = ["draft", "preview", "live"];

export const MESSAGES = {
  invalidAudience: "Access token validation failure. Invalid audience.",
  forbidden: "The application is not authorized to access this seller account's resources.",
  versionRequired: "The query parameter '$version' is required.",
  deprecated: (version: string) => `"${version} is a deprecated schema"`,
  invalidVersion: (version: string) => `'${version}' is not a valid schema version.`,
  inProgress: "An In Progress submission already exists",
  notLatest: "The submission cannot be pushed to as its not the latest",
  liveNeedsId: "Expected a submission id that isn't null or 0 since target type is Live",
  cancelTooLate: "Cannot cancel job, job has already completed.",
  jobNotCompleted: (jobId: string) =>
    `Job '${jobId}' has not completed yet; its details are available once it has.`,
  noTree: (target: string, id: string) => `The product '${id}' has no ${target} version.`,
  cannotDelete: (version: string, type: string) =>
    `Cannot delete image '${version}' of type '${type}' as it is already published.`,
  failureFor: (type: string) => `Failure for resource: ${type}-0`,
  cannotRestore: (version: string) =>
    `Image '${version}' cannot be restored because it was deprecated before it was published to live`,
  sticky: (property: string) => `${property} property has already been enabled`,
  /** Assumed wording: the docs only say published images cannot be edited. */
  publishedChanged: (version: string, type: string) =>
    `Image '${version}' of type '${type}' is already published and cannot be changed.`,
} as const;

/** `x64Gen1` → `X64Gen1`, `supportsNVMe` → `SupportsNVMe`: how the API's messages name them. */
const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const IMAGE_TYPES = ["x64Gen1", "x64Gen2", "arm64Gen2"];
const LIFECYCLE_STATES = ["generallyAvailable", "deprecated", "deleted"];
const DEPRECATION_REASONS = ["criticalSecurityIssue", "endOfSupport", "other"];

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
}

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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
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

/** `https://<host>/schema/<type>/<version>` → `{ type, version }`, either host. */
export function parseSchema(value: unknown): { type: string; version: string } | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^https:\/\/([^/]+)\/schema\/([a-z-]+)\/([^/]+)$/.exec(value);
  if (!match || !SCHEMA_HOSTS.includes(match[1] ?? "")) return undefined;
  return { type: match[2] ?? "", version: match[3] ?? "" };
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
        return scoped("resourceTree", byGuid(second));
      case "submission":
        if (!first || rest.length > 0) break;
        return scoped("submission", byGuid(first));
      case "configure": {
        if (first === undefined) {
          const { product, configures } = this.bodyOf(body);
          return { ...scoped("configure", product), configures };
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
    return { kind: "other", publisherId: INGESTION_SCOPE };
  }

  /**
   * The product a configure body names and what it configures (a technical configuration, or a submission to
   * preview or live); each undefined when the body does not parse or does not say.
   */
  private bodyOf(body: string): { product?: ProductRecord; configures?: ConfigureTarget } {
    try {
      const parsed: unknown = JSON.parse(body);
      const resources = isRecord(parsed) && Array.isArray(parsed.resources) ? parsed.resources : [];
      const first = resources.find(isRecord);
      const type = parseSchema(first?.$schema)?.type;
      const target = isRecord(first?.target) ? first.target.targetType : undefined;
      const configures: ConfigureTarget | undefined =
        type !== undefined && TECH_CONFIG_TYPES.includes(type)
          ? "technicalConfiguration"
          : type === "submission" && (target === "preview" || target === "live")
            ? target
            : undefined;
      for (const resource of resources) {
        if (!isRecord(resource)) continue;
        const product = this.resolveProduct(resource.product) ?? this.productOfId(resource.id);
        if (product) return { product, configures };
      }
      return { configures };
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
    const match =
      typeof id === "string"
        ? /^(?:submission|[a-z-]*technical-configuration)\/([0-9a-fA-F-]+)\/[0-9a-fA-F-]+$/.exec(id)
        : null;
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
        this.store.afterRead(product, [segments[2] ?? ""]);
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
    if (target === "draft")
      this.store.afterRead(
        product,
        product.plans.map((p) => p.guid),
      );
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
      .map((schema) => schema?.version)
      .find((v) => v !== undefined && this.settings.deprecatedVersions.includes(v));
    if (deprecated) return ingestionError(400, "badRequest", MESSAGES.deprecated(deprecated));
    if (resources.length > 1 || !isRecord(resources[0]))
      return this.invalid("The simulator configures exactly one submission resource per request.");
    const resource = resources[0];
    const schema = parseSchema(resource.$schema);
    // What the version named requires (a newer preview can require more): the API's words, as a schema error.
    const missing = schema ? missingRequired(resource, schema.type, schema.version, this.settings) : [];
    if (missing.length > 0) return this.invalid(requiredMessage(String(resource.$schema), missing));
    if (schema && TECH_CONFIG_TYPES.includes(schema.type)) return this.configureTechConfig(resource, version);
    if (schema?.type !== "submission")
      return this.invalid(
        `Resource 0: '$schema' must be '${SCHEMA_HOST}/submission/<version>' (the simulator configures submissions only).`,
      );
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
    if (target === "live" && (number === undefined || /^0+$/.test(number)))
      throw new SimError(400, "badRequest", MESSAGES.liveNeedsId);
    if (this.store.inFlight(product)) return this.conflict(product, target, MESSAGES.inProgress, version);

    if (target === "preview") return this.accepted(this.store.startPreview(product, [resource]), version);
    const latestPreview = product.submissions.filter((s) => s.target === "preview").at(-1);
    if (!latestPreview || latestPreview.number !== number || !this.store.succeeded(latestPreview))
      return this.conflict(product, target, MESSAGES.notLatest, version);
    return this.accepted(this.store.startLive(product, latestPreview, [resource]), version);
  }

  /**
   * A technical configuration: schema checks (400), then the rules a job reports (published images cannot be
   * deleted or changed, a deprecation cannot be stripped, `vmProperties` once true stay true). Accepted: the draft
   * takes the resource as sent (without `$schema`) at once; the job ends in `configureSeconds`.
   */
  private configureTechConfig(resource: Record<string, unknown>, version: string): SimResponse {
    const product = this.resolveProduct(resource.product) ?? this.productOfId(resource.id);
    if (!product)
      return this.invalid(
        `Resource 0: 'product' must name an existing product (product/<guid> or {"externalId": ...}).`,
      );
    const type = parseSchema(resource.$schema)?.type ?? "";
    const stored = product.draft.find(
      (r) =>
        isTechConfig(r) && (r.id === resource.id || (resource.id === undefined && r.plan === resource.plan)),
    );
    if (!stored)
      return this.invalid(
        `Resource 0: no technical configuration '${String(resource.id ?? resource.plan)}' in the product.`,
      );
    const problem = this.techConfigSchemaProblem(resource);
    if (problem) return this.invalid(`Resource 0: ${problem}`);
    const refusal = product.refuseNext.shift();
    if (refusal)
      return ingestionError(
        refusal.status ?? 400,
        refusal.code ?? "badRequest",
        refusal.message,
        refusal.details,
      );

    const messages: string[] = [];
    const sent = new Map(versionsOf(resource).map((v) => [String(v.versionNumber), v]));
    const published = new Map<string, Record<string, unknown>>();
    for (const target of ["preview", "live"] as const) {
      const tree = this.store.current(product, target)?.tree ?? [];
      for (const v of versionsOf(tree.find((r) => r.id === stored.id)))
        published.set(String(v.versionNumber), v);
    }
    const typesOf = (v: Record<string, unknown>) =>
      (Array.isArray(v.vmImages) ? v.vmImages : []).map((i) =>
        capitalized(String((i as { imageType?: unknown })?.imageType)),
      );
    for (const [number, entry] of published) {
      const mine = sent.get(number);
      if (!mine || mine.lifecycleState === "deleted") {
        for (const t of typesOf(entry)) messages.push(MESSAGES.cannotDelete(number, t));
      } else if (!sameImages(mine.vmImages, entry.vmImages)) {
        for (const t of typesOf(entry)) messages.push(MESSAGES.publishedChanged(number, t));
      }
    }
    for (const before of versionsOf(stored)) {
      const mine = sent.get(String(before.versionNumber));
      if (before.lifecycleState !== "deprecated" || !before.deprecationSchedule || !mine) continue;
      if (mine.lifecycleState !== "deprecated" || !mine.deprecationSchedule)
        messages.push(MESSAGES.cannotRestore(String(before.versionNumber)));
    }
    const oldProps = (stored.vmProperties ?? {}) as Record<string, unknown>;
    const newProps = (resource.vmProperties ?? {}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(oldProps))
      if (value === true && newProps[key] !== true) messages.push(MESSAGES.sticky(capitalized(key)));

    const errors: JobError[] = messages.map((message) => ({
      code: "badRequest",
      message,
      resourceId: stored.id,
      details: [{ code: "invalidResource", message: MESSAGES.failureFor(type) }],
    }));
    if (errors.length === 0) {
      const { $schema: _schema, ...rest } = resource;
      const index = product.draft.indexOf(stored);
      product.draft[index] = { ...structuredClone(rest), id: stored.id };
    }
    return this.accepted(this.store.resourceJob(product, [resource], errors), version);
  }

  /** The preview2 schema's rules for `vmImageVersions` (versionNumber, 1-2 images, sources, states, reasons). */
  private techConfigSchemaProblem(resource: Record<string, unknown>): string | undefined {
    if (!Array.isArray(resource.vmImageVersions)) return "'vmImageVersions' must be an array.";
    for (const [i, v] of versionsOf(resource).entries()) {
      const at = `vmImageVersions[${i}]`;
      const number = v.versionNumber;
      if (typeof number !== "string" || !/^[0-9]+\.[0-9]+\.[0-9]+$/.test(number) || number.length > 32)
        return `${at}.versionNumber '${String(number)}' does not match '^[0-9]+\\.[0-9]+\\.[0-9]+$'.`;
      if (number.split(".").some((p) => p.length > 10))
        return `${at}.versionNumber '${number}' is not valid: each part must fit in 10 digits. (assumed wording)`;
      if (v.lifecycleState !== undefined && !LIFECYCLE_STATES.includes(String(v.lifecycleState)))
        return `${at}.lifecycleState '${String(v.lifecycleState)}' is not one of ${LIFECYCLE_STATES.join(", ")}.`;
      const schedule = v.deprecationSchedule as Record<string, unknown> | undefined;
      if (
        schedule !== undefined &&
        schedule !== null &&
        !DEPRECATION_REASONS.includes(String(schedule.reason))
      )
        return `${at}.deprecationSchedule.reason '${String(schedule.reason)}' is not one of ${DEPRECATION_REASONS.join(", ")}.`;
      const alternative = isRecord(schedule) ? schedule.alternative : undefined;
      if (
        alternative !== undefined &&
        !(
          isRecord(alternative) &&
          Object.keys(alternative).length === 1 &&
          ("product" in alternative || "plan" in alternative)
        )
      )
        return `${at}.deprecationSchedule.alternative must be exactly one of {"product": <reference>} or {"plan": <reference>}.`;
      const images = Array.isArray(v.vmImages) ? v.vmImages : [];
      if (images.length < 1 || images.length > 2) return `${at}.vmImages must have 1 or 2 items.`;
      for (const [j, raw] of images.entries()) {
        const image = (raw ?? {}) as Record<string, unknown>;
        const source = (image.source ?? {}) as Record<string, unknown>;
        if (!IMAGE_TYPES.includes(String(image.imageType)))
          return `${at}.vmImages[${j}].imageType '${String(image.imageType)}' is not one of ${IMAGE_TYPES.join(", ")}.`;
        if (source.sourceType === "sasUri") {
          if (typeof (source.osDisk as { uri?: unknown } | undefined)?.uri !== "string")
            return `${at}.vmImages[${j}].source.osDisk.uri is required.`;
        } else if (source.sourceType === "sharedImageGallery") {
          const shared = source.sharedImage as { tenantId?: unknown; resourceId?: unknown } | undefined;
          if (typeof shared?.tenantId !== "string" || typeof shared?.resourceId !== "string")
            return `${at}.vmImages[${j}].source.sharedImage needs tenantId and resourceId.`;
        } else return `${at}.vmImages[${j}].source.sourceType must be 'sasUri' or 'sharedImageGallery'.`;
      }
    }
    return undefined;
  }

  /** 400 with a `schemaValidationError` detail, the shape of the API's schema errors. */
  private invalid(message: string): SimResponse {
    return ingestionError(400, "badRequest", "The request is not valid.", [
      { code: "schemaValidationError", message },
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
