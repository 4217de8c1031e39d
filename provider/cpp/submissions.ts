/**
 * The offer's submissions (`GET .../offers/{offerId}/submissions`), read and classified once. Every decision
 * that keeps a publish or a go-live from being sent twice (attach to a running one, adopt a finished one,
 * "was my POST accepted?") and the CLI's `operations` go through `classifySubmission`; nothing else compares
 * raw `submissionType` or `submissionState` strings.
 *
 * Kind: `submissionType` (case-insensitive, separators ignored: `GoLive`, `go-live`, `Publish`, `Cancel`, ...)
 * and `slot` (`production` → go-live; `staging`, `preview` → publish). When both are known the type wins, also
 * when the slot disagrees: the type is the API's explicit statement, while slots are used loosely (the docs'
 * own non-migrated go-live location ends in `$preview`). The slot decides only when the type is missing or
 * not one this client knows.
 *
 * Fail closed: a decision about sending a POST never reads "nothing running" from an answer it does not
 * understand (see `assertDecidable`).
 */

import type { OperationKind, OperationOutcome, OperationSummary } from "../core/backend";
import { type CloudPartnerErrorDetails, ProtocolError } from "../core/errors";
import { isAwaitingSignoff, type OperationSnapshot } from "../core/operation";
import { isWaitingForPublisher, normalizeStatus } from "../core/status";

/** One submission as the API lists it (only the fields this client uses). */
export interface Submission {
  id: string;
  submissionType: string;
  submissionState: string;
  offerId?: string;
  publisherId?: string;
  slot?: string;
  /** `version`, else `publishingVersion`, else `offerVersion`. */
  version?: number;
  changedTime?: string;
}

/** A list answer, read: the submissions understood, and why any other item was not. */
export interface SubmissionList {
  submissions: Submission[];
  /** One sentence per item that is not a submission (not an object, no `id`). */
  problems: string[];
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function key(text: string): string {
  return text.toLowerCase().replace(/[^a-z]/g, "");
}

const TYPES: Record<string, OperationKind | "cancel"> = {
  golive: "golive",
  live: "golive",
  publish: "publish",
  preview: "publish",
  cancel: "cancel",
  cancellation: "cancel",
};

const SLOTS: Record<string, OperationKind> = {
  production: "golive",
  staging: "publish",
  preview: "publish",
};

/**
 * Reads a list answer: an array, or `{ "value": [...] }`. Any other shape is a ProtocolError (never an empty
 * list). Items that are not objects or have no `id` are reported in `problems`, not dropped silently.
 */
export function readSubmissionList(body: unknown, context: CloudPartnerErrorDetails): SubmissionList {
  const items = Array.isArray(body)
    ? body
    : isObject(body) && Array.isArray(body.value)
      ? body.value
      : undefined;
  if (!items) {
    const got = body === null ? "null" : Array.isArray(body) ? "an array" : typeof body;
    throw new ProtocolError(
      `The submissions list of ${offerOf(context)} is not a list (expected an array or {"value": [...]}, got ${got}${isObject(body) ? ` with keys ${JSON.stringify(Object.keys(body).slice(0, 5))}` : ""}). ` +
        "Whether an operation is running cannot be told from it. Check the endpoint and api-version; look at the offer with `pulumi-cloudpartner status`.",
      context,
    );
  }
  const submissions: Submission[] = [];
  const problems: string[] = [];
  for (const [index, item] of items.entries()) {
    const parsed = parseSubmission(item);
    if (parsed) submissions.push(parsed);
    else
      problems.push(
        isObject(item)
          ? `item ${index} has no id`
          : `item ${index} is not an object (${JSON.stringify(item)})`,
      );
  }
  return { submissions, problems };
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function num(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

function parseSubmission(value: unknown): Submission | undefined {
  if (!isObject(value)) return undefined;
  const id = str(value.id) ?? (typeof value.id === "number" ? String(value.id) : undefined);
  if (!id) return undefined;
  const version = num(value.version) ?? num(value.publishingVersion) ?? num(value.offerVersion);
  const slot = str(value.slot);
  const changedTime = str(value.changedTime) ?? str(value.lastActionDateTime);
  return {
    id,
    submissionType: str(value.submissionType) ?? "",
    submissionState: str(value.submissionState) ?? str(value.status) ?? "",
    ...(str(value.offerId) ? { offerId: str(value.offerId) } : {}),
    ...(str(value.publisherId) ? { publisherId: str(value.publisherId) } : {}),
    ...(slot ? { slot } : {}),
    ...(version !== undefined ? { version } : {}),
    ...(changedTime ? { changedTime } : {}),
  };
}

/** The kind a submission is of, from its type and slot (the type wins; see the module comment). */
export function submissionKind(
  submission: Pick<Submission, "submissionType" | "slot">,
): OperationSummary["kind"] {
  const byType = Object.hasOwn(TYPES, key(submission.submissionType))
    ? TYPES[key(submission.submissionType)]
    : undefined;
  if (byType) return byType;
  const slot = key(submission.slot ?? "");
  return (Object.hasOwn(SLOTS, slot) ? SLOTS[slot] : undefined) ?? "unknown";
}

/** Turns a listed submission into the one summary every decision uses. */
export function classifySubmission(submission: Submission): OperationSummary {
  const normalized = normalizeStatus(submission.submissionState);
  const changedAt = Date.parse(submission.changedTime ?? "");
  const outcome: OperationOutcome = !normalized.recognized
    ? "unrecognized"
    : normalized.status !== "running"
      ? normalized.status
      : isWaitingForPublisher(submission.submissionState)
        ? "awaitingSignoff"
        : "inProgress";
  return {
    id: submission.id,
    kind: submissionKind(submission),
    state: normalized.status,
    rawState: submission.submissionState,
    outcome,
    ...(submission.version !== undefined ? { version: submission.version } : {}),
    ...(Number.isNaN(changedAt) ? {} : { changedAt }),
    ...(submission.slot ? { slot: submission.slot } : {}),
    type: submission.submissionType,
  };
}

/** Newest first: by version, then by time of the last change; unknown values sort as oldest. */
export function byNewest(a: OperationSummary, b: OperationSummary): number {
  return compareAge(b, a);
}

/** > 0 when `a` is newer than `b`, 0 when they cannot be told apart. */
function compareAge(a: OperationSummary, b: OperationSummary): number {
  const version = (a.version ?? -Infinity) - (b.version ?? -Infinity);
  if (version !== 0 && !Number.isNaN(version)) return version;
  const time = (a.changedAt ?? -Infinity) - (b.changedAt ?? -Infinity);
  return Number.isNaN(time) ? 0 : time;
}

/**
 * Fails closed before a decision about `kind`: the list must be fully understood where it matters.
 * Not understood means any of:
 * - an item that is not an object or has no `id` (it could be the running operation, and could not be followed);
 * - an item whose state is missing or a spelling the status normalizer does not know, unless its kind is known
 *   and another one than `kind` (an unknown-state cancel does not decide about a go-live);
 * - an item of unknown kind (neither type nor slot known) that is running: it could be a `kind` operation.
 * A list that is not a list at all already failed in `readSubmissionList`.
 */
export function assertDecidable(
  list: { summaries: OperationSummary[]; problems: string[] },
  kind: OperationKind,
  context: CloudPartnerErrorDetails,
): void {
  const problems = [...list.problems];
  for (const s of list.summaries) {
    const relevant = s.kind === kind || s.kind === "unknown";
    if (relevant && s.outcome === "unrecognized")
      problems.push(
        `${s.id} has ${s.rawState ? `the state ${JSON.stringify(s.rawState)}, which this client does not know` : "no state"}`,
      );
    else if (s.kind === "unknown" && s.state === "running")
      problems.push(
        `${s.id} is running, but neither its submissionType ${JSON.stringify(s.type ?? "")} nor its slot ${JSON.stringify(s.slot ?? "")} says what it is`,
      );
  }
  if (problems.length === 0) return;
  throw new ProtocolError(
    `The submissions list of ${offerOf(context)} is not understood (${problems.join("; ")}), so whether a ${label(kind)} is already running cannot be told and none is sent. ` +
      `Look at the offer with \`pulumi-cloudpartner operations ${context.publisherId ?? "<publisher>"} ${context.offerId ?? "<offer>"}\` and \`pulumi-cloudpartner status\`; ` +
      `once nothing runs (or the list reads normally) run \`pulumi up\` again, and report the list's shape to the project.`,
    context,
  );
}

/**
 * A running publish, told apart by its steps: an API that keeps a publish `running` at its sign-off step lists
 * a publish resting at its preview exactly like one still certifying. The operation's own steps say which:
 * resting at `publisher-signoff` (`waitingForPublisherReview`/`waitingForApproval`) is `awaitingSignoff`.
 * Anything else (not a running publish, or no snapshot) is returned as listed.
 */
export function withSteps(
  summary: OperationSummary,
  snapshot: OperationSnapshot | undefined,
): OperationSummary {
  if (!snapshot || summary.kind !== "publish" || summary.state !== "running") return summary;
  if (summary.outcome !== "inProgress" && summary.outcome !== "awaitingSignoff") return summary;
  const resting = snapshot.status === "running" && isAwaitingSignoff(snapshot);
  return { ...summary, outcome: resting ? "awaitingSignoff" : "inProgress" };
}

/** The running operation of this kind, newest first. */
export function runningOf(summaries: OperationSummary[], kind: OperationKind): OperationSummary | undefined {
  return summaries.filter((s) => s.kind === kind && s.state === "running").sort(byNewest)[0];
}

/**
 * An operation of this kind a new resource takes over instead of starting one:
 * - one running (attach);
 * - go-live: the newest succeeded go-live, when it is not older than the newest publish that neither failed
 *   nor was canceled (a failed or canceled publish does not make a new go-live due; a running one does,
 *   because with the API a publish at its sign-off step keeps `running`);
 * - publish: the newest publish, when it succeeded or rests at sign-off and no go-live that succeeded or runs
 *   is as new as it (a publish that went live is not the current one; publishing then starts the next version).
 * "Newer" is by version, then by time of the last change, never by position in the list. When two cannot be
 * told apart (same version, a time missing) the go-live counts as current: sending go-live twice is the
 * harm this guards against.
 *
 * `onlyInProgress` (a resource replaced because its `triggers` changed, e.g. a new image version in the draft):
 * a publish that rests at sign-off or finished predates that change, so only one still in progress is taken
 * over (the API itself would fold a new request into it). A running publish must have been told apart by its
 * steps first (`withSteps`): its listed state alone does not say whether it rests.
 */
export function existingOf(
  summaries: OperationSummary[],
  kind: OperationKind,
  options: { onlyInProgress?: boolean } = {},
): { summary: OperationSummary; running: boolean } | undefined {
  const running = runningOf(summaries, kind);
  if (running && !(options.onlyInProgress && kind === "publish" && running.outcome === "awaitingSignoff"))
    return { summary: running, running: true };
  if (options.onlyInProgress && kind === "publish") return undefined;
  const of = (k: OperationKind, ...outcomes: OperationOutcome[]) =>
    summaries.filter((s) => s.kind === k && outcomes.includes(s.outcome)).sort(byNewest);
  if (kind === "golive") {
    const goLive = of("golive", "succeeded")[0];
    if (!goLive) return undefined;
    const publish = of("publish", "succeeded", "inProgress", "awaitingSignoff")[0];
    return !publish || compareAge(goLive, publish) >= 0 ? { summary: goLive, running: false } : undefined;
  }
  const publish = summaries.filter((s) => s.kind === "publish").sort(byNewest)[0];
  if (!publish || (publish.outcome !== "succeeded" && publish.outcome !== "awaitingSignoff"))
    return undefined;
  const wentLive = of("golive", "succeeded", "inProgress", "awaitingSignoff").some(
    (g) => compareAge(g, publish) >= 0,
  );
  return wentLive ? undefined : { summary: publish, running: false };
}

function label(kind: OperationKind): string {
  return kind === "golive" ? "go-live" : kind;
}

function offerOf(context: CloudPartnerErrorDetails): string {
  return context.publisherId && context.offerId
    ? `offer ${context.publisherId}/${context.offerId}`
    : "the offer";
}
