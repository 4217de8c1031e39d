/**
 * The gRPC side of the native provider: the SDK's generated `pulumirpc` stubs and the grpc-js copy they were
 * generated against, plus the small conversions every handler shares (detailed diffs, JSON-safe structs).
 */

import * as path from "node:path";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as provpb from "@pulumi/pulumi/proto/provider_pb";
import type { Properties } from "./properties";

// The SDK's generated stubs and the grpc-js copy they were generated against.
const sdkDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
export const grpc: typeof grpcTypes = require(require.resolve("@grpc/grpc-js", { paths: [sdkDir] }));
export const provrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
export const provproto: typeof import("@pulumi/pulumi/proto/provider_pb") = require("@pulumi/pulumi/proto/provider_pb");
export const pluginproto = require("@pulumi/pulumi/proto/plugin_pb");
export const statusproto = require("@pulumi/pulumi/proto/status_pb");
export const { Struct } = require(
  require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [sdkDir] }),
);
export const { Empty } = require(
  require.resolve("google-protobuf/google/protobuf/empty_pb", { paths: [sdkDir] }),
);
export const { Any } = require(
  require.resolve("google-protobuf/google/protobuf/any_pb", { paths: [sdkDir] }),
);

/** `urn:pulumi:<stack>::<project>::<parent$type>::<name>` → `<type>`. */
export function typeOf(urn: string): string {
  const qualified = urn.split("::")[2] ?? "";
  return qualified.split("$").pop() ?? "";
}

/** A diff answer with its detailed diff (which the engine shows, and trusts over its own comparison). */
export function diffResponse(
  changes: boolean,
  detailed: Map<string, provpb.PropertyDiff>,
): provpb.DiffResponse {
  const response = new provproto.DiffResponse()
    .setChanges(
      changes ? provproto.DiffResponse.DiffChanges.DIFF_SOME : provproto.DiffResponse.DiffChanges.DIFF_NONE,
    )
    .setDiffsList([...detailed.keys()])
    .setHasdetaileddiff(true);
  for (const [key, value] of detailed) response.getDetaileddiffMap().set(key, value);
  return response;
}

export function propertyDiff(old: unknown, next: unknown, replace: boolean): provpb.PropertyDiff {
  const Kind = provproto.PropertyDiff.Kind;
  const kind =
    old === undefined
      ? replace
        ? Kind.ADD_REPLACE
        : Kind.ADD
      : next === undefined
        ? replace
          ? Kind.DELETE_REPLACE
          : Kind.DELETE
        : replace
          ? Kind.UPDATE_REPLACE
          : Kind.UPDATE;
  return new provproto.PropertyDiff().setKind(kind).setInputdiff(true);
}

export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** `Struct.fromJavaScript` rejects `undefined`; drop it everywhere (JSON round trip). */
export function jsonSafe<T>(value: T): Properties {
  return JSON.parse(JSON.stringify(value ?? {}));
}
