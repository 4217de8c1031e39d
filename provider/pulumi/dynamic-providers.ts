/**
 * The dynamic front door's providers: what the thin serialized provider (`resource.ts`) instantiates inside
 * Pulumi's dynamic provider host, through the stable module `provider/provider.ts`. The lifecycle itself lives
 * in `resources/`; its classes take the host's requests as they come, so nothing is wrapped here, and the
 * compiler checks below that they stay what the host expects.
 */

import type * as pulumi from "@pulumi/pulumi";
import type {
  OfferConfigurationProvider,
  OfferGoLiveProvider,
  OfferPublishProvider,
  VmImageVersionProvider,
} from "../resources";
import { exitWithEngine } from "../resources/engine-watch";
import type { ProviderClassName } from "./resource";

export * from "../resources";

// Loaded inside the dynamic provider host: from now on the host exits once its engine is gone, waiting or idle.
exitWithEngine();

/** What the host constructs: each class the serialized providers name, with no arguments. */
type DynamicProviderClass<T extends new () => pulumi.dynamic.ResourceProvider> = T;

/** Fails to compile if a provider class stops fitting the host or the serialized providers' names. */
export type DynamicProviderClasses = {
  [K in ProviderClassName]: DynamicProviderClass<
    {
      OfferGoLiveProvider: typeof OfferGoLiveProvider;
      OfferPublishProvider: typeof OfferPublishProvider;
      VmImageVersionProvider: typeof VmImageVersionProvider;
      OfferConfigurationProvider: typeof OfferConfigurationProvider;
    }[K]
  >;
};
