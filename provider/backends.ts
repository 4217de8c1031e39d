/**
 * Picks the backend for a resource's `api`, loading only that API's code. Everything above this (the Pulumi
 * providers, the CLI, `getOfferStatus`) works with `OfferBackend` and never learns which API is behind it.
 */

import { CLOUDPARTNER_SCOPE } from "./core/auth";
import type { ApiName, OfferBackend } from "./core/backend";
import { ConfigurationError } from "./core/errors";
import type { PlanImageBackend } from "./core/images";
import type { ApiClientOptions } from "./core/options";
import type { CppImage } from "./cpp/images";
import { INGESTION_SCOPE } from "./ingestion/constants";
import type { IngestionImage } from "./ingestion/images";

export interface BackendOptions extends ApiClientOptions {
  api: ApiName;
  /** CPP: required. Ingestion: optional (the token identifies the account). */
  publisherId?: string;
  /** CPP: the offer id; ingestion: the product's external id in Partner Center. */
  offerId: string;
  /** Image versions on ingestion: first wait between polls of a configure job (default 2 s). */
  jobPollIntervalMs?: number;
}

/** The Azure AD scope (audience) of an API's tokens. */
export function scopeOf(api: ApiName): string {
  return api === "ingestion" ? INGESTION_SCOPE : CLOUDPARTNER_SCOPE;
}

export function createBackend(options: BackendOptions): OfferBackend {
  const { api, publisherId, jobPollIntervalMs: _images, ...rest } = options;
  if (api === "ingestion") {
    const { IngestionBackend } = require("./ingestion/backend") as typeof import("./ingestion/backend");
    return new IngestionBackend({ ...rest, ...(publisherId ? { publisherId } : {}) });
  }
  if (api !== "cpp") throw new ConfigurationError(`api "${api}" is not supported by this version.`);
  const { CppBackend } = require("./cpp/backend") as typeof import("./cpp/backend");
  return new CppBackend({ ...rest, publisherId: publisherId ?? "" });
}

/** An image-version backend of either API; each takes its own image shape (see `imageOf` in pulumi/images.ts). */
export type AnyImageBackend = PlanImageBackend<CppImage> | PlanImageBackend<IngestionImage>;

/**
 * The image-version backend for a resource's `api`: CPP writes the whole offer with If-Match; ingestion the
 * plan's whole technical configuration through `configure`.
 */
export function createImageBackend(options: BackendOptions): AnyImageBackend {
  const { api, publisherId, ...rest } = options;
  if (api === "ingestion") {
    const { IngestionImageBackend } = require("./ingestion/images") as typeof import("./ingestion/images");
    return new IngestionImageBackend({ ...rest, ...(publisherId ? { publisherId } : {}) });
  }
  if (api !== "cpp") throw new ConfigurationError(`api "${api}" is not supported by this version.`);
  delete rest.jobPollIntervalMs;
  const { CppImageBackend } = require("./cpp/images") as typeof import("./cpp/images");
  return new CppImageBackend({ ...rest, publisherId: publisherId ?? "" });
}
