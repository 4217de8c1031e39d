/**
 * Drives the native plugin `bin/pulumi-resource-cloudpartner` (which runs `dist/provider/native/main.js`), or
 * the single executable `CLOUDPARTNER_PLUGIN` names, over
 * gRPC the way the engine does, on top of `ProviderHost` (spawn, port, response log, init-error decoding).
 */

import * as fs from "node:fs";
import * as path from "node:path";
import type * as provpb from "@pulumi/pulumi/proto/provider_pb";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import type { CppSimulator } from "../../emulator/server";
import { binaryPath, hostPlatform, platformOf } from "../../scripts/lib/plugin-build";
import { withSimulator } from "./harness";
import { ProviderHost } from "./provider-host";

const provproto: typeof import("@pulumi/pulumi/proto/provider_pb") = require("@pulumi/pulumi/proto/provider_pb");
const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
const { Empty } = require("google-protobuf/google/protobuf/empty_pb");

// biome-ignore lint/suspicious/noExplicitAny: tests index freely into provider outputs
type Props = Record<string, any>;

/**
 * The plugin executable under test: the launcher, or what `CLOUDPARTNER_PLUGIN` names: a path, or `release`
 * for this machine's single executable as `npm run release:plugin` builds it (`npm run test:native:release`
 * builds it and runs tests/native against it).
 */
export const PLUGIN = ((selected = process.env.CLOUDPARTNER_PLUGIN) => {
  if (!selected) return path.resolve(__dirname, "../../bin/pulumi-resource-cloudpartner");
  if (selected !== "release") return path.resolve(selected);
  const built = binaryPath(platformOf(hostPlatform()));
  if (!fs.existsSync(built)) throw new Error(`${built} is missing: run \`npm run release:plugin\` first.`);
  return built;
})();
export const GO_LIVE = "cloudpartner:index:OfferGoLive";
export const PUBLISH = "cloudpartner:index:OfferPublish";
export const IMAGE = "cloudpartner:index:VmImageVersion";

export function urnOf(type: string, name = "live"): string {
  return `urn:pulumi:test::cloudpartner::${type}::${name}`;
}

/** A value as the engine sends a secret to a provider that accepts secrets. */
export function secret(value: unknown): Props {
  return { [specialSigKey]: specialSecretSig, value };
}

export function isSecret(value: unknown): boolean {
  return typeof value === "object" && value !== null && (value as Props)[specialSigKey] === specialSecretSig;
}

const KIND_NAMES = Object.fromEntries(
  Object.entries(provproto.PropertyDiff.Kind).map(([name, value]) => [value, name]),
) as Record<number, string>;

export class NativeHost {
  private constructor(readonly host: ProviderHost) {}

  /** `engineAddress`: the engine's Log service the plugin reports to (default: nothing listens there). */
  static async start(env: NodeJS.ProcessEnv = {}, engineAddress = "127.0.0.1:1"): Promise<NativeHost> {
    return new NativeHost(await ProviderHost.start(env, { command: PLUGIN, args: [engineAddress] }));
  }

  /**
   * Everything the plugin printed and answered, for token-leak checks. CheckConfig answers are left out: their
   * job is to hand the provider's own inputs back to the engine, the token among them wrapped as a secret
   * (which the test of CheckConfig checks).
   */
  transcript(): string {
    const answers = this.host.responses.filter((r) => !r.startsWith('{"method":"checkConfig"'));
    return [this.host.stdout, this.host.stderr, ...answers].join("\n");
  }

  async getSchema(): Promise<string> {
    const resp = await this.host.call<provpb.GetSchemaResponse>(
      "getSchema",
      new provproto.GetSchemaRequest(),
    );
    return resp.getSchema();
  }

  async getPluginInfo(): Promise<string> {
    const resp = await this.host.call<{ getVersion(): string }>("getPluginInfo", new Empty());
    return resp.getVersion();
  }

  /** As the engine configures a provider: `args` (secrets wrapped) and the flat `variables`. */
  async configure(args: Props): Promise<provpb.ConfigureResponse> {
    const req = new provproto.ConfigureRequest().setAcceptsecrets(true).setArgs(Struct.fromJavaScript(args));
    for (const [key, value] of Object.entries(args)) {
      const plain = isSecret(value) ? value.value : value;
      req
        .getVariablesMap()
        .set(`cloudpartner:${key}`, typeof plain === "string" ? plain : JSON.stringify(plain));
    }
    return this.host.call<provpb.ConfigureResponse>("configure", req);
  }

  async checkConfig(news: Props) {
    const req = new provproto.CheckRequest()
      .setUrn("urn:pulumi:test::cloudpartner::pulumi:providers:cloudpartner::default")
      .setOlds(Struct.fromJavaScript({}))
      .setNews(Struct.fromJavaScript(news));
    const resp = await this.host.call<provpb.CheckResponse>("checkConfig", req);
    return {
      inputs: resp.getInputs()?.toJavaScript() as Props,
      failures: resp.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  async diffConfig(olds: Props, news: Props) {
    const req = new provproto.DiffRequest()
      .setUrn("urn:pulumi:test::cloudpartner::pulumi:providers:cloudpartner::default")
      .setOlds(Struct.fromJavaScript(olds))
      .setOldInputs(Struct.fromJavaScript(olds))
      .setNews(Struct.fromJavaScript(news));
    return this.#diffResult(await this.host.call<provpb.DiffResponse>("diffConfig", req));
  }

  async check(type: string, olds: Props, news: Props) {
    this.host.urn = urnOf(type);
    return this.host.check(olds, news);
  }

  async diff(type: string, id: string, olds: Props, news: Props) {
    const req = new provproto.DiffRequest()
      .setId(id)
      .setUrn(urnOf(type))
      .setOlds(Struct.fromJavaScript(olds))
      .setNews(Struct.fromJavaScript(news));
    return this.#diffResult(await this.host.call<provpb.DiffResponse>("diff", req));
  }

  async create(type: string, properties: Props, options: { timeout?: number; preview?: boolean } = {}) {
    const req = new provproto.CreateRequest()
      .setUrn(urnOf(type))
      .setProperties(Struct.fromJavaScript(properties))
      .setTimeout(options.timeout ?? 0)
      .setPreview(options.preview ?? false);
    const resp = await this.host.call<provpb.CreateResponse>("create", req);
    return { id: resp.getId(), properties: resp.getProperties()?.toJavaScript() as Props };
  }

  async update(type: string, id: string, olds: Props, news: Props, options: { timeout?: number } = {}) {
    const req = new provproto.UpdateRequest()
      .setId(id)
      .setUrn(urnOf(type))
      .setOlds(Struct.fromJavaScript(olds))
      .setNews(Struct.fromJavaScript(news))
      .setTimeout(options.timeout ?? 0);
    const resp = await this.host.call<provpb.UpdateResponse>("update", req);
    return { properties: resp.getProperties()?.toJavaScript() as Props };
  }

  /** Refresh (with state) or import (`properties` and `inputs` empty). */
  async read(type: string, id: string, properties: Props = {}, inputs: Props = {}) {
    const req = new provproto.ReadRequest()
      .setId(id)
      .setUrn(urnOf(type))
      .setProperties(Struct.fromJavaScript(properties))
      .setInputs(Struct.fromJavaScript(inputs));
    const resp = await this.host.call<provpb.ReadResponse>("read", req);
    return {
      id: resp.getId(),
      properties: resp.getProperties()?.toJavaScript() as Props,
      inputs: resp.getInputs()?.toJavaScript() as Props,
    };
  }

  async delete(type: string, id: string, properties: Props): Promise<void> {
    this.host.urn = urnOf(type);
    await this.host.delete(id, properties);
  }

  async invoke(tok: string, args: Props) {
    const req = new provproto.InvokeRequest().setTok(tok).setArgs(Struct.fromJavaScript(args));
    const resp = await this.host.call<provpb.InvokeResponse>("invoke", req);
    return {
      result: resp.getReturn()?.toJavaScript() as Props | undefined,
      failures: resp.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  async cancel(): Promise<void> {
    await this.host.call("cancel", new Empty());
  }

  stop(): Promise<void> {
    return this.host.stop();
  }

  #diffResult(resp: provpb.DiffResponse) {
    const detailed: Record<string, string> = {};
    resp.getDetaileddiffMap().forEach((value, key) => {
      detailed[key] = KIND_NAMES[value.getKind()] ?? String(value.getKind());
    });
    return {
      changes: resp.getChanges() === provproto.DiffResponse.DiffChanges.DIFF_SOME,
      none: resp.getChanges() === provproto.DiffResponse.DiffChanges.DIFF_NONE,
      replaces: resp.getReplacesList(),
      deleteBeforeReplace: resp.getDeletebeforereplace(),
      hasDetailedDiff: resp.getHasdetaileddiff(),
      detailed,
    };
  }
}

/**
 * Registers the hooks of a native-tier file: before, a simulator accepting `canary` and one plugin configured
 * with it as a secret token against that simulator, handed to `onReady`; after, the plugin stopped and the
 * simulator closed.
 */
export function nativeHostSuite(
  canary: string,
  onReady: (suite: { sim: CppSimulator; host: NativeHost }) => void,
): void {
  let sim: CppSimulator | undefined;
  let host: NativeHost | undefined;
  beforeAll(async () => {
    sim = await withSimulator({ acceptedTokens: [canary] });
    host = await NativeHost.start();
    await host.configure({ accessToken: secret(canary), endpoint: sim.url, version: "0.1.0" });
    onReady({ sim, host });
  });
  afterAll(async () => {
    await host?.stop();
    await sim?.close();
  });
}
