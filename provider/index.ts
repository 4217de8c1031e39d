/**
 * pulumi-cloudpartner: publish Azure Marketplace offers and take them live through the Cloud Partner Portal API
 * or the Partner Center Product Ingestion API (`api: "ingestion"`).
 */

// First: fail clearly on a Node.js too old for the HTTP client, before anything loads it.
import "./core/node-version";

export type { TokenCredentialLike, TokenProvider } from "./core/auth";
export {
  ACCESS_TOKEN_ENV,
  CLOUDPARTNER_SCOPE,
  CredentialTokenProvider,
  resolveTokenProvider,
  StaticTokenProvider,
} from "./core/auth";
export * from "./core/errors";
export type { ImageVersionState } from "./core/images";
export { compareVersions, SAS_MIN_VALIDITY_DAYS, sasProblems, versionProblem } from "./core/images";
export type { OperationSnapshot, StepSnapshot } from "./core/operation";
export type { Clock, PollOptions, RetryOptions } from "./core/options";
export { DEFAULT_API_VERSION, DEFAULT_ENDPOINT } from "./core/options";
export type { PollOperationOptions, ProgressEvent } from "./core/poller";
export { pollOperation } from "./core/poller";
export type { OperationStatus } from "./core/status";
export { normalizeStatus } from "./core/status";
export type {
  CancelResult,
  CloudPartnerClientOptions,
  OfferStatus,
  PolledOperation,
  StartedOperation,
  Submission,
} from "./cpp/client";
export { CloudPartnerClient } from "./cpp/client";
export type { CheckedEmails } from "./cpp/emails";
export { checkNotificationEmails, MAX_NOTIFICATION_EMAILS } from "./cpp/emails";
export { DEFAULT_INGESTION_VERSION, INGESTION_ENDPOINT, INGESTION_SCOPE } from "./ingestion/constants";
export type {
  ContainerTechnicalConfigurationFields,
  CoreVmTechnicalConfigurationFields,
  ListingAssetFields,
  ListingFields,
  OfferAvailabilityFields,
  OfferConfigurationInputs,
  PlanAvailabilityFields,
  PlanFields,
  PlanInputs,
  PlanListingFields,
  ProductFields,
  PropertyFields,
  RawResource,
  RemovedPlans,
  ResellerFields,
  SaasTechnicalConfigurationFields,
  TechnicalConfigurationFields,
  VmTechnicalConfigurationFields,
} from "./ingestion/offer/types";
export type { VmImageDataDisk, VmImageInput, VmImageVersionArgs } from "./pulumi/image-resource";
export { VmImageVersion } from "./pulumi/image-resource";
export type { OfferConfigurationArgs } from "./pulumi/offer-configuration";
export { OfferConfiguration } from "./pulumi/offer-configuration";
export type { OfferGoLiveArgs, OfferOperationArgs, OfferPublishArgs, OperationStep } from "./pulumi/resource";
export { OfferGoLive, OfferOperation, OfferPublish } from "./pulumi/resource";
export type {
  ImageVersionOutputs,
  OfferConfigurationOutputs,
  OperationOutputs,
  ProviderHooks,
  PublishInputs,
} from "./resources";
export {
  ACCESS_TOKEN_CONFIG_KEY,
  OfferConfigurationProvider,
  OfferGoLiveProvider,
  OfferPublishProvider,
  ResourceInitError,
  VmImageVersionProvider,
} from "./resources";
export type { GetOfferStatusArgs, OfferStatusReport } from "./status-api";
export { describeOfferStatus, getOfferStatus, isAwaitingSignoff } from "./status-api";
