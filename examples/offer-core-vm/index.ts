import * as pulumi from "@pulumi/pulumi";
import { OfferConfiguration, OfferGoLive, OfferPublish } from "pulumi-cloudpartner";

const config = new pulumi.Config();
// Only set for the local emulator; the default is https://graph.microsoft.com/rp/product-ingestion.
const endpoint = config.get("endpoint");
const waiting = {
  pollIntervalSeconds: config.getNumber("pollIntervalSeconds"),
  maxPollIntervalSeconds: config.getNumber("maxPollIntervalSeconds"),
};
const offerId = config.require("offerId");

// A core virtual machine offer (Linux distributions and other images Microsoft lists as "core"): the same parts
// as a VM offer; the plan's technical configuration is `core-virtual-machine-plan-technical-configuration`.
// It leaves `vmImageVersions` out, so `VmImageVersion` (api: "ingestion") can own the image versions of the plan
// beside it, as in examples/offer-vm.
const offer = new OfferConfiguration("offer", {
  endpoint,
  offerId,
  product: { type: "coreVirtualMachine", alias: "Contoso Core Linux" },
  listing: {
    title: "Contoso Core Linux",
    searchResultSummary: "The Contoso Linux distribution",
    shortDescription: "Contoso Linux, the distribution",
    description: "<p>The Contoso Linux distribution, maintained by Contoso.</p>",
    privacyPolicyLink: "https://contoso.example/privacy",
    supportContact: { name: "Contoso support", email: "support@contoso.example", phone: "+1 555 0100" },
    engineeringContact: { name: "Contoso engineering", email: "eng@contoso.example", phone: "+1 555 0101" },
  },
  plans: {
    "contoso-9": {
      alias: "Contoso Linux 9",
      azureRegions: ["azureGlobal"],
      listing: {
        name: "Contoso Linux 9",
        summary: "Version 9",
        description: "Contoso Linux 9, supported until 2032.",
      },
      availability: {
        visibility: "visible",
        audience: "public",
        customerMarkets: "customMarkets",
        markets: ["us", "gb", "de", "fr"],
        pricing: { licenseModel: "payAsYouGo", corePricing: { priceInputOption: "free" } },
      },
      technicalConfiguration: {
        softwareType: "operatingSystem",
        operatingSystem: { family: "linux", type: "other", friendlyName: "Contoso Linux 9" },
        recommendedVmSizes: ["Standard_B2s"],
        vmProperties: { supportsCloudInit: true, supportsExtensions: true },
        skus: [
          { imageType: "x64Gen2", skuId: "contoso-9-gen2" },
          { imageType: "x64Gen1", skuId: "contoso-9" },
        ],
      },
    },
  },
});

// Publish once per change of the declared offer (`triggers`), never for an unchanged one; `configuration` makes
// the publish refuse a draft that holds portal edits this program does not declare.
const published = new OfferPublish(
  "publish",
  {
    endpoint,
    ...waiting,
    api: "ingestion",
    offerId,
    configuration: offer.declaration,
    triggers: [offer.declaration],
  },
  { dependsOn: offer },
);

// Review gate: look at the preview (`npx pulumi-cloudpartner status --api ingestion <offerId>`), then
// `pulumi config set goLive true` and `pulumi up`.
const live = config.getBoolean("goLive")
  ? new OfferGoLive(
      "live",
      { endpoint, ...waiting, api: "ingestion", offerId, triggers: [offer.declaration] },
      { dependsOn: published },
    )
  : undefined;

export const productId = offer.productId;
export const resourceIds = offer.resourceIds;
export const pendingChanges = offer.pendingChanges;
export const awaitingSignoff = published.awaitingSignoff;
export const liveStatus = live?.status ?? "not requested (review the preview, then set goLive=true)";
