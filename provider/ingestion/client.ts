/**
 * The Product Ingestion API calls this project needs, on the shared `ApiSession` (token, retries, error
 * mapping): the product by its external id, its submissions, `configure` (one POST, never retried blindly),
 * a configure job's status, and cancel. Plain TypeScript, no Pulumi.
 */

import { resolveTokenProvider } from "../core/auth";
import type { ReadLimits } from "../core/backend";
import {
  CloudPartnerError,
  type CloudPartnerErrorDetails,
  ConfigurationError,
  NotFoundError,
  ProtocolError,
  RejectedError,
} from "../core/errors";
import { defaultTransport, type HttpResponse } from "../core/http";
import { apiUrl, pathSegment } from "../core/location";
import {
  type ApiClientOptions,
  type Clock,
  type ResolvedRetryOptions,
  resolveEndpoint,
  resolveRetryOptions,
  systemClock,
} from "../core/options";
import { ApiSession, type ApiWording } from "../core/rest";
import { parseRetryAfter } from "../core/retry";
import {
  DEFAULT_INGESTION_VERSION,
  INGESTION_ENDPOINT,
  INGESTION_SCOPE,
  INGESTION_SERVICE,
} from "./constants";
import {
  type ConfigureStatus,
  type IngestionSubmission,
  parseConfigureStatus,
  parseProductLookup,
  parseSubmissions,
  productGuid,
} from "./parse";
import { schemaAdviceFor, schemaUri, WRITE_SCHEMA_VERSIONS } from "./schemas";

/**
 * Endpoint default `https://graph.microsoft.com/rp/product-ingestion`; `apiVersion` is the `$version` of every
 * call, default `2022-07-01` (the `$schema` of what is written is pinned per type: `schemas.ts`). Tokens are asked
 * for Microsoft Graph.
 */
export interface IngestionClientOptions extends ApiClientOptions {}

/** How errors from the Product Ingestion API word their advice. */
export const INGESTION_WORDING: ApiWording = {
  service: INGESTION_SERVICE,
  unauthorized: (apiMessage) =>
    /audience/i.test(apiMessage ?? "")
      ? "The token is for another API: get a token for Microsoft Graph (scope https://graph.microsoft.com/.default; with the Azure CLI: az account get-access-token --resource https://graph.microsoft.com)."
      : "Provide a valid, unexpired token for Microsoft Graph (scope https://graph.microsoft.com/.default) of the Entra app added in Partner Center.",
  forbidden:
    "Add the Entra app in Partner Center (Account settings → User management) with the Manager role, then try again.",
  notFound: "Check the offer id (the product's external id in Partner Center).",
};

/** A configure POST's answer. */
export interface ConfigureAnswer {
  job: ConfigureStatus;
  status: number;
}

export class IngestionClient {
  readonly endpoint: string;
  readonly apiVersion: string;
  readonly #session: ApiSession;
  readonly #clock: Clock;
  readonly retry: ResolvedRetryOptions;

  constructor(options: IngestionClientOptions = {}) {
    this.endpoint = resolveEndpoint(options.endpoint ?? INGESTION_ENDPOINT, { allowPath: true });
    this.apiVersion = options.apiVersion ?? DEFAULT_INGESTION_VERSION;
    this.retry = resolveRetryOptions(options.retry);
    this.#clock = options.clock ?? systemClock;
    this.#session = new ApiSession({
      endpoint: this.endpoint,
      tokens:
        options.tokenProvider ??
        resolveTokenProvider({
          accessToken: options.accessToken,
          credential: options.credential,
          scope: INGESTION_SCOPE,
        }),
      requestTimeoutMs: options.requestTimeoutMs ?? 60_000,
      retry: this.retry,
      transport: options.transport ?? defaultTransport(),
      clock: this.#clock,
      random: options.random ?? Math.random,
      log: options.log ?? (() => {}),
      wording: INGESTION_WORDING,
    });
  }

  get tokenSource(): string {
    return this.#session.tokenSource;
  }

  url(path: string, query: Record<string, string | undefined> = {}): string {
    return apiUrl(this.endpoint, path, { ...query, $version: this.apiVersion });
  }

  /** Absolute URL of a configure job's status: what a resource saves as `operationLocation`. */
  jobStatusUrl(jobId: string): string {
    return this.url(`configure/${pathSegment(jobId, "jobId")}/status`);
  }

  /** Absolute URL of a submission (the `operationLocation` of one attached to without its job). */
  submissionUrl(submissionId: string): string {
    return this.url(
      submissionId
        .split("/")
        .map((s) => pathSegment(s, "submissionId"))
        .join("/"),
    );
  }

  /** `product/<guid>` of the offer; NotFoundError naming the offer id when Partner Center has no such product. */
  async productId(offerId: string, signal?: AbortSignal): Promise<string> {
    const context = { offerId };
    const url = this.url("product", { externalId: offerId });
    const { body } = await this.#get(url, context, signal);
    const lookup = parseProductLookup(body, offerId);
    if (!lookup.understood)
      throw new ProtocolError(
        `${INGESTION_SERVICE} answered the product lookup of offer ${offerId} with something that is not a product list; nothing was sent.`,
        { ...context, requestUrl: url },
      );
    if (!lookup.productId) {
      // A list that holds other products (filter ignored) is no answer for this offer: never take value[0].
      const others = lookup.listed
        ? ` The lookup listed ${lookup.listed.length ? `only ${lookup.listed.map((id) => `"${id}"`).join(", ")}` : "products without an external id"}, none with that external id.`
        : "";
      throw new NotFoundError(
        `Partner Center has no product with the offer id (external id) "${offerId}".${others} Check offerId: it is the offer's id in Partner Center, and the Entra app must have access to that seller account.`,
        { ...context, status: 200, requestUrl: url },
      );
    }
    return lookup.productId;
  }

  /**
   * `plan/<productGuid>/<planGuid>` of a plan by its external id (`GET plan?product=&externalId=`); NotFoundError
   * naming the plans the product has when there is no such plan.
   */
  async planId(productId: string, offerId: string, planId: string, signal?: AbortSignal): Promise<string> {
    const context = { offerId };
    const url = this.url("plan", { product: productId, externalId: planId });
    const { body } = await this.#get(url, context, signal);
    const ids = planEntries(body);
    if (!ids)
      throw new ProtocolError(
        `${INGESTION_SERVICE} answered the lookup of plan ${planId} of offer ${offerId} with something that is not a plan list; nothing was sent.`,
        { ...context, requestUrl: url },
      );
    // Matched on the external id even when the filter was applied: a list ignoring it must not pick another plan.
    const found = ids.find((p) => p.externalId === planId);
    if (found) return found.id;
    const all = planEntries(
      (await this.#get(this.url("plan", { product: productId }), context, signal)).body,
    );
    const names = (all ?? []).map((p) => p.externalId).filter(Boolean);
    throw new NotFoundError(
      `Offer ${offerId} has no plan ${planId}; its plans are ${names.join(", ") || "(none)"}. Create the plan in Partner Center first, or fix planId.`,
      { ...context, status: 200, requestUrl: url },
    );
  }

  /**
   * The resources of the product's tree for a target (`GET resource-tree/product/<guid>?targetType=`). Preview
   * or live never reached answers 400 (PCCLI): undefined. Order is not stable: callers search, never index.
   */
  async resourceTree(
    productId: string,
    offerId: string,
    target: "draft" | "preview" | "live",
    signal?: AbortSignal,
  ): Promise<Array<Record<string, unknown>> | undefined> {
    const context = { offerId };
    const url = this.url(`resource-tree/product/${pathSegment(productGuid(productId), "productId")}`, {
      targetType: target,
    });
    let body: unknown;
    try {
      ({ body } = await this.#get(url, context, signal));
    } catch (error) {
      // The exact wording for "never reached" is unconfirmed; any other 400 of a preview/live tree means the same
      // here, except a retired schema version, which is the caller's to fix.
      if (
        target !== "draft" &&
        error instanceof CloudPartnerError &&
        error.status === 400 &&
        !/deprecated schema/i.test(error.apiMessage ?? "")
      )
        return undefined;
      throw error;
    }
    const resources = (body as { resources?: unknown } | undefined)?.resources;
    if (!Array.isArray(resources))
      throw new ProtocolError(
        `${INGESTION_SERVICE} answered the ${target} resource tree of offer ${offerId} with something that is not a resource tree; nothing was sent.`,
        { ...context, requestUrl: url },
      );
    return resources.filter((r): r is Record<string, unknown> => typeof r === "object" && r !== null);
  }

  /**
   * `POST configure` with resources (a technical configuration) as given, their `$schema` included (the caller
   * sets the pinned one). Sent once, never retried here: a lost answer may mean it was applied, which only a
   * re-read can tell.
   */
  async configureResources(
    resources: Array<Record<string, unknown>>,
    offerId: string,
    signal?: AbortSignal,
  ): Promise<ConfigureAnswer> {
    const context = { offerId };
    const body = { $schema: schemaUri("configure"), resources };
    const url = this.url("configure");
    const response = await this.#send({ method: "POST", url, body, retry: false, context, signal });
    return { job: this.#job(response, url, context), status: response.status };
  }

  /** Every submission of the product (draft, preview, live), newest first. Fails closed on an unreadable list. */
  async submissions(
    productId: string,
    offerId: string,
    signal?: AbortSignal,
  ): Promise<IngestionSubmission[]> {
    const context = { offerId };
    const url = this.url(`submission/${pathSegment(productGuid(productId), "productId")}`);
    const { body } = await this.#get(url, context, signal);
    const submissions = parseSubmissions(body);
    if (!submissions)
      throw new ProtocolError(
        `${INGESTION_SERVICE} answered the submissions of offer ${offerId} with something this client cannot read; nothing was sent. Check the offer with \`pulumi-cloudpartner status --api ingestion ${offerId}\`.`,
        { ...context, requestUrl: url },
      );
    return submissions;
  }

  /**
   * `POST configure` with one submission resource: `target` preview (publish all draft changes) or live (with
   * the preview submission's id). Sent once: a failure is the caller's to judge (it may have been applied).
   * `modular` (preview only): the draft resources to publish, listed before the submission — the API's modular
   * publish, which publishes only those (ingestion-api.md §5; cloudpub `submit_to_status` sends them so).
   */
  async configureSubmission(
    productId: string,
    offerId: string,
    target: "preview" | "live",
    submissionId: string | undefined,
    signal?: AbortSignal,
    modular: Array<Record<string, unknown>> = [],
  ): Promise<ConfigureAnswer> {
    const context = { offerId };
    if (modular.length > 0 && target !== "preview")
      throw new ConfigurationError(
        `A modular publish goes to preview only; the API has no modular go-live. Nothing was sent for offer ${offerId}.`,
        context,
      );
    const body = {
      $schema: schemaUri("configure"),
      resources: [
        ...modular,
        {
          $schema: schemaUri("submission"),
          ...(submissionId ? { id: submissionId } : {}),
          product: productId,
          target: { targetType: target },
        },
      ],
    };
    const url = this.url("configure");
    const response = await this.#send({ method: "POST", url, body, retry: false, context, signal });
    return { job: this.#job(response, url, context), status: response.status };
  }

  /** A configure job's status (safe to repeat: retried within the call). */
  async jobStatus(
    jobId: string,
    offerId: string,
    signal?: AbortSignal,
    limits: ReadLimits = {},
  ): Promise<{ job: ConfigureStatus; retryAfterMs?: number }> {
    const url = this.jobStatusUrl(jobId);
    const context = { offerId, operationLocation: url };
    const { response, body } = await this.#get(url, context, signal, limits.maxRetryAfterMs);
    const job = parseConfigureStatus(body);
    if (!job)
      throw new ProtocolError(
        `The configure job at ${url} answered with something that is not a job status.`,
        {
          ...context,
          status: response.status,
          requestUrl: url,
        },
      );
    return { job, retryAfterMs: parseRetryAfter(response.headers["retry-after"], this.#clock.now()) };
  }

  /** The durable ids a finished job created or changed (`GET configure/<jobId>`, configure-detail). */
  async jobDetail(jobId: string, offerId: string, signal?: AbortSignal): Promise<string[]> {
    const url = this.url(`configure/${pathSegment(jobId, "jobId")}`);
    const { body } = await this.#get(url, { offerId, operationLocation: this.jobStatusUrl(jobId) }, signal);
    const resources = (body as { resources?: unknown })?.resources;
    return Array.isArray(resources)
      ? resources.map((r) => (r as { id?: unknown })?.id).filter((id): id is string => typeof id === "string")
      : [];
  }

  /** `POST configure/<jobId>/cancel`. Cancelling twice is harmless, so transient failures are retried. */
  async cancelJob(
    jobId: string,
    offerId: string,
    signal?: AbortSignal,
  ): Promise<ConfigureStatus | undefined> {
    const url = this.url(`configure/${pathSegment(jobId, "jobId")}/cancel`);
    const context = { offerId, operationLocation: this.jobStatusUrl(jobId) };
    try {
      const response = await this.#send({ method: "POST", url, retry: true, context, signal });
      return response.body.trim() ? parseConfigureStatus(safeJson(response.body)) : undefined;
    } catch (error) {
      if (
        // Whichever class the session gave the 400 (its text says "already"), the job cannot be canceled.
        error instanceof CloudPartnerError &&
        error.status === 400 &&
        /already (been )?completed|too far along|cannot cancel/i.test(error.apiMessage ?? "")
      )
        throw new RejectedError(
          `${error.message} The configure job ${jobId} can no longer be canceled: it has finished or is too far along, and what it processed stays applied. A preview that is ready simply waits (nothing goes live without a go-live); check with \`pulumi-cloudpartner status --api ingestion ${offerId}\`.`,
          {
            ...context,
            status: error.status,
            apiCode: error.apiCode,
            apiMessage: error.apiMessage,
            requestUrl: url,
            method: "POST",
          },
        );
      throw error;
    }
  }

  #job(response: HttpResponse, url: string, context: CloudPartnerErrorDetails): ConfigureStatus {
    const job = parseConfigureStatus(safeJson(response.body));
    if (!job)
      throw new ProtocolError(
        `${INGESTION_SERVICE} accepted the configure request (HTTP ${response.status}) but its answer has no job id, so the job cannot be followed. Check the offer with \`pulumi-cloudpartner status --api ingestion ${context.offerId}\` before retrying.`,
        { ...context, status: response.status, requestUrl: url },
      );
    return job;
  }

  #get(url: string, context: CloudPartnerErrorDetails, signal?: AbortSignal, maxRetryAfterMs?: number) {
    return this.#session.getJson(url, context, signal, maxRetryAfterMs).catch((error: unknown) => {
      throw this.#explain(error);
    });
  }

  #send(options: Parameters<ApiSession["send"]>[0]) {
    return this.#session.send(options).catch((error: unknown) => {
      throw this.#explain(error);
    });
  }

  /**
   * A deprecated `$version` gets the advice of which version to set; a schema error that names what a schema
   * requires (a 400 with a `schemaValidationError` detail) says which schema, what it wants and what to do.
   */
  #explain(error: unknown): unknown {
    if (!(error instanceof RejectedError)) return error;
    const advice = /deprecated schema/i.test(error.apiMessage ?? "")
      ? this.#retiredAdvice(error.apiMessage ?? "")
      : schemaAdviceFor([error.apiMessage]).join(" ");
    if (!advice) return error;
    return new RejectedError(`${error.message} ${advice}`, {
      status: error.status,
      apiCode: error.apiCode,
      apiMessage: error.apiMessage,
      method: error.method,
      requestUrl: error.requestUrl,
      offerId: error.offerId,
      operationLocation: error.operationLocation,
    });
  }

  #retiredAdvice(apiMessage: string): string {
    const retired = /(\d{4}-\d{2}-\d{2}(?:-preview\d*)?)/.exec(apiMessage)?.[1] ?? this.apiVersion;
    const pinned = Object.entries(WRITE_SCHEMA_VERSIONS)
      .filter(([, version]) => version === retired)
      .map(([type]) => type);
    return pinned.length > 0 && retired !== this.apiVersion
      ? `The ${pinned.join("/")} schema ${retired} this package writes is retired: update pulumi-cloudpartner.`
      : `The schema version ${retired} is retired: set apiVersion to ${DEFAULT_INGESTION_VERSION} (the default) or a newer schema version.`;
  }

  toJSON(): Record<string, string> {
    return { endpoint: this.endpoint, apiVersion: this.apiVersion };
  }
}

/** The `value` of a plan list as `{ id, externalId }`; undefined when it is not a list. */
function planEntries(body: unknown): Array<{ id: string; externalId?: string }> | undefined {
  const items = (body as { value?: unknown } | undefined)?.value;
  if (!Array.isArray(items)) return undefined;
  return items.flatMap((item) => {
    const id = (item as { id?: unknown })?.id;
    if (typeof id !== "string" || !id.startsWith("plan/")) return [];
    const identity = (item as { identity?: { externalId?: unknown; externalID?: unknown } }).identity;
    const externalId = identity?.externalId ?? identity?.externalID;
    return [{ id, ...(typeof externalId === "string" ? { externalId } : {}) }];
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
