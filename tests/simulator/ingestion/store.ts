import { randomUUID } from "node:crypto";
import { blobOf, unreadable } from "../images";
import { type SimClock, SimError } from "../store";
import type {
  IngestionProductSeed,
  IngestionProductView,
  IngestionSubmissionView,
  JobError,
  JobFailure,
  Refusal,
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
  /** Portal edits applied right after the next read of the plan's technical configuration, by plan guid. */
  pendingEdits: Array<{ planGuid: string; edit: TechnicalConfigurationEdit }>;
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
    const guid = (seed.guid ?? randomUUID()).toLowerCase();
    const plans = (seed.plans ?? [{ externalId: `${seed.externalId}-plan` }]).map((plan) => ({
      guid: plan.guid ?? randomUUID(),
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
    product.draft = [
      {
        id: productId(product),
        identity: { externalId: product.externalId },
        type: product.type,
        alias: product.alias,
      },
      ...plans.map((plan) => ({
        id: `plan/${guid}/${plan.guid}`,
        product: productId(product),
        identity: { externalId: plan.externalId },
        alias: plan.alias,
        azureRegions: ["azureGlobal"],
      })),
      ...(seed.plans ?? []).flatMap((planSeed, i) => {
        const config = planSeed.technicalConfiguration;
        const plan = plans[i];
        if (!config || !plan) return [];
        const { core, ...rest } = structuredClone(config);
        const type = TECH_CONFIG_TYPES[core ? 1 : 0];
        return [
          {
            id: `${type}/${guid}/${plan.guid}`,
            product: productId(product),
            plan: `plan/${guid}/${plan.guid}`,
            ...rest,
          },
        ];
      }),
    ];
    this.products.set(guid, product);
    this.synthesizeHistory(product);
    return product;
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

  /** Pending portal edits of the technical configurations just read. */
  afterRead(product: ProductRecord, planGuids: string[]): void {
    const due = product.pendingEdits.filter((p) => planGuids.includes(p.planGuid));
    product.pendingEdits = product.pendingEdits.filter((p) => !due.includes(p));
    for (const { planGuid, edit } of due) this.portalEdit(product, planGuid, edit);
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
