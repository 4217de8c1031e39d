import * as pulumi from "@pulumi/pulumi";
import { OfferConfiguration, OfferGoLive, OfferPublish, type PlanInputs } from "pulumi-cloudpartner";

const config = new pulumi.Config();
// Only set for the local emulator; the default is https://graph.microsoft.com/rp/product-ingestion.
const endpoint = config.get("endpoint");
const waiting = {
  pollIntervalSeconds: config.getNumber("pollIntervalSeconds"),
  maxPollIntervalSeconds: config.getNumber("maxPollIntervalSeconds"),
};
const offerId = config.require("offerId");

// A container offer with a listing-only container image plan: `container-plan-technical-configuration` with
// `payloadType: "image"`, the Azure Container Registry repository and its tags. The registry password is a
// secret (`pulumi config set --secret registryPassword …`): it stays encrypted in the stack.
const registryPassword = config.requireSecret("registryPassword");
const offer = new OfferConfiguration("offer", {
  endpoint,
  offerId,
  product: { type: "azureContainer", alias: "Contoso Agent" },
  listing: {
    title: "Contoso Agent",
    searchResultSummary: "The Contoso monitoring agent as a container image",
    shortDescription: "Contoso Agent container",
    description: "<p>The Contoso monitoring agent, packaged as a container image.</p>",
    privacyPolicyLink: "https://contoso.example/privacy",
    supportContact: { name: "Contoso support", email: "support@contoso.example", phone: "+1 555 0100" },
    engineeringContact: { name: "Contoso engineering", email: "eng@contoso.example", phone: "+1 555 0101" },
  },
  plans: {
    // Built from the secret: the plan input (and its output) is then a secret as a whole.
    agent: registryPassword.apply(
      (password): PlanInputs => ({
        alias: "Contoso Agent",
        listing: {
          name: "Contoso Agent",
          summary: "The agent image",
          description: "The Contoso monitoring agent.",
        },
        availability: {
          visibility: "visible",
          audience: "public",
          customerMarkets: "customMarkets",
          markets: ["us"],
        },
        technicalConfiguration: {
          payloadType: "image",
          imageRepositoryDetails: {
            subscriptionId: "537d2130-be25-451e-b3ff-c5b469a13e2d",
            resourceGroupName: "contoso-images",
            registryName: "contosoregistry",
            repositoryName: "agent",
            userName: "contoso-push",
            password,
          },
          imageTags: ["1.4.0", "latest"],
        },
      }),
    ),
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
