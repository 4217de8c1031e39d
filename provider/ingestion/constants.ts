/** Defaults of the Partner Center Product Ingestion API (facts: shared/docs/ingestion-api.md). */

import { GRAPH_SCOPE } from "../core/auth";

export const INGESTION_ENDPOINT = "https://graph.microsoft.com/rp/product-ingestion";
/** Tokens for Microsoft Graph: the API answers 401 "Invalid audience" to a Cloud Partner Portal token. */
export const INGESTION_SCOPE = GRAPH_SCOPE;
