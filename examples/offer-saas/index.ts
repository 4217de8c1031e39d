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

// A SaaS offer: the technical configuration (landing page, webhook, Microsoft Entra app) is offer-level,
// `software-as-a-service-technical-configuration`; plans carry a listing and a price (`recurrentPrice`, the
// API's own JSON).
const monthly = (usd: number) => ({
  recurrentPriceMode: "flatRate",
  priceInputOption: "usd",
  prices: [
    {
      billingTerm: { type: "month", value: 1 },
      paymentOption: { type: "month", value: 1 },
      pricePerPaymentInUsd: usd,
    },
  ],
});
const offer = new OfferConfiguration("offer", {
  endpoint,
  offerId,
  product: { type: "softwareAsAService", alias: "Contoso Insights" },
  listing: {
    title: "Contoso Insights",
    searchResultSummary: "Dashboards for Contoso data",
    shortDescription: "Contoso Insights, as a service",
    description: "<p>Contoso Insights turns your Contoso data into dashboards.</p>",
    privacyPolicyLink: "https://contoso.example/privacy",
    supportContact: { name: "Contoso support", email: "support@contoso.example", phone: "+1 555 0100" },
    engineeringContact: { name: "Contoso engineering", email: "eng@contoso.example", phone: "+1 555 0101" },
  },
  technicalConfiguration: {
    landingPageUrl: "https://insights.contoso.example/landing",
    connectionWebhook: "https://insights.contoso.example/webhook",
    azureAdTenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
    azureAdAppId: "9b4a2f7e-3c1d-4e5f-8a6b-0c1d2e3f4a5b",
  },
  plans: {
    team: {
      alias: "Team",
      listing: { name: "Team", summary: "Up to 10 users", description: "Contoso Insights for teams." },
      availability: {
        visibility: "visible",
        audience: "public",
        customerMarkets: "customMarkets",
        markets: ["us", "gb"],
        pricing: { recurrentPrice: monthly(49) },
      },
    },
    enterprise: {
      alias: "Enterprise",
      listing: {
        name: "Enterprise",
        summary: "Unlimited users",
        description: "Contoso Insights for the whole company.",
      },
      availability: {
        visibility: "visible",
        audience: "public",
        customerMarkets: "customMarkets",
        markets: ["us", "gb"],
        pricing: { recurrentPrice: monthly(499) },
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
