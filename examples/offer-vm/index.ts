import * as pulumi from "@pulumi/pulumi";
import { OfferConfiguration, OfferGoLive, OfferPublish, VmImageVersion } from "pulumi-cloudpartner";

const config = new pulumi.Config();
const connection = {
  // Only set for the local emulator; the default is https://graph.microsoft.com/rp/product-ingestion.
  endpoint: config.get("endpoint"),
};
const waiting = {
  pollIntervalSeconds: config.getNumber("pollIntervalSeconds"),
  maxPollIntervalSeconds: config.getNumber("maxPollIntervalSeconds"),
};
const offerId = config.require("offerId");

// The offer as Partner Center keeps it, declared part by part (API field names). What is not declared here is
// never touched; a plan removed from this program stays in the offer as it is (removedPlans: "hide" stops
// selling it instead). Each plan's technical configuration leaves `vmImageVersions` out: VmImageVersion below
// owns the image versions, this resource the rest (operating system, SKUs, VM properties).
const offer = new OfferConfiguration("offer", {
  ...connection,
  offerId,
  // Used only when the offer does not exist yet (it is then created with everything below in one job).
  product: { type: "azureVirtualMachine", alias: "Contoso Linux" },
  listing: {
    title: "Contoso Linux",
    searchResultSummary: "A hardened Linux for Contoso workloads",
    shortDescription: "Contoso Linux, patched monthly",
    description: "<p>Contoso Linux is a hardened, monthly patched Linux image for Contoso workloads.</p>",
    privacyPolicyLink: "https://contoso.example/privacy",
    generalLinks: [{ displayText: "Documentation", link: "https://contoso.example/docs" }],
    supportContact: { name: "Contoso support", email: "support@contoso.example", phone: "+1 555 0100" },
    engineeringContact: { name: "Contoso engineering", email: "eng@contoso.example", phone: "+1 555 0101" },
  },
  plans: {
    standard: {
      alias: "Contoso Linux Standard",
      azureRegions: ["azureGlobal"],
      listing: {
        name: "Standard",
        summary: "General purpose",
        description: "Contoso Linux for general workloads.",
      },
      availability: {
        visibility: "visible",
        audience: "public",
        customerMarkets: "customMarkets",
        markets: ["us", "gb", "de"],
        pricing: {
          licenseModel: "payAsYouGo",
          corePricing: { priceInputOption: "perCore", pricePerCore: 0.04 },
        },
      },
      technicalConfiguration: {
        operatingSystem: { family: "linux", type: "other", friendlyName: "Contoso Linux 9" },
        recommendedVmSizes: ["Standard_D2s_v5", "Standard_D4s_v5"],
        openPorts: [{ label: "ssh", portRange: "22", protocol: "tcp" }],
        vmProperties: { supportsCloudInit: true, supportsExtensions: true },
        skus: [{ imageType: "x64Gen2", skuId: "standard-gen2" }],
      },
    },
    hardened: {
      alias: "Contoso Linux Hardened",
      azureRegions: ["azureGlobal"],
      listing: {
        name: "Hardened",
        summary: "CIS level 2",
        description: "Contoso Linux with CIS level 2 hardening.",
      },
      availability: {
        visibility: "visible",
        audience: "public",
        customerMarkets: "customMarkets",
        markets: ["us", "gb", "de"],
        pricing: {
          licenseModel: "payAsYouGo",
          corePricing: { priceInputOption: "perCore", pricePerCore: 0.09 },
        },
      },
      technicalConfiguration: {
        operatingSystem: { family: "linux", type: "other", friendlyName: "Contoso Linux 9 Hardened" },
        recommendedVmSizes: ["Standard_D2s_v5"],
        openPorts: [{ label: "ssh", portRange: "22", protocol: "tcp" }],
        vmProperties: { supportsCloudInit: true, supportsExtensions: true },
        skus: [{ imageType: "x64Gen2", skuId: "hardened-gen2" }],
      },
    },
  },
});

// The image version of the standard plan, beside the offer on the same plan: it writes only `vmImageVersions`
// (every other field of the technical configuration goes back as read), the offer writes only the rest.
// `pulumi config set --secret osVhdUrl 'https://…/os-9.2.0.vhd?sv=…&sp=rl&se=…&sig=…'`.
const image = new VmImageVersion(
  "image",
  {
    ...connection,
    api: "ingestion",
    offerId,
    planId: "standard",
    version: config.get("version") ?? "9.2.0",
    images: [{ imageType: "x64Gen2", osDiskUri: config.requireSecret("osVhdUrl") }],
  },
  { dependsOn: offer },
);

// Publish once per change: `triggers` replaces the publish when the declared offer (its `declaration`) or the
// image version changes, and never otherwise. `configuration` lets the publish refuse a draft that holds portal
// edits this program did not declare (they would go out unreviewed); the image versions VmImageVersion adds are
// declared by it, not by the offer, hence `allowUndeclaredChangesTo`.
const triggers = [offer.declaration, image.version];
const published = new OfferPublish(
  "publish",
  {
    ...connection,
    ...waiting,
    api: "ingestion",
    offerId,
    configuration: offer.declaration,
    allowUndeclaredChangesTo: ["plans[*].technicalConfiguration.vmImageVersions"],
    triggers,
  },
  { dependsOn: [offer, image] },
);

// Review gate: look at the preview (`npx pulumi-cloudpartner status --api ingestion <offerId>`), then
// `pulumi config set goLive true` and `pulumi up`. Set it back to false before the next change to review again.
const live = config.getBoolean("goLive")
  ? new OfferGoLive(
      "live",
      { ...connection, ...waiting, api: "ingestion", offerId, triggers },
      { dependsOn: published },
    )
  : undefined;

export const productId = offer.productId;
export const resourceIds = offer.resourceIds;
export const pendingChanges = offer.pendingChanges;
export const awaitingSignoff = published.awaitingSignoff;
export const liveStatus = live?.status ?? "not requested (review the preview, then set goLive=true)";
