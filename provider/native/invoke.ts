/** The provider's one function, `getOfferStatus`: reads where an offer stands; never writes. */

import type * as provpb from "@pulumi/pulumi/proto/provider_pb";
import { createBackend } from "../backends";
import type { ApiName } from "../core/backend";
import { ConfigurationError } from "../core/errors";
import { type ProviderConfig, withConfigDefaults } from "./config";
import { GET_OFFER_STATUS } from "./contract";
import { unwrap } from "./properties";
import { jsonSafe, provproto, Struct } from "./protocol";

export async function invoke(
  req: provpb.InvokeRequest,
  config: ProviderConfig,
): Promise<provpb.InvokeResponse> {
  if (req.getTok() !== GET_OFFER_STATUS) {
    throw new ConfigurationError(
      `Unknown function ${req.getTok()}; this provider has ${GET_OFFER_STATUS}. Update the cloudpartner SDK and plugin together.`,
    );
  }
  const { values } = unwrap(req.getArgs()?.toJavaScript());
  const args = withConfigDefaults(values, config);
  const failures: provpb.CheckFailure[] = [];
  for (const property of ["publisherId", "offerId"]) {
    if (typeof args[property] !== "string" || args[property] === "")
      failures.push(new provproto.CheckFailure().setProperty(property).setReason(`${property} is required.`));
  }
  if (failures.length) return new provproto.InvokeResponse().setFailuresList(failures);
  const backend = createBackend({
    api: (args.api as ApiName | undefined) ?? "cpp",
    publisherId: args.publisherId as string,
    offerId: args.offerId as string,
    endpoint: args.endpoint as string | undefined,
    apiVersion: args.apiVersion as string | undefined,
    accessToken: config.accessToken,
  });
  const report = await backend.offerStatus();
  return new provproto.InvokeResponse().setReturn(Struct.fromJavaScript(jsonSafe(report)));
}
