/**
 * Drives Pulumi's real dynamic provider host (`@pulumi/pulumi/cmd/dynamic-provider`, the plugin the CLI runs
 * as `pulumi-resource-pulumi-nodejs`) over its gRPC ResourceProvider protocol, the way the engine does.
 */

import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type * as provpb from "@pulumi/pulumi/proto/provider_pb";
import type { CppSimulator } from "../../emulator/server";
import { type ProviderClassName, thinProvider } from "../../provider/pulumi/resource";
import { withSimulator } from "./harness";

// The SDK's generated stubs and its own grpc-js (the same copy the host uses).
const sdkDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
const grpc: typeof import("@grpc/grpc-js") = require(require.resolve("@grpc/grpc-js", { paths: [sdkDir] }));
const provrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
const provproto: typeof import("@pulumi/pulumi/proto/provider_pb") = require("@pulumi/pulumi/proto/provider_pb");
const statusproto = require("@pulumi/pulumi/proto/status_pb");
const { Struct } = require("google-protobuf/google/protobuf/struct_pb");

/** Resource properties as tests read them (shapes vary by call). */
// biome-ignore lint/suspicious/noExplicitAny: tests index freely into provider outputs
type Props = Record<string, any>;

export const URN = "urn:pulumi:test::cloudpartner::pulumi-nodejs:dynamic/cloudpartner:OfferGoLive::live";

export interface InitError {
  message: string;
  id: string;
  properties: Record<string, unknown>;
  reasons: string[];
}

/**
 * Serializes the thin provider exactly as the resource of `className` does (`OfferGoLive` by default,
 * `OfferPublish` with "OfferPublishProvider"); it points at the compiled `dist/`.
 */
export async function serializedProvider(
  className: ProviderClassName = "OfferGoLiveProvider",
): Promise<string> {
  const modulePath = path.resolve(__dirname, "../../dist/provider/provider.js");
  const provider = thinProvider(className, modulePath);
  return (await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: false })).text;
}

export class ProviderHost {
  /** Everything the host printed (progress lines from the provider included). */
  stdout = "";
  stderr = "";
  /** Every response, as JSON, for token-leak checks. */
  readonly responses: string[] = [];
  /** The URN sent with resource requests (the native provider's tests switch it between resource types). */
  urn = URN;
  private constructor(
    private readonly child: ChildProcess,
    private readonly client: InstanceType<typeof provrpc.ResourceProviderClient>,
  ) {}

  /**
   * Starts the dynamic provider host, or with `launch` any plugin executable that prints its port first (the
   * native `pulumi-resource-cloudpartner`).
   */
  static async start(
    env: NodeJS.ProcessEnv = {},
    launch: { command: string; args: string[]; cwd?: string } = {
      command: process.execPath,
      args: [require.resolve("@pulumi/pulumi/cmd/dynamic-provider/index.js"), "127.0.0.1:1"],
    },
  ): Promise<ProviderHost> {
    const child = spawn(launch.command, launch.args, {
      cwd: launch.cwd ?? path.resolve(__dirname, "../.."),
      env: { ...process.env, CLOUDPARTNER_ACCESS_TOKEN: "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`provider host did not start: ${stderr}`)), 20_000);
      child.stdout?.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        const first = /^(\d+)\n/.exec(stdout);
        if (first) {
          clearTimeout(timer);
          resolve(Number(first[1]));
        }
      });
      child.stderr?.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.on("exit", (code) => reject(new Error(`provider host exited (${code}): ${stderr}`)));
    });
    const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const host = new ProviderHost(child, client);
    host.stdout = stdout;
    host.stderr = stderr;
    child.stdout?.on("data", (chunk: Buffer) => {
      host.stdout += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      host.stderr += chunk.toString();
    });
    return host;
  }

  /**
   * The host's stdout once it contains `expected`, or after `timeoutMs`: a line the provider prints just
   * before answering can arrive after the gRPC response (seen under load).
   */
  async printed(expected: string | RegExp, timeoutMs = 2_000): Promise<string> {
    const seen = () =>
      typeof expected === "string" ? this.stdout.includes(expected) : expected.test(this.stdout);
    for (const deadline = Date.now() + timeoutMs; !seen() && Date.now() < deadline; )
      await new Promise((resolve) => setTimeout(resolve, 10));
    return this.stdout;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Sends one request; every response (or error with its init-failure detail) is recorded in `responses`. */
  call<T>(method: string, request: unknown): Promise<T> {
    return new Promise((resolve, reject) => {
      this.client[method](
        request,
        (error: (Error & { metadata?: { get(k: string): unknown[] } }) | null, response: T) => {
          if (error) {
            this.responses.push(
              JSON.stringify({ method, error: error.message, details: decodeInitError(error) }),
            );
            reject(error);
          } else {
            this.responses.push(
              JSON.stringify({ method, response: (response as { toObject(): unknown }).toObject() }),
            );
            resolve(response);
          }
        },
      );
    });
  }

  async configure(config: Record<string, string>): Promise<void> {
    const req = new provproto.ConfigureRequest();
    req.setArgs(Struct.fromJavaScript(config));
    await this.call("configure", req);
  }

  async check(olds: Record<string, unknown>, news: Record<string, unknown>) {
    const req = new provproto.CheckRequest();
    req.setUrn(this.urn);
    req.setOlds(Struct.fromJavaScript(olds));
    req.setNews(Struct.fromJavaScript(news));
    const resp = await this.call<provpb.CheckResponse>("check", req);
    return {
      inputs: resp.getInputs()?.toJavaScript() as Record<string, unknown>,
      failures: resp.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  async diff(id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
    const req = new provproto.DiffRequest();
    req.setId(id);
    req.setUrn(this.urn);
    req.setOlds(Struct.fromJavaScript(olds));
    req.setNews(Struct.fromJavaScript(news));
    const resp = await this.call<provpb.DiffResponse>("diff", req);
    const changes = resp.getChanges() as number;
    return {
      changes: changes === provproto.DiffResponse.DiffChanges.DIFF_SOME,
      replaces: resp.getReplacesList() as string[],
      deleteBeforeReplace: resp.getDeletebeforereplace() as boolean,
    };
  }

  async create(properties: Record<string, unknown>) {
    const req = new provproto.CreateRequest();
    req.setUrn(this.urn);
    req.setProperties(Struct.fromJavaScript(properties));
    const resp = await this.call<provpb.CreateResponse>("create", req);
    return {
      id: resp.getId() as string,
      properties: resp.getProperties()?.toJavaScript() as Props,
    };
  }

  async read(id: string, properties: Record<string, unknown>) {
    const req = new provproto.ReadRequest();
    req.setId(id);
    req.setUrn(this.urn);
    req.setProperties(Struct.fromJavaScript(properties));
    const resp = await this.call<provpb.ReadResponse>("read", req);
    return {
      id: resp.getId() as string,
      properties: resp.getProperties()?.toJavaScript() as Props,
    };
  }

  async update(id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
    const req = new provproto.UpdateRequest();
    req.setId(id);
    req.setUrn(this.urn);
    req.setOlds(Struct.fromJavaScript(olds));
    req.setNews(Struct.fromJavaScript(news));
    const resp = await this.call<provpb.UpdateResponse>("update", req);
    return { properties: resp.getProperties()?.toJavaScript() as Props };
  }

  async delete(id: string, properties: Record<string, unknown>): Promise<void> {
    const req = new provproto.DeleteRequest();
    req.setId(id);
    req.setUrn(this.urn);
    req.setProperties(Struct.fromJavaScript(properties));
    await this.call("delete", req);
  }

  async stop(): Promise<void> {
    this.client.close();
    // A killed child has no exit code, only a signal: check both, or a second stop() would wait forever.
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once("exit", resolve));
      this.child.kill("SIGKILL");
      await exited;
    }
  }
}

/** The `ErrorResourceInitFailed` detail the engine reads to save a partially created resource, if any. */
export function decodeInitError(error: unknown): InitError | undefined {
  const metadata = (error as { metadata?: { get(key: string): Array<string | Buffer> } }).metadata;
  const raw = metadata?.get("grpc-status-details-bin")?.[0];
  if (!raw) return undefined;
  const status = statusproto.Status.deserializeBinary(
    typeof raw === "string" ? Buffer.from(raw, "base64") : raw,
  );
  for (const any of status.getDetailsList()) {
    const detail = any.unpack(
      provproto.ErrorResourceInitFailed.deserializeBinary,
      "pulumirpc.ErrorResourceInitFailed",
    );
    if (detail) {
      return {
        message: status.getMessage(),
        id: detail.getId(),
        properties: detail.getProperties().toJavaScript(),
        reasons: detail.getReasonsList(),
      };
    }
  }
  return undefined;
}

/** The serialized thin providers of both resources, by the kind of deployment they make. */
export async function serializedProviders(): Promise<Record<"publish" | "golive", string>> {
  const publish = await serializedProvider("OfferPublishProvider");
  return { publish, golive: await serializedProvider("OfferGoLiveProvider") };
}

/** What an engine-tier file runs against (see `providerHostSuite`). */
export interface HostSuite {
  sim: CppSimulator;
  host: ProviderHost;
  publishText: string;
  goLiveText: string;
}

/**
 * Registers the hooks of an engine-tier file: before, a simulator accepting `canary`, the serialized
 * OfferPublish and OfferGoLive providers, and one provider host configured with the canary token, handed to
 * `onReady`; after, the host stopped and the simulator closed.
 */
export function providerHostSuite(canary: string, onReady: (suite: HostSuite) => void): void {
  dynamicHostSuite(canary, ["OfferPublishProvider", "OfferGoLiveProvider"], ({ sim, host, text }) =>
    onReady({ sim, host, publishText: text.OfferPublishProvider, goLiveText: text.OfferGoLiveProvider }),
  );
}

/** What `dynamicHostSuite` hands over: the simulator, the host and each serialized provider by class name. */
export interface DynamicHostSuite {
  sim: CppSimulator;
  host: ProviderHost;
  text: Record<ProviderClassName, string>;
}

/**
 * Registers the hooks of an engine-tier file: before, a simulator accepting `canary`, the serialized
 * `providers`, and one provider host configured with the canary token, handed to `onReady`; after, the host
 * stopped and the simulator closed.
 */
export function dynamicHostSuite(
  canary: string,
  providers: readonly ProviderClassName[],
  onReady: (suite: DynamicHostSuite) => void,
): void {
  let sim: CppSimulator | undefined;
  let host: ProviderHost | undefined;
  beforeAll(async () => {
    sim = await withSimulator({ acceptedTokens: [canary] });
    const text: Partial<Record<ProviderClassName, string>> = {};
    for (const name of providers) text[name] = await serializedProvider(name);
    host = await ProviderHost.start();
    await host.configure({ "cloudpartner:accessToken": canary });
    onReady({ sim, host, text: text as Record<ProviderClassName, string> });
  });
  afterAll(async () => {
    await host?.stop();
    await sim?.close();
  });
}
