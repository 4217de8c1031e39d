import { randomUUID } from "node:crypto";
import { blobOf, unreadable } from "../images";
import { type SimClock, SimError } from "../store";
import { languageOf, newDurableId, planTechConfigType, SAAS_TECH_CONFIG, VM_TECH_CONFIG } from "./resources";
import type {
  IngestionProductSeed,
  IngestionProductView,
  IngestionSubmissionView,
  JobError,
  JobFailure,
  Refusal,
  ResourcePatch,
  TechnicalConfigurationEdit,
} from "./types";

export const TECH_CONFIG_TYPES = [
  "virtual-machine-plan-technical-configuration",
  "core-virtual-machine-plan-technical-configuration",
];

/** True for a technical configuration resource (either type). */
export function isTechConfig(resource: { id: string }): boolean {
  return TECH_CONFIG_TYPES.includes(resource.id.split("/")[0] ?? "");
}

const HOUR = 3600;
const DAY = 86_400;

export const NULL_DATE = "0001-01-01T00:00:00";

/** A resource of a product tree (product, plan, technical configuration, ...), as served. */
export type ResourceJson = Record<string, unknown> & { id: string };

export interface PlanRecord {
  guid: string;
  externalId: string;
  alias: string;
}

export interface JobRecord {
  jobId: string;
  product: ProductRecord;
  /** `draft`: a configure of resources (a technical configuration), no submission. */
  target: "preview" | "live" | "draft";
  /** Simulated epoch ms of the POST. */
  startMs: number;
  queueSeconds: number;
  /** Seconds after `queueSeconds` when the job completes (fails, for a failing job). */
  runSeconds: number;
  outcome: "succeeded" | "failed";
  errors: JobError[];
  /** Simulated epoch ms of a cancel. */
  cancelledAtMs?: number;
  /** The submission the job created; none when the job was rejected at once (conflict as job error). */
  submission?: SubmissionRecord;
  /** The resources of the request, for configure-detail. */
  resources: Array<Record<string, unknown>>;
  /** A resource configure's detail: each resource with its durable id (and the `resourceName` sent). */
  detail?: Array<Record<string, unknown>>;
}

export interface SubmissionRecord {
  /** The 19-digit number of `submission/<guid>/<n>`. */
  number: string;
  target: "preview" | "live";
  createdMs: number;
  job: JobRecord;
  /** The resources this submission publishes: the draft when it was sent to preview. */
  tree: ResourceJson[];
}

export interface ProductRecord {
  seed: IngestionProductSeed;
  guid: string;
  externalId: string;
  alias: string;
  type: string;
  plans: PlanRecord[];
  /** Draft resources (product, plans; room for technical configurations, listings...). */
  draft: ResourceJson[];
  submissions: SubmissionRecord[];
  jobs: JobRecord[];
  failNext: JobFailure[];
  refuseNext: Refusal[];
  /**
   * Portal edits applied right after the next read: of the plan's technical configuration (by plan guid), or of
   * one resource (by durable id); a draft tree read lands them all.
   */
  pendingEdits: Array<
    { planGuid: string; edit: TechnicalConfigurationEdit } | { resourceId: string; patch: ResourcePatch }
  >;
}

export interface JobState {
  jobStatus: "notStarted" | "running" | "completed";
  jobResult: "pending" | "succeeded" | "failed" | "cancelled";
  /** Simulated epoch ms when the job ends (or ended). */
  endMs: number;
}

export function productId(product: ProductRecord): string {
  return `product/${product.guid}`;
}

export function submissionId(product: ProductRecord, number: string): string {
  return `submission/${product.guid}/${number}`;
}

/** The default failure: one certification failure (cloudpub's test) among other job errors. */
export function defaultFailureErrors(product: ProductRecord, submission: string): JobError[] {
  const plan = product.plans[0];
  const techConfig = `virtual-machine-plan-technical-configuration/${product.guid}/${plan?.guid ?? "0"}`;
  return [
    {
      code: "invalidState",
      message: "The submission could not be published.",
      resourceId: submission,
      details: [
        {
          code: "invalidState",
          message: `The offer failed certification: the image of plan '${plan?.externalId ?? "plan"}' did not pass the certification tests. See the certification report in Partner Center.`,
          resourceId: techConfig,
        },
      ],
    },
    {
      code: "invalidResource",
      message: `Failure for resource: ${techConfig}`,
      resourceId: techConfig,
      details: [{ code: "invalidResource", message: "The VHD SAS URI of image version 1.0.0 has expired." }],
    },
  ];
}

type Json = Record<string, unknown>;

/** The version entries of a technical configuration. */
export function versionsOf(config: Json | undefined): Json[] {
  const versions = config?.vmImageVersions;
  return Array.isArray(versions)
    ? versions.filter((v): v is Json => typeof v === "object" && v !== null && !Array.isArray(v))
    : [];
}

/**
 * A JSON value as it means: object keys sorted, `vmImages` in a fixed order, empty `dataDisks` dropped, so two
 * answers compare equal whatever key order a client serializes in (cloudpub's round trip reorders keys) and
 * whether it writes `dataDisks: []`.
 */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value as Json)
    .filter(([key, v]) => !(key === "dataDisks" && Array.isArray(v) && v.length === 0))
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([key, v]): [string, unknown] => {
      const inner = canonical(v);
      return key === "vmImages" && Array.isArray(inner)
        ? [key, [...inner].sort((x, y) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1))]
        : [key, inner];
    });
  return Object.fromEntries(entries);
}

const meaning = (value: unknown) => JSON.stringify(canonical(value));

/** Two `vmImages` lists mean the same images (key order, list order and empty `dataDisks` aside). */
export function sameImages(a: unknown, b: unknown): boolean {
  return meaning({ vmImages: a }) === meaning({ vmImages: b });
}

/** Two version entries mean the same (see `canonical`). */
export function sameVersion(a: unknown, b: unknown): boolean {
  return meaning(a) === meaning(b);
}

export class IngestionStore {
  private readonly products = new Map<string, ProductRecord>();
  private readonly jobsById = new Map<string, JobRecord>();
  private submissionCounter = 0n;

  constructor(
    readonly clock: SimClock,
    seeds: IngestionProductSeed[],
  ) {
    for (const seed of seeds) this.addProduct(seed);
  }

  addProduct(seed: IngestionProductSeed): ProductRecord {
    if (!seed.externalId) throw new SimError(400, "badRequest", "externalId is required.");
    if (this.findByExternalId(seed.externalId)) {
      throw new SimError(409, "conflict", `A product with external id '${seed.externalId}' already exists.`);
    }
    const product = this.buildProduct(seed);
    this.products.set(product.guid, product);
    this.synthesizeHistory(product);
    return product;
  }

  /**
   * A product record from a seed, not yet in the store: its draft holds the product, its plans and every seeded
   * part (property, listing, assets, availability, reseller, plan listings and pricing, technical
   * configurations, raw resources), each with its durable id and durable references.
   */
  buildProduct(seed: IngestionProductSeed): ProductRecord {
    const guid = (seed.guid ?? randomUUID()).toLowerCase();
    const planSeeds = seed.plans ?? [{ externalId: `${seed.externalId}-plan` }];
    const plans = planSeeds.map((plan) => ({
      guid: (plan.guid ?? randomUUID()).toLowerCase(),
      externalId: plan.externalId,
      alias: plan.alias ?? plan.externalId,
    }));
    const product: ProductRecord = {
      seed,
      guid,
      externalId: seed.externalId,
      alias: seed.alias ?? seed.externalId,
      type: seed.type ?? "azureVirtualMachine",
      plans,
      draft: [],
      submissions: [],
      jobs: [],
      failNext: [...(seed.failNext ?? [])],
      refuseNext: [...(seed.refuseNext ?? [])],
      pendingEdits: [],
    };
    const pid = productId(product);
    const put = (type: string, planGuid: string | undefined, fields: Record<string, unknown>) => {
      const { $schema: _schema, plan: _plan, ...rest } = structuredClone(fields);
      const id = newDurableId(type, guid, planGuid, rest, product.draft);
      const refs: Record<string, unknown> = { product: pid };
      if (planGuid) refs.plan = `plan/${guid}/${planGuid}`;
      if (type === "listing-asset" || type === "listing-trailer")
        refs.listing = `listing/${guid}/public/main/default/${languageOf(rest)}`;
      if (["listing", "listing-asset", "plan-listing"].includes(type) && rest.languageId === undefined)
        rest.languageId = "en-us";
      product.draft.push({ id, ...refs, ...rest });
    };
    product.draft.push({
      id: pid,
      identity: { externalId: product.externalId },
      type: product.type,
      alias: product.alias,
    });
    for (const [i, planSeed] of planSeeds.entries()) {
      const plan = plans[i] as PlanRecord;
      product.draft.push({
        id: `plan/${guid}/${plan.guid}`,
        product: pid,
        identity: { externalId: plan.externalId },
        alias: plan.alias,
        azureRegions: ["azureGlobal"],
        ...structuredClone(planSeed.fields ?? {}),
      });
    }
    if (seed.property) put("property", undefined, seed.property);
    if (seed.listing) put("listing", undefined, seed.listing);
    for (const asset of seed.listingAssets ?? []) put("listing-asset", undefined, asset);
    if (seed.availability) put("price-and-availability-offer", undefined, seed.availability);
    if (seed.reseller) put("reseller", undefined, seed.reseller);
    if (seed.technicalConfiguration) put(SAAS_TECH_CONFIG, undefined, seed.technicalConfiguration);
    for (const [i, planSeed] of planSeeds.entries()) {
      const plan = plans[i] as PlanRecord;
      if (planSeed.listing) put("plan-listing", plan.guid, planSeed.listing);
      if (planSeed.availability) put("price-and-availability-plan", plan.guid, planSeed.availability);
      const config = planSeed.technicalConfiguration;
      if (!config) continue;
      const { core, ...rest } = config;
      const type = planTechConfigType(product.type, core) ?? VM_TECH_CONFIG;
      put(type, plan.guid, rest);
    }
    for (const raw of seed.resources ?? []) {
      const type = /\/schema\/([a-z0-9-]+)\//.exec(String(raw.$schema ?? ""))?.[1];
      if (!type)
        throw new SimError(400, "badRequest", `A seeded resource needs a $schema: ${JSON.stringify(raw)}`);
      const ref = raw.plan as { externalId?: string } | undefined;
      const plan = ref ? plans.find((p) => p.externalId === ref.externalId) : undefined;
      if (ref && !plan)
        throw new SimError(
          400,
          "badRequest",
          `A seeded resource names no seeded plan: ${JSON.stringify(ref)}`,
        );
      put(type, plan?.guid, raw);
    }
    return product;
  }

  /** A product created by a configure: into the store as it is (no history). */
  insertProduct(product: ProductRecord): void {
    this.products.set(product.guid, product);
  }

  /** Seeded states come with the finished submissions and jobs that led there. */
  private synthesizeHistory(product: ProductRecord): void {
    const state = product.seed.state ?? "neverPublished";
    if (state === "neverPublished") return;
    const now = this.clock.nowMs();
    const liveTotal = state === "live" ? this.queueSeconds(product) + this.runSeconds(product, "live") : 0;
    const previewStart =
      now - (this.queueSeconds(product) + this.runSeconds(product, "preview") + liveTotal + HOUR) * 1000;
    const preview = this.newJob(product, "preview", [], previewStart, undefined, false);
    if (state === "live") this.newJob(product, "live", [], now - liveTotal * 1000, preview.submission, false);
  }

  private queueSeconds(product: ProductRecord): number {
    return product.seed.queueSeconds ?? 30;
  }

  private runSeconds(product: ProductRecord, target: "preview" | "live"): number {
    return target === "live"
      ? (product.seed.liveSeconds ?? 2 * DAY)
      : (product.seed.previewSeconds ?? 6 * HOUR);
  }

  private nextSubmissionNumber(): string {
    this.submissionCounter += 1n;
    return String(1152921505690000000n + this.submissionCounter * 7919n);
  }

  /** A job and its submission; a live job reuses the preview submission's number. Seeded history fails never. */
  private newJob(
    product: ProductRecord,
    target: "preview" | "live",
    resources: Array<Record<string, unknown>>,
    startMs: number,
    previewOf: SubmissionRecord | undefined,
    takeFailure = true,
  ): JobRecord {
    const failureIndex = takeFailure
      ? product.failNext.findIndex((failure) => (failure.target ?? "preview") === target)
      : -1;
    const failure = failureIndex >= 0 ? product.failNext.splice(failureIndex, 1)[0] : undefined;
    const job: JobRecord = {
      jobId: randomUUID(),
      product,
      target,
      startMs,
      queueSeconds: this.queueSeconds(product),
      runSeconds: failure ? (failure.afterSeconds ?? 1800) : this.runSeconds(product, target),
      outcome: failure ? "failed" : "succeeded",
      errors: [],
      resources,
    };
    const number = previewOf?.number ?? this.nextSubmissionNumber();
    job.submission = {
      number,
      target,
      createdMs: startMs,
      job,
      tree: previewOf ? previewOf.tree : structuredClone(product.draft),
    };
    if (failure) job.errors = failure.errors ?? defaultFailureErrors(product, submissionId(product, number));
    product.jobs.push(job);
    product.submissions.push(job.submission);
    this.jobsById.set(job.jobId, job);
    return job;
  }

  /** Configure rejected as a job: completed/failed at once, nothing applied. */
  rejectedJob(product: ProductRecord, target: "preview" | "live", errors: JobError[]): JobRecord {
    const job: JobRecord = {
      jobId: randomUUID(),
      product,
      target,
      startMs: this.clock.nowMs(),
      queueSeconds: 0,
      runSeconds: 0,
      outcome: "failed",
      errors,
      resources: [],
    };
    product.jobs.push(job);
    this.jobsById.set(job.jobId, job);
    return job;
  }

  /**
   * A modular publish: the listed resources (by durable id) are written to the draft as sent (without `$schema`),
   * and the new preview is the current one with only those taken from the draft; the rest stays as published.
   */
  startModularPreview(
    product: ProductRecord,
    listed: Array<Record<string, unknown>>,
    submission: Record<string, unknown>,
  ): JobRecord {
    const previous = structuredClone(this.current(product, "preview")?.tree ?? []);
    for (const { $schema: _schema, ...body } of listed)
      product.draft = product.draft.map((r) => (r.id === body.id ? (body as ResourceJson) : r));
    const job = this.startPreview(product, [...listed, submission]);
    if (job.submission) {
      const tree = previous.filter((r) => !listed.some((l) => l.id === r.id));
      for (const l of listed) {
        const resource = product.draft.find((r) => r.id === l.id);
        if (resource) tree.push(structuredClone(resource));
      }
      job.submission.tree = tree;
    }
    return job;
  }

  /** A preview certifies the draft's new images first: one that cannot be downloaded fails it, naming the version. */
  startPreview(product: ProductRecord, resources: Array<Record<string, unknown>>): JobRecord {
    const failure = this.certificationFailure(product);
    if (failure) product.failNext.unshift({ target: "preview", errors: failure });
    return this.newJob(product, "preview", resources, this.clock.nowMs(), undefined);
  }

  /** The first image of a draft technical configuration that the current preview lacks and cannot be read. */
  certificationFailure(product: ProductRecord): JobError[] | undefined {
    const preview = this.current(product, "preview")?.tree ?? [];
    const now = this.clock.nowMs();
    for (const config of product.draft.filter(isTechConfig)) {
      const published = preview.find((r) => r.id === config.id);
      const before = new Map(versionsOf(published).map((v) => [v.versionNumber, v]));
      for (const version of versionsOf(config)) {
        if (version.lifecycleState === "deleted" || sameVersion(before.get(version.versionNumber), version))
          continue;
        const urls = (Array.isArray(version.vmImages) ? version.vmImages : []).flatMap((image) => {
          const source = (image as Record<string, Record<string, unknown>>)?.source ?? {};
          if (source.sourceType !== "sasUri") return [];
          const disks = Array.isArray(source.dataDisks) ? source.dataDisks : [];
          return [
            (source.osDisk as Record<string, unknown> | undefined)?.uri,
            ...disks.map((d) => (d as Record<string, unknown>)?.uri),
          ];
        });
        const bad = urls.find((url) => unreadable(url, now, product.seed.unreadableBlobs ?? []));
        if (bad === undefined) continue;
        const plan = product.plans.find((p) => config.plan === `plan/${product.guid}/${p.guid}`);
        return [
          {
            code: "invalidState",
            message: "The submission could not be published.",
            resourceId: config.id,
            details: [
              {
                code: "invalidState",
                message: `Certification failed for image version '${version.versionNumber}' of plan '${plan?.externalId ?? config.plan}': Not able to download blob ${product.seed.echoBlobUri ? String(bad) : blobOf(String(bad))}. Make sure the SAS URI is valid, has read and list permissions and has not expired. (assumed wording)`,
                resourceId: config.id,
              },
            ],
          },
        ];
      }
    }
    return undefined;
  }

  /** A configure of resources: applied to the draft at once (when `errors` is empty); its job ends in seconds. */
  resourceJob(
    product: ProductRecord,
    resources: Array<Record<string, unknown>>,
    errors: JobError[],
  ): JobRecord {
    const job: JobRecord = {
      jobId: randomUUID(),
      product,
      target: "draft",
      startMs: this.clock.nowMs(),
      queueSeconds: 0,
      runSeconds: product.seed.configureSeconds ?? 2,
      outcome: errors.length ? "failed" : "succeeded",
      errors,
      resources,
    };
    product.jobs.push(job);
    this.jobsById.set(job.jobId, job);
    return job;
  }

  /** Applies a portal edit to the plan's draft technical configuration. */
  portalEdit(product: ProductRecord, planGuid: string, edit: TechnicalConfigurationEdit): void {
    const config = product.draft.find(
      (r) => isTechConfig(r) && r.plan === `plan/${product.guid}/${planGuid}`,
    );
    if (!config) throw new SimError(404, "notFound", `Plan '${planGuid}' has no technical configuration.`);
    let versions = versionsOf(config).filter((v) => !edit.removeVersions?.includes(String(v.versionNumber)));
    for (const entry of edit.vmImageVersions ?? []) {
      const at = versions.findIndex((v) => v.versionNumber === entry.versionNumber);
      versions = at >= 0 ? versions.map((v, i) => (i === at ? entry : v)) : [...versions, entry];
    }
    config.vmImageVersions = versions;
    if (edit.vmProperties)
      config.vmProperties = { ...(config.vmProperties as Record<string, unknown>), ...edit.vmProperties };
  }

  /**
   * A portal edit of any draft resource: `set` replaces top-level fields (a dotted key such as
   * `pricing.corePricing.price` sets one nested field), `remove` drops fields (dotted too).
   */
  patchResource(product: ProductRecord, resourceId: string, patch: ResourcePatch): ResourceJson {
    const resource = product.draft.find((r) => r.id === resourceId);
    if (!resource)
      throw new SimError(
        404,
        "notFound",
        `The draft of '${product.externalId}' has no resource '${resourceId}'.`,
      );
    const walk = (path: string, create: boolean): [Json | undefined, string] => {
      const parts = path.split(".");
      let at: Json | undefined = resource;
      for (const part of parts.slice(0, -1)) {
        if (at === undefined) break;
        const next: unknown = at[part];
        if (typeof next === "object" && next !== null && !Array.isArray(next)) at = next as Json;
        else if (create) {
          const made: Json = {};
          at[part] = made;
          at = made;
        } else at = undefined;
      }
      return [at, parts.at(-1) ?? path];
    };
    for (const [path, value] of Object.entries(patch.set ?? {})) {
      if (path === "id")
        throw new SimError(400, "badRequest", "A portal edit cannot change a resource's 'id'.");
      const [parent, key] = walk(path, true);
      if (parent) parent[key] = structuredClone(value);
    }
    for (const path of patch.remove ?? []) {
      const [parent, key] = walk(path, false);
      if (parent) delete parent[key];
    }
    return resource;
  }

  /**
   * Pending portal edits due after a read: a draft tree read (`all`) lands every one; a direct read of a
   * technical configuration the edits of its plan and of its id; a direct read of another resource those of its id.
   */
  afterRead(product: ProductRecord, read: { all?: boolean; planGuid?: string; resourceId?: string }): void {
    const due = product.pendingEdits.filter((p) =>
      read.all ? true : "planGuid" in p ? p.planGuid === read.planGuid : p.resourceId === read.resourceId,
    );
    product.pendingEdits = product.pendingEdits.filter((p) => !due.includes(p));
    for (const pending of due) {
      if ("planGuid" in pending) this.portalEdit(product, pending.planGuid, pending.edit);
      else this.patchResource(product, pending.resourceId, pending.patch);
    }
  }

  startLive(
    product: ProductRecord,
    preview: SubmissionRecord,
    resources: Array<Record<string, unknown>>,
  ): JobRecord {
    return this.newJob(product, "live", resources, this.clock.nowMs(), preview);
  }

  findByExternalId(externalId: string): ProductRecord | undefined {
    return [...this.products.values()].find((product) => product.externalId === externalId);
  }

  /** Every product, in the order added. */
  all(): ProductRecord[] {
    return [...this.products.values()];
  }

  findByGuid(guid: string): ProductRecord | undefined {
    return this.products.get(guid.toLowerCase());
  }

  findJob(jobId: string): JobRecord | undefined {
    return this.jobsById.get(jobId);
  }

  /** The submission-number counter, for the state file. */
  counter(): bigint {
    return this.submissionCounter;
  }

  /** Replaces every product with restored records (the state file's). */
  load(products: ProductRecord[], submissionCounter: bigint): void {
    this.products.clear();
    this.jobsById.clear();
    for (const product of products) {
      this.products.set(product.guid, product);
      for (const job of product.jobs) this.jobsById.set(job.jobId, job);
    }
    this.submissionCounter = submissionCounter;
  }

  private requireRunning(job: JobRecord): JobState {
    const state = this.jobState(job);
    if (state.jobStatus === "completed")
      throw new SimError(409, "conflict", `Job '${job.jobId}' has completed; nothing to change.`);
    return state;
  }

  /** Moves a running job on by `seconds` of simulated time (its start moves back), or with `"end"` to its end. */
  advanceJob(job: JobRecord, by: number | "end"): void {
    const state = this.requireRunning(job);
    const shiftMs = by === "end" ? Math.max(0, state.endMs - this.clock.nowMs()) : by * 1000;
    job.startMs -= shiftMs;
    if (job.submission) job.submission.createdMs -= shiftMs;
  }

  /** The running job fails now with this message. */
  failJob(job: JobRecord, message: string): void {
    this.requireRunning(job);
    const elapsed = Math.max(0, (this.clock.nowMs() - job.startMs) / 1000);
    job.queueSeconds = Math.min(job.queueSeconds, elapsed);
    job.runSeconds = elapsed - job.queueSeconds;
    job.outcome = "failed";
    const resourceId = job.submission
      ? submissionId(job.product, job.submission.number)
      : productId(job.product);
    job.errors = [{ code: "invalidState", message, resourceId }];
  }

  jobState(job: JobRecord, nowMs = this.clock.nowMs()): JobState {
    const plannedEnd = job.startMs + (job.queueSeconds + job.runSeconds) * 1000;
    const cancelled = job.cancelledAtMs !== undefined && job.cancelledAtMs < plannedEnd;
    const endMs = cancelled ? (job.cancelledAtMs ?? plannedEnd) : plannedEnd;
    if (nowMs >= endMs) {
      return { jobStatus: "completed", jobResult: cancelled ? "cancelled" : job.outcome, endMs };
    }
    const running = nowMs >= job.startMs + job.queueSeconds * 1000;
    return { jobStatus: running ? "running" : "notStarted", jobResult: "pending", endMs };
  }

  /** A submission moves with its job; a succeeded one stays running `submissionLagSeconds` longer. */
  submissionState(
    submission: SubmissionRecord,
  ): Required<Pick<IngestionSubmissionView, "status" | "result">> {
    const now = this.clock.nowMs();
    const job = this.jobState(submission.job, now);
    if (job.jobStatus !== "completed") return { status: job.jobStatus, result: "pending" };
    if (job.jobResult !== "succeeded") return { status: "completed", result: "failed" };
    const lagMs = (submission.job.product.seed.submissionLagSeconds ?? 0) * 1000;
    return now >= job.endMs + lagMs
      ? { status: "completed", result: "succeeded" }
      : { status: "running", result: "pending" };
  }

  succeeded(submission: SubmissionRecord): boolean {
    return this.submissionState(submission).result === "succeeded";
  }

  /** Any job not completed, or any submission still moving: the one-in-flight rule. */
  inFlight(product: ProductRecord): SubmissionRecord | JobRecord | undefined {
    return (
      product.submissions.find((submission) => this.submissionState(submission).status !== "completed") ??
      product.jobs.find((job) => this.jobState(job).jobStatus !== "completed")
    );
  }

  /**
   * The entries `GET submission` lists for a target: the newest, and the newest succeeded one if that is
   * another (so during a go-live the old live entry, completed, and the new one, running, coexist).
   */
  listed(product: ProductRecord, target: "preview" | "live"): SubmissionRecord[] {
    const wentLive = (submission: SubmissionRecord) =>
      product.submissions.some(
        (s) => s.target === "live" && s.number === submission.number && this.succeeded(s),
      );
    const entries = product.submissions.filter(
      (submission) =>
        submission.target === target &&
        !(target === "preview" && product.seed.previewListedOnceLive === false && wentLive(submission)),
    );
    const newest = entries.at(-1);
    if (!newest) return [];
    const current = entries.filter((submission) => this.succeeded(submission)).at(-1);
    return current && current !== newest ? [current, newest] : [newest];
  }

  /** The newest succeeded submission of a target: what the resource tree of that target shows. */
  current(product: ProductRecord, target: "preview" | "live"): SubmissionRecord | undefined {
    return product.submissions.filter((s) => s.target === target && this.succeeded(s)).at(-1);
  }

  cancel(job: JobRecord): void {
    const state = this.jobState(job);
    if (state.jobStatus === "completed") {
      throw new SimError(400, "badRequest", "Cannot cancel job, job has already completed.");
    }
    const refuseAfter = job.product.seed.cancelRefusedAfterSeconds;
    const ranSeconds = (this.clock.nowMs() - job.startMs) / 1000 - job.queueSeconds;
    if (refuseAfter !== undefined && ranSeconds >= refuseAfter) {
      throw new SimError(400, "badRequest", "Cannot cancel job, job is too far along to be cancelled.");
    }
    job.cancelledAtMs = this.clock.nowMs();
  }

  view(product: ProductRecord, configurePosts: number): IngestionProductView {
    const running = product.jobs.find((job) => this.jobState(job).jobStatus !== "completed");
    return {
      id: productId(product),
      externalId: product.externalId,
      plans: product.plans.map((plan) => ({
        id: `plan/${product.guid}/${plan.guid}`,
        externalId: plan.externalId,
      })),
      submissions: [
        { id: submissionId(product, "0"), target: "draft" },
        ...(["preview", "live"] as const).flatMap((target) =>
          this.listed(product, target).map((submission) => ({
            id: submissionId(product, submission.number),
            target,
            ...this.submissionState(submission),
          })),
        ),
      ],
      jobs: product.jobs.map((job) => job.jobId),
      runningJobId: running?.jobId,
      configurePosts,
    };
  }
}
