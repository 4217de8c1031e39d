/**
 * `getOfferStatus`: where an offer stands on its way to live, as a plain async function for Pulumi
 * programs, scripts and the `pulumi-cloudpartner` CLI. No Pulumi imports.
 */

import type { TokenCredentialLike } from "./core/auth";
import { ConfigurationError } from "./core/errors";
import type { HttpTransport } from "./core/http";
import { currentStep, type OperationSnapshot, type StepSnapshot } from "./core/operation";
import { isWaitingForPublisher, normalizeStatus } from "./core/status";
import { idProblem } from "./core/validate";
import { CloudPartnerClient, type OfferStatus } from "./cpp/client";

/**
 * True when an operation (or the offer) rests at the preview sign-off point: the status or a step says
 * `waitingForPublisherReview` / `waitingForApproval`. Depending on the API's era the publish operation then
 * reads `running` or `succeeded`; either way the next move is the publisher's. Never true once failed or canceled.
 */
export function isAwaitingSignoff(
  snapshot: Pick<OperationSnapshot, "status" | "rawStatus" | "steps">,
): boolean {
  if (snapshot.status === "failed" || snapshot.status === "canceled") return false;
  return (
    isWaitingForPublisher(snapshot.rawStatus) || snapshot.steps.some((s) => isWaitingForPublisher(s.status))
  );
}

export interface GetOfferStatusArgs {
  publisherId: string;
  offerId: string;
  /** API host. Default `https://cloudpartner.azure.com`; plain http only for loopback. */
  endpoint?: string;
  /** Default `2017-10-31`. */
  apiVersion?: string;
  /** A bearer token; otherwise `CLOUDPARTNER_ACCESS_TOKEN`, otherwise Azure AD (`@azure/identity`). */
  accessToken?: string;
  /** Any `@azure/identity` credential (instead of `accessToken`). */
  credential?: TokenCredentialLike;
  /** Deadline of the request, in ms. Default 60 000. */
  requestTimeoutMs?: number;
  signal?: AbortSignal;
  /** Advanced/tests: the HTTP transport (default: the process-wide pooled one). */
  transport?: HttpTransport;
}

export interface OfferStatusReport {
  publisherId: string;
  offerId: string;
  /**
   * The offer's status exactly as the API reports it: `neverPublished`, `notStarted`,
   * `waitingForPublisherReview`, `running`, `succeeded`, `canceled`, `failed` (other spellings are passed on).
   */
  status: string;
  /** True when the preview waits for the publisher's sign-off: the point to review it, then go live. */
  awaitingSignoff: boolean;
  /** The step the latest operation is at (the first not complete, or the one that stopped it). */
  currentStep?: StepSnapshot;
  /** Steps of the latest operation, with status, percentage and messages (plain text). */
  steps: StepSnapshot[];
  previewLinks: string[];
  liveLinks: string[];
}

/** Shapes what `CloudPartnerClient.getOfferStatus` returned into a report. */
export function describeOfferStatus(
  publisherId: string,
  offerId: string,
  offer: OfferStatus,
): OfferStatusReport {
  const normalized = normalizeStatus(offer.status);
  const awaitingSignoff = isAwaitingSignoff({
    status: normalized.status,
    rawStatus: offer.status,
    steps: offer.steps,
  });
  const step = currentStep(offer.steps);
  return {
    publisherId,
    offerId,
    status: offer.status,
    awaitingSignoff,
    ...(step ? { currentStep: step } : {}),
    steps: offer.steps,
    previewLinks: offer.previewLinks,
    liveLinks: offer.liveLinks,
  };
}

/**
 * Reads the offer's publishing status and steps (`GET .../offers/{offerId}/status`).
 *
 * ```ts
 * const status = await getOfferStatus({ publisherId: "contoso", offerId: "contoso-offer" });
 * if (status.awaitingSignoff) console.log("review the preview:", status.previewLinks);
 * ```
 * Throws a `CloudPartnerError` (e.g. `NotFoundError`, `ForbiddenError`) when the API refuses, and a
 * `ConfigurationError` for an id or endpoint that could never work.
 */
export async function getOfferStatus(args: GetOfferStatusArgs): Promise<OfferStatusReport> {
  for (const property of ["publisherId", "offerId"] as const) {
    const problem = idProblem(args[property]);
    if (problem) throw new ConfigurationError(`${property} ${problem}.`);
  }
  const client = new CloudPartnerClient({
    endpoint: args.endpoint,
    apiVersion: args.apiVersion,
    accessToken: args.accessToken,
    credential: args.credential,
    requestTimeoutMs: args.requestTimeoutMs,
    transport: args.transport,
  });
  const offer = await client.getOfferStatus(args.publisherId, args.offerId, args.signal);
  return describeOfferStatus(args.publisherId, args.offerId, offer);
}
