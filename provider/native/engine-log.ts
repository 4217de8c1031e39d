/**
 * Progress lines of the native plugin go to the engine's `Log` service, attached to the resource being worked
 * on, so `pulumi up` shows them under that resource as the dynamic provider host's lines are (a plugin's own
 * stdout is not shown by the CLI). Each gRPC call runs inside `withUrn`, so a line knows its resource without
 * the core ever learning about URNs. Lines are sent in order; when the engine cannot be reached (tests that
 * start the plugin alone) they go to stdout instead.
 */

import { AsyncLocalStorage } from "node:async_hooks";
import * as path from "node:path";
import type * as grpcTypes from "@grpc/grpc-js";
import type { LogSeverity } from "../resources";

const urnOfCall = new AsyncLocalStorage<string>();

/** Runs `fn` with `urn` as the resource its log lines belong to. */
export function withUrn<T>(urn: string | undefined, fn: () => T): T {
  return urn ? urnOfCall.run(urn, fn) : fn();
}

export interface EngineLogger {
  /** Sends a line at its severity (default info): the CLI shows warnings and errors as such. */
  log(line: string, severity?: LogSeverity): void;
  /** Resolves once every line logged so far reached the engine (a call answers only after its lines). */
  flushed(): Promise<void>;
}

/** A logger that sends each line to the engine at `address` (the plugin's first argument). */
export function engineLogger(
  address: string | undefined,
  fallback: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): EngineLogger {
  if (!address) return { log: fallback, flushed: async () => {} };
  const sdkDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
  const grpc: typeof grpcTypes = require(require.resolve("@grpc/grpc-js", { paths: [sdkDir] }));
  const { EngineClient } = require("@pulumi/pulumi/proto/engine_grpc_pb");
  const engineproto: typeof import("@pulumi/pulumi/proto/engine_pb") = require("@pulumi/pulumi/proto/engine_pb");
  const client = new EngineClient(address, grpc.credentials.createInsecure(), {
    "grpc.max_receive_message_length": 64 * 1024 * 1024,
  });
  let reachable = true;
  // One line at a time, so lines keep their order in the CLI's output.
  let queue = Promise.resolve();
  const severities: Record<LogSeverity, number> = {
    info: engineproto.LogSeverity.INFO,
    warning: engineproto.LogSeverity.WARNING,
    error: engineproto.LogSeverity.ERROR,
  };
  const log = (line: string, severity: LogSeverity = "info") => {
    const urn = urnOfCall.getStore() ?? "";
    queue = queue.then(
      () =>
        new Promise<void>((resolve) => {
          if (!reachable) {
            fallback(line);
            resolve();
            return;
          }
          const request = new engineproto.LogRequest()
            .setSeverity(severities[severity] ?? engineproto.LogSeverity.INFO)
            .setMessage(line)
            .setUrn(urn);
          client.log(request, { deadline: Date.now() + 5_000 }, (error: Error | null) => {
            if (error) {
              reachable = false;
              fallback(line);
            }
            resolve();
          });
        }),
    );
  };
  return { log, flushed: () => queue };
}
