/** Defaults of the Partner Center Product Ingestion API (facts: shared/docs/ingestion-api.md). */

import { GRAPH_SCOPE } from "../core/auth";

export const INGESTION_ENDPOINT = "https://graph.microsoft.com/rp/product-ingestion";
/** Tokens for Microsoft Graph: the API answers 401 "Invalid audience" to a Cloud Partner Portal token. */
export const INGESTION_SCOPE = GRAPH_SCOPE;
/**
 * The `$version` sent on every call: the newest version the documentation's change table lists as generally
 * usable and that a maintained client (cloudpub) sends today. The `$schema` versions of what is written are
 * pinned per resource type in `schemas.ts`.
 */
export const DEFAULT_INGESTION_VERSION = "2022-07-01";
/** How messages name the service. */
export const INGESTION_SERVICE = "Partner Center (Product Ingestion API)";

/** `$version` values: a date, optionally `-previewN`. */
export function ingestionVersionProblem(value: unknown): string | undefined {
  if (typeof value !== "string") return "must be a string";
  return /^\d{4}-\d{2}-\d{2}(-preview\d*)?$/.test(value)
    ? undefined
    : `must be a schema version like ${DEFAULT_INGESTION_VERSION} or 2022-03-01-preview5, got ${JSON.stringify(value).slice(0, 60)}`;
}
