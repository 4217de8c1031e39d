/**
 * Picks the backend for a resource's `api`, loading only that API's code. Everything above this (the Pulumi
 * providers, the CLI, `getOfferStatus`) works with `OfferBackend` and never learns which API is behind it.
 */

import { CLOUDPARTNER_SCOPE } from "./core/auth";
import type { ApiName, ApiProfile, OfferBackend } from "./core/backend";
import { ConfigurationError } from "./core/errors";
import type { PlanImageBackend } from "./core/images";
import { type ApiClientOptions, DEFAULT_API_VERSION, DEFAULT_ENDPOINT } from "./core/options";
import { apiVersionProblem } from "./core/validate";
import type { CppImage } from "./cpp/images";
import {
  DEFAULT_INGESTION_VERSION,
  INGESTION_ENDPOINT,
  INGESTION_SCOPE,
  ingestionVersionProblem,
} from "./ingestion/constants";
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

const PROFILES: Record<ApiName, ApiProfile> = {
  cpp: {
    endpoint: DEFAULT_ENDPOINT,
    apiVersion: DEFAULT_API_VERSION,
    endpointPath: false,
    publisherOptional: false,
    apiVersionProblem,
    startInputs: {
      // Loaded on first use, as the rest of the CPP code.
      notificationEmails: (value) =>
        (require("./cpp/emails") as typeof import("./cpp/emails")).checkNotificationEmails(value),
    },
  },
  ingestion: {
    endpoint: INGESTION_ENDPOINT,
    apiVersion: DEFAULT_INGESTION_VERSION,
    endpointPath: true,
    publisherOptional: true,
    apiVersionProblem: ingestionVersionProblem,
    startInputs: {
      // OfferPublish's publish safety; loaded on first use, as the rest of the ingestion code.
      configuration: (value) =>
        (
          require("./ingestion/publish-safety") as typeof import("./ingestion/publish-safety")
        ).checkConfiguration(value),
      allowUndeclaredChangesTo: (value) =>
        (
          require("./ingestion/publish-safety") as typeof import("./ingestion/publish-safety")
        ).checkAllowedPaths(value),
    },
  },
};

/** What the input checks need to know about an API (defaults, version format, the inputs it adds). */
export function apiProfile(api: ApiName): ApiProfile {
  return PROFILES[api];
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

/** An image-version backend of either API; each takes its own image shape (see `imageOf` in resources/image-inputs.ts). */
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

/**
 * The whole offer as code on the Product Ingestion API (`OfferConfiguration`): the pure model (keys, diff,
 * validation, normalisation) and the apply flow, loaded on first use like the rest of an API's code.
 */
export function offerConfigurationApi() {
  const apply = require("./ingestion/offer/apply") as typeof import("./ingestion/offer/apply");
  const diff = require("./ingestion/offer/diff") as typeof import("./ingestion/offer/diff");
  const keys = require("./ingestion/offer/keys") as typeof import("./ingestion/offer/keys");
  const normalize = require("./ingestion/offer/normalize") as typeof import("./ingestion/offer/normalize");
  const validate = require("./ingestion/offer/validate") as typeof import("./ingestion/offer/validate");
  const { IngestionClient } = require("./ingestion/client") as typeof import("./ingestion/client");
  return {
    applyOffer: apply.applyOffer,
    readOffer: apply.readOffer,
    exportOfferInputs: apply.exportOfferInputs,
    importOffer: apply.importOffer,
    diffInputs: diff.diffInputs,
    propertyPath: diff.propertyPath,
    declaredParts: keys.declaredParts,
    declarationOf: keys.declarationOf,
    normalizeFields: normalize.normalizeFields,
    validateOffer: validate.validateOffer,
    /** A client for the offer's session (`apply.ts`), from the same options as every backend. */
    client: (options: Omit<BackendOptions, "api" | "offerId" | "publisherId" | "jobPollIntervalMs">) =>
      new IngestionClient(options),
  };
}
