/**
 * The Pulumi-facing resources. Pulumi serializes a dynamic resource's provider object into state, so the
 * object passed here is deliberately thin: each method loads this package's compiled provider at run time
 * (by package name, else by the absolute path it was built at) and delegates to it. It captures two
 * strings and nothing else — no token, no client, no module object.
 */

import * as pulumi from "@pulumi/pulumi";
import type { OperationStatus } from "./status";

/** Which provider class the thin object delegates to. */
type ProviderClassName = "OfferGoLiveProvider";

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
function sharedThinProvider(className: ProviderClassName): pulumi.dynamic.ResourceProvider {
  let provider = thinProviders.get(className);
  if (!provider) {
    provider = thinProvider(className, require.resolve("./provider"));
    thinProviders.set(className, provider);
  }
  return provider;
}

/** Inputs every offer operation resource takes. */
export interface OfferOperationArgs {
  /** Publisher id in the Cloud Partner Portal, e.g. `contoso`. Changing it replaces the resource. */
  publisherId: pulumi.Input<string>;
  /** Offer id, e.g. `contoso-offer`. Changing it replaces the resource. */
  offerId: pulumi.Input<string>;
  /** API host. Default `https://cloudpartner.azure.com`; plain http is accepted only for loopback. Changing it replaces. */
  endpoint?: pulumi.Input<string>;
  /** API version sent as `api-version`. Default `2017-10-31`. Changing it replaces. */
  apiVersion?: pulumi.Input<string>;
  /** Block until the operation ends. Default `true`; with `false` the resource records the started operation and returns. */
  wait?: pulumi.Input<boolean>;
  /**
   * How long one `pulumi up` waits for the operation, in seconds. Default 604 800 (7 days). When it passes the
   * deployment fails but the operation keeps running and stays in state; the next `pulumi up` resumes it.
   */
  timeoutSeconds?: pulumi.Input<number>;
  /** First and shortest wait between polls, in seconds (fractions allowed). Default 60. A server's Retry-After wins. */
  pollIntervalSeconds?: pulumi.Input<number>;
  /** Longest wait between polls, in seconds. Default 900. Between the two, the wait is 10% of the time waited so far. */
  maxPollIntervalSeconds?: pulumi.Input<number>;
  /** Deadline of one HTTP request, in seconds. Default 60. */
  requestTimeoutSeconds?: pulumi.Input<number>;
}

/** Inputs of `OfferGoLive`. */
export interface OfferGoLiveArgs extends OfferOperationArgs {}

/** A step of the operation as kept in state. */
export interface OperationStep {
  name: string;
  status: string;
  progressPercentage?: number;
  messages?: string[];
}

/**
 * Takes an Azure Marketplace offer live through the Cloud Partner Portal API: sends go-live once and waits
 * until the operation ends, printing each step's progress. Deleting the resource only removes it from the
 * stack; the API cannot take an offer back off the marketplace.
 *
 * The bearer token comes from the stack config `cloudpartner:accessToken` (a secret), else the
 * `CLOUDPARTNER_ACCESS_TOKEN` environment variable, else Azure AD (`@azure/identity`).
 */
export class OfferGoLive extends pulumi.dynamic.Resource {
  declare readonly publisherId: pulumi.Output<string>;
  declare readonly offerId: pulumi.Output<string>;
  declare readonly endpoint: pulumi.Output<string>;
  declare readonly apiVersion: pulumi.Output<string>;
  declare readonly wait: pulumi.Output<boolean>;
  declare readonly timeoutSeconds: pulumi.Output<number>;
  declare readonly pollIntervalSeconds: pulumi.Output<number>;
  declare readonly maxPollIntervalSeconds: pulumi.Output<number>;
  declare readonly requestTimeoutSeconds: pulumi.Output<number>;
  /** Absolute URL of the go-live operation. */
  declare readonly operationLocation: pulumi.Output<string>;
  /** The operation's GUID, or the `$`-separated id of a non-migrated offer. */
  declare readonly operationId: pulumi.Output<string | undefined>;
  /** `succeeded`, `running` (e.g. with `wait: false`), `failed` or `canceled`. */
  declare readonly status: pulumi.Output<OperationStatus>;
  /** The status exactly as the API last spelled it. */
  declare readonly rawStatus: pulumi.Output<string | undefined>;
  /** True when an already running go-live was adopted instead of starting a new one. */
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

  constructor(name: string, args: OfferGoLiveArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      sharedThinProvider("OfferGoLiveProvider"),
      name,
      {
        ...args,
        operationLocation: undefined,
        operationId: undefined,
        status: undefined,
        rawStatus: undefined,
        attached: undefined,
        startedAt: undefined,
        completedAt: undefined,
        currentStep: undefined,
        steps: undefined,
        messages: undefined,
      },
      opts,
      "cloudpartner",
      "OfferGoLive",
    );
  }
}
