import * as pulumi from "@pulumi/pulumi";
import { OfferGoLive, OfferPublish } from "pulumi-cloudpartner";

const config = new pulumi.Config();
const offer = {
  publisherId: config.require("publisherId"),
  offerId: config.require("offerId"),
  // Only set for the local CPP simulator; the default is https://cloudpartner.azure.com.
  endpoint: config.get("endpoint"),
  pollIntervalSeconds: config.getNumber("pollIntervalSeconds"),
  maxPollIntervalSeconds: config.getNumber("maxPollIntervalSeconds"),
};

// Sends publish once (validation, certification, packaging, preview) and waits until the preview is ready
// for review — usually a few days. The portal e-mails these addresses about each step.
const published = new OfferPublish("offer-publish", {
  ...offer,
  notificationEmails: config.requireObject<string[]>("notificationEmails"),
});

// The go-live is the publisher's sign-off of the preview: a person's decision. This gate is that review
// step: after the publish, review the preview links (`npx pulumi-cloudpartner status <publisher> <offer>`),
// then `pulumi config set goLive true` and `pulumi up` again to go live.
const live = config.getBoolean("goLive")
  ? new OfferGoLive("offer-live", offer, { dependsOn: published })
  : undefined;

export const publishStatus = published.status;
export const awaitingSignoff = published.awaitingSignoff;
export const publishStep = published.currentStep;
export const liveStatus = live?.status ?? "not requested (review the preview, then set goLive=true)";
export const liveStep = live?.currentStep;
