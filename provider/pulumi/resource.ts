/**
 * The Pulumi-facing resources. Pulumi serializes a dynamic resource's provider object into state, so the
 * object passed here is deliberately thin: each method loads this package's compiled provider at run time
 * (by package name, else by the absolute path it was built at) and delegates to it. It captures two
 * strings and nothing else — no token, no client, no module object.
 */

import * as pulumi from "@pulumi/pulumi";
import type { ApiName } from "../core/backend";
import type { OperationStatus } from "../core/status";

/** Which provider class (exported by `provider/provider.ts`, the stable module path) the thin object delegates to. */
export type ProviderClassName =
  | "OfferGoLiveProvider"
  | "OfferPublishProvider"
  | "VmImageVersionProvider"
  | "OfferConfigurationProvider";

/**
 * Builds the thin provider. Exported for tests that measure or drive it.
 * @internal
 */
export function thinProvider(
  className: ProviderClassName,
  modulePath: string,
): pulumi.dynamic.ResourceProvider {
  // Everything below is serialized as source text; keep it self-contained.
  const load = (): pulumi.dynamic.ResourceProvider => {
    const cache = globalThis as unknown as Record<string, pulumi.dynamic.ResourceProvider | undefined>;
    const key = `__pulumiCloudpartner_${className}`;
    let provider = cache[key];
    if (!provider) {
      let mod: Record<string, new () => pulumi.dynamic.ResourceProvider>;
      try {
        mod = require("pulumi-cloudpartner/dist/provider/provider");
      } catch {
        try {
          mod = require(modulePath);
        } catch {
          throw new Error(
            "Cannot load the pulumi-cloudpartner provider: install the 'pulumi-cloudpartner' package in this Pulumi project (npm install pulumi-cloudpartner).",
          );
        }
      }
      const ProviderClass = mod[className];
      if (!ProviderClass)
        throw new Error(`pulumi-cloudpartner does not export ${className}; update the package.`);
      provider = new ProviderClass();
      cache[key] = provider;
    }
    return provider;
  };
  return {
    configure: (req) => load().configure?.(req) ?? Promise.resolve(),
    check: (olds, news) => load().check?.(olds, news) ?? Promise.resolve({ inputs: news }),
    diff: (id, olds, news) => load().diff?.(id, olds, news) ?? Promise.resolve({}),
    create: (inputs) => load().create(inputs),
    read: (id, props) => load().read?.(id, props) ?? Promise.resolve({ id, props }),
    update: (id, olds, news) => load().update?.(id, olds, news) ?? Promise.resolve({}),
    delete: (id, props) => load().delete?.(id, props) ?? Promise.resolve(),
  };
}

const thinProviders = new Map<ProviderClassName, pulumi.dynamic.ResourceProvider>();

/** One thin provider object per class, so the SDK serializes it once per program, not once per resource. */
export function sharedThinProvider(className: ProviderClassName): pulumi.dynamic.ResourceProvider {
  let provider = thinProviders.get(className);
  if (!provider) {
    provider = thinProvider(className, require.resolve("../provider"));
    thinProviders.set(className, provider);
  }
  return provider;
}

/** Inputs every offer operation resource takes. */
export interface OfferOperationArgs {
  /**
   * Which API: `"cpp"` (default), the Cloud Partner Portal API for offers integrated before Partner Center, or
   * `"ingestion"`, the Partner Center Product Ingestion API (Microsoft Graph tokens) for every other offer.
   * Changing it replaces the resource.
   */
  api?: pulumi.Input<ApiName>;
  /**
   * Publisher id in the Cloud Partner Portal, e.g. `contoso`: required for `api: "cpp"`; optional and only used
   * in messages for `"ingestion"` (the token identifies the seller account). Changing it replaces the resource.
   */
  publisherId?: pulumi.Input<string>;
  /**
   * Offer id, e.g. `contoso-offer` (for `"ingestion"`: the offer's id in Partner Center, the product's external
   * id). Changing it replaces the resource.
   */
  offerId: pulumi.Input<string>;
  /**
   * API host. Default `https://cloudpartner.azure.com` (`"ingestion"`: `https://graph.microsoft.com/rp/product-ingestion`);
   * plain http is accepted only for loopback. Changing it replaces.
   */
  endpoint?: pulumi.Input<string>;
  /**
   * API version: `api-version` for `"cpp"` (default `2017-10-31`), the `$version` of every call for
   * `"ingestion"` (default `2022-07-01`). Changing it replaces.
   */
  apiVersion?: pulumi.Input<string>;
  /**
   * Block until the operation ends (`OfferPublish`: until the preview waits for sign-off). Default `true`; with
   * `false` the resource records the started operation and returns.
   */
  wait?: pulumi.Input<boolean>;
  /**
   * How long one `pulumi up` waits for the operation, in seconds. Default 604 800 (7 days). When it passes the
   * deployment fails but the operation keeps running and stays in state; the next `pulumi up` resumes it.
   */
  timeoutSeconds?: pulumi.Input<number>;
  /** First and shortest wait between polls, in seconds (fractions allowed). Default 60. Never sooner than a server's Retry-After. */
  pollIntervalSeconds?: pulumi.Input<number>;
  /** Longest wait between polls, in seconds. Default 900. Between the two, the wait is 10% of the time waited so far. */
  maxPollIntervalSeconds?: pulumi.Input<number>;
  /** Deadline of one HTTP request, in seconds. Default 60. */
  requestTimeoutSeconds?: pulumi.Input<number>;
  /**
   * Values whose change starts a new operation (replaces the resource), e.g. `[image.version]`: a new image version
   * gets one new publish and one new go-live; unchanged values send nothing.
   */
  triggers?: pulumi.Input<unknown[]>;
}

/** Inputs of `OfferGoLive`. */
export interface OfferGoLiveArgs extends OfferOperationArgs {}

/** Inputs of `OfferPublish`. */
export interface OfferPublishArgs extends OfferOperationArgs {
  /**
   * `api: "cpp"` only, required there (the Product Ingestion API has no such setting: optional and ignored).
   * Who the Cloud Partner Portal e-mails about this publish — and about the go-live and cancel that follow
   * it: 1 to 20 addresses, each its own list item (no commas or spaces inside one). Surrounding spaces are
   * trimmed and repeats dropped. Changing the list updates the resource in place and does not publish again
   * (that would restart certification); the new list goes with the next publish (`pulumi up --replace`).
   * Optional: without it the publish is sent with no body (the API ignores the addresses for offers migrated
   * to Partner Center, which e-mails the account's contacts).
   */
  notificationEmails?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * `api: "ingestion"` only: the `declaration` output of the offer's `OfferConfiguration`. Publish safety: before
   * the preview is sent, the draft is compared with the preview (with nothing, when the offer was never
   * published) and with this declaration; a change the declaration does not explain (a portal edit nobody
   * reviewed) refuses the publish with the list of `key.field`s, and nothing is sent. `pulumi preview` shows the
   * declared fields whose draft, preview and live values differ. Pass it in `triggers` too
   * (`triggers: [config.declaration]`) to publish once per changed offer and never for an unchanged one.
   * Changing it alone records it in place.
   */
  configuration?: pulumi.Input<string>;
  /**
   * With `configuration`: publish even when the draft holds changes the declaration does not explain (each is
   * logged). Default `false`. Changing it records it in place.
   */
  allowUndeclaredChanges?: pulumi.Input<boolean>;
  /**
   * With `configuration`: `key.field` (or whole `key`) paths, `[*]` for any id, whose changes do not refuse the
   * publish although the declaration does not explain them — fields another resource owns, e.g. the image
   * versions `VmImageVersion` adds: `["plans[*].technicalConfiguration.vmImageVersions"]`. Each is logged.
   */
  allowUndeclaredChangesTo?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * With `configuration` (required then): a modular publish — the preview submission lists the declared
   * resources (with the product and their plans), and only those are published; other draft changes stay in
   * the draft. To preview only: the go-live always takes the whole preview. Default `false`. Changing it
   * records it in place.
   */
  modular?: pulumi.Input<boolean>;
}

/** A step of the operation as kept in state. */
export interface OperationStep {
  name: string;
  status: string;
  progressPercentage?: number;
  messages?: string[];
}

/** The outputs every offer operation resource computes (their inputs are echoed too). */
const OPERATION_OUTPUTS = [
  "operationLocation",
  "operationId",
  "productId",
  "submissionId",
  "status",
  "rawStatus",
  "attached",
  "startedAt",
  "completedAt",
  "currentStep",
  "steps",
  "messages",
] as const;

/**
 * What `OfferGoLive` and `OfferPublish` share: the inputs echoed back and the state of the operation the
 * resource started (or attached to). Deleting one only removes it from the stack; the API cannot undo a
 * publish or a go-live (cancel a running one with `pulumi-cloudpartner cancel`).
 *
 * The bearer token comes from the stack config `cloudpartner:accessToken` (a secret), else the
 * `CLOUDPARTNER_ACCESS_TOKEN` environment variable, else Azure AD (`@azure/identity`).
 */
export abstract class OfferOperation extends pulumi.dynamic.Resource {
  declare readonly api: pulumi.Output<ApiName | undefined>;
  declare readonly publisherId: pulumi.Output<string | undefined>;
  declare readonly offerId: pulumi.Output<string>;
  declare readonly endpoint: pulumi.Output<string>;
  declare readonly apiVersion: pulumi.Output<string>;
  declare readonly wait: pulumi.Output<boolean>;
  declare readonly timeoutSeconds: pulumi.Output<number>;
  declare readonly pollIntervalSeconds: pulumi.Output<number>;
  declare readonly maxPollIntervalSeconds: pulumi.Output<number>;
  declare readonly requestTimeoutSeconds: pulumi.Output<number>;
  /** Absolute URL of the operation (ingestion: of the configure job's status). */
  declare readonly operationLocation: pulumi.Output<string>;
  /** The operation's GUID, or the `$`-separated id of a non-migrated offer (ingestion: the configure job id). */
  declare readonly operationId: pulumi.Output<string | undefined>;
  /** Ingestion only: the durable product id, `product/<guid>`. */
  declare readonly productId: pulumi.Output<string | undefined>;
  /** Ingestion only: the submission sent to preview (publish) or live (go-live), `submission/<guid>/<n>`. */
  declare readonly submissionId: pulumi.Output<string | undefined>;
  /** `succeeded`, `running` (e.g. with `wait: false`), `failed` or `canceled`. */
  declare readonly status: pulumi.Output<OperationStatus>;
  /** The status exactly as the API last spelled it. */
  declare readonly rawStatus: pulumi.Output<string | undefined>;
  /** True when an operation of this kind already running was adopted instead of starting a new one. */
  declare readonly attached: pulumi.Output<boolean>;
  /** When this resource started (or attached to) the operation, ISO 8601. */
  declare readonly startedAt: pulumi.Output<string>;
  /** When the operation was first seen finished, ISO 8601. */
  declare readonly completedAt: pulumi.Output<string | undefined>;
  /** Name of the step the operation is at (or ended at). */
  declare readonly currentStep: pulumi.Output<string | undefined>;
  declare readonly steps: pulumi.Output<OperationStep[]>;
  /** Messages of the step that needs attention (blocked or failed), if any. */
  declare readonly messages: pulumi.Output<string[]>;

  protected constructor(
    className: ProviderClassName,
    type: string,
    name: string,
    props: Record<string, unknown>,
    opts: pulumi.CustomResourceOptions | undefined,
  ) {
    const outputs = Object.fromEntries(OPERATION_OUTPUTS.map((key) => [key, undefined]));
    super(sharedThinProvider(className), name, { ...props, ...outputs }, opts, "cloudpartner", type);
  }
}

/**
 * Takes an Azure Marketplace offer live through the Cloud Partner Portal API: sends go-live once and waits
 * until the operation ends, printing each step's progress. The go-live is the publisher's sign-off: the offer
 * must have been published and its preview be ready (see `OfferPublish`); otherwise the API refuses with HTTP 400.
 */
export class OfferGoLive extends OfferOperation {
  constructor(name: string, args: OfferGoLiveArgs, opts?: pulumi.CustomResourceOptions) {
    super("OfferGoLiveProvider", "OfferGoLive", name, { ...args }, opts);
  }
}

/**
 * Publishes an Azure Marketplace offer (validation, certification, packaging, preview): sends publish once
 * (with the notification e-mails when given) and waits until the preview is ready, printing each step's
 * progress. Then review the preview links, and go live with `OfferGoLive` (`dependsOn` this resource): the
 * go-live is the sign-off.
 *
 * `status` is the operation's status as the API reports it; at the sign-off point that is `succeeded` or,
 * on API versions that keep the publish open until sign-off, `running`. `awaitingSignoff` says which:
 * `true` means the publish is done as far as Pulumi is concerned and the next move is the publisher's (a
 * later `pulumi up` does not wait on it again; `pulumi refresh` updates it).
 */
export class OfferPublish extends OfferOperation {
  /** The notification e-mails as sent (trimmed, without repeats). */
  declare readonly notificationEmails: pulumi.Output<string[]>;
  /** The declaration the publish was checked against (`api: "ingestion"`), as given. */
  declare readonly configuration: pulumi.Output<string | undefined>;
  declare readonly allowUndeclaredChanges: pulumi.Output<boolean | undefined>;
  declare readonly allowUndeclaredChangesTo: pulumi.Output<string[] | undefined>;
  declare readonly modular: pulumi.Output<boolean | undefined>;
  /** True while the preview is ready and waits for the go-live: where this resource stops waiting. */
  declare readonly awaitingSignoff: pulumi.Output<boolean>;

  constructor(name: string, args: OfferPublishArgs, opts?: pulumi.CustomResourceOptions) {
    super("OfferPublishProvider", "OfferPublish", name, { ...args, awaitingSignoff: undefined }, opts);
  }
}
