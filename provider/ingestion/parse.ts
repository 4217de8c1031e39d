/**
 * What the Product Ingestion API answers, parsed into typed values and judged once: configure jobs
 * (`configure-status`), submissions, and job errors. Pure functions, no I/O; tolerant where the facts are
 * (both `jobId` and `jobID`, any capitalization of statuses, `code` of any JSON type) and strict where a wrong
 * guess could send a second configure: an answer that cannot be understood is `undefined` / a protocol error.
 */

import type { OperationStatus } from "../core/status";

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** One error of a configure job; `details` nest the same shape. */
export interface JobError {
  code: string;
  message: string;
  resourceId?: string;
  details: JobError[];
}

export interface ConfigureStatus {
  jobId: string;
  /** `notStarted`, `running`, `completed` as sent. */
  jobStatus: string;
  /** `pending`, `succeeded`, `failed`, `cancelled` as sent. */
  jobResult: string;
  jobStart?: string;
  /** Absent while the job runs (`0001-01-01T00:00:00`). */
  jobEnd?: string;
  errors: JobError[];
}

export type Target = "draft" | "preview" | "live";

export interface IngestionSubmission {
  /** `submission/<productGuid>/<n>`. */
  id: string;
  target: Target;
  /** `notStarted`, `running`, `completed` as sent; absent on the draft entry. */
  status?: string;
  /** `pending`, `succeeded`, `failed` as sent. */
  result?: string;
  created?: string;
}

const key = (raw: string | undefined) => (raw ?? "").toLowerCase().replace(/[\s_-]+/g, "");

function parseJobError(value: unknown): JobError | undefined {
  if (!isObject(value))
    return typeof value === "string" && value ? { code: "", message: value, details: [] } : undefined;
  // One client types `code` as any JSON value.
  const code =
    value.code === undefined || value.code === null
      ? ""
      : typeof value.code === "string"
        ? value.code
        : JSON.stringify(value.code);
  const details = Array.isArray(value.details)
    ? value.details.map(parseJobError).filter((e) => e !== undefined)
    : [];
  const message = str(value.message) ?? (details.length ? "" : code);
  return { code, message, ...(str(value.resourceId) ? { resourceId: str(value.resourceId) } : {}), details };
}

/** A configure-status body, or undefined when it has no job id (not a job). */
export function parseConfigureStatus(body: unknown): ConfigureStatus | undefined {
  if (!isObject(body)) return undefined;
  const jobId = str(body.jobId) ?? str(body.jobID) ?? str(body.JobId);
  if (!jobId) return undefined;
  const jobEnd = str(body.jobEnd);
  return {
    jobId,
    jobStatus: str(body.jobStatus) ?? "",
    jobResult: str(body.jobResult) ?? "",
    ...(str(body.jobStart) ? { jobStart: str(body.jobStart) } : {}),
    ...(jobEnd && !jobEnd.startsWith("0001-") ? { jobEnd } : {}),
    errors: Array.isArray(body.errors) ? body.errors.map(parseJobError).filter((e) => e !== undefined) : [],
  };
}

/** Where a job stands. `recognized` is false for spellings this client does not know (treated as running). */
export function jobState(job: Pick<ConfigureStatus, "jobStatus" | "jobResult">): {
  status: OperationStatus;
  recognized: boolean;
} {
  const status = key(job.jobStatus);
  if (status === "notstarted" || status === "running") return { status: "running", recognized: true };
  if (status !== "completed") return { status: "running", recognized: false };
  switch (key(job.jobResult)) {
    case "succeeded":
      return { status: "succeeded", recognized: true };
    case "failed":
      return { status: "failed", recognized: true };
    case "cancelled":
    case "canceled":
      return { status: "canceled", recognized: true };
    default:
      // "completed" with a result this client does not know: not a success it may build on.
      return { status: "running", recognized: false };
  }
}

/** The job's raw status as one word pair for outputs: `running/pending`, `completed/succeeded`. */
export function rawJobStatus(job: Pick<ConfigureStatus, "jobStatus" | "jobResult">): string {
  return [job.jobStatus || "unknown", job.jobResult].filter(Boolean).join("/");
}

/**
 * Every job error as one line, nested `details` flattened in order. A nested `invalidState` that mentions
 * certification is named as the certification failure it is (cloudpub's rule).
 */
export function flattenJobErrors(errors: JobError[]): string[] {
  const out: string[] = [];
  const visit = (error: JobError) => {
    if (error.message) {
      const certification = key(error.code) === "invalidstate" && /certification/i.test(error.message);
      const label = certification ? "Certification failure" : error.code || "error";
      const resource = error.resourceId ? ` (${error.resourceId})` : "";
      out.push(`${label}: ${error.message}${resource}`);
    }
    for (const detail of error.details) visit(detail);
  };
  for (const error of errors) visit(error);
  return [...new Set(out)];
}

/** True when a configure was refused because another submission runs, or the preview is not the newest. */
export function conflictKind(message: string | undefined): "inProgress" | "notLatest" | undefined {
  if (!message) return undefined;
  if (/in progress submission already exists/i.test(message)) return "inProgress";
  if (/not the latest/i.test(message)) return "notLatest";
  return undefined;
}

/** Submission states this client can judge; undefined = an answer it does not understand. */
export type SubmissionState = "draft" | "inFlight" | "succeeded" | "failed";

export function submissionState(submission: IngestionSubmission): SubmissionState | undefined {
  if (submission.target === "draft") return "draft";
  const status = key(submission.status);
  if (status === "notstarted" || status === "running") return "inFlight";
  if (status !== "completed") return undefined;
  const result = key(submission.result);
  if (result === "succeeded") return "succeeded";
  if (result === "failed" || result === "cancelled" || result === "canceled") return "failed";
  // Completed but still pending (or unknown): not safe to call it done, nor to start another.
  return result === "pending" ? "inFlight" : undefined;
}

function parseSubmission(value: unknown): IngestionSubmission | undefined {
  if (!isObject(value)) return undefined;
  const id = str(value.id);
  const target = key(isObject(value.target) ? str(value.target.targetType) : str(value.targetType));
  if (!id || (target !== "draft" && target !== "preview" && target !== "live")) return undefined;
  return {
    id,
    target,
    ...(str(value.status) ? { status: str(value.status) } : {}),
    ...(str(value.result) ? { result: str(value.result) } : {}),
    ...(str(value.created) ? { created: str(value.created) } : {}),
  };
}

/**
 * The entries of `GET submission/<guid>`, newest first per `created` (then by number). Undefined when the body
 * is not such a list or an entry cannot be read: callers fail closed rather than decide on half an answer.
 */
export function parseSubmissions(body: unknown): IngestionSubmission[] | undefined {
  const items = isObject(body) ? body.value : undefined;
  if (!Array.isArray(items)) return undefined;
  const parsed = items.map(parseSubmission);
  if (parsed.some((s) => s === undefined)) return undefined;
  return sortNewestFirst(parsed as IngestionSubmission[]);
}

function submissionNumber(id: string): bigint {
  const match = /\/(\d+)$/.exec(id);
  return match?.[1] ? BigInt(match[1]) : 0n;
}

export function sortNewestFirst(submissions: IngestionSubmission[]): IngestionSubmission[] {
  return [...submissions].sort((a, b) => {
    const at = Date.parse(a.created ?? "");
    const bt = Date.parse(b.created ?? "");
    if (!Number.isNaN(at) && !Number.isNaN(bt) && at !== bt) return bt - at;
    const an = submissionNumber(a.id);
    const bn = submissionNumber(b.id);
    return an === bn ? 0 : an > bn ? -1 : 1;
  });
}

/**
 * The durable product id of `GET product?externalId=<offerId>`: the entry whose `identity.externalId` (the docs
 * also write `externalID`) is the offer id, never just `value[0]`, so a list that ignored the filter (or an
 * unfiltered `GET product`, as cloudpub reads it) cannot pick another offer. `productId` undefined = not found;
 * `listed` names the external ids the list held instead. Not understood: not a list, or the matching entry's id
 * is not `product/<guid>`.
 */
export function parseProductLookup(
  body: unknown,
  offerId: string,
): { productId?: string; understood: boolean; listed?: string[] } {
  const items = isObject(body) ? body.value : undefined;
  if (!Array.isArray(items)) return { understood: false };
  const externalIdOf = (item: unknown) => {
    const identity = isObject(item) && isObject(item.identity) ? item.identity : undefined;
    return str(identity?.externalId) ?? str(identity?.externalID);
  };
  const match = items.find((item) => externalIdOf(item) === offerId);
  if (match === undefined) {
    const listed = items.map(externalIdOf).filter((id) => id !== undefined);
    return { understood: true, ...(items.length > 0 ? { listed } : {}) };
  }
  const id = isObject(match) ? str(match.id) : undefined;
  if (!id || !/^product\/[0-9A-Za-z-]+$/.test(id)) return { understood: false };
  return { productId: id, understood: true };
}

/** The GUID of `product/<guid>` (or of `submission/<guid>/<n>`). */
export function productGuid(durableId: string): string {
  return durableId.split("/")[1] ?? "";
}
