/**
 * The native `cloudpartner` provider: Pulumi's `pulumirpc.ResourceProvider` protocol served with `@grpc/grpc-js`
 * and the stubs shipped in `@pulumi/pulumi/proto`. It is a second front door to the same providers the dynamic
 * resources use (`OfferGoLiveProvider`, `OfferPublishProvider`, `VmImageVersionProvider`): every
 * check/diff/create/read/update/delete is theirs. What this layer adds is what only a native provider receives: the provider configuration (the secret
 * `accessToken`, default `endpoint` and `api`), the engine's `customTimeouts` (a request's `timeout`), Cancel,
 * detailed diffs, import and the `getOfferStatus` function, all described by the hand-written `schema.json`. The
 * properties `schema.json` marks `secret` (SAS URIs) are returned as secrets whether or not the program sent
 * them as secrets, as the dynamic resource's `additionalSecretOutputs` does.
 */

import * as fs from "node:fs";
import * as path from "node:path";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as pulumi from "@pulumi/pulumi";
import type * as provpb from "@pulumi/pulumi/proto/provider_pb";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { createBackend } from "../backends";
import { API_NAMES, type ApiName, type OperationKind } from "../core/backend";
import { AbortedError, CloudPartnerError, ConfigurationError } from "../core/errors";
import { operationUrl } from "../core/location";
import { endpointProblem } from "../core/options";
import { VERSION } from "../core/version";
import { VmImageVersionProvider } from "../pulumi/images";
import {
  ACCESS_TOKEN_CONFIG_KEY,
  type CallControl,
  OfferGoLiveProvider,
  OfferPublishProvider,
  type OperationResourceProvider,
  type ProviderHooks,
  ResourceInitError,
} from "../pulumi/providers";
import {
  CONFIG_KEYS,
  GET_OFFER_STATUS,
  PACKAGE_NAME,
  RESOURCE_KINDS,
  RESOURCE_TYPES,
  schemaPath,
  VM_IMAGE_VERSION,
} from "./contract";
import { withUrn } from "./engine-log";
import { type Properties, unwrap, wrapSecrets } from "./properties";

// The SDK's generated stubs and the grpc-js copy they were generated against.
const sdkDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
const grpc: typeof grpcTypes = require(require.resolve("@grpc/grpc-js", { paths: [sdkDir] }));
const provrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
const provproto: typeof import("@pulumi/pulumi/proto/provider_pb") = require("@pulumi/pulumi/proto/provider_pb");
const pluginproto = require("@pulumi/pulumi/proto/plugin_pb");
const statusproto = require("@pulumi/pulumi/proto/status_pb");
const { Struct } = require(require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [sdkDir] }));
const { Empty } = require(require.resolve("google-protobuf/google/protobuf/empty_pb", { paths: [sdkDir] }));
const { Any } = require(require.resolve("google-protobuf/google/protobuf/any_pb", { paths: [sdkDir] }));

interface SchemaResource {
  inputProperties: Record<string, { secret?: boolean }>;
  properties: Record<string, { secret?: boolean }>;
}

/**
 * What this layer calls on a provider: the dynamic providers' methods; the operation resources also take the
 * call's control (Cancel's signal, the engine's deadline), the image-version resource does not need it.
 */
interface ServedProvider {
  configure(req: pulumi.dynamic.ConfigureRequest): Promise<void>;
  check(olds: Properties, news: Properties): Promise<pulumi.dynamic.CheckResult>;
  diff(id: string, olds: Properties, news: Properties): Promise<pulumi.dynamic.DiffResult>;
  create(inputs: Properties, control?: CallControl): Promise<pulumi.dynamic.CreateResult>;
  read(id: string, props: Properties): Promise<pulumi.dynamic.ReadResult>;
  update(
    id: string,
    olds: Properties,
    news: Properties,
    control?: CallControl,
  ): Promise<pulumi.dynamic.UpdateResult>;
  delete(id: string, props: Properties): Promise<void>;
}

/** The provider configuration (`cloudpartner:*` stack config, or an explicit provider resource's inputs). */
interface ProviderConfig {
  accessToken?: string;
  endpoint?: string;
  api?: string;
}

type Callback = (
  error: grpcTypes.ServiceError | Partial<grpcTypes.StatusObject> | null,
  value?: unknown,
) => void;
type Handler = (call: { request: unknown }, callback: Callback) => void;

/** The state of the provider behind the gRPC methods; one per plugin process. */
export class NativeProvider {
  readonly schemaText: string;
  readonly #schema: { resources: Record<string, SchemaResource> };
  readonly #providers: Record<OperationKind, OperationResourceProvider<object>>;
  readonly #imageProvider: VmImageVersionProvider;
  #config: ProviderConfig = {};
  /** One controller per create/update in flight; Cancel aborts them all. */
  readonly #inFlight = new Set<AbortController>();
  /** Called each time Cancel aborted calls in flight (tests, logs). */
  onCancel?: (aborted: number) => void;
  /** Resolves once the log lines printed so far reached the engine: a call answers after its own lines. */
  logsFlushed: () => Promise<void> = async () => {};

  constructor(hooks: ProviderHooks = {}, schemaText = fs.readFileSync(schemaPath(), "utf8")) {
    this.schemaText = schemaText;
    this.#schema = JSON.parse(schemaText);
    this.#providers = {
      golive: new OfferGoLiveProvider(hooks),
      publish: new OfferPublishProvider(hooks) as OperationResourceProvider<object>,
    };
    this.#imageProvider = new VmImageVersionProvider(hooks);
  }

  /** The gRPC method table for `server.addService(ResourceProviderService, ...)`. */
  service(): Record<string, Handler> {
    const unary =
      <Req, Res>(fn: (request: Req) => Promise<Res>): Handler =>
      (call, callback) => {
        // Log lines printed while this call runs belong to its resource (see engine-log.ts).
        const urn = (call.request as { getUrn?: () => string }).getUrn?.();
        withUrn(urn, () => fn(call.request as Req)).then(
          (response) => this.logsFlushed().then(() => callback(null, response)),
          (error: unknown) => this.logsFlushed().then(() => callback(this.#grpcError(error))),
        );
      };
    return {
      getPluginInfo: unary(async () => new pluginproto.PluginInfo().setVersion(VERSION)),
      getSchema: unary(async () => new provproto.GetSchemaResponse().setSchema(this.schemaText)),
      checkConfig: unary((req: provpb.CheckRequest) => this.checkConfig(req)),
      diffConfig: unary((req: provpb.DiffRequest) => this.diffConfig(req)),
      configure: unary((req: provpb.ConfigureRequest) => this.configure(req)),
      invoke: unary((req: provpb.InvokeRequest) => this.invoke(req)),
      check: unary((req: provpb.CheckRequest) => this.check(req)),
      diff: unary((req: provpb.DiffRequest) => this.diff(req)),
      create: unary((req: provpb.CreateRequest) => this.create(req)),
      read: unary((req: provpb.ReadRequest) => this.read(req)),
      update: unary((req: provpb.UpdateRequest) => this.update(req)),
      delete: unary((req: provpb.DeleteRequest) => this.delete(req)),
      cancel: unary(async () => {
        this.cancel();
        return new Empty();
      }),
    };
  }

  /**
   * Aborts every create/update in flight: their requests and waits stop at once and each saves its operation
   * as partial state. The engine sends Cancel on Ctrl-C and at every normal shutdown, so this never means "the
   * user gave up" by itself: nothing is canceled on the API, and later calls work as usual.
   */
  cancel(): number {
    const aborted = this.#inFlight.size;
    for (const controller of this.#inFlight)
      controller.abort(new AbortedError("The Pulumi engine canceled the deployment."));
    this.#inFlight.clear();
    this.onCancel?.(aborted);
    return aborted;
  }

  async checkConfig(req: provpb.CheckRequest): Promise<provpb.CheckResponse> {
    const { values } = unwrap(req.getNews()?.toJavaScript());
    const failures: provpb.CheckFailure[] = [];
    const fail = (property: string, reason: string) =>
      failures.push(new provproto.CheckFailure().setProperty(property).setReason(reason));
    const { endpoint, api } = values;
    if (endpoint !== undefined && endpoint !== unknownValue) {
      const problem = typeof endpoint === "string" ? endpointProblem(endpoint) : "must be a string";
      if (problem) fail("endpoint", `cloudpartner:endpoint ${problem}.`);
    }
    if (api !== undefined && api !== unknownValue && !API_NAMES.includes(api as ApiName)) {
      fail("api", `cloudpartner:api must be one of ${API_NAMES.join(", ")}, got ${JSON.stringify(api)}.`);
    }
    const token = values.accessToken;
    if (token !== undefined && token !== unknownValue && typeof token !== "string") {
      fail(
        "accessToken",
        "cloudpartner:accessToken must be a string (set it with `pulumi config set --secret`).",
      );
    }
    const response = new provproto.CheckResponse().setFailuresList(failures);
    // Returned as received: a secret token stays wrapped as a secret.
    if (req.getNews()) response.setInputs(req.getNews());
    return response;
  }

  /** Provider settings only change defaults and credentials: never a reason to replace the provider. */
  async diffConfig(req: provpb.DiffRequest): Promise<provpb.DiffResponse> {
    const olds = unwrap(req.getOldInputs()?.toJavaScript() ?? req.getOlds()?.toJavaScript()).values;
    const news = unwrap(req.getNews()?.toJavaScript()).values;
    const changed = CONFIG_KEYS.filter((key) => !sameValue(olds[key], news[key]));
    return diffResponse(
      changed.length > 0,
      new Map(changed.map((key) => [key, propertyDiff(olds[key], news[key], false)])),
    );
  }

  async configure(req: provpb.ConfigureRequest): Promise<provpb.ConfigureResponse> {
    const args = req.getArgs()?.toJavaScript();
    let config: ProviderConfig;
    if (args) {
      const { values } = unwrap(args);
      config = Object.fromEntries(
        CONFIG_KEYS.filter((key) => typeof values[key] === "string" && values[key] !== unknownValue).map(
          (key) => [key, values[key]],
        ),
      );
    } else {
      const variables = req.getVariablesMap();
      config = Object.fromEntries(
        CONFIG_KEYS.map((key) => [key, variables.get(`${PACKAGE_NAME}:${key}`)]).filter(
          ([, value]) => typeof value === "string",
        ),
      );
    }
    this.#config = config;
    // The token goes where the dynamic host's configure puts it: into the providers' memory, nowhere else.
    const stackConfig = {
      get: (key: string) => (key === ACCESS_TOKEN_CONFIG_KEY ? config.accessToken : undefined),
    };
    for (const provider of [...Object.values(this.#providers), this.#imageProvider])
      await provider.configure({ config: stackConfig } as never);
    return new provproto.ConfigureResponse()
      .setAcceptsecrets(true)
      .setSupportspreview(true)
      .setAcceptresources(false);
  }

  async invoke(req: provpb.InvokeRequest): Promise<provpb.InvokeResponse> {
    if (req.getTok() !== GET_OFFER_STATUS) {
      throw new ConfigurationError(
        `Unknown function ${req.getTok()}; this provider has ${GET_OFFER_STATUS}. Update the cloudpartner SDK and plugin together.`,
      );
    }
    const { values } = unwrap(req.getArgs()?.toJavaScript());
    const args = this.#withConfigDefaults(values);
    const failures: provpb.CheckFailure[] = [];
    for (const property of ["publisherId", "offerId"]) {
      if (typeof args[property] !== "string" || args[property] === "")
        failures.push(
          new provproto.CheckFailure().setProperty(property).setReason(`${property} is required.`),
        );
    }
    if (failures.length) return new provproto.InvokeResponse().setFailuresList(failures);
    const backend = createBackend({
      api: (args.api as ApiName | undefined) ?? "cpp",
      publisherId: args.publisherId as string,
      offerId: args.offerId as string,
      endpoint: args.endpoint as string | undefined,
      apiVersion: args.apiVersion as string | undefined,
      accessToken: this.#config.accessToken,
    });
    const report = await backend.offerStatus();
    return new provproto.InvokeResponse().setReturn(Struct.fromJavaScript(jsonSafe(report)));
  }

  async check(req: provpb.CheckRequest): Promise<provpb.CheckResponse> {
    const provider = this.#provider(req.getUrn());
    const olds = unwrap(req.getOlds()?.toJavaScript());
    const news = unwrap(req.getNews()?.toJavaScript());
    const result = await provider.check(olds.values, this.#withConfigDefaults(news.values));
    const response = new provproto.CheckResponse().setFailuresList(
      (result.failures ?? []).map((f) =>
        new provproto.CheckFailure().setProperty(f.property).setReason(f.reason),
      ),
    );
    const secrets = this.#secrets(typeOf(req.getUrn()), news.secrets);
    response.setInputs(Struct.fromJavaScript(jsonSafe(wrapSecrets(result.inputs ?? {}, secrets))));
    return response;
  }

  /** The providers' diff, plus the detail the engine shows: which input replaces and which updates in place. */
  async diff(req: provpb.DiffRequest): Promise<provpb.DiffResponse> {
    const provider = this.#provider(req.getUrn());
    const olds = unwrap(req.getOlds()?.toJavaScript()).values;
    const news = unwrap(req.getNews()?.toJavaScript()).values;
    const result = await provider.diff(req.getId(), olds, news);
    const replaces = result.replaces ?? [];
    const changedInputs = Object.keys(news).filter(
      (key) => key !== "__provider" && !sameValue(olds[key], news[key]),
    );
    const detailed = new Map<string, provpb.PropertyDiff>();
    for (const key of changedInputs)
      detailed.set(key, propertyDiff(olds[key], news[key], replaces.includes(key)));
    for (const key of replaces) {
      // Not an input (e.g. `status`: a failed operation no longer matches the desired state).
      if (!detailed.has(key))
        detailed.set(
          key,
          new provproto.PropertyDiff()
            .setKind(provproto.PropertyDiff.Kind.UPDATE_REPLACE)
            .setInputdiff(false),
        );
    }
    if (result.changes && detailed.size === 0) {
      // Nothing changed but the operation still runs: the update resumes waiting on it.
      detailed.set("status", new provproto.PropertyDiff().setKind(provproto.PropertyDiff.Kind.UPDATE));
    }
    return diffResponse(result.changes ?? false, detailed)
      .setReplacesList(replaces)
      .setDeletebeforereplace(result.deleteBeforeReplace ?? false);
  }

  async create(req: provpb.CreateRequest): Promise<provpb.CreateResponse> {
    const type = typeOf(req.getUrn());
    const provider = this.#provider(req.getUrn());
    const inputs = unwrap(req.getProperties()?.toJavaScript());
    const secrets = this.#secrets(type, inputs.secrets);
    if (req.getPreview()) {
      const unknowns = Object.fromEntries(this.#outputKeys(type).map((key) => [key, unknownValue]));
      return new provproto.CreateResponse().setProperties(
        Struct.fromJavaScript(wrapSecrets({ ...unknowns, ...inputs.values }, secrets)),
      );
    }
    const result = await this.#controlled(req.getTimeout(), secrets, (control) =>
      provider.create(inputs.values, control),
    );
    return new provproto.CreateResponse()
      .setId(result.id)
      .setProperties(Struct.fromJavaScript(jsonSafe(wrapSecrets(result.outs ?? {}, secrets))));
  }

  async update(req: provpb.UpdateRequest): Promise<provpb.UpdateResponse> {
    const provider = this.#provider(req.getUrn());
    const olds = unwrap(req.getOlds()?.toJavaScript());
    const news = unwrap(req.getNews()?.toJavaScript());
    const secrets = this.#secrets(typeOf(req.getUrn()), olds.secrets, news.secrets);
    if (req.getPreview()) {
      return new provproto.UpdateResponse().setProperties(
        Struct.fromJavaScript(jsonSafe(wrapSecrets({ ...olds.values, ...news.values }, secrets))),
      );
    }
    const result = await this.#controlled(req.getTimeout(), secrets, (control) =>
      provider.update(req.getId(), olds.values, news.values, control),
    );
    return new provproto.UpdateResponse().setProperties(
      Struct.fromJavaScript(jsonSafe(wrapSecrets(result.outs ?? {}, secrets))),
    );
  }

  /** Refresh (state given) or import (only an id): reads the operation; never starts one. */
  async read(req: provpb.ReadRequest): Promise<provpb.ReadResponse> {
    const type = typeOf(req.getUrn());
    const provider = this.#provider(req.getUrn());
    const state = unwrap(req.getProperties()?.toJavaScript());
    const oldInputs = unwrap(req.getInputs()?.toJavaScript());
    const secrets = this.#secrets(type, state.secrets, oldInputs.secrets);
    const importing = Object.keys(state.values).length === 0;
    const { id, props } = importing
      ? await this.#imported(type, req.getId())
      : { id: req.getId(), props: state.values };
    const result = await provider.read(id, props);
    const response = new provproto.ReadResponse().setId(result.id ?? "");
    if (!result.id) return response; // gone: the engine removes it from the stack
    const outs = (result.props ?? {}) as Properties;
    const inputKeys = Object.keys(this.#schemaResource(type).inputProperties);
    const inputs = importing
      ? Object.fromEntries(inputKeys.filter((key) => outs[key] !== undefined).map((key) => [key, outs[key]]))
      : oldInputs.values;
    return response
      .setProperties(Struct.fromJavaScript(jsonSafe(wrapSecrets(outs, secrets))))
      .setInputs(Struct.fromJavaScript(jsonSafe(wrapSecrets(inputs, secrets))));
  }

  async delete(req: provpb.DeleteRequest): Promise<unknown> {
    const provider = this.#provider(req.getUrn());
    await provider.delete(req.getId(), unwrap(req.getProperties()?.toJavaScript()).values);
    return new Empty();
  }

  /**
   * The state an import starts from: the id names the offer and the operation,
   * `<publisherId>/<offerId>/<golive|publish>/<operationId>` as the resources' own ids, or `.../current` for
   * the operation of that kind running now or last done. Only reads are sent.
   */
  async #imported(type: string, id: string): Promise<{ id: string; props: Properties }> {
    const kind = RESOURCE_KINDS[type];
    if (!kind) {
      throw new ConfigurationError(
        `Cannot import "${id}": ${type} is not imported by id. Declare the resource with the version's image instead: \`pulumi up\` adopts a version already in the draft with that image without writing anything.`,
      );
    }
    const parts = id.split("/");
    const usage = `Import ${type} with the id <publisherId>/<offerId>/${kind}/<operationId> (the resource id of the operation) or <publisherId>/<offerId>/${kind}/current.`;
    if (parts.length !== 4 || parts[2] !== kind)
      throw new ConfigurationError(`Cannot import "${id}". ${usage}`);
    const [publisherId, offerId, , operationId] = parts as [string, string, string, string];
    const provider = this.#providers[kind];
    const checked = await provider.check({}, this.#withConfigDefaults({ publisherId, offerId }));
    if (checked.failures?.length) {
      throw new ConfigurationError(
        `Cannot import "${id}": ${checked.failures.map((f) => f.reason).join(" ")} ${usage}`,
      );
    }
    const inputs = checked.inputs as Properties;
    if ((inputs.api ?? "cpp") !== "cpp") {
      throw new ConfigurationError(
        `Cannot import "${id}": import by id is available for the Cloud Partner Portal API (api "cpp") only so far.`,
      );
    }
    let operationLocation: string;
    let resolvedId = operationId;
    if (operationId === "current") {
      const backend = createBackend({
        api: "cpp",
        publisherId,
        offerId,
        endpoint: inputs.endpoint as string,
        apiVersion: inputs.apiVersion as string,
        accessToken: this.#config.accessToken,
      });
      const existing = await backend.findExisting(kind);
      if (!existing) {
        throw new ConfigurationError(
          `Cannot import "${id}": ${publisherId}/${offerId} has no ${kind} operation running or done that is still current. Create the resource with \`pulumi up\` instead.`,
        );
      }
      operationLocation = existing.operationLocation;
      resolvedId = existing.operationId ?? operationId;
    } else {
      operationLocation = operationUrl(
        inputs.endpoint as string,
        inputs.apiVersion as string,
        publisherId,
        offerId,
        operationId,
      );
    }
    const props = {
      ...inputs,
      operationLocation,
      operationId: resolvedId,
      status: "running",
      attached: true,
      startedAt: new Date().toISOString(),
      steps: [],
      messages: [],
    };
    // The id the resource would have had, had it started the operation (as the dynamic resources' ids).
    return { id: `${publisherId}/${offerId}/${kind}/${resolvedId}`, props };
  }

  /** Runs a create/update with Cancel's signal and the request's deadline (`timeout` seconds; 0 = none). */
  async #controlled<T>(
    timeoutSeconds: number,
    secrets: Set<string>,
    run: (control: CallControl) => Promise<T>,
  ): Promise<T> {
    const controller = new AbortController();
    this.#inFlight.add(controller);
    const control: CallControl = {
      signal: controller.signal,
      ...(timeoutSeconds > 0 ? { deadlineMs: Date.now() + timeoutSeconds * 1000 } : {}),
    };
    try {
      return await run(control);
    } catch (error) {
      // Partial state keeps secret inputs secret too.
      if (error instanceof ResourceInitError) {
        throw new ResourceInitError(
          error.message,
          error.id,
          wrapSecrets(error.properties, secrets),
          error.reasons,
        );
      }
      throw error;
    } finally {
      this.#inFlight.delete(controller);
    }
  }

  /** Inputs with the provider's `endpoint` and `api` filled in where the resource leaves them out. */
  #withConfigDefaults(values: Properties): Properties {
    const out = { ...values };
    for (const key of ["endpoint", "api"] as const) {
      if (out[key] === undefined && this.#config[key] !== undefined) out[key] = this.#config[key];
    }
    return out;
  }

  #provider(urn: string): ServedProvider {
    const type = typeOf(urn);
    if (type === VM_IMAGE_VERSION) return this.#imageProvider;
    const kind = RESOURCE_KINDS[type];
    if (!kind) {
      throw new ConfigurationError(
        `Unknown resource type ${type}; this provider serves ${RESOURCE_TYPES.join(", ")}. Update the cloudpartner SDK and plugin together.`,
      );
    }
    return this.#providers[kind];
  }

  /** The keys returned as secrets: those sent as secrets, and those the schema marks secret (SAS URIs). */
  #secrets(type: string, ...sent: Set<string>[]): Set<string> {
    const resource = this.#schema.resources[type];
    const marked = resource
      ? Object.entries({ ...resource.inputProperties, ...resource.properties })
          .filter(([, property]) => property.secret === true)
          .map(([key]) => key)
      : [];
    return new Set([...sent.flatMap((set) => [...set]), ...marked]);
  }

  #schemaResource(type: string): SchemaResource {
    const resource = this.#schema.resources[type];
    if (!resource)
      throw new ConfigurationError(`schema.json does not describe ${type}; reinstall the package.`);
    return resource;
  }

  /** The outputs a resource computes (its properties that are not inputs). */
  #outputKeys(type: string): string[] {
    const resource = this.#schemaResource(type);
    return Object.keys(resource.properties).filter((key) => !(key in resource.inputProperties));
  }

  /** The gRPC error for a failure; a ResourceInitError carries the partial state the engine saves. */
  #grpcError(error: unknown): Partial<grpcTypes.StatusObject> {
    const message = this.#redact(error instanceof Error ? error.message : String(error));
    const metadata = new grpc.Metadata();
    if (error instanceof ResourceInitError) {
      const detail = new provproto.ErrorResourceInitFailed()
        .setId(error.id)
        .setProperties(Struct.fromJavaScript(jsonSafe(error.properties)))
        .setReasonsList(error.reasons.map((reason) => this.#redact(reason)));
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

  /** Belt and braces: no message leaves this process with the configured token in it. */
  #redact(text: string): string {
    const token = this.#config.accessToken;
    return token && token.length >= 8 ? text.split(token).join("[redacted]") : text;
  }
}

/** Serves the provider on 127.0.0.1 (an ephemeral port unless given); resolves with the server and its port. */
export async function serve(
  provider: NativeProvider,
  port = 0,
): Promise<{ server: grpcTypes.Server; port: number }> {
  const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
  server.addService(provrpc.ResourceProviderService, provider.service() as never);
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, p) =>
      error ? reject(error) : resolve(p),
    ),
  );
  return { server, port: bound };
}

/** `urn:pulumi:<stack>::<project>::<parent$type>::<name>` → `<type>`. */
export function typeOf(urn: string): string {
  const qualified = urn.split("::")[2] ?? "";
  return qualified.split("$").pop() ?? "";
}

/** A diff answer with its detailed diff (which the engine shows, and trusts over its own comparison). */
function diffResponse(changes: boolean, detailed: Map<string, provpb.PropertyDiff>): provpb.DiffResponse {
  const response = new provproto.DiffResponse()
    .setChanges(
      changes ? provproto.DiffResponse.DiffChanges.DIFF_SOME : provproto.DiffResponse.DiffChanges.DIFF_NONE,
    )
    .setDiffsList([...detailed.keys()])
    .setHasdetaileddiff(true);
  for (const [key, value] of detailed) response.getDetaileddiffMap().set(key, value);
  return response;
}

function propertyDiff(old: unknown, next: unknown, replace: boolean): provpb.PropertyDiff {
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

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** `Struct.fromJavaScript` rejects `undefined`; drop it everywhere (JSON round trip). */
function jsonSafe<T>(value: T): Properties {
  return JSON.parse(JSON.stringify(value ?? {}));
}
