/**
 * The native plugin's progress lines reach the engine's Log service, each attached to its resource's URN, so
 * `pulumi up` shows them (the CLI does not show a plugin's stdout). A small Engine server stands in for the
 * engine; the plugin gets its address as the engine would pass it.
 */

import * as path from "node:path";
import type * as grpcTypes from "@grpc/grpc-js";
import type { CppSimulator } from "../../emulator/server";
import { withSimulator } from "../support/harness";
import { GO_LIVE, NativeHost, secret, urnOf } from "../support/native-host";

const sdkDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
const grpc: typeof grpcTypes = require(require.resolve("@grpc/grpc-js", { paths: [sdkDir] }));
const enginerpc = require("@pulumi/pulumi/proto/engine_grpc_pb");
const { Empty } = require(require.resolve("google-protobuf/google/protobuf/empty_pb", { paths: [sdkDir] }));

const CANARY = "canary-engine-log-token-9f2c4e1d";
let sim: CppSimulator;
let host: NativeHost;
let engine: grpcTypes.Server;
const logs: Array<{ severity: number; message: string; urn: string }> = [];

beforeAll(async () => {
  sim = await withSimulator({ acceptedTokens: [CANARY] });
  engine = new grpc.Server();
  const unimplemented = (_call: unknown, callback: (error: Error) => void) =>
    callback(Object.assign(new Error("not implemented"), { code: grpc.status.UNIMPLEMENTED }));
  engine.addService(enginerpc.EngineService, {
    log: (
      call: { request: { getSeverity(): number; getMessage(): string; getUrn(): string } },
      callback: (e: null, r: unknown) => void,
    ) => {
      logs.push({
        severity: call.request.getSeverity(),
        message: call.request.getMessage(),
        urn: call.request.getUrn(),
      });
      callback(null, new Empty());
    },
    getRootResource: unimplemented,
    setRootResource: unimplemented,
    startDebugging: unimplemented,
  });
  const port = await new Promise<number>((resolve, reject) =>
    engine.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  host = await NativeHost.start({}, `127.0.0.1:${port}`);
  await host.configure({ accessToken: secret(CANARY), endpoint: sim.url, version: "0.1.0" });
});

afterAll(async () => {
  await host?.stop();
  engine?.forceShutdown();
  await sim?.close();
});

test("a go-live's progress lines go to the engine, attached to the resource, in order; none to stdout; no token", async () => {
  sim.addOffer({ publisherId: "contoso", offerId: "engine-log-1" });
  const inputs = (
    await host.check(
      GO_LIVE,
      {},
      {
        publisherId: "contoso",
        offerId: "engine-log-1",
        pollIntervalSeconds: 0.01,
        maxPollIntervalSeconds: 0.02,
      },
    )
  ).inputs;
  const created = await host.create(GO_LIVE, inputs);
  expect(created.properties).toMatchObject({ status: "succeeded" });

  const mine = logs.filter((l) => l.urn === urnOf(GO_LIVE));
  const messages = mine.map((l) => l.message);
  expect(messages[0]).toMatch(/^\[contoso\/engine-log-1\] go-live accepted; operation /);
  expect(messages.at(-1)).toBe("[contoso/engine-log-1] go-live succeeded.");
  expect(messages.some((m) => / go-live running: /.test(m))).toBe(true);
  expect(mine.every((l) => l.severity === 1)).toBe(true); // INFO
  expect(logs.filter((l) => l.urn === "")).toEqual([]);
  expect(host.host.stdout).not.toMatch(/go-live accepted/);
  expect(JSON.stringify(logs)).not.toContain(CANARY);
});

test("a failed step goes to the engine at ERROR; the other lines stay INFO", async () => {
  sim.addOffer({
    publisherId: "contoso",
    offerId: "engine-log-2",
    goLive: { failAt: { stepId: "displaycertify", messages: ["No VM image for plan gold."] } },
  });
  const inputs = (
    await host.check(
      GO_LIVE,
      {},
      {
        publisherId: "contoso",
        offerId: "engine-log-2",
        pollIntervalSeconds: 0.01,
        maxPollIntervalSeconds: 0.02,
      },
    )
  ).inputs;
  const before = logs.length;
  await expect(host.create(GO_LIVE, inputs)).rejects.toThrow(/failed at step "Certification"/);
  const mine = logs.slice(before).filter((l) => l.message.startsWith("[contoso/engine-log-2]"));
  const SEVERITY = { INFO: 1, WARNING: 2, ERROR: 3 };
  const failed = mine.filter((l) => / go-live failed: /.test(l.message));
  expect(failed).toHaveLength(1);
  expect(failed[0]).toMatchObject({ severity: SEVERITY.ERROR, urn: urnOf(GO_LIVE) });
  expect(failed[0]?.message).toMatch(/Certification \(blocked, 0%\) — No VM image for plan gold/);
  expect(mine.filter((l) => l !== failed[0]).every((l) => l.severity === SEVERITY.INFO)).toBe(true);
  expect(mine.find((l) => / go-live accepted; /.test(l.message))?.severity).toBe(SEVERITY.INFO);
});
