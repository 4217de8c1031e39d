/**
 * `OfferConfiguration`: the whole offer as code on the Partner Center Product Ingestion API, declared in a Pulumi
 * program. Its provider is the thin serialized one of `resource.ts` (it loads `OfferConfigurationProvider` at run
 * time), so nothing but two strings is serialized into state.
 */

import * as pulumi from "@pulumi/pulumi";
import type {
  ListingAssetFields,
  ListingFields,
  OfferAvailabilityFields,
  PlanInputs,
  ProductFields,
  PropertyFields,
  RawResource,
  RemovedPlans,
  ResellerFields,
  SaasTechnicalConfigurationFields,
} from "../ingestion/offer/types";
import { sharedThinProvider } from "./resource";

export interface OfferConfigurationArgs {
  /**
   * The offer's id in Partner Center (the product's external id), `^[a-z0-9][a-z0-9-_]{2,49}$`. Changing it
   * replaces the resource: the old offer is left as it is.
   */
  offerId: pulumi.Input<string>;
  /** Only `"ingestion"` (the default): the Cloud Partner Portal API has no resource tree. */
  api?: pulumi.Input<"ingestion">;
  /**
   * The `product` resource. With `type` and `alias` it creates the offer when Partner Center has none with this
   * offer id; `type` never changes once the offer exists.
   */
  product?: pulumi.Input<ProductFields>;
  /** The `property` resource: categories, industries, terms. */
  property?: pulumi.Input<PropertyFields>;
  /** The `listing` resource (language `en-us` unless `languageId` says otherwise). */
  listing?: pulumi.Input<ListingFields>;
  /** `listing-asset` resources, each keyed by its `fileName`. */
  listingAssets?: pulumi.Input<pulumi.Input<ListingAssetFields>[]>;
  /** The `price-and-availability-offer` resource (preview audiences). */
  availability?: pulumi.Input<OfferAvailabilityFields>;
  /** The `reseller` resource (Cloud Solution Provider program). */
  reseller?: pulumi.Input<ResellerFields>;
  /** SaaS offers: the offer-level `software-as-a-service-technical-configuration`. */
  technicalConfiguration?: pulumi.Input<SaasTechnicalConfigurationFields>;
  /**
   * Plans by plan id (external id): the `plan` fields, and its `listing` (plan-listing), `availability`
   * (price-and-availability-plan) and `technicalConfiguration` (by offer type). A VM technical configuration
   * without `vmImageVersions` keeps the draft's versions: `VmImageVersion` may own them.
   */
  plans?: pulumi.Input<Record<string, pulumi.Input<PlanInputs>>>;
  /**
   * Any other resource type as the API's JSON with its `$schema`, referring to the offer and plans by external
   * id (`{ plan: { externalId: "gen2" } }`).
   */
  resources?: pulumi.Input<pulumi.Input<RawResource>[]>;
  /**
   * A plan removed from the program: `"keep"` (default) leaves it as it is and logs it; `"hide"` stop-sells it
   * (visibility `hidden`; at least one other plan stays visible). Nothing is ever deleted.
   */
  removedPlans?: pulumi.Input<RemovedPlans>;
  /** API endpoint. Default `https://graph.microsoft.com/rp/product-ingestion`. Changing it updates in place. */
  endpoint?: pulumi.Input<string>;
  /** `$version` of every call. Default `2022-07-01`. */
  apiVersion?: pulumi.Input<string>;
  /** Deadline of one HTTP request, in seconds. Default 60. */
  requestTimeoutSeconds?: pulumi.Input<number>;
}

/**
 * The offer's declared resources, kept in its Partner Center draft: a change sends one `configure` with only the
 * resources that differ, a program that matches the draft sends nothing, and a portal edit made between the read
 * and the write (or since the last `pulumi up`) is reported per field, never overwritten. Undeclared resources
 * and fields are never touched; a plan removed from the program is kept (or hidden with `removedPlans: "hide"`).
 * `pulumi refresh` brings portal edits into the stack. Publish and go live with `OfferPublish`/`OfferGoLive`,
 * passing `triggers: [offer.declaration]`.
 */
export class OfferConfiguration extends pulumi.dynamic.Resource {
  declare readonly offerId: pulumi.Output<string>;
  declare readonly product: pulumi.Output<ProductFields | undefined>;
  declare readonly property: pulumi.Output<PropertyFields | undefined>;
  declare readonly listing: pulumi.Output<ListingFields | undefined>;
  declare readonly listingAssets: pulumi.Output<ListingAssetFields[] | undefined>;
  declare readonly availability: pulumi.Output<OfferAvailabilityFields | undefined>;
  declare readonly reseller: pulumi.Output<ResellerFields | undefined>;
  declare readonly technicalConfiguration: pulumi.Output<SaasTechnicalConfigurationFields | undefined>;
  declare readonly plans: pulumi.Output<Record<string, PlanInputs> | undefined>;
  declare readonly resources: pulumi.Output<RawResource[] | undefined>;
  /** The offer's durable id, `product/<guid>`. */
  declare readonly productId: pulumi.Output<string>;
  /** Durable id of every declared resource, by key (`listing`, `plans[gen2].availability`, ...). */
  declare readonly resourceIds: pulumi.Output<Record<string, string>>;
  /** Canonical JSON of the declared resources: the same run after run for the same declaration. */
  declare readonly declaration: pulumi.Output<string>;
  /** `key.field` where the draft differs from preview, or preview from live, for the declared resources. */
  declare readonly pendingChanges: pulumi.Output<string[]>;

  constructor(name: string, args: OfferConfigurationArgs, opts?: pulumi.CustomResourceOptions) {
    const props: Record<string, unknown> = {
      ...args,
      productId: undefined,
      resourceIds: undefined,
      declaration: undefined,
      pendingChanges: undefined,
    };
    super(
      sharedThinProvider("OfferConfigurationProvider"),
      name,
      props,
      // The declaration is the declared parts as text: a secret part (a registry password, SAS URIs) would sit in
      // it in plain text, and the dynamic host cannot tell, so it is always a secret (triggers compare it as is).
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "declaration"] },
      "cloudpartner",
      "OfferConfiguration",
    );
  }
}
