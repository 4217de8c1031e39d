import * as pulumi from "@pulumi/pulumi";
import { OfferGoLive, OfferPublish, VmImageVersion } from "pulumi-cloudpartner";

const config = new pulumi.Config();
const offer = {
  publisherId: config.require("publisherId"),
  offerId: config.require("offerId"),
  // Only set for the local CPP simulator; the default is https://cloudpartner.azure.com.
  endpoint: config.get("endpoint"),
  pollIntervalSeconds: config.getNumber("pollIntervalSeconds"),
  maxPollIntervalSeconds: config.getNumber("maxPollIntervalSeconds"),
};

// 1. The image version: added to the plan in the offer's draft (one write), or adopted when it is already there.
//    The SAS URI is a secret: `pulumi config set --secret osVhdUrl 'https://…vhd?sv=…&sp=rl&se=…&sig=…'`
//    (read and list only, valid for at least 21 days).
const image = new VmImageVersion("image", {
  publisherId: offer.publisherId,
  offerId: offer.offerId,
  endpoint: offer.endpoint,
  planId: config.require("planId"),
  version: config.require("version"),
  osVhdUrl: config.requireSecret("osVhdUrl"),
});

// 2. Publish: `triggers` replaces this resource when the version changes, so each new version is published once;
//    an unchanged version sends nothing.
const published = new OfferPublish("publish", {
  ...offer,
  notificationEmails: config.requireObject<string[]>("notificationEmails"),
  triggers: [image.version],
});

// 3. Review gate: a person reviews the preview (`npx pulumi-cloudpartner status <publisher> <offer>`), then
//    `pulumi config set goLive true` and `pulumi up`. The go-live has the same triggers: one go-live per version.
const live = config.getBoolean("goLive")
  ? new OfferGoLive("live", { ...offer, triggers: [image.version] }, { dependsOn: published })
  : undefined;

export const version = image.version;
export const imageState = image.state;
export const alreadyPresent = image.alreadyPresent;
export const awaitingSignoff = published.awaitingSignoff;
export const liveStatus = live?.status ?? "not requested (review the preview, then set goLive=true)";
