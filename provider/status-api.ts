/**
 * `getOfferStatus`: where an offer stands on its way to live, as a plain async function for Pulumi
 * programs, scripts and the `pulumi-cloudpartner` CLI. No Pulumi imports.
 */

import { createBackend } from "./backends";
import type { TokenCredentialLike } from "./core/auth";
import type { ApiName, OfferStatusReport } from "./core/backend";
import { ConfigurationError } from "./core/errors";
import type { HttpTransport } from "./core/http";
import { idProblem } from "./core/validate";

export type { OfferStatusReport } from "./core/backend";
export { isAwaitingSignoff } from "./core/operation";
export { describeOfferStatus } from "./cpp/backend";

export interface GetOfferStatusArgs {
  /** `"cpp"` (default) or `"ingestion"` (Partner Center Product Ingestion API). */
  api?: ApiName;
  /** Required for `cpp`; optional for `ingestion`. */
  publisherId?: string;
  /** For `ingestion`: the offer's id in Partner Center (the product's external id). */
  offerId: string;
  /** API host. Default `https://cloudpartner.azure.com` (ingestion: `https://graph.microsoft.com/rp/product-ingestion`); plain http only for loopback. */
  endpoint?: string;
  /** Default `2017-10-31` (ingestion: the `$version`, default `2022-07-01`). */
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
 * Reads the offer's publishing status and steps (CPP: `GET .../offers/{offerId}/status`; ingestion: the
 * product's draft, preview and live submissions, and whether the preview waits to go live).
 *
 * ```ts
 * const status = await getOfferStatus({ publisherId: "contoso", offerId: "contoso-offer" });
 * if (status.awaitingSignoff) console.log("review the preview:", status.previewLinks);
 * ```
 * Throws a `CloudPartnerError` (e.g. `NotFoundError`, `ForbiddenError`) when the API refuses, and a
 * `ConfigurationError` for an id or endpoint that could never work.
 */
export async function getOfferStatus(args: GetOfferStatusArgs): Promise<OfferStatusReport> {
  const api = args.api ?? "cpp";
  if (api !== "cpp" && api !== "ingestion")
    throw new ConfigurationError(`api must be "cpp" or "ingestion", got ${JSON.stringify(api)}.`);
  for (const property of ["publisherId", "offerId"] as const) {
    if (property === "publisherId" && api === "ingestion" && args.publisherId === undefined) continue;
    const problem = idProblem(args[property]);
    if (problem) throw new ConfigurationError(`${property} ${problem}.`);
  }
  const backend = createBackend({
    api,
    publisherId: args.publisherId,
    offerId: args.offerId,
    endpoint: args.endpoint,
    apiVersion: args.apiVersion,
    accessToken: args.accessToken,
    credential: args.credential,
    requestTimeoutMs: args.requestTimeoutMs,
    transport: args.transport,
  });
  return backend.offerStatus(args.signal);
}
