/**
 * The engine-agnostic lifecycle of every resource (check/diff/create/read/update/delete), as both front doors
 * use it: `pulumi/` (the dynamic provider host, through `provider/provider.ts`) and `native/` (the gRPC plugin).
 * Layers: core → backends → resources → front doors.
 */

export { ACCESS_TOKEN_CONFIG_KEY, type LogSeverity, type ProviderHooks } from "./connection";
export { OfferGoLiveProvider } from "./golive";
export {
  checkImageInputs,
  type ImageVersionInputs,
  type ImageVersionOutputs,
  type IngestionImageInput,
} from "./image-inputs";
export { VmImageVersionProvider } from "./image-version";
export {
  checkOfferInputs,
  type OfferConfigurationOutputs,
  OfferConfigurationProvider,
  type OfferConfigurationResourceInputs,
} from "./offer-configuration";
export { type CallControl, type KindInput, type KindSpec, OperationResourceProvider } from "./operation";
export {
  applySnapshot,
  forState,
  type OperationOutputs,
  ResourceInitError,
  type StepOutput,
} from "./outputs";
export { OfferPublishProvider, type PublishInputs } from "./publish";
export { statusFromOffer } from "./status-from-offer";
export type * from "./types";
