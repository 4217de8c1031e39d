/**
 * Picks the backend for a resource's `api`, loading only that API's code. Everything above this (the Pulumi
 * providers, the CLI, `getOfferStatus`) works with `OfferBackend` and never learns which API is behind it.
 */

import { CLOUDPARTNER_SCOPE } from "./core/auth";
import type { ApiName, OfferBackend } from "./core/backend";
import { ConfigurationError } from "./core/errors";
import type { ApiClientOptions } from "./core/options";
import { INGESTION_SCOPE } from "./ingestion/constants";

export interface BackendOptions extends ApiClientOptions {
  api: ApiName;
  /** CPP: required. Ingestion: optional (the token identifies the account). */
  publisherId?: string;
  /** CPP: the offer id; ingestion: the product's external id in Partner Center. */
  offerId: string;
}

/** The Azure AD scope (audience) of an API's tokens. */
export function scopeOf(api: ApiName): string {
  return api === "ingestion" ? INGESTION_SCOPE : CLOUDPARTNER_SCOPE;
}

export function createBackend(options: BackendOptions): OfferBackend {
  const { api, publisherId, ...rest } = options;
  if (api === "ingestion") {
    const { IngestionBackend } = require("./ingestion/backend") as typeof import("./ingestion/backend");
    return new IngestionBackend({ ...rest, ...(publisherId ? { publisherId } : {}) });
  }
  if (api !== "cpp") throw new ConfigurationError(`api "${api}" is not supported by this version.`);
  const { CppBackend } = require("./cpp/backend") as typeof import("./cpp/backend");
  return new CppBackend({ ...rest, publisherId: publisherId ?? "" });
}
