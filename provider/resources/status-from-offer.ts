import type { OfferStatusReport, OperationKind, OperationSummary } from "../core/backend";
import { normalizeStatus, type OperationStatus } from "../core/status";

/** What a resource whose operation record is gone (HTTP 404) records instead of the record's answer. */
export interface DerivedStatus {
  status: OperationStatus;
  awaitingSignoff: boolean;
  note: string;
  /** Where it came from: the operation's own list entry, or the offer's status. */
  source: "list" | "offer";
  /** The status read, as the API spelled it. */
  rawStatus: string;
}

/**
 * The operation's own entry in the offer's list of operations (same id and kind), when the list still holds it
 * and its state is one this client knows: unlike the offer's status, it can only describe this operation.
 */
export function statusFromList(
  kind: OperationKind,
  id: string | undefined,
  summaries: OperationSummary[],
): DerivedStatus | undefined {
  if (!id) return undefined;
  const entry = summaries.find((s) => s.id === id && s.kind === kind);
  if (!entry || entry.outcome === "unrecognized") return undefined;
  return {
    status: entry.state,
    awaitingSignoff: kind === "publish" && entry.outcome === "awaitingSignoff",
    note: `the offer's list of operations shows it ${entry.rawState || entry.state}.`,
    source: "list",
    rawStatus: entry.rawState || entry.state,
  };
}

/**
 * A go-live whose offer now waits at a preview: the offer's status describes a go-live's own steps only when
 * they include the `live` step; otherwise it is a publish's, and a publish resting at its preview after a go-live
 * began can only be a later one (a go-live signs off the preview it takes live, and one operation runs at a time).
 */
function describesGoLive(offer: Pick<OfferStatusReport, "steps">): boolean {
  return offer.steps.some((s) => s.id?.toLowerCase() === "live" || /^live$/i.test(s.name.trim()));
}

/**
 * What an operation that was still **running** when last read, and whose record is gone (HTTP 404), amounts to,
 * from the offer's status. That status describes the offer's latest operation: this one, or one started after
 * this one ended (one runs at a time). So only what this operation's end must look like is read from it:
 * `live`/succeeded → succeeded; failed; canceled; `neverPublished`/`notStarted` (nothing ran, nothing runs) →
 * failed; anything else still running → running. `waitingForPublisherReview`: for a publish, the preview rests
 * at sign-off (running, awaiting sign-off: not resumed). For a go-live it is a failed go-live only when the
 * status still shows the go-live's own steps (the go-live did not take, so the next `pulumi up` starts one);
 * a publish's steps mean a later publish waits for review, this go-live's outcome cannot be read, and it is
 * recorded as ended (`succeeded`, with a note) so that no go-live is sent for a preview nobody reviewed.
 *
 * An operation already finished (succeeded, failed, canceled) is never passed here: its outcome is kept,
 * whatever later operations did (the callers in `operation.ts` see to it).
 */
export function statusFromOffer(
  kind: OperationKind,
  offer: Pick<OfferStatusReport, "status" | "awaitingSignoff" | "steps">,
): DerivedStatus {
  const label = kind === "golive" ? "go-live" : "publish";
  const derived = (status: OperationStatus, awaitingSignoff: boolean, note: string): DerivedStatus => ({
    status,
    awaitingSignoff,
    note,
    source: "offer",
    rawStatus: offer.status,
  });
  const key = offer.status.toLowerCase().replace(/[^a-z]/g, "");
  if (key === "live") return derived("succeeded", false, "the offer is live.");
  if (key === "neverpublished" || key === "notstarted")
    return derived(
      "failed",
      false,
      `nothing runs for the offer; the next \`pulumi up\` starts a new ${label}.`,
    );
  if (offer.awaitingSignoff) {
    if (kind === "publish")
      return derived(
        "running",
        true,
        "the preview is ready: review the preview links, then go live (OfferGoLive).",
      );
    if (describesGoLive(offer))
      return derived(
        "failed",
        false,
        "the offer waits for its go-live, so this go-live did not take; the next `pulumi up` starts one.",
      );
    return derived(
      "succeeded",
      false,
      "a later publish waits for review, so this go-live ended before it began and its outcome can no longer be read; it is kept as ended and nothing is sent. Review the new preview and go live with a new OfferGoLive (or `pulumi up --replace <urn>`) when you want it live.",
    );
  }
  const normalized = normalizeStatus(offer.status);
  if (normalized.status !== "running")
    return derived(normalized.status, false, `the offer's latest operation ${normalized.status}.`);
  return derived(
    "running",
    false,
    `an operation still runs for the offer${normalized.recognized ? "" : ` (status ${JSON.stringify(offer.status)} is not one this client knows)`}.`,
  );
}

/** True when an operation's outcome is final and must not be re-derived from anything read later. */
export function isFinished(status: unknown): boolean {
  return status === "succeeded" || status === "failed" || status === "canceled";
}
