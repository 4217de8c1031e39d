import * as pulumi from "@pulumi/pulumi";
import { OfferGoLive, OfferPublish } from "pulumi-cloudpartner";

const config = new pulumi.Config();
const offer = {
  // Every offer created in Partner Center (all but the oldest ones) uses the Product Ingestion API.
  api: "ingestion" as const,
  // The offer id shown in Partner Center (the product's external id); no publisher id is needed.
  offerId: config.require("offerId"),
  // Only set for the local simulator; the default is https://graph.microsoft.com/rp/product-ingestion.
  endpoint: config.get("endpoint"),
  pollIntervalSeconds: config.getNumber("pollIntervalSeconds"),
  maxPollIntervalSeconds: config.getNumber("maxPollIntervalSeconds"),
  // How long one `pulumi up` waits (default 4 days); when it stops, the next `pulumi up` resumes the same job.
  timeoutSeconds: config.getNumber("timeoutSeconds"),
};

// Publishes the draft to preview once (certification included) and waits until the preview is ready to go
// live — hours to days. `awaitingSignoff` is then true.
const published = new OfferPublish("offer-publish", offer);

// Going live is the publisher's sign-off of the preview: a person's decision. This gate is that review step:
// after the publish, review the preview (`npx pulumi-cloudpartner status --api ingestion <offer>`), then
// `pulumi config set goLive true` and `pulumi up` again.
const live = config.getBoolean("goLive")
  ? new OfferGoLive("offer-live", offer, { dependsOn: published })
  : undefined;

export const productId = published.productId;
export const previewSubmission = published.submissionId;
export const publishStatus = published.status;
export const awaitingSignoff = published.awaitingSignoff;
export const liveStatus = live?.status ?? "not requested (review the preview, then set goLive=true)";
export const liveSubmission = live?.submissionId ?? "none yet";
