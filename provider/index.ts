/** pulumi-cloudpartner: publish Azure Marketplace offers and take them live through the Cloud Partner Portal API. */

export type { TokenCredentialLike, TokenProvider } from "./auth";
export {
  ACCESS_TOKEN_ENV,
  CLOUDPARTNER_SCOPE,
  CredentialTokenProvider,
  resolveTokenProvider,
  StaticTokenProvider,
} from "./auth";
export type {
  CancelResult,
  CloudPartnerClientOptions,
  OfferStatus,
  PolledOperation,
  StartedOperation,
  Submission,
} from "./client";
export { CloudPartnerClient } from "./client";
export type { CheckedEmails } from "./emails";
export { checkNotificationEmails, MAX_NOTIFICATION_EMAILS } from "./emails";
export * from "./errors";
export type { OperationSnapshot, StepSnapshot } from "./operation";
export type { Clock, PollOptions, RetryOptions } from "./options";
export { DEFAULT_API_VERSION, DEFAULT_ENDPOINT } from "./options";
export type { PollOperationOptions, ProgressEvent } from "./poller";
export { pollOperation } from "./poller";
export type { OperationOutputs, ProviderHooks, PublishInputs } from "./provider";
export {
  ACCESS_TOKEN_CONFIG_KEY,
  OfferGoLiveProvider,
  OfferPublishProvider,
  ResourceInitError,
} from "./provider";
export type { OfferGoLiveArgs, OfferOperationArgs, OfferPublishArgs, OperationStep } from "./resource";
export { OfferGoLive, OfferOperation, OfferPublish } from "./resource";
export type { OperationStatus } from "./status";
export { normalizeStatus } from "./status";
export type { GetOfferStatusArgs, OfferStatusReport } from "./status-api";
export { describeOfferStatus, getOfferStatus, isAwaitingSignoff } from "./status-api";
