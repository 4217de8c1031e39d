import type { OfferStatusReport, OperationKind } from "../core/backend";
import { normalizeStatus, type OperationStatus } from "../core/status";

/**
 * What an operation whose record is gone (HTTP 404) amounts to, from the offer's status (which describes the
 * offer's latest operation): `live`/succeeded → succeeded; failed; canceled; `neverPublished`/`notStarted`
 * (nothing ran, nothing runs) → failed; `waitingForPublisherReview` → a publish rests at sign-off (running,
 * awaiting sign-off: not resumed), while for a go-live it means the go-live did not take (failed, so the next
 * `pulumi up` starts one); anything else still running → running.
 */
export function statusFromOffer(
  kind: OperationKind,
  offer: Pick<OfferStatusReport, "status" | "awaitingSignoff">,
): { status: OperationStatus; awaitingSignoff: boolean; note: string } {
  const key = offer.status.toLowerCase().replace(/[^a-z]/g, "");
  if (key === "live") return { status: "succeeded", awaitingSignoff: false, note: "the offer is live." };
  if (key === "neverpublished" || key === "notstarted")
    return {
      status: "failed",
      awaitingSignoff: false,
      note: `nothing runs for the offer; the next \`pulumi up\` starts a new ${kind === "golive" ? "go-live" : "publish"}.`,
    };
  if (offer.awaitingSignoff)
    return kind === "publish"
      ? {
          status: "running",
          awaitingSignoff: true,
          note: "the preview is ready: review the preview links, then go live (OfferGoLive).",
        }
      : {
          status: "failed",
          awaitingSignoff: false,
          note: "the offer waits for its go-live, so this go-live did not take; the next `pulumi up` starts one.",
        };
  const normalized = normalizeStatus(offer.status);
  if (normalized.status !== "running")
    return {
      status: normalized.status,
      awaitingSignoff: false,
      note: `the offer's latest operation ${normalized.status}.`,
    };
  return {
    status: "running",
    awaitingSignoff: false,
    note: `an operation still runs for the offer${normalized.recognized ? "" : ` (status ${JSON.stringify(offer.status)} is not one this client knows)`}.`,
  };
}
