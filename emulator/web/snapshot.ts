/**
 * The page's view of the emulator: offers (CPP) and products (Product Ingestion) with their plans and
 * submissions, every operation (CPP operations and ingestion configure jobs) with its steps laid out in time,
 * and the request log with tokens redacted. Served as `GET /_emulator/v1/state` and pushed by
 * `GET /_emulator/v1/events`.
 */
import { plansById, versionsOf } from "../images";
import { DEFAULT_INGESTION_VERSION } from "../ingestion/api";
import { type IngestionStore, isTechConfig, type JobRecord, type ProductRecord } from "../ingestion/store";
import { INGESTION_PREFIX } from "../ingestion/types";
import {
  DEFAULT_GO_LIVE_STEPS,
  DEFAULT_PUBLISH_STEPS,
  evaluate,
  type OperationRecord,
  SUBMISSION_TYPES,
} from "../operations";
import type { OfferRecord, SimStore } from "../store";
import type { CanonicalStatus, RequestLogEntry } from "../types";

/** Newest request-log entries the snapshot carries (the whole log stays at `GET .../requests`). */
export const REQUEST_LOG_LIMIT = 150;

export interface StepView {
  id: string;
  name: string;
  /** As the operation GET shows it: notStarted, inProgress, complete, blocked, canceled, waitingForPublisherReview. */
  status: string;
  progress: number;
  /** Simulated ISO times; `end` is the planned end for steps not yet done. */
  start: string;
  end: string;
  messages: string[];
}

export interface OperationView {
  api: "cpp" | "ingestion";
  /** The operation id (CPP: GUID or `$` id) or the configure job id. */
  id: string;
  /** golive, publish, cancel (CPP); preview, live, draft (ingestion jobs). */
  kind: string;
  /** A label: "Go-live", "Publish", "Cancel", "Preview", "Go-live (ingestion)", "Configure". */
  label: string;
  publisherId: string;
  offerId: string;
  offerVersion?: number;
  status: CanonicalStatus;
  currentStep?: string;
  /** 0..100 over the whole operation, by time. */
  progress: number;
  createdAt: string;
  /** Simulated ISO time of the end (the planned end while running). */
  endsAt: string;
  ended: boolean;
  ageSeconds: number;
  steps: StepView[];
  error?: string;
  /** Path of the API's GET for it (no host). */
  apiPath: string;
}

export interface PlanView {
  planId: string;
  title?: string;
  imageVersions: string[];
}

export interface SubmissionSlot {
  /** Offer version (CPP) or submission id (ingestion); absent while the slot has never been filled. */
  version?: number;
  id?: string;
  status?: string;
}

export interface OfferSnapshot {
  api: "cpp" | "ingestion";
  publisherId: string;
  offerId: string;
  title?: string;
  /** CPP: neverPublished | published | signedOff | live; ingestion: the seeded or reached state. */
  state: string;
  status: string;
  plans: PlanView[];
  submissions: { draft: SubmissionSlot; preview: SubmissionSlot; live: SubmissionSlot };
  refuseGoLive: boolean | string;
  /** Failures queued for the next operations (control `fail-next`), in words. */
  pendingFailures: string[];
  runningOperationId?: string;
  operationIds: string[];
}

export interface RequestView {
  at: string;
  method: string;
  path: string;
  status: number;
  kind: string;
  publisherId?: string;
  offerId?: string;
  fault?: string;
  processed: boolean;
  headers: Record<string, string>;
}

export interface StateSnapshot {
  /** Simulated now. */
  now: string;
  realNow: string;
  auth: boolean;
  /** Where the control API lives, for the page's buttons. */
  controlBase: string;
  offers: OfferSnapshot[];
  operations: OperationView[];
  requests: { total: number; shown: number; goLivePosts: number; entries: RequestView[] };
}

export interface SnapshotSource {
  cpp: SimStore;
  ingestion: IngestionStore;
  requests: RequestLogEntry[];
  auth: boolean;
  controlBase: string;
}

const iso = (ms: number) => new Date(ms).toISOString();
const REDACTED = "<redacted>";
const SECRET_HEADERS = new Set(["authorization", "proxy-authorization", "cookie", "x-ms-token"]);

/** `?token=...`, `access_token=...`, `sig=...` in a logged path become `<redacted>`. */
export function redactPath(path: string): string {
  return path.replace(/([?&](?:token|access_token|code|sig|client_secret)=)[^&#]*/gi, `$1${REDACTED}`);
}

/** Headers as logged, secrets replaced: `Authorization: Bearer <redacted>`. */
export function redactHeaders(headers: RequestLogEntry["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(", ") : value;
    if (!SECRET_HEADERS.has(name.toLowerCase())) out[name] = text;
    else out[name] = /^bearer\s/i.test(text) ? `Bearer ${REDACTED}` : REDACTED;
  }
  return out;
}

function stepStarts(durations: number[]): number[] {
  let t = 0;
  return durations.map((d) => {
    const start = t;
    t += d;
    return start;
  });
}

function cppOperation(op: OperationRecord, nowMs: number): OperationView {
  const evaluation = evaluate(op, nowMs);
  const ended = evaluation.status !== "running";
  const durations = op.steps.map((step) => step.durationSeconds);
  const starts = stepStarts(durations);
  const plannedEnd = op.startMs + op.timeline.endAt * 1000;
  const endMs = ended ? evaluation.lastActionMs : Math.max(plannedEnd, nowMs);
  const steps = evaluation.steps.map((step, i): StepView => {
    const start = op.startMs + (starts[i] ?? 0) * 1000;
    const plannedStepEnd = start + (durations[i] ?? 0) * 1000;
    const end = ended && step.status !== "notStarted" ? Math.min(plannedStepEnd, endMs) : plannedStepEnd;
    return {
      id: step.id,
      name: step.stepName,
      status: step.status,
      progress: step.progressPercentage,
      start: iso(start),
      end: iso(Math.max(start, end)),
      messages: step.messages.map((m) => m.messageHtml),
    };
  });
  const current =
    evaluation.steps.find((s) => s.status !== "complete" && s.status !== "notStarted") ??
    evaluation.steps.filter((s) => s.status === "complete").at(-1);
  const total = Math.max(1, plannedEnd - op.startMs);
  const progress =
    ended && evaluation.status === "succeeded"
      ? 100
      : Math.max(
          0,
          Math.min(ended ? 100 : 99, Math.floor(((Math.min(nowMs, endMs) - op.startMs) / total) * 100)),
        );
  const path = `/api/publishers/${encodeURIComponent(op.publisherId)}/offers/${encodeURIComponent(op.offerId)}/operations/${encodeURIComponent(op.publicId)}`;
  return {
    api: "cpp",
    id: op.publicId,
    kind: op.kind,
    label: SUBMISSION_TYPES[op.kind].replace("GoLive", "Go-live"),
    publisherId: op.publisherId,
    offerId: op.offerId,
    offerVersion: op.offerVersion,
    status: evaluation.status,
    currentStep: current?.stepName,
    progress,
    createdAt: iso(op.startMs),
    endsAt: iso(endMs),
    ended,
    ageSeconds: Math.max(0, Math.round((nowMs - op.startMs) / 1000)),
    steps,
    ...(evaluation.status === "failed"
      ? { error: evaluation.errorMessages.join(" ") || "The operation failed." }
      : {}),
    apiPath: `${path}?api-version=2017-10-31`,
  };
}

const JOB_LABELS: Record<JobRecord["target"], [string, string]> = {
  preview: ["Preview", "Publishing to preview"],
  live: ["Go-live", "Going live"],
  draft: ["Configure", "Applying to the draft"],
};

function jobMessages(errors: JobRecord["errors"]): string[] {
  return errors.flatMap((error) => [error.message, ...jobMessages(error.details ?? [])]);
}

function ingestionJob(store: IngestionStore, job: JobRecord, nowMs: number): OperationView {
  const state = store.jobState(job, nowMs);
  const ended = state.jobStatus === "completed";
  const status: CanonicalStatus = !ended
    ? "running"
    : state.jobResult === "succeeded"
      ? "succeeded"
      : state.jobResult === "cancelled"
        ? "canceled"
        : "failed";
  const queueEnd = job.startMs + job.queueSeconds * 1000;
  const plannedEnd = queueEnd + job.runSeconds * 1000;
  const endMs = ended ? state.endMs : Math.max(plannedEnd, nowMs);
  const [label, runName] = JOB_LABELS[job.target];
  const queued = nowMs < queueEnd && !ended;
  const errors = status === "failed" ? jobMessages(job.errors) : [];
  const runStatus = !ended
    ? queued
      ? "notStarted"
      : "inProgress"
    : state.endMs < queueEnd
      ? "notStarted"
      : status === "succeeded"
        ? "complete"
        : status === "canceled"
          ? "canceled"
          : "blocked";
  const pct = (from: number, to: number) =>
    to <= from ? 100 : Math.max(0, Math.min(99, Math.floor(((nowMs - from) / (to - from)) * 100)));
  const steps: StepView[] = [
    {
      id: "queued",
      name: "Queued",
      status: queued ? "inProgress" : ended && state.endMs < queueEnd ? runStatus : "complete",
      progress: queued ? pct(job.startMs, queueEnd) : 100,
      start: iso(job.startMs),
      end: iso(ended ? Math.min(queueEnd, endMs) : queueEnd),
      messages: [],
    },
    {
      id: job.target,
      name: runName,
      status: runStatus,
      progress: runStatus === "complete" ? 100 : runStatus === "inProgress" ? pct(queueEnd, plannedEnd) : 0,
      start: iso(Math.min(queueEnd, endMs)),
      end: iso(ended ? endMs : plannedEnd),
      messages: runStatus === "blocked" ? errors : [],
    },
  ];
  const total = Math.max(1, plannedEnd - job.startMs);
  return {
    api: "ingestion",
    id: job.jobId,
    kind: job.target,
    label,
    publisherId: "ingestion",
    offerId: job.product.externalId,
    status,
    currentStep: (steps.find((s) => s.status !== "complete") ?? steps.at(-1))?.name,
    progress:
      status === "succeeded"
        ? 100
        : Math.max(0, Math.min(99, Math.floor(((Math.min(nowMs, endMs) - job.startMs) / total) * 100))),
    createdAt: iso(job.startMs),
    endsAt: iso(endMs),
    ended,
    ageSeconds: Math.max(0, Math.round((nowMs - job.startMs) / 1000)),
    steps,
    ...(status === "failed" ? { error: errors.join(" ") || "The job failed." } : {}),
    apiPath: `${INGESTION_PREFIX}/configure/${encodeURIComponent(job.jobId)}/status?api-version=${DEFAULT_INGESTION_VERSION}`,
  };
}

const stepNames = new Map(
  [...DEFAULT_GO_LIVE_STEPS, ...DEFAULT_PUBLISH_STEPS].map((step) => [step.id, step.stepName]),
);

function cppOffer(store: SimStore, offer: OfferRecord): OfferSnapshot {
  const view = store.view(offer);
  const definition = offer.definition;
  const plans = [...plansById(definition)].map(([planId, plan]): PlanView => {
    const title = plan["microsoft-azure-virtualmachines.skuTitle"] ?? plan["microsoft-azure-corevm.skuTitle"];
    return {
      planId,
      ...(typeof title === "string" ? { title } : {}),
      imageVersions: [...versionsOf(plan).keys()],
    };
  });
  const offerTitle = (definition.offer as Record<string, unknown> | undefined)?.[
    "microsoft-azure-marketplace.title"
  ];
  const slot = (name: "preview" | "production"): SubmissionSlot => {
    const version = store.slotVersion(offer, name);
    return version === undefined ? {} : { version };
  };
  return {
    api: "cpp",
    publisherId: offer.publisherId,
    offerId: offer.offerId,
    ...(typeof offerTitle === "string" ? { title: offerTitle } : {}),
    state: view.state,
    status: view.status,
    plans,
    submissions: {
      draft: { version: offer.offerVersion },
      preview: slot("preview"),
      live: slot("production"),
    },
    refuseGoLive: offer.seed.refuseGoLive || store.settings.refuseGoLive || false,
    pendingFailures: (offer.failNext ?? []).map(
      (failure) =>
        `the next ${failure.kind ?? "publish or go-live"} fails at ${offer.seed.goLive?.steps?.find((s) => s.id === failure.stepId)?.stepName ?? stepNames.get(failure.stepId) ?? failure.stepId}`,
    ),
    ...(view.runningOperationId ? { runningOperationId: view.runningOperationId } : {}),
    operationIds: view.operations,
  };
}

function ingestionProduct(
  store: IngestionStore,
  product: ProductRecord,
  refuseAll: boolean | string | undefined,
): OfferSnapshot {
  const view = store.view(product, 0);
  const plans = product.plans.map((plan): PlanView => {
    const config = product.draft.find(
      (r) => isTechConfig(r) && r.plan === `plan/${product.guid}/${plan.guid}`,
    );
    const versions = Array.isArray(config?.vmImageVersions) ? config.vmImageVersions : [];
    return {
      planId: plan.externalId,
      ...(plan.alias !== plan.externalId ? { title: plan.alias } : {}),
      imageVersions: versions.map((v) => String((v as Record<string, unknown>)?.versionNumber ?? "?")),
    };
  });
  const slot = (target: "preview" | "live"): SubmissionSlot => {
    const entry = view.submissions.filter((s) => s.target === target).at(-1);
    if (!entry) return {};
    return { id: entry.id, status: entry.result === "pending" ? String(entry.status) : String(entry.result) };
  };
  const live = store.current(product, "live");
  const preview = store.current(product, "preview");
  return {
    api: "ingestion",
    publisherId: "ingestion",
    offerId: product.externalId,
    ...(product.alias !== product.externalId ? { title: product.alias } : {}),
    state: live ? "live" : preview ? "previewReady" : "neverPublished",
    status: view.runningJobId ? "running" : live ? "live" : preview ? "previewReady" : "draft",
    plans,
    submissions: { draft: { id: view.submissions[0]?.id }, preview: slot("preview"), live: slot("live") },
    refuseGoLive: product.seed.refuseGoLive || refuseAll || false,
    pendingFailures: product.failNext.map((failure) => `the next ${failure.target ?? "preview"} fails`),
    ...(view.runningJobId ? { runningOperationId: view.runningJobId } : {}),
    operationIds: view.jobs,
  };
}

function requestView(entry: RequestLogEntry): RequestView {
  return {
    at: iso(entry.at),
    method: entry.method,
    path: redactPath(entry.path),
    status: entry.status,
    kind: entry.kind,
    ...(entry.publisherId ? { publisherId: entry.publisherId } : {}),
    ...(entry.offerId ? { offerId: entry.offerId } : {}),
    ...(entry.fault ? { fault: entry.fault } : {}),
    processed: entry.processed,
    headers: redactHeaders(entry.headers),
  };
}

/** The whole picture at this instant. Running operations first, then the newest. */
export function buildSnapshot(source: SnapshotSource): StateSnapshot {
  const nowMs = source.cpp.clock.nowMs();
  const offers = source.cpp.allOffers();
  const products = source.ingestion.all();
  const operations = [
    ...offers.flatMap((offer) => offer.operations.map((op) => cppOperation(op, nowMs))),
    ...products.flatMap((product) => product.jobs.map((job) => ingestionJob(source.ingestion, job, nowMs))),
  ].sort((a, b) => Number(a.ended) - Number(b.ended) || b.createdAt.localeCompare(a.createdAt));
  const entries = source.requests.slice(-REQUEST_LOG_LIMIT).reverse().map(requestView);
  return {
    now: iso(nowMs),
    realNow: iso(Date.now()),
    auth: source.auth,
    controlBase: source.controlBase,
    offers: [
      ...offers.map((offer) => cppOffer(source.cpp, offer)),
      ...products.map((product) =>
        ingestionProduct(source.ingestion, product, source.cpp.settings.refuseGoLive),
      ),
    ],
    operations,
    requests: {
      total: source.requests.length,
      shown: entries.length,
      goLivePosts: source.requests.filter(
        (entry) =>
          entry.method === "POST" &&
          entry.processed &&
          (entry.kind === "golive" || (entry.kind === "configure" && entry.configures === "live")),
      ).length,
      entries,
    },
  };
}

/** What decides whether a push is needed: the snapshot without the clocks and ages, which move every tick. */
export function signature(snapshot: StateSnapshot): string {
  return JSON.stringify(snapshot, (key, value) =>
    key === "now" || key === "realNow" || key === "ageSeconds" ? undefined : value,
  );
}
