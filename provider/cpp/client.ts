/**
 * The Cloud Partner Portal API client: plain TypeScript, no Pulumi. Sends each call with the bearer token
 * (only ever to the configured endpoint), retries what is safe to retry, and maps failures to the error
 * hierarchy in `errors.ts`.
 */

import { resolveTokenProvider, type TokenCredentialLike, type TokenProvider } from "../core/auth";
import {
  type CloudPartnerErrorDetails,
  OperationInProgressError,
  ProtocolError,
  TransientError,
} from "../core/errors";
import { defaultTransport, type HttpResponse, type HttpTransport } from "../core/http";
import {
  apiUrl,
  locationHeader,
  operationIdFromLocation,
  operationUrl,
  pathSegment,
  resolveOperationLocation,
} from "../core/location";
import type { OperationSnapshot, StepSnapshot } from "../core/operation";
import {
  type Clock,
  DEFAULT_API_VERSION,
  type ResolvedRetryOptions,
  type RetryOptions,
  resolveEndpoint,
  resolveRetryOptions,
  systemClock,
} from "../core/options";
import { ApiSession, type ApiWording } from "../core/rest";
import { parseRetryAfter, retryDelayMs } from "../core/retry";
import { normalizeStatus } from "../core/status";
import { parseOperation } from "./operation";

export interface CloudPartnerClientOptions {
  /** API host. Default `https://cloudpartner.azure.com`; plain http only for loopback. */
  endpoint?: string;
  /** Default `2017-10-31`. */
  apiVersion?: string;
  /** An explicit bearer token; otherwise `CLOUDPARTNER_ACCESS_TOKEN`, otherwise Azure AD. */
  accessToken?: string;
  /** Any `@azure/identity` credential. */
  credential?: TokenCredentialLike;
  /** Full control over tokens (wins over `accessToken` and `credential`). */
  tokenProvider?: TokenProvider;
  /** Deadline for one HTTP request, headers and body. Default 60 000 ms. */
  requestTimeoutMs?: number;
  retry?: RetryOptions;
  transport?: HttpTransport;
  clock?: Clock;
  /** Random source for backoff jitter (tests pin it). */
  random?: () => number;
  /** Called with one line per notable event (retries, re-based locations). Never receives a token. */
  log?: (message: string) => void;
}

export type OperationKind = "golive" | "publish" | "cancel";

export interface StartedOperation {
  /** Absolute URL of the operation, on the configured endpoint. */
  operationLocation: string;
  /** The operation's GUID, or the `$`-separated id of a non-migrated offer. */
  operationId?: string;
  /** True when an operation of this kind was already running and this call attached to it instead. */
  attached: boolean;
}

export interface CancelResult {
  /** True when the API canceled synchronously (200). */
  completed: boolean;
  operationLocation?: string;
}

export interface PolledOperation {
  snapshot: OperationSnapshot;
  /** The server's Retry-After on this response, in ms. */
  retryAfterMs?: number;
}

export interface Submission {
  id: string;
  submissionType: string;
  submissionState: string;
  offerId?: string;
  publisherId?: string;
  slot?: string;
  version?: number;
  changedTime?: string;
}

/** An offer document as read or written, with the ETag the next write must present. */
export interface OfferDocument {
  document: Record<string, unknown>;
  /** The `ETag` header, else the body's `eTag`; undefined when the API sent neither. */
  etag?: string;
}

export interface OfferStatus {
  status: string;
  steps: StepSnapshot[];
  previewLinks: string[];
  liveLinks: string[];
}

export class CloudPartnerClient {
  readonly endpoint: string;
  readonly apiVersion: string;
  readonly requestTimeoutMs: number;
  readonly #session: ApiSession;
  readonly #retry: ResolvedRetryOptions;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #log: (message: string) => void;
  /** The last operation location resolved: a poller asks for the same one every time. */
  #lastLocation?: { location: string; url: string };

  constructor(options: CloudPartnerClientOptions = {}) {
    this.endpoint = resolveEndpoint(options.endpoint);
    this.apiVersion = options.apiVersion ?? DEFAULT_API_VERSION;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
    this.#retry = resolveRetryOptions(options.retry);
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#log = options.log ?? (() => {});
    this.#session = new ApiSession({
      endpoint: this.endpoint,
      tokens:
        options.tokenProvider ??
        resolveTokenProvider({ accessToken: options.accessToken, credential: options.credential }),
      requestTimeoutMs: this.requestTimeoutMs,
      retry: this.#retry,
      transport: options.transport ?? defaultTransport(),
      clock: this.#clock,
      random: this.#random,
      log: this.#log,
      wording: CPP_WORDING,
    });
  }

  /** Where the token comes from, for messages. */
  get tokenSource(): string {
    return this.#session.tokenSource;
  }

  /** Starts a go-live, or attaches to a go-live already running for the offer. Never sends go-live twice. */
  goLive(publisherId: string, offerId: string, signal?: AbortSignal): Promise<StartedOperation> {
    return this.#start("golive", publisherId, offerId, undefined, signal);
  }

  /** Starts a publish with the given notification e-mails (or attaches to a running publish). */
  publish(
    publisherId: string,
    offerId: string,
    notificationEmails: string[],
    signal?: AbortSignal,
  ): Promise<StartedOperation> {
    return this.#start("publish", publisherId, offerId, notificationBody(notificationEmails), signal);
  }

  /** Cancels the offer's running operation. */
  async cancel(
    publisherId: string,
    offerId: string,
    notificationEmails: string[],
    signal?: AbortSignal,
  ): Promise<CancelResult> {
    const context = { publisherId, offerId };
    const response = await this.#session.send({
      method: "POST",
      url: this.#offerUrl(publisherId, offerId, "cancel"),
      body: notificationBody(notificationEmails),
      // Cancelling twice is harmless, so transient failures are retried.
      retry: true,
      context,
      signal,
    });
    if (response.status === 202) {
      return { completed: false, operationLocation: this.#location(response, context).url };
    }
    return { completed: true };
  }

  /** Reads an operation by its location (absolute or relative). */
  async getOperation(operationLocation: string, signal?: AbortSignal): Promise<PolledOperation> {
    // Resolving costs three URL parses (≈5 µs); remembering the last one saves it on every poll.
    if (this.#lastLocation?.location !== operationLocation) {
      const { url } = resolveOperationLocation(operationLocation, this.endpoint, this.apiVersion);
      this.#lastLocation = { location: operationLocation, url };
    }
    const url = this.#lastLocation.url;
    const context = { operationLocation: url };
    const { response, body } = await this.#session.getJson(url, context, signal);
    const snapshot = parseOperation(body);
    if (!snapshot) {
      throw new ProtocolError(
        `The operation at ${url} answered with something that is not an operation (no status).`,
        {
          ...context,
          status: response.status,
          requestUrl: url,
        },
      );
    }
    return { snapshot, retryAfterMs: parseRetryAfter(response.headers["retry-after"], this.#clock.now()) };
  }

  /** Lists the offer's operations (submissions), optionally only those in one state, e.g. "running". */
  async listOperations(
    publisherId: string,
    offerId: string,
    options: { filteredStatus?: string; signal?: AbortSignal } = {},
  ): Promise<Submission[]> {
    const context = { publisherId, offerId };
    const url = this.#offerUrl(publisherId, offerId, "submissions", {
      filteredStatus: options.filteredStatus,
    });
    const { body } = await this.#session.getJson(url, context, options.signal);
    const items = Array.isArray(body)
      ? body
      : Array.isArray((body as { value?: unknown })?.value)
        ? (body as { value: unknown[] }).value
        : [];
    const submissions = items.map(parseSubmission).filter((s): s is Submission => s !== undefined);
    // The filter's name differs between pages; filter here too so an ignored parameter cannot mislead.
    return options.filteredStatus
      ? submissions.filter((s) => s.submissionState.toLowerCase() === options.filteredStatus?.toLowerCase())
      : submissions;
  }

  /** The running operation of one kind for the offer, if any. */
  async findRunningOperation(
    publisherId: string,
    offerId: string,
    kind: OperationKind,
    signal?: AbortSignal,
  ): Promise<StartedOperation | undefined> {
    const running = await this.listOperations(publisherId, offerId, { filteredStatus: "running", signal });
    const match = running.find((s) => submissionKind(s.submissionType) === kind);
    return match ? this.#attachTo(publisherId, offerId, match) : undefined;
  }

  /**
   * An operation of this kind that a new resource should take over instead of starting one, found with one
   * look at the offer's submissions: one already running, or (go-live only) the go-live that already took
   * the latest published version live — the newest publish or go-live submission is a succeeded go-live.
   * Going live again would be a duplicate; a new publish makes a new go-live due again.
   */
  async findExistingOperation(
    publisherId: string,
    offerId: string,
    kind: OperationKind,
    signal?: AbortSignal,
  ): Promise<{ operation: StartedOperation; running: boolean } | undefined> {
    const submissions = await this.listOperations(publisherId, offerId, { signal });
    const running = submissions.find(
      (s) => submissionKind(s.submissionType) === kind && s.submissionState.toLowerCase() === "running",
    );
    if (running) return { operation: this.#attachTo(publisherId, offerId, running), running: true };
    if (kind !== "golive") return undefined;
    const latest = submissions
      .map((s, index) => ({
        s,
        index,
        kind: submissionKind(s.submissionType),
        at: Date.parse(s.changedTime ?? ""),
      }))
      .filter((x) => x.kind === "golive" || x.kind === "publish")
      // Newest first; without timestamps keep the API's order (newest first).
      .sort((a, b) => (Number.isNaN(a.at) || Number.isNaN(b.at) ? a.index - b.index : b.at - a.at))[0];
    if (latest?.kind !== "golive" || normalizeStatus(latest.s.submissionState).status !== "succeeded")
      return undefined;
    return { operation: this.#attachTo(publisherId, offerId, latest.s), running: false };
  }

  #attachTo(publisherId: string, offerId: string, submission: Submission): StartedOperation {
    return {
      operationLocation: operationUrl(this.endpoint, this.apiVersion, publisherId, offerId, submission.id),
      operationId: submission.id,
      attached: true,
    };
  }

  /** The offer's publishing status and steps. */
  async getOfferStatus(publisherId: string, offerId: string, signal?: AbortSignal): Promise<OfferStatus> {
    const context = { publisherId, offerId };
    const url = this.#offerUrl(publisherId, offerId, "status");
    const body = (await this.#session.getJson(url, context, signal)).body as Record<string, unknown>;
    const snapshot = parseOperation({ ...body, status: body?.status ?? "" });
    return {
      status: typeof body?.status === "string" ? body.status : "unknown",
      steps: snapshot?.steps ?? [],
      previewLinks: links(body?.previewLinks),
      liveLinks: links(body?.liveLinks),
    };
  }

  /**
   * The offer document: the draft (`GET .../offers/{o}`) with its ETag, or a published slot
   * (`.../slot/Preview`, `.../slot/Production`). Retried like every GET.
   */
  async getOfferDocument(
    publisherId: string,
    offerId: string,
    slot?: "Preview" | "Production",
    signal?: AbortSignal,
  ): Promise<OfferDocument> {
    const url = this.#offerUrl(publisherId, offerId, slot ? `slot/${slot}` : "");
    const { response, body } = await this.#session.getJson(url, { publisherId, offerId }, signal);
    return documentOf(response, body, url, { publisherId, offerId });
  }

  /**
   * Writes the whole offer document with `If-Match: <etag>` (never `*`): the API answers 412 when the offer
   * changed since that ETag was read. Sent once; the caller decides what a lost answer means (re-read, compare).
   */
  async putOfferDocument(
    publisherId: string,
    offerId: string,
    document: Record<string, unknown>,
    etag: string,
    signal?: AbortSignal,
  ): Promise<OfferDocument> {
    const url = this.#offerUrl(publisherId, offerId, "");
    const context = { publisherId, offerId };
    const response = await this.#session.send({
      method: "PUT",
      url,
      body: document,
      headers: { "if-match": etag },
      retry: false,
      context,
      signal,
    });
    let body: unknown;
    try {
      body = JSON.parse(response.body);
    } catch {
      body = undefined;
    }
    return documentOf(response, body, url, context);
  }

  /**
   * POSTs an operation-starting call. A POST is only repeated when that is provably safe: the connection
   * failed before the request was sent, the server said 429, or a check found no running operation of
   * this kind (so the earlier attempt did not start one).
   */
  async #start(
    kind: OperationKind,
    publisherId: string,
    offerId: string,
    body: unknown,
    signal?: AbortSignal,
  ): Promise<StartedOperation> {
    const context = { publisherId, offerId };
    const url = this.#offerUrl(publisherId, offerId, kind);
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await this.#session.send({
          method: "POST",
          url,
          body,
          retry: false,
          context,
          signal,
        });
        if (!locationHeader(response.headers)) {
          // Accepted but unlocatable: the running operation, if listed, is the one just started.
          const running = await this.findRunningOperation(publisherId, offerId, kind, signal);
          if (running) return { ...running, attached: false };
        }
        const location = this.#location(response, context);
        return {
          operationLocation: location.url,
          operationId: operationIdFromLocation(location.url),
          attached: false,
        };
      } catch (error) {
        if (error instanceof OperationInProgressError) {
          const running = await this.findRunningOperation(publisherId, offerId, kind, signal);
          if (running) {
            this.#log(`${publisherId}/${offerId}: a ${kind} operation is already running; attaching to it.`);
            return running;
          }
          throw error;
        }
        if (!(error instanceof TransientError) || attempt >= this.#retry.maxRetries) throw error;
        if (error.requestMayHaveBeenProcessed && error.status !== 429) {
          const running = await this.findRunningOperation(publisherId, offerId, kind, signal);
          if (running) {
            this.#log(
              `${publisherId}/${offerId}: ${error.message} The ${kind} request had been accepted; attaching to it.`,
            );
            return running;
          }
        }
        const delay = retryDelayMs(attempt, error.retryAfterMs, this.#retry, this.#random);
        this.#log(`${publisherId}/${offerId}: ${kind} failed (${error.message}); retrying in ${delay} ms.`);
        await this.#clock.sleep(delay, signal);
      }
    }
  }

  #location(response: HttpResponse, context: CloudPartnerErrorDetails) {
    const header = locationHeader(response.headers);
    if (!header) {
      throw new ProtocolError(
        `The API accepted the request (HTTP ${response.status}) but sent no Location or Operation-Location header, so the operation cannot be followed. ` +
          "Check the offer's status with `pulumi-cloudpartner status` before retrying.",
        { ...context, status: response.status },
      );
    }
    const resolved = resolveOperationLocation(header, this.endpoint, this.apiVersion);
    if (resolved.rebasedFromForeignHost) {
      this.#log(
        `The API pointed the operation at ${resolved.rebasedFromForeignHost}, which is not the configured endpoint; ` +
          `the token is not sent there, polling ${new URL(resolved.url).origin} instead.`,
      );
    }
    return resolved;
  }

  #offerUrl(
    publisherId: string,
    offerId: string,
    action: string,
    query: Record<string, string | undefined> = {},
  ) {
    return apiUrl(
      this.endpoint,
      `api/publishers/${pathSegment(publisherId, "publisherId")}/offers/${pathSegment(offerId, "offerId")}${action ? `/${action}` : ""}`,
      {
        "api-version": this.apiVersion,
        ...query,
      },
    );
  }

  /** The client itself never serializes its token source or transport. */
  toJSON(): Record<string, string> {
    return { endpoint: this.endpoint, apiVersion: this.apiVersion };
  }
}

/** How errors from the Cloud Partner Portal word their advice. */
export const CPP_WORDING: ApiWording = {
  service: "the Cloud Partner Portal",
  unauthorized: () =>
    "Provide a valid token for the publisher's Azure AD app (scope https://cloudpartner.azure.com/.default).",
  forbidden:
    "Check that the service principal was added to the publisher account and the publisher id is right.",
  notFound: "Check the publisher and offer ids.",
};

function notificationBody(emails: string[]) {
  return { metadata: { "notification-emails": emails.join(",") } };
}

function submissionKind(submissionType: string): OperationKind | undefined {
  const key = submissionType.toLowerCase().replace(/[^a-z]/g, "");
  if (key === "golive" || key === "live") return "golive";
  if (key === "publish" || key === "preview") return "publish";
  if (key === "cancel" || key === "cancellation") return "cancel";
  return undefined;
}

function parseSubmission(value: unknown): Submission | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const item = value as Record<string, unknown>;
  if (typeof item.id !== "string" || item.id === "") return undefined;
  return {
    id: item.id,
    submissionType: typeof item.submissionType === "string" ? item.submissionType : "",
    submissionState:
      typeof item.submissionState === "string"
        ? item.submissionState
        : typeof item.status === "string"
          ? item.status
          : "",
    offerId: typeof item.offerId === "string" ? item.offerId : undefined,
    publisherId: typeof item.publisherId === "string" ? item.publisherId : undefined,
    slot: typeof item.slot === "string" ? item.slot : undefined,
    version: typeof item.version === "number" ? item.version : undefined,
    changedTime: typeof item.changedTime === "string" ? item.changedTime : undefined,
  };
}

function documentOf(
  response: HttpResponse,
  body: unknown,
  url: string,
  context: CloudPartnerErrorDetails,
): OfferDocument {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ProtocolError(`The offer document from ${url.split("?")[0]} is not a JSON object.`, {
      ...context,
      status: response.status,
      requestUrl: url,
    });
  }
  const document = body as Record<string, unknown>;
  const header = response.headers.etag;
  const etag =
    (Array.isArray(header) ? header[0] : header) ??
    (typeof document.eTag === "string" ? document.eTag : undefined);
  return { document, ...(etag ? { etag } : {}) };
}

function links(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value
    .map((l) =>
      typeof l === "string"
        ? l
        : typeof l === "object" && l !== null
          ? ((l as { uri?: unknown; url?: unknown }).uri ?? (l as { url?: unknown }).url)
          : undefined,
    )
    .filter((l): l is string => typeof l === "string");
}
