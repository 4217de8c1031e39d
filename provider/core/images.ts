/**
 * The seam for VM image versions of a plan, shared by both APIs: version numbers, SAS URI checks and redaction,
 * and `PlanImageBackend`, which each API implements with its own image shape (`cpp/images.ts`: an OS VHD and data
 * disks per version; `ingestion/images.ts`: one or two images per version, each a SAS URI set or a gallery image
 * version). Nothing here sends
 * a request. SAS URIs are credentials: messages show the blob path only, never the query (`sig=`).
 */

import type { ApiName } from "./backend";
import { redactSecrets } from "./errors";

/** `X.Y.Z`, integers, each part at most 10 digits (12 are rejected by the ingestion API, 10 accepted). */
export const MAX_VERSION_PART_DIGITS = 10;

/** What is wrong with a version number, or undefined. */
export function versionProblem(value: unknown): string | undefined {
  if (value === undefined || value === null || value === "") return "is required (X.Y.Z, e.g. 1.0.0)";
  if (typeof value !== "string") return `must be a string X.Y.Z, got ${typeof value}`;
  const parts = value.split(".");
  if (parts.length !== 3 || parts.some((p) => !/^[0-9]+$/.test(p)))
    return `must be three whole numbers X.Y.Z (e.g. 1.0.0), got "${value.slice(0, 40)}"`;
  const long = parts.find((p) => p.length > MAX_VERSION_PART_DIGITS);
  if (long) return `parts must have at most ${MAX_VERSION_PART_DIGITS} digits, "${long}" has ${long.length}`;
  return undefined;
}

/** Numeric order of X.Y.Z versions (leading zeros ignored); negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map((p) => BigInt(p));
  const pb = b.split(".").map((p) => BigInt(p));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0n;
    const y = pb[i] ?? 0n;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** The highest of some versions (the ones that are valid X.Y.Z), or undefined. */
export function highestVersion(versions: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const v of versions) {
    if (versionProblem(v)) continue;
    if (best === undefined || compareVersions(v, best) > 0) best = v;
  }
  return best;
}

/**
 * How far ahead a SAS URI's expiry must be when it is written: the docs ask for at least three weeks
 * (certification may copy the VHD days after the submission).
 */
export const SAS_MIN_VALIDITY_DAYS = 21;
const DAY_MS = 86_400_000;

/** A URL as messages may show it: scheme, host and path; the query (the SAS signature) is never shown. */
export function blobPath(url: unknown): string {
  if (typeof url !== "string") return "<not a string>";
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    // Not a URL: still never echo whatever follows a '?'.
    return `${url.split("?")[0]?.slice(0, 120)} (not a URL)`;
  }
}

/** SAS signatures removed from any text: the one rule of the error hierarchy (`redactSecrets` in errors.ts). */
export const redactSas: (text: string) => string = redactSecrets;

/**
 * The part of a SAS URI that names the image: the URL with its time and signature parameters (`st`, `se`, `sv`,
 * `sig`) removed and the rest sorted. Two URIs with the same identity point at the same blob with the same rights;
 * a re-generated SAS is the same image.
 */
export function sasIdentity(url: string): string {
  try {
    const u = new URL(url);
    const kept = [...u.searchParams.entries()]
      .filter(([k]) => !["st", "se", "sv", "sig"].includes(k.toLowerCase()))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const query = new URLSearchParams(kept).toString();
    return `${u.protocol}//${u.host.toLowerCase()}${u.pathname}${query ? `?${query}` : ""}`;
  } catch {
    return url;
  }
}

/**
 * Checks a SAS URI against the documented rules before anything is written: https, a signature, read (and list)
 * permission only, an expiry at least `SAS_MIN_VALIDITY_DAYS` ahead, a start not in the future, a `.vhd` blob.
 * Each problem names the property and the blob path, never the signature.
 */
export function sasProblems(property: string, url: unknown, nowMs: number): string[] {
  if (typeof url !== "string" || url === "")
    return [
      `${property} is required: a SAS URI of the VHD (https://<account>.blob.core.windows.net/...?...&sig=...).`,
    ];
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return [`${property} is not a URL (${blobPath(url)}).`];
  }
  const where = `${property} (${blobPath(url)})`;
  const problems: string[] = [];
  if (u.protocol !== "https:") problems.push(`${where} must use https.`);
  if (!/\.vhd$/i.test(u.pathname)) problems.push(`${where} must point at a .vhd blob.`);
  const q = u.searchParams;
  if (!q.get("sig"))
    problems.push(`${where} has no SAS signature (sig): generate a SAS URI with read and list permissions.`);
  const sp = q.get("sp") ?? "";
  if (!sp.includes("r") || /[^rl]/.test(sp))
    problems.push(
      `${where} must grant read and list only (sp=rl), got sp=${sp || "(none)"}: the Marketplace only needs to copy the VHD.`,
    );
  const se = Date.parse(q.get("se") ?? "");
  if (Number.isNaN(se)) {
    problems.push(`${where} has no readable expiry (se, a full date-time such as 2027-01-31T00:00:00Z).`);
  } else if (se - nowMs < SAS_MIN_VALIDITY_DAYS * DAY_MS) {
    const days = Math.floor((se - nowMs) / DAY_MS);
    problems.push(
      `${where} expires ${days < 0 ? "in the past" : `in ${days} day(s)`}; it must be valid for at least ${SAS_MIN_VALIDITY_DAYS} days (certification copies the VHD later): generate a new SAS URI.`,
    );
  }
  const st = q.get("st");
  if (st !== null) {
    const start = Date.parse(st);
    if (Number.isNaN(start)) problems.push(`${where} has an unreadable start time (st).`);
    else if (start > nowMs)
      problems.push(
        `${where} starts in the future (st); start it a day back so it is valid when the copy begins.`,
      );
  }
  return problems;
}

/** A data disk of an image: its LUN and the SAS URI of its VHD. */
export interface DataDisk {
  lun: number;
  uri: string;
}

/** Where a version stands, as last read: only in the draft, also in preview, or live. */
export type ImageVersionState = "draft" | "preview" | "live";

/** Which published slots carry a version. */
export interface PublishedState {
  preview: boolean;
  live: boolean;
}

export function stateOf(inDraft: boolean, published: PublishedState): ImageVersionState | "absent" {
  if (published.live) return "live";
  if (published.preview) return "preview";
  return inDraft ? "draft" : "absent";
}

/** One plan's image versions as read from the draft, with what a write must present to be accepted. */
export interface PlanVersionsRead<Image> {
  /** The ids of the plan (or generation sub-plan) the version goes into, then of the other targets. */
  planIds: string[];
  /** Every version of the plan, as stored (absent ones are not keys). */
  versions: Map<string, Image>;
  /**
   * Versions whose entry is there but marked removed (ingestion `lifecycleState: "deleted"`): not in `versions`;
   * writing one makes it an active version again.
   */
  markedDeleted?: string[];
  /**
   * The concurrency token the next write carries: CPP the offer's ETag; ingestion a fingerprint of the
   * technical configuration (re-read and compared before writing).
   */
  token: string;
}

/** What a write did. */
export interface ImageWriteResult {
  /** False when the draft already held the desired state (nothing was sent). */
  written: boolean;
  /** Write attempts refused because the offer changed in between (re-read and re-applied). */
  conflicts: number;
  /** True when an answer was lost and a re-read showed the write had been applied. */
  recovered: boolean;
}

export interface PutVersionRequest<Image> {
  planId: string;
  version: string;
  image: Image;
  /** The version's image as the caller last saw it (undefined: absent). A different one in the draft is a concurrent edit. */
  expected: Image | undefined;
  /** The token of the caller's read. */
  token: string;
  signal?: AbortSignal;
}

/** Reasons the Product Ingestion API takes for a deprecation (`deprecationSchedule.reason`). */
export const DEPRECATION_REASONS = ["criticalSecurityIssue", "endOfSupport", "other"] as const;
export type DeprecationReason = (typeof DEPRECATION_REASONS)[number];

/**
 * How a published version is retired where the API takes a schedule (ingestion `deprecationSchedule`): after
 * `dateOffset` (an ISO 8601 duration such as `P30D`), for `reason`, optionally pointing at an `alternative`
 * (passed through as given; its shape is unconfirmed).
 */
export interface Deprecation {
  dateOffset: string;
  reason: DeprecationReason;
  alternative?: Record<string, unknown>;
}

/** ISO 8601 durations the schedule takes: `P30D`, `P1M`, `P2W`, `PT12H`, `P1Y2M`. */
export function durationProblem(value: unknown): string | undefined {
  if (typeof value !== "string") return "must be an ISO 8601 duration such as P30D";
  return /^P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/.test(value)
    ? undefined
    : `must be an ISO 8601 duration such as P30D, got ${JSON.stringify(value).slice(0, 40)}`;
}

export interface RemoveVersionRequest<Image> {
  planId: string;
  version: string;
  /**
   * `remove` deletes the version from the draft; `deprecate` retires it the way the API offers (CPP core VM:
   * hidden; ingestion: `lifecycleState: "deprecated"` with `deprecation` as its schedule).
   */
  mode: "remove" | "deprecate";
  /** The schedule of a deprecation; required by APIs that take one (ingestion), ignored by CPP. */
  deprecation?: Deprecation;
  expected: Image | undefined;
  token: string;
  signal?: AbortSignal;
}

/**
 * Image versions of one offer's plans. A write carries the token of the read it was planned on; a concurrent
 * change is re-read and the change re-applied (bounded), and a change to the version itself is reported, never
 * overwritten. A write whose answer was lost is re-read and compared, never blindly re-sent.
 */
export interface PlanImageBackend<Image> {
  readonly api: ApiName;
  /** The offer as messages name it. */
  readonly offer: string;
  /** The plan's versions in the draft. Throws when the plan does not exist. */
  readPlan(planId: string, signal?: AbortSignal): Promise<PlanVersionsRead<Image>>;
  /** Which published slots (preview, live) carry the version. */
  publishedState(planId: string, version: string, signal?: AbortSignal): Promise<PublishedState>;
  /** True when a stored image is the desired one (SAS URIs compared without st/se/sv/sig). */
  sameImage(desired: Image, stored: Image): boolean;
  /** Differences between two images, for messages (blob paths only). */
  describeChange(before: Image | undefined, after: Image | undefined): string[];
  /** Adds the version, or replaces it (only ever called for a version never published). */
  putVersion(request: PutVersionRequest<Image>): Promise<ImageWriteResult>;
  /** Removes or deprecates the version; refuses to leave the plan without an image. */
  removeVersion(request: RemoveVersionRequest<Image>): Promise<ImageWriteResult>;
}
