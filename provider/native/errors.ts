/** How a failure leaves the plugin: a gRPC status, with the partial state a ResourceInitError carries. */

import type * as grpcTypes from "@grpc/grpc-js";
import { CloudPartnerError, redactSecrets, redactToken } from "../core/errors";
import { ResourceInitError } from "../resources";
import { Any, grpc, jsonSafe, provproto, Struct, statusproto } from "./protocol";

/** The gRPC error for a failure; `token` (the configured one) never leaves the process in a message. */
export function grpcError(error: unknown, token: string | undefined): Partial<grpcTypes.StatusObject> {
  const message = redactMessage(error instanceof Error ? error.message : String(error), token);
  const metadata = new grpc.Metadata();
  if (error instanceof ResourceInitError) {
    const detail = new provproto.ErrorResourceInitFailed()
      .setId(error.id)
      .setProperties(Struct.fromJavaScript(jsonSafe(error.properties)))
      .setReasonsList(error.reasons.map((reason) => redactMessage(reason, token)));
    const any = new Any();
    any.pack(detail.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
    const status = new statusproto.Status().setCode(grpc.status.UNKNOWN).setMessage(message);
    status.addDetails(any);
    metadata.add("grpc-status-details-bin", Buffer.from(status.serializeBinary()));
  }
  const code =
    error instanceof CloudPartnerError && error.code === "CPP_CONFIGURATION"
      ? grpc.status.INVALID_ARGUMENT
      : grpc.status.UNKNOWN;
  return { code, details: message, metadata };
}

/**
 * Belt and braces: no message leaves this process with the configured token or a SAS signature in it (errors
 * of the hierarchy are redacted when made; this covers anything else thrown on the way).
 */
function redactMessage(text: string, token: string | undefined): string {
  return redactSecrets(redactToken(text, token));
}
