/**
 * `getOfferStatus`: where an offer stands on its way to live, as a plain async function for Pulumi
 * programs, scripts and the `pulumi-cloudpartner` CLI. No Pulumi imports.
 */

import type { TokenCredentialLike } from "./core/auth";
import type { OfferStatusReport } from "./core/backend";
import { ConfigurationError } from "./core/errors";
import type { HttpTransport } from "./core/http";
import { idProblem } from "./core/validate";
import { describeOfferStatus } from "./cpp/backend";
import { CloudPartnerClient } from "./cpp/client";

export type { OfferStatusReport } from "./core/backend";
export { isAwaitingSignoff } from "./core/operation";
export { describeOfferStatus } from "./cpp/backend";

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
