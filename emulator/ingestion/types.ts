/**
 * Public types of the Product Ingestion API part of the simulator (routes under `/rp/product-ingestion/`).
 * Kept free of node:http so clients can import them cheaply.
 */

/** Path prefix of the Product Ingestion API on the simulator (as on graph.microsoft.com). */
export const INGESTION_PREFIX = "/rp/product-ingestion";

/**
 * Faults and request-log entries of ingestion requests use this as their `publisherId` and the product's
 * external id (the offer id) as their `offerId`: `setFaults(INGESTION_SCOPE, "<offerId>", [...])`.
 */
export const INGESTION_SCOPE = "ingestion";

/** What an ingestion request was for; part of `RequestKind`. */
export type IngestionRequestKind =
  | "product"
  | "plan"
  | "technicalConfiguration"
  /** `GET <durable id>` of another resource type (listing, property, price-and-availability-plan, ...). */
  | "resource"
  | "resourceTree"
  | "submission"
  | "configure"
  | "configureStatus"
  | "configureDetail"
  | "configureCancel";

export type TargetType = "draft" | "preview" | "live";

/**
 * What a `POST configure` configures, from its body: technical configurations only, a submission to preview or
 * live, or other resources (`resources`: any mix of listings, plans, pricing, ... and technical configurations).
 * Logged as `configures` on the request-log entry, beside `resourceTypes` (the types of the body's resources).
 */
export type ConfigureTarget = "technicalConfiguration" | "preview" | "live" | "resources";

/** Where a seeded product starts. */
export type IngestionProductState =
  /** Draft only: no preview, no live. */
  | "neverPublished"
  /** A succeeded preview submission, never live: ready to go live. */
  | "previewReady"
  /** Live; the live submission is the preview submission (one id for both). */
  | "live";

/** A job-level error, as in `errors[]` of configure-status. `details` nest the same shape. */
export interface JobError {
  code: string;
  message: string;
  resourceId?: string;
  details?: JobError[];
}

/** Makes a product's next configure job for `target` fail. */
export interface JobFailure {
  /** Default "preview". */
  target?: "preview" | "live";
  /** Default: a certification failure (`invalidState`, nested message mentions certification) and one more. */
  errors?: JobError[];
  /** Simulated seconds after the job starts running when it fails. Default 1800 (certification: 30 min+). */
  afterSeconds?: number;
}

/** Makes a product's next configure POST answer this request-level error (nothing is applied). */
export interface Refusal {
  /** Default 400. */
  status?: number;
  /** Default "badRequest". */
  code?: string;
  message: string;
  details?: Array<{ code: string; message: string; target?: string }>;
}

/**
 * A plan's technical configuration as stored (JSON as the API serves it, without `id`/`product`/`plan`, which
 * the simulator fills): `operatingSystem`, `vmProperties`, `skus`, `vmImageVersions`...
 */
export interface TechnicalConfigurationSeed {
  /** A core VM offer's `core-virtual-machine-plan-technical-configuration`. Default false. */
  core?: boolean;
  [key: string]: unknown;
}

/** A resource's fields as the API serves them, without `id`, `product`, `plan`, `listing` (the simulator fills those). */
export type ResourceFields = Record<string, unknown>;

export interface IngestionPlanSeed {
  externalId: string;
  /** Default: random. */
  guid?: string;
  alias?: string;
  /** More fields of the `plan` resource (azureRegions, displayRank, lifecycleState, ...). */
  fields?: ResourceFields;
  /** The plan's `plan-listing` (kind, name, summary, description; languageId default en-us). */
  listing?: ResourceFields;
  /** The plan's `price-and-availability-plan` (visibility, audience, markets, pricing, ...). */
  availability?: ResourceFields;
  /**
   * The plan's technical configuration in the draft (and in the preview/live trees of a seeded history); its type
   * follows the product type (VM, core VM with `core: true` or a `coreVirtualMachine` product, container).
   */
  technicalConfiguration?: TechnicalConfigurationSeed;
}

/**
 * A portal edit of any draft resource: `set` replaces top-level fields (dotted keys such as
 * `pricing.corePricing.price` set one nested field), `remove` drops fields.
 */
export interface ResourcePatch {
  set?: Record<string, unknown>;
  remove?: string[];
}

/**
 * Which draft resource a portal edit or a read means: its durable `id`, or its `type` with the plan's external id
 * (`planId`) for plan-level types (and `languageId` where there are several).
 */
export interface ResourceSelector {
  id?: string;
  type?: string;
  planId?: string;
  languageId?: string;
}

/**
 * A portal edit of a plan's technical configuration: versions upserted by `versionNumber`, versions removed,
 * `vmProperties` merged.
 */
export interface TechnicalConfigurationEdit {
  vmImageVersions?: Array<Record<string, unknown>>;
  removeVersions?: string[];
  vmProperties?: Record<string, unknown>;
}

/**
 * A product (offer) in Partner Center. Durations are simulated seconds; each job first stays `notStarted`
 * for `queueSeconds`, then `running`.
 */
export interface IngestionProductSeed {
  /** The offer id (`identity.externalId`). */
  externalId: string;
  /** The GUID of the durable id `product/<guid>`. Default: random. */
  guid?: string;
  alias?: string;
  /** Default "azureVirtualMachine". */
  type?: string;
  /** Default "neverPublished". */
  state?: IngestionProductState;
  /** Default one plan `<externalId>-plan`. */
  plans?: IngestionPlanSeed[];
  /** The offer's `property` resource (kind, termsConditions, categories, ...). */
  property?: ResourceFields;
  /** The offer's `listing` (kind, title, description, ...; languageId default en-us). */
  listing?: ResourceFields;
  /** `listing-asset` resources of the listing (kind, type, fileName, url, ...). */
  listingAssets?: ResourceFields[];
  /** The offer's `price-and-availability-offer` (previewAudiences). */
  availability?: ResourceFields;
  /** The offer's `reseller` (resellerChannelState, ...). */
  reseller?: ResourceFields;
  /** A SaaS offer's `software-as-a-service-technical-configuration` (landingPageUrl, connectionWebhook, ...). */
  technicalConfiguration?: ResourceFields;
  /** Any other resource, with its `$schema` (the type is read from it); `plan: {"externalId": ...}` for a plan's. */
  resources?: ResourceFields[];
  /** Default 30. */
  queueSeconds?: number;
  /** Running time of a preview (publish) job. Default 6 hours. */
  previewSeconds?: number;
  /** Running time of a live (go-live) job. Default 2 days. */
  liveSeconds?: number;
  /** The submission entry stays running/pending this long after its job succeeded. Default 0. */
  submissionLagSeconds?: number;
  /** Failures for the next jobs, consumed in order (one per matching job). */
  failNext?: JobFailure[];
  /** Refusals for the next configure POSTs, consumed in order. */
  refuseNext?: Refusal[];
  /** A live configure answers 400 with this message (`true`: a default message). */
  refuseGoLive?: boolean | string;
  /** Every request on this product answers 403 (the app lacks access to this seller's account). */
  forbidden?: boolean;
  /** `POST configure/<jobId>/cancel` is refused once a job has run this long (simulated seconds). */
  cancelRefusedAfterSeconds?: number;
  /** Running time of a technical-configuration configure job. Default 2 (seconds, as observed). */
  configureSeconds?: number;
  /** Blob URLs (without query) that certification cannot download: a preview carrying one fails. */
  unreadableBlobs?: string[];
  /** The failed preview job's error quotes the whole SAS URI it could not download (signature included). */
  echoBlobUri?: boolean;
  /**
   * Default true. false: a preview submission that went live is no longer listed as a preview entry, so
   * `GET submission` shows live entries and no preview (cloudpub's `["live","draft"]` case, SUSE's status tests).
   */
  previewListedOnceLive?: boolean;
}

/** How a configure that breaks the one-submission-in-flight rule (or pushes a stale preview) is answered. */
export type ConflictMode =
  /** 400 `{"error":{"code":"badRequest","message":...}}`, no job. */
  | "requestError"
  /** 202 with a job that is already completed/failed, `errors: [{code:"conflict", message}]`. */
  | "jobError";

export interface IngestionOptions {
  /** Default: the ingestion products of seed.json. */
  products?: IngestionProductSeed[];
  /**
   * `$version`s answered with 400 "... is a deprecated schema"; also `$schema` versions in bodies: of configure,
   * submission and VM technical configurations always, of other types when the catalogue (`schemas.ts`) does not
   * serve them in that version. Default `["2022-03-01-preview3"]`.
   */
  deprecatedVersions?: string[];
  /** Tokens issued for another audience: 401 "Access token validation failure. Invalid audience.". */
  wrongAudienceTokens?: string[];
  /** Tokens of an app not added in Partner Center: 403 on every call. */
  forbiddenTokens?: string[];
  /** Status of an accepted configure POST. Default 202. */
  configureStatus?: 200 | 202;
  /** Spelling of the job id field in configure-status. Default "jobId" (2023 doc samples: "jobID"). */
  jobIdField?: "jobId" | "jobID";
  /** Default "requestError". */
  conflictMode?: ConflictMode;
  /**
   * Schema versions added to the catalogue per type (`schemas.ts`), e.g. a newer preview
   * `{"virtual-machine-plan-technical-configuration": ["2022-03-01-preview9"]}`: resources of that type then come
   * back in it when the `$version` asked is not older.
   */
  schemaVersions?: Record<string, string[]>;
  /**
   * Required properties per `<type>/<version>` written; merged over the default
   * `{"submission/2022-03-01-preview7": ["sources"]}`. A write missing one gets the API's schema error.
   */
  schemaRequirements?: Record<string, string[]>;
  /**
   * A request without `$version` answers 400 "The query parameter '$version' is required." Default false: SUSE's
   * production client and Microsoft's samples send none and are served (answers then use 2022-07-01).
   */
  versionRequired?: boolean;
}

/** Snapshot of a submission entry as `GET submission/<guid>` lists it. */
export interface IngestionSubmissionView {
  id: string;
  target: TargetType;
  status?: "notStarted" | "running" | "completed";
  result?: "pending" | "succeeded" | "failed";
}

/** Snapshot of a product for tests and the control API. */
export interface IngestionProductView {
  id: string;
  externalId: string;
  plans: Array<{ id: string; externalId: string }>;
  submissions: IngestionSubmissionView[];
  /** Configure job ids, oldest first. */
  jobs: string[];
  runningJobId?: string;
  /** Configure POSTs for this product that reached the handler (past auth and `$version`). */
  configurePosts: number;
}

/** Ingestion controls on a running simulator (`sim.ingestion`). */
export interface IngestionControl {
  addProduct(seed: IngestionProductSeed): IngestionProductView;
  /** By external id (offer id). */
  product(externalId: string): IngestionProductView | undefined;
  /** The configure-status JSON a status GET would show now. */
  job(jobId: string): Record<string, unknown> | undefined;
  /** The product's next job for `failure.target` fails with `failure.errors`. */
  failNext(externalId: string, failure?: JobFailure): void;
  /** The product's next configure POST answers this request error. */
  refuseNext(externalId: string, refusal: Refusal): void;
  /** Processed configure POSTs naming this product. */
  configurePosts(externalId: string): number;
  /** A running job moves on by `seconds` of simulated time, or with `"end"` to its end (409 once completed). */
  advanceJob(jobId: string, by: number | "end"): void;
  /** A running job fails now with this message (409 once completed). */
  failJob(jobId: string, message: string): void;
  /** The product's live configures answer 400 with this message (`true`: a default one); `false` allows them. */
  refuseGoLive(externalId: string, refusal: boolean | string): void;
  /**
   * Adds schema versions to the catalogue and requirements (as `IngestionOptions.schemaVersions` /
   * `schemaRequirements`) until the next reset: e.g. a newer preview that requires a property.
   */
  updateSchemas(update: {
    schemaVersions?: Record<string, string[]>;
    schemaRequirements?: Record<string, string[]>;
  }): void;
  /** A plan's technical configuration in the draft (default), or in the current preview/live tree. */
  technicalConfiguration(
    externalId: string,
    planExternalId: string,
    target?: TargetType,
  ): Record<string, unknown> | undefined;
  /**
   * Edits a plan's draft technical configuration as the portal would: now, or (`afterNextRead`) right after the
   * next read of it is answered, so the edit lands between a client's read and its write.
   */
  portalEdit(
    externalId: string,
    planExternalId: string,
    edit: TechnicalConfigurationEdit,
    options?: { afterNextRead?: boolean },
  ): void;
  /** Deletes a plan from the draft as the portal would: its plan resource and its technical configuration. */
  removePlan(externalId: string, planExternalId: string): void;
  /** Every resource of the product's draft (default), or of its current preview/live tree; undefined: no such tree. */
  tree(externalId: string, target?: TargetType): Array<Record<string, unknown>> | undefined;
  /** One resource of a tree, by durable id or by type (and plan external id, language). */
  resource(
    externalId: string,
    selector: ResourceSelector,
    target?: TargetType,
  ): Record<string, unknown> | undefined;
  /**
   * Edits any draft resource as the portal would: now (returns the edited resource), or (`afterNextRead`) right
   * after the next read of the draft tree or of that resource is answered.
   */
  editResource(
    externalId: string,
    selector: ResourceSelector,
    patch: ResourcePatch,
    options?: { afterNextRead?: boolean },
  ): Record<string, unknown> | undefined;
  /** What reached the handler for this product, per kind (from the request log; reset with it). */
  counts(externalId: string): IngestionCounts;
}

/** Requests per kind for one product (processed requests only), for "0 writes" and "one configure" assertions. */
export interface IngestionCounts {
  /** Resource-tree GETs per tree asked for. */
  treeReads: { draft: number; preview: number; live: number };
  /** Every GET. */
  reads: number;
  /** Every configure POST. */
  configurePosts: number;
  /** Configure POSTs by what they configure. */
  configures: { technicalConfiguration: number; resources: number; preview: number; live: number };
  /** Configure POSTs that write resources (technical configurations or other resources), not submissions. */
  writes: number;
  /** Resources sent in those POSTs, by type. */
  configuredResources: Record<string, number>;
}
