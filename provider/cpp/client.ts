/**
 * The Cloud Partner Portal API client: plain TypeScript, no Pulumi. Sends each call with the bearer token
 * (only ever to the configured endpoint), retries what is safe to retry, and maps failures to the error
 * hierarchy in `errors.ts`.
 */

import { resolveTokenProvider } from "../core/auth";
import type { OperationSummary, ReadLimits } from "../core/backend";
import {
  type CloudPartnerErrorDetails,
  NotFoundError,
  OperationInProgressError,
  ProtocolError,
  TransientError,
} from "../core/errors";
import { defaultTransport, type HttpResponse } from "../core/http";
import {
  apiUrl,
  locationHeader,
  locationInBody,
  operationIdFromLocation,
  operationUrl,
  pathSegment,
  resolveOperationLocation,
} from "../core/location";
import type { OperationSnapshot, StepSnapshot } from "../core/operation";
import {
  type ApiClientOptions,
  type Clock,
  DEFAULT_API_VERSION,
  type ResolvedRetryOptions,
  resolveEndpoint,
  resolveRetryOptions,
  systemClock,
} from "../core/options";
import { ApiSession, type ApiWording } from "../core/rest";
import { parseRetryAfter, retryDelayMs } from "../core/retry";
import { normalizeStatus } from "../core/status";
import { parseOperation } from "./operation";
import {
  assertDecidable,
  byNewest,
  classifySubmission,
  existingOf,
  readSubmissionList,
  runningOf,
  type Submission,
  withSteps,
} from "./submissions";

export type { Submission } from "./submissions";

/** Endpoint default `https://cloudpartner.azure.com`, `apiVersion` default `2017-10-31`. */
export interface CloudPartnerClientOptions extends ApiClientOptions {}

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
  /** The cancel operation (202), from a Location header or the body; absent when the 202 named none. */
  operationLocation?: string;
}

export interface PolledOperation {
  snapshot: OperationSnapshot;
  /** The server's Retry-After on this response, in ms. */
  retryAfterMs?: number;
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

  /**
   * Starts a publish (or attaches to a running publish). Without notification e-mails the request has no
   * body: the API ignores the addresses for migrated offers, and known clients publish without them.
   */
  publish(
    publisherId: string,
    offerId: string,
    notificationEmails?: string[],
    signal?: AbortSignal,
  ): Promise<StartedOperation> {
    return this.#start("publish", publisherId, offerId, notificationBody(notificationEmails), signal);
  }

  /** Cancels the offer's running operation. */
  async cancel(
    publisherId: string,
    offerId: string,
    notificationEmails: string[] | undefined,
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
      // The cancel page says the location may come in the body instead of a header.
      const location = locationHeader(response.headers) ?? locationInBody(response.body);
      // Accepted is accepted: a 202 that names nothing to follow is reported as such, not as a failure.
      if (!location) return { completed: false };
      return { completed: false, operationLocation: this.#location(response, context, location).url };
    }
    return { completed: true };
  }

  /**
   * Reads an operation by its location (absolute or relative). `maxRetryAfterMs` caps a server's Retry-After
   * inside this read's retries (the poller passes its longest interval).
   */
  async getOperation(
    operationLocation: string,
    signal?: AbortSignal,
    limits: ReadLimits = {},
  ): Promise<PolledOperation> {
    // Resolving costs three URL parses (≈5 µs); remembering the last one saves it on every poll.
    if (this.#lastLocation?.location !== operationLocation) {
      const { url } = resolveOperationLocation(operationLocation, this.endpoint, this.apiVersion);
      this.#lastLocation = { location: operationLocation, url };
    }
    const url = this.#lastLocation.url;
    const context = { operationLocation: url };
    const { response, body } = await this.#session.getJson(url, context, signal, limits.maxRetryAfterMs);
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

  /**
   * Lists the offer's operations (submissions) as the API sent them, newest first (by version, then time),
   * optionally only those in one state, e.g. "running" (compared after normalizing, so `InProgress` is
   * running). A list answer that is not a list is a ProtocolError; items without an id are left out and logged.
   */
  async listOperations(
    publisherId: string,
    offerId: string,
    options: { filteredStatus?: string; signal?: AbortSignal } = {},
  ): Promise<Submission[]> {
    const { submissions, summaries, problems } = await this.#readSubmissions(
      publisherId,
      offerId,
      options.filteredStatus,
      options.signal,
    );
    if (problems.length > 0)
      this.#log(`${publisherId}/${offerId}: left out of the submissions list: ${problems.join("; ")}.`);
    const wanted = options.filteredStatus;
    // The filter's name differs between pages; filter here too so an ignored parameter cannot mislead.
    const keep = (s: OperationSummary) => {
      if (!wanted) return true;
      const filter = normalizeStatus(wanted);
      return filter.recognized
        ? s.state === filter.status && s.outcome !== "unrecognized"
        : s.rawState.toLowerCase() === wanted.toLowerCase();
    };
    const byId = new Map(submissions.map((s) => [s.id, s]));
    return summaries
      .filter(keep)
      .sort(byNewest)
      .map((s) => byId.get(s.id))
      .filter((s): s is Submission => s !== undefined);
  }

  /** The offer's operations, classified once (`classifySubmission`), newest first. */
  async listSummaries(
    publisherId: string,
    offerId: string,
    options: { filteredStatus?: string; signal?: AbortSignal } = {},
  ): Promise<OperationSummary[]> {
    const kept = await this.listOperations(publisherId, offerId, options);
    return kept.map(classifySubmission);
  }

  /**
   * The running operation of one kind for the offer, if any. Fails closed: a list it does not understand is a
   * ProtocolError, never "none" (the answer decides whether a POST is sent).
   */
  async findRunningOperation(
    publisherId: string,
    offerId: string,
    kind: OperationKind,
    signal?: AbortSignal,
  ): Promise<StartedOperation | undefined> {
    if (kind === "cancel")
      throw new Error("findRunningOperation: a cancel is found by the cancel call itself.");
    const list = await this.#decidable(publisherId, offerId, kind, signal);
    const running = runningOf(list.summaries, kind);
    return running ? this.#attachTo(publisherId, offerId, running) : undefined;
  }

  /**
   * An operation of this kind that a new resource should take over instead of starting one, found with one
   * look at the offer's submissions (see `existingOf` in submissions.ts): one already running, or one that
   * finished and is still current. Fails closed like `findRunningOperation`.
   */
  async findExistingOperation(
    publisherId: string,
    offerId: string,
    kind: "golive" | "publish",
    signal?: AbortSignal,
    options: { onlyInProgress?: boolean } = {},
  ): Promise<{ operation: StartedOperation; running: boolean } | undefined> {
    const list = await this.#decidable(publisherId, offerId, kind, signal);
    // Only a publish's decision turns on whether a running publish rests (a go-live's counts both alike).
    const summaries =
      kind === "publish"
        ? await this.#runningPublishBySteps(publisherId, offerId, list.summaries, signal)
        : list.summaries;
    const existing = existingOf(summaries, kind, options);
    return existing
      ? { operation: this.#attachTo(publisherId, offerId, existing.summary), running: existing.running }
      : undefined;
  }

  /**
   * The list with its newest running publish told apart by its own steps (`withSteps`): resting at its preview
   * or still in progress. One extra GET, only when a publish is listed as running.
   */
  async #runningPublishBySteps(
    publisherId: string,
    offerId: string,
    summaries: OperationSummary[],
    signal?: AbortSignal,
  ): Promise<OperationSummary[]> {
    const running = runningOf(summaries, "publish");
    if (running?.outcome !== "inProgress") return summaries;
    let snapshot: OperationSnapshot | undefined;
    try {
      const location = operationUrl(this.endpoint, this.apiVersion, publisherId, offerId, running.id);
      ({ snapshot } = await this.getOperation(location, signal));
    } catch (error) {
      // Its record is gone: the list is all there is to go by.
      if (!(error instanceof NotFoundError)) throw error;
    }
    return summaries.map((s) => (s === running ? withSteps(s, snapshot) : s));
  }

  /**
   * The running operation of this kind that a start request just sent may have joined (a lost answer, a 409, an
   * answer without a location). For a publish, one resting at its preview (by its steps) is not: it was there
   * before the request, which asked for a new one.
   */
  async #joinedBy(
    publisherId: string,
    offerId: string,
    kind: OperationKind,
    signal?: AbortSignal,
  ): Promise<StartedOperation | undefined> {
    if (kind !== "publish") return this.findRunningOperation(publisherId, offerId, kind, signal);
    const list = await this.#decidable(publisherId, offerId, kind, signal);
    const summaries = await this.#runningPublishBySteps(publisherId, offerId, list.summaries, signal);
    const running = runningOf(summaries, kind);
    return running && running.outcome !== "awaitingSignoff"
      ? this.#attachTo(publisherId, offerId, running)
      : undefined;
  }

  /** The whole list (never server-filtered: a filter spelled differently must not hide a run), checked. */
  async #decidable(publisherId: string, offerId: string, kind: "golive" | "publish", signal?: AbortSignal) {
    const list = await this.#readSubmissions(publisherId, offerId, undefined, signal);
    assertDecidable(list, kind, { publisherId, offerId, requestUrl: list.url });
    return list;
  }

  async #readSubmissions(
    publisherId: string,
    offerId: string,
    filteredStatus: string | undefined,
    signal?: AbortSignal,
  ) {
    const context = { publisherId, offerId };
    // The docs name the filter `status`; it is applied here too, after normalizing.
    const url = this.#offerUrl(publisherId, offerId, "submissions", { status: filteredStatus });
    const { body } = await this.#session.getJson(url, context, signal);
    const { submissions, problems } = readSubmissionList(body, { ...context, requestUrl: url });
    return { url, submissions, summaries: submissions.map(classifySubmission), problems };
  }

  #attachTo(publisherId: string, offerId: string, submission: { id: string }): StartedOperation {
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
          const running = await this.#joinedBy(publisherId, offerId, kind, signal);
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
          const running = await this.#joinedBy(publisherId, offerId, kind, signal);
          if (running) {
            this.#log(`${publisherId}/${offerId}: a ${kind} operation is already running; attaching to it.`);
            return running;
          }
          throw error;
        }
        if (!(error instanceof TransientError) || attempt >= this.#retry.maxRetries) throw error;
        if (error.requestMayHaveBeenProcessed && error.status !== 429) {
          const running = await this.#joinedBy(publisherId, offerId, kind, signal);
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

  #location(
    response: HttpResponse,
    context: CloudPartnerErrorDetails,
    header: string | undefined = locationHeader(response.headers),
  ) {
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

/** The publish/cancel body: the e-mails when given, else none at all. */
function notificationBody(emails: string[] | undefined) {
  return emails && emails.length > 0 ? { metadata: { "notification-emails": emails.join(",") } } : undefined;
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
