import * as pulumi from "@pulumi/pulumi";
import { OfferGoLive, OfferPublish, type VmImageInput, VmImageVersion } from "pulumi-cloudpartner";

const config = new pulumi.Config();
// `cpp` (default): the Cloud Partner Portal API. `ingestion`: the Partner Center Product Ingestion API, which
// every offer created in Partner Center (all but the oldest ones) uses.
const api = config.get("api") ?? "cpp";
if (api !== "cpp" && api !== "ingestion") throw new Error(`config api must be cpp or ingestion, got ${api}`);
const ingestion = api === "ingestion";
const offer = {
  api: ingestion ? ("ingestion" as const) : undefined,
  // CPP only: the Product Ingestion API names the offer by its offer id alone.
  publisherId: ingestion ? undefined : config.require("publisherId"),
  offerId: config.require("offerId"),
  // Only set for the local simulator; the defaults are https://cloudpartner.azure.com (CPP) and
  // https://graph.microsoft.com/rp/product-ingestion (ingestion).
  endpoint: config.get("endpoint"),
  pollIntervalSeconds: config.getNumber("pollIntervalSeconds"),
  maxPollIntervalSeconds: config.getNumber("maxPollIntervalSeconds"),
};

/**
 * Ingestion: the version's image (`imageType`, default x64Gen2) from the OS disk's SAS URI (the `osVhdUrl`
 * secret), or from an Azure Compute Gallery image version when `galleryImageVersionId` and `tenantId` are set.
 * A gallery image version built in the same program flows in straight from its resource, e.g. with
 * @pulumi/azure-native: `const built = new azure.compute.GalleryImageVersion("build", {...})`, then
 * `sharedImage: { tenantId, resourceId: built.id }`.
 */
function ingestionImage(): VmImageInput {
  const imageType = (config.get("imageType") ?? "x64Gen2") as VmImageInput["imageType"];
  const galleryImageVersionId = config.get("galleryImageVersionId");
  return galleryImageVersionId
    ? { imageType, sharedImage: { tenantId: config.require("tenantId"), resourceId: galleryImageVersionId } }
    : { imageType, osDiskUri: config.requireSecret("osVhdUrl") };
}

// 1. The image version: added to the plan in the offer's draft (one write), or adopted when it is already there.
//    The SAS URI is a secret: `pulumi config set --secret osVhdUrl 'https://…vhd?sv=…&sp=rl&se=…&sig=…'`
//    (read and list only, valid for at least 21 days).
const image = new VmImageVersion("image", {
  api: offer.api,
  publisherId: offer.publisherId,
  offerId: offer.offerId,
  endpoint: offer.endpoint,
  planId: config.require("planId"),
  version: config.require("version"),
  osVhdUrl: ingestion ? undefined : config.requireSecret("osVhdUrl"),
  images: ingestion ? [ingestionImage()] : undefined,
});

// 2. Publish: `triggers` replaces this resource when the version changes, so each new version is published once;
//    an unchanged version sends nothing.
const published = new OfferPublish("publish", {
  ...offer,
  // CPP only (Partner Center notifies the account's contacts).
  notificationEmails: ingestion ? undefined : config.requireObject<string[]>("notificationEmails"),
  triggers: [image.version],
});

// 3. Review gate: a person reviews the preview (`npx pulumi-cloudpartner status <publisher> <offer>`, on
//    ingestion `status --api ingestion <offer>`), then `pulumi config set goLive true` and `pulumi up`. The go-live
//    has the same triggers: one go-live per version.
const live = config.getBoolean("goLive")
  ? new OfferGoLive("live", { ...offer, triggers: [image.version] }, { dependsOn: published })
  : undefined;

export const version = image.version;
export const imageState = image.state;
export const alreadyPresent = image.alreadyPresent;
export const awaitingSignoff = published.awaitingSignoff;
export const liveStatus = live?.status ?? "not requested (review the preview, then set goLive=true)";
