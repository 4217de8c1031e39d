/**
 * The native provider's contract as code sees it: its package name, resource types, function and configuration
 * keys, and where `schema.json` (the single source of the contract for the SDKs) is. No heavy imports: the
 * schema drift test loads this.
 */

import * as fs from "node:fs";
import * as path from "node:path";
import type { OperationKind } from "../core/backend";
import { ConfigurationError } from "../core/errors";

export const PACKAGE_NAME = "cloudpartner";
export const GET_OFFER_STATUS = "cloudpartner:index:getOfferStatus";

/** Where the contract lives: `schema.json` at the package root (two levels up from source and from `dist/`). */
export function schemaPath(): string {
  for (const dir of [path.resolve(__dirname, "../.."), path.resolve(__dirname, "../../..")]) {
    const candidate = path.join(dir, "schema.json");
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new ConfigurationError(
    "schema.json is missing next to the pulumi-cloudpartner package; reinstall the package.",
  );
}

/** The operation resources this provider serves, each by the kind of operation it starts. */
export const RESOURCE_KINDS: Record<string, OperationKind> = {
  "cloudpartner:index:OfferGoLive": "golive",
  "cloudpartner:index:OfferPublish": "publish",
};

/** One VM image version of one plan (the dynamic `VmImageVersion`, served by `VmImageVersionProvider`). */
export const VM_IMAGE_VERSION = "cloudpartner:index:VmImageVersion";

/** The whole offer as code (Product Ingestion API), served by `OfferConfigurationProvider`. Its id is the offer id. */
export const OFFER_CONFIGURATION = "cloudpartner:index:OfferConfiguration";

/** Every resource type this provider serves. */
export const RESOURCE_TYPES: readonly string[] = [
  ...Object.keys(RESOURCE_KINDS),
  VM_IMAGE_VERSION,
  OFFER_CONFIGURATION,
];

/** The provider configuration keys (`cloudpartner:<key>` in stack config). */
export const CONFIG_KEYS = ["accessToken", "endpoint", "api"] as const;

/** The configuration keys `schema.json` marks secret: always answered as secrets, however they arrived. */
export const SECRET_CONFIG_KEYS: readonly (typeof CONFIG_KEYS)[number][] = ["accessToken"];
