// The program of examples/golive on the native provider (plugin `pulumi-resource-cloudpartner`), through the
// generated Node.js SDK (sdk/nodejs). The e2e tests copy it over examples/golive/index.ts: same project, same
// stack, same resource name, so it is also the "after" of the dynamic → native migration.

import * as pulumi from "@pulumi/pulumi";
import * as cloudpartner from "@pulumi-cloudpartner/cloudpartner";

const config = new pulumi.Config();
const createTimeout = config.get("createTimeout");

const live = new cloudpartner.OfferGoLive(
  "offer-live",
  {
    publisherId: config.require("publisherId"),
    offerId: config.require("offerId"),
    endpoint: config.get("endpoint"),
    pollIntervalSeconds: config.getNumber("pollIntervalSeconds"),
    maxPollIntervalSeconds: config.getNumber("maxPollIntervalSeconds"),
    timeoutSeconds: config.getNumber("timeoutSeconds"),
  },
  {
    ...(createTimeout ? { customTimeouts: { create: createTimeout } } : {}),
    // Migration from the dynamic OfferGoLive class: the same resource under its old type (the second one is
    // what releases before the named dynamic types recorded).
    ...(config.getBoolean("migrateFromDynamic")
      ? {
          aliases: [
            { type: "pulumi-nodejs:dynamic/cloudpartner:OfferGoLive" },
            { type: "pulumi-nodejs:dynamic:Resource" },
          ],
        }
      : {}),
  },
);

export const status = live.status;
export const operationId = live.operationId;
export const operationLocation = live.operationLocation;
export const currentStep = live.currentStep;
export const completedAt = live.completedAt;
