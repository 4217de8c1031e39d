import * as pulumi from "@pulumi/pulumi";
import { OfferGoLive } from "pulumi-cloudpartner";

const config = new pulumi.Config();

// Sends go-live once and blocks until the Cloud Partner Portal reports the offer live (hours to days).
// The token comes from `pulumi config set --secret cloudpartner:accessToken ...`, CLOUDPARTNER_ACCESS_TOKEN,
// or Azure AD (AZURE_TENANT_ID / AZURE_CLIENT_ID / AZURE_CLIENT_SECRET).
const live = new OfferGoLive("offer-live", {
  publisherId: config.require("publisherId"),
  offerId: config.require("offerId"),
  // Only set for the local CPP simulator; the default is https://cloudpartner.azure.com.
  endpoint: config.get("endpoint"),
  pollIntervalSeconds: config.getNumber("pollIntervalSeconds"),
  maxPollIntervalSeconds: config.getNumber("maxPollIntervalSeconds"),
  timeoutSeconds: config.getNumber("timeoutSeconds"),
});

export const status = live.status;
export const operationId = live.operationId;
export const operationLocation = live.operationLocation;
export const currentStep = live.currentStep;
export const completedAt = live.completedAt;
