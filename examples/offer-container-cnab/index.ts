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

// A Kubernetes application offer: `container-plan-technical-configuration` with `payloadType: "cnab"`, the
// cluster extension type (fixed once published to preview) and the CNAB bundles in Azure Container Registry.
// A new bundle version is one more entry in `cnabReferences`: one configure, then one publish.
const offer = new OfferConfiguration("offer", {
  endpoint,
  offerId,
  product: { type: "azureContainer", alias: "Contoso Operator" },
  listing: {
    title: "Contoso Operator",
    searchResultSummary: "The Contoso operator for AKS",
    shortDescription: "Contoso Operator, a Kubernetes application",
    description: "<p>Installs and runs the Contoso operator on your AKS cluster.</p>",
    privacyPolicyLink: "https://contoso.example/privacy",
    supportContact: { name: "Contoso support", email: "support@contoso.example", phone: "+1 555 0100" },
    engineeringContact: { name: "Contoso engineering", email: "eng@contoso.example", phone: "+1 555 0101" },
  },
  plans: {
    operator: {
      alias: "Contoso Operator",
      azureRegions: ["azureGlobal"],
      listing: {
        name: "Contoso Operator",
        summary: "The operator",
        description: "The Contoso operator for AKS.",
      },
      availability: {
        visibility: "visible",
        audience: "public",
        customerMarkets: "customMarkets",
        markets: ["us", "gb"],
      },
      technicalConfiguration: {
        payloadType: "cnab",
        clusterExtensionType: "Contoso.Operator",
        cnabReferences: [
          {
            tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
            subscriptionId: "537d2130-be25-451e-b3ff-c5b469a13e2d",
            resourceGroupName: "contoso-bundles",
            registryName: "contosoregistry",
            repositoryName: "operator-bundle",
            tag: config.get("bundleTag") ?? "1.2.0",
            digest:
              config.get("bundleDigest") ??
              "sha256:4f1c9b1e0e6d7a3c2b8a9f0e1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d0c",
          },
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
