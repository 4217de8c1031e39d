/** pulumi-cloudpartner: take Azure Marketplace offers live through the Cloud Partner Portal API. */

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
export * from "./errors";
export type { OperationSnapshot, StepSnapshot } from "./operation";
export type { Clock, PollOptions, RetryOptions } from "./options";
export { DEFAULT_API_VERSION, DEFAULT_ENDPOINT } from "./options";
export type { PollOperationOptions, ProgressEvent } from "./poller";
export { pollOperation } from "./poller";
export type { OperationOutputs, ProviderHooks } from "./provider";
export { ACCESS_TOKEN_CONFIG_KEY, OfferGoLiveProvider, ResourceInitError } from "./provider";
export type { OfferGoLiveArgs, OfferOperationArgs, OperationStep } from "./resource";
export { OfferGoLive } from "./resource";
export type { OperationStatus } from "./status";
export { normalizeStatus } from "./status";
