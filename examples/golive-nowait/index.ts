import * as pulumi from "@pulumi/pulumi";
import { OfferGoLive } from "pulumi-cloudpartner";

const config = new pulumi.Config();

// `wait: false`: `pulumi up` returns as soon as the API accepted go-live. Later runs of `pulumi up` (or
// `pulumi refresh`) read the operation's current status; go-live is never sent again.
const live = new OfferGoLive("offer-live", {
  publisherId: config.get("publisherId") ?? "contoso",
  offerId: config.get("offerId") ?? "contoso-offer",
  endpoint: config.get("endpoint"),
  wait: false,
});

export const status = live.status;
export const currentStep = live.currentStep;
export const steps = live.steps.apply((steps) => steps.map((s) => `${s.name}: ${s.status}`));
export const isLive = live.status.apply((s) => s === "succeeded");
