/**
 * The native `cloudpartner` provider: Pulumi's `pulumirpc.ResourceProvider` protocol served with `@grpc/grpc-js`
 * and the stubs shipped in `@pulumi/pulumi/proto`. It is a second front door to the same lifecycle the dynamic
 * resources use (`provider/resources/`: `OfferGoLiveProvider`, `OfferPublishProvider`, `VmImageVersionProvider`):
 * every check/diff/create/read/update/delete is theirs. This file dispatches each resource call to them; what only a
 * native provider receives has its own file: the provider configuration (`config.ts`: the secret `accessToken`,
 * default `endpoint` and `api`), the `getOfferStatus` function (`invoke.ts`), import (`import.ts`) and the gRPC
 * errors (`errors.ts`). Here: the engine's `customTimeouts` (a request's `timeout`), Cancel, detailed diffs, all
 * described by the hand-written `schema.json`. The properties `schema.json` marks `secret` (SAS URIs) are returned
 * as secrets whether or not the program sent them as secrets, as the dynamic resource's `additionalSecretOutputs`
 * does.
 */

import * as fs from "node:fs";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as provpb from "@pulumi/pulumi/proto/provider_pb";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import type { OperationKind } from "../core/backend";
import { AbortedError, ConfigurationError } from "../core/errors";
import { VERSION } from "../core/version";
import {
  type CallControl,
  type CheckResult,
  type ConfigureRequest,
  type CreateResult,
  type DiffResult,
  OfferConfigurationProvider,
  OfferGoLiveProvider,
  OfferPublishProvider,
  type OperationResourceProvider,
  type ProviderHooks,
  type ReadResult,
  ResourceInitError,
  type UpdateResult,
  VmImageVersionProvider,
} from "../resources";
import {
  checkConfig,
  configOf,
  diffConfig,
  lifecycleConfigure,
  type ProviderConfig,
  withConfigDefaults,
  withOfferConfigDefaults,
} from "./config";
import {
  OFFER_CONFIGURATION,
  RESOURCE_KINDS,
  RESOURCE_TYPES,
  schemaPath,
  VM_IMAGE_VERSION,
} from "./contract";
import { withUrn } from "./engine-log";
import { grpcError } from "./errors";
import { importedState } from "./import";
import { invoke } from "./invoke";
import { type Properties, unwrap, wrapSecrets } from "./properties";
import {
  diffResponse,
  Empty,
  grpc,
  jsonSafe,
  pluginproto,
  propertyDiff,
  provproto,
  provrpc,
  Struct,
  sameValue,
  typeOf,
} from "./protocol";

export { typeOf } from "./protocol";

interface SchemaResource {
  inputProperties: Record<string, { secret?: boolean }>;
  properties: Record<string, { secret?: boolean }>;
}

/**
 * What this layer calls on a provider: the lifecycle's methods (`resources/`), create/update/delete with the call's
 * control (Cancel's signal, the engine's deadline); the operation resources' delete sends nothing and ignores it.
 */
interface ServedProvider {
  configure(req: ConfigureRequest): Promise<void>;
  check(olds: Properties, news: Properties): Promise<CheckResult>;
  diff(id: string, olds: Properties, news: Properties): Promise<DiffResult>;
  create(inputs: Properties, control?: CallControl): Promise<CreateResult>;
  read(id: string, props: Properties): Promise<ReadResult>;
  update(id: string, olds: Properties, news: Properties, control?: CallControl): Promise<UpdateResult>;
  delete(id: string, props: Properties, control?: CallControl): Promise<void>;
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
  readonly #offerProvider: OfferConfigurationProvider;
  #config: ProviderConfig = {};
  /** One controller per create/update/delete in flight; Cancel aborts them all. */
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
    this.#offerProvider = new OfferConfigurationProvider(hooks);
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
          (error: unknown) =>
            this.logsFlushed().then(() => callback(grpcError(error, this.#config.accessToken))),
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

  checkConfig(req: provpb.CheckRequest): Promise<provpb.CheckResponse> {
    return checkConfig(req);
  }

  diffConfig(req: provpb.DiffRequest): Promise<provpb.DiffResponse> {
    return diffConfig(req);
  }

  async configure(req: provpb.ConfigureRequest): Promise<provpb.ConfigureResponse> {
    const config = configOf(req);
    this.#config = config;
    // The token goes where the dynamic host's configure puts it: into the providers' memory, nowhere else.
    const request = lifecycleConfigure(config);
    for (const provider of [...Object.values(this.#providers), this.#imageProvider, this.#offerProvider])
      await provider.configure(request);
    return new provproto.ConfigureResponse()
      .setAcceptsecrets(true)
      .setSupportspreview(true)
      .setAcceptresources(false);
  }

  invoke(req: provpb.InvokeRequest): Promise<provpb.InvokeResponse> {
    return invoke(req, this.#config);
  }

  async check(req: provpb.CheckRequest): Promise<provpb.CheckResponse> {
    const provider = this.#provider(req.getUrn());
    const olds = unwrap(req.getOlds()?.toJavaScript());
    const news = unwrap(req.getNews()?.toJavaScript());
    const defaults =
      typeOf(req.getUrn()) === OFFER_CONFIGURATION ? withOfferConfigDefaults : withConfigDefaults;
    const result = await provider.check(olds.values, defaults(news.values, this.#config));
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
    if (result.detailedDiff) {
      // The provider knows the paths (OfferConfiguration: `plans["gen2"].availability.pricing...`): passed as is.
      const Kind = provproto.PropertyDiff.Kind;
      const kinds = {
        add: Kind.ADD,
        update: Kind.UPDATE,
        delete: Kind.DELETE,
        "add-replace": Kind.ADD_REPLACE,
        "update-replace": Kind.UPDATE_REPLACE,
        "delete-replace": Kind.DELETE_REPLACE,
      } as const;
      const paths = new Map<string, provpb.PropertyDiff>(
        Object.entries(result.detailedDiff).map(([path, entry]) => [
          path,
          new provproto.PropertyDiff().setKind(kinds[entry.kind]).setInputdiff(entry.inputDiff),
        ]),
      );
      return diffResponse(result.changes ?? false, paths)
        .setReplacesList(replaces)
        .setDeletebeforereplace(result.deleteBeforeReplace ?? false);
    }
    const changedInputs = Object.keys(news).filter(
      // `__provider`, and the lifecycle's own markers (`__triggersChanged`), are not inputs to show.
      (key) => !key.startsWith("__") && !sameValue(olds[key], news[key]),
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
    const result = await this.#controlled(req.getTimeout(), "create", secrets, (control) =>
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
    const result = await this.#controlled(req.getTimeout(), "update", secrets, (control) =>
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
    const { id, props } = !importing
      ? { id: req.getId(), props: state.values }
      : type === OFFER_CONFIGURATION
        ? // Imported by the offer id: the provider's read turns the offer's tree into inputs.
          { id: req.getId(), props: withOfferConfigDefaults({}, this.#config) }
        : await importedState(type, req.getId(), this.#providers, this.#config);
    const result = await provider.read(id, props);
    const response = new provproto.ReadResponse().setId(result.id ?? "");
    if (!result.id) return response; // gone: the engine removes it from the stack
    const outs = (result.props ?? {}) as Properties;
    const inputKeys = Object.keys(this.#schemaResource(type).inputProperties);
    // An imported OfferConfiguration's endpoint and api came from the provider configuration: the program the
    // CLI writes leaves them to it (state keeps them, so the next diff finds nothing to do).
    const fromConfig = importing && type === OFFER_CONFIGURATION ? Object.keys(props) : [];
    const inputs = importing
      ? Object.fromEntries(
          inputKeys
            .filter((key) => outs[key] !== undefined && !fromConfig.includes(key))
            .map((key) => [key, outs[key]]),
        )
      : type === OFFER_CONFIGURATION
        ? // The declared parts as the draft holds them (the provider's refresh keeps only declared fields): the
          // CLI shows a portal edit's value, and the next preview shows the change back with the right values.
          {
            ...oldInputs.values,
            ...Object.fromEntries(
              Object.keys(oldInputs.values)
                .filter((key) => outs[key] !== undefined)
                .map((key) => [key, outs[key]]),
            ),
          }
        : oldInputs.values;
    return response
      .setProperties(Struct.fromJavaScript(jsonSafe(wrapSecrets(outs, secrets))))
      .setInputs(Struct.fromJavaScript(jsonSafe(wrapSecrets(inputs, secrets))));
  }

  async delete(req: provpb.DeleteRequest): Promise<unknown> {
    const provider = this.#provider(req.getUrn());
    const props = unwrap(req.getProperties()?.toJavaScript()).values;
    await this.#controlled(req.getTimeout(), "delete", new Set(), (control) =>
      provider.delete(req.getId(), props, control),
    );
    return new Empty();
  }

  /**
   * Runs a create/update/delete with Cancel's signal and the request's deadline (`timeout` seconds, the resource's
   * `customTimeouts` for that operation; 0 = none).
   */
  async #controlled<T>(
    timeoutSeconds: number,
    operation: "create" | "update" | "delete",
    secrets: Set<string>,
    run: (control: CallControl) => Promise<T>,
  ): Promise<T> {
    const controller = new AbortController();
    this.#inFlight.add(controller);
    const setting = `customTimeouts.${operation}`;
    const control: CallControl = {
      signal: controller.signal,
      ...(timeoutSeconds > 0
        ? {
            deadlineMs: Date.now() + timeoutSeconds * 1000,
            deadlineSetting: { name: setting, description: `the resource option ${setting}` },
          }
        : {}),
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

  #provider(urn: string): ServedProvider {
    const type = typeOf(urn);
    if (type === VM_IMAGE_VERSION) return this.#imageProvider;
    if (type === OFFER_CONFIGURATION) return this.#offerProvider;
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
    const secrets = new Set([...sent.flatMap((set) => [...set]), ...marked]);
    // OfferConfiguration's declaration is the declared parts as text: a secret part (a registry password, SAS
    // URIs) makes it a secret too, or the value would sit in state in plain text (and in OfferPublish's inputs).
    if (type === OFFER_CONFIGURATION && secrets.size > 0) secrets.add("declaration");
    return secrets;
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
