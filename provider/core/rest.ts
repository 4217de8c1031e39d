/**
 * One authenticated JSON-over-HTTP session with an API endpoint, shared by every backend: the bearer token
 * (sent only to the configured endpoint's origin, refreshed once on a 401), bounded retries with backoff and
 * jitter for calls that are safe to repeat, `Retry-After`, token redaction, and the mapping of HTTP answers to
 * the one error hierarchy. Each API only says how it words its advice (`ApiWording`).
 */

import type { TokenProvider } from "./auth";
import {
  AuthenticationError,
  type CloudPartnerError,
  type CloudPartnerErrorDetails,
  endSentence,
  ForbiddenError,
  NotFoundError,
  OperationInProgressError,
  RejectedError,
  redactToken,
  TransientError,
  ValidationFailedError,
} from "./errors";
import type { HttpResponse, HttpTransport } from "./http";
import type { Clock, ResolvedRetryOptions } from "./options";
import { isRetryableStatus, parseRetryAfter, retryDelayMs } from "./retry";
import { VERSION } from "./version";

/** How one API words its errors' advice. */
export interface ApiWording {
  /** The service as a sentence names it: "the Cloud Partner Portal". */
  service: string;
  /** What to do about a 401, given the API's message (e.g. "Invalid audience"). */
  unauthorized(apiMessage: string | undefined): string;
  /** What to do about a 403. */
  forbidden: string;
  /** What to do about a 404. */
  notFound: string;
}

export interface SendOptions {
  method: "GET" | "POST" | "PUT";
  url: string;
  body?: unknown;
  /** Extra request headers (e.g. `If-Match`). Never an authorization header: the session adds that. */
  headers?: Record<string, string>;
  /** Retry transient failures inside this call (only for calls that are safe to repeat). */
  retry: boolean;
  context: CloudPartnerErrorDetails;
  signal?: AbortSignal;
  /** Honour a server's Retry-After up to this long in this call (a poll: its longest interval). */
  maxRetryAfterMs?: number;
}

export interface ApiSessionOptions {
  endpoint: string;
  tokens: TokenProvider;
  requestTimeoutMs: number;
  retry: ResolvedRetryOptions;
  transport: HttpTransport;
  clock: Clock;
  random: () => number;
  log: (message: string) => void;
  wording: ApiWording;
}

export class ApiSession {
  readonly requestTimeoutMs: number;
  readonly wording: ApiWording;
  readonly #tokens: TokenProvider;
  readonly #retry: ResolvedRetryOptions;
  readonly #transport: HttpTransport;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #log: (message: string) => void;
  /** The endpoint's origin, parsed once: every request compares against it. */
  readonly #origin: string;

  constructor(options: ApiSessionOptions) {
    this.requestTimeoutMs = options.requestTimeoutMs;
    this.wording = options.wording;
    this.#tokens = options.tokens;
    this.#retry = options.retry;
    this.#transport = options.transport;
    this.#clock = options.clock;
    this.#random = options.random;
    this.#log = options.log;
    this.#origin = new URL(options.endpoint).origin;
  }

  /** Where the token comes from, for messages. */
  get tokenSource(): string {
    return this.#tokens.source;
  }

  /**
   * A GET whose answer must be JSON. A truncated or garbled body (usually a connection cut short) is
   * retried like a 5xx: every caller, not only the poller, gets the same budget.
   */
  async getJson(
    url: string,
    context: CloudPartnerErrorDetails,
    signal?: AbortSignal,
    maxRetryAfterMs?: number,
  ): Promise<{ response: HttpResponse; body: unknown }> {
    for (let attempt = 0; ; attempt++) {
      const response = await this.send({ method: "GET", url, retry: true, context, signal, maxRetryAfterMs });
      try {
        return { response, body: parseJson(response, url, context) };
      } catch (error) {
        if (attempt >= this.#retry.maxRetries) throw error;
        const delay = retryDelayMs(attempt, undefined, this.#retry, this.#random);
        this.#log(`${(error as Error).message} Retrying in ${delay} ms.`);
        await this.#clock.sleep(delay, signal);
      }
    }
  }

  /** One call: auth, the 401-refresh-once rule, retries when allowed, and error mapping. */
  async send(options: SendOptions): Promise<HttpResponse> {
    const sameOrigin = new URL(options.url).origin === this.#origin;
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      let response: HttpResponse;
      let token: string | undefined;
      try {
        const headers: Record<string, string> = {
          ...options.headers,
          accept: "application/json",
          "user-agent": `pulumi-cloudpartner/${VERSION}`,
        };
        if (sameOrigin) {
          token = await this.#tokens.getToken({ forceRefresh: refreshed, abortSignal: options.signal });
          headers.authorization = `Bearer ${token}`;
        }
        let body: string | undefined;
        if (options.method !== "GET") {
          body = options.body === undefined ? "" : JSON.stringify(options.body);
          headers["content-type"] = "application/json";
        }
        response = await this.#transport.send({
          method: options.method,
          url: options.url,
          headers,
          body,
          timeoutMs: this.requestTimeoutMs,
          signal: options.signal,
        });
      } catch (error) {
        const retryable =
          error instanceof TransientError && options.retry && attempt < this.#retry.maxRetries;
        if (!retryable) throw withContext(error, options);
        await this.#clock.sleep(retryDelayMs(attempt, undefined, this.#retry, this.#random), options.signal);
        continue;
      }
      // A server or proxy that echoes the request must not put the token into errors, logs or state.
      const body = redactToken(response.body, token);
      if (body !== response.body) response = { ...response, body };
      if (response.status >= 200 && response.status < 300) return response;
      if (response.status === 401 && !refreshed && this.#tokens.canRefresh) {
        refreshed = true;
        attempt--;
        continue;
      }
      const error = errorFromResponse(
        response,
        options,
        this.#clock.now(),
        this.#tokens.source,
        this.wording,
      );
      if (error instanceof TransientError && options.retry && attempt < this.#retry.maxRetries) {
        const delay = retryDelayMs(
          attempt,
          error.retryAfterMs,
          {
            ...this.#retry,
            maxRetryAfterMs: Math.min(this.#retry.maxRetryAfterMs, options.maxRetryAfterMs ?? Infinity),
          },
          this.#random,
        );
        this.#log(
          `${options.method} ${redactQuery(options.url)}: HTTP ${response.status}; retrying in ${delay} ms.`,
        );
        await this.#clock.sleep(delay, options.signal);
        continue;
      }
      throw error;
    }
  }
}

function parseJson(response: HttpResponse, url: string, context: CloudPartnerErrorDetails): unknown {
  try {
    return JSON.parse(response.body);
  } catch (cause) {
    // A truncated body is usually a connection cut short: worth another try. JSON.parse's message quotes the
    // text around where it stopped, which may be a fragment of a signature without its `sig=` key (so no
    // redaction would find it): the cause keeps the parser's words without that excerpt.
    throw new TransientError(
      `The API's answer from ${redactQuery(url)} is not valid JSON (${response.body.length} bytes).`,
      {
        ...context,
        status: response.status,
        requestUrl: url,
        cause: withoutExcerpt(cause),
      },
    );
  }
}

/** JSON.parse's error without the quoted excerpt of the body (`Unexpected token 'x', "…"... is not valid JSON`). */
function withoutExcerpt(cause: unknown): unknown {
  if (!(cause instanceof Error)) return cause;
  const message = cause.message.replace(
    /(?:\.\.\.)?"[\s\S]*"(?:\.\.\.)? is not valid JSON$/,
    "(excerpt left out) is not valid JSON",
  );
  return message === cause.message ? cause : new SyntaxError(message);
}

/**
 * The API's own error code and message, from `{"error":{code,message,details}}`, `{code,message}` or plain
 * text. Nested `details` (the Product Ingestion API puts the actual schema errors there) follow the message.
 */
export function apiErrorOf(body: string): { apiCode?: string; apiMessage?: string } {
  try {
    const json = JSON.parse(body) as Record<string, unknown>;
    const inner = (typeof json.error === "object" && json.error !== null ? json.error : json) as Record<
      string,
      unknown
    >;
    const message =
      typeof inner.message === "string"
        ? inner.message
        : typeof json.error === "string"
          ? json.error
          : undefined;
    const details = detailLines(inner.details);
    const apiMessage = details.length ? [message, ...details].filter(Boolean).join(" ") : message;
    return { apiCode: typeof inner.code === "string" ? inner.code : undefined, apiMessage };
  } catch {
    const text = body.trim().slice(0, 500);
    return text ? { apiMessage: text } : {};
  }
}

/** `details: [{code, message, details}]` as "code: message" lines, nested ones flattened in order (depth-capped). */
function detailLines(value: unknown, depth = 0): string[] {
  if (!Array.isArray(value) || depth > 4) return [];
  return value.flatMap((detail) => {
    if (typeof detail !== "object" || detail === null) return [];
    const { code, message, details } = detail as Record<string, unknown>;
    const line =
      typeof message === "string" && message
        ? `${typeof code === "string" && code ? `${code}: ` : ""}${message}`
        : undefined;
    return [...(line ? [line] : []), ...detailLines(details, depth + 1)];
  });
}

function errorFromResponse(
  response: HttpResponse,
  options: SendOptions,
  nowMs: number,
  tokenSource: string,
  wording: ApiWording,
): CloudPartnerError {
  const { apiCode, apiMessage } = apiErrorOf(response.body);
  const status = response.status;
  const details: CloudPartnerErrorDetails = {
    ...options.context,
    status,
    apiCode,
    apiMessage,
    method: options.method,
    requestUrl: options.url,
  };
  const what = describeTarget(options.context);
  // The API's message often lacks its full stop; advice follows it as a sentence of its own.
  const said = apiMessage ? `: ${endSentence(apiMessage)}` : ".";
  const code = apiCode ? ` [${apiCode}]` : "";
  if (status !== 409 && status >= 400 && status < 500 && saysOperationRunning(apiCode)) {
    return new OperationInProgressError(
      `Another operation is already running for ${what} (HTTP ${status}${code})${said}`,
      details,
    );
  }
  switch (status) {
    case 400:
      return new RejectedError(
        `${capitalize(wording.service)} rejected the request for ${what} (HTTP 400${code})${said}`,
        details,
      );
    case 401:
      return new AuthenticationError(
        `${capitalize(wording.service)} did not accept the token from ${tokenSource} (HTTP 401${code})${said} ${wording.unauthorized(apiMessage)}`,
        details,
      );
    case 403:
      return new ForbiddenError(
        `Access to ${what} was denied (HTTP 403${code})${said} ${wording.forbidden}`,
        details,
      );
    case 404:
      return new NotFoundError(
        `${capitalize(what)} was not found (HTTP 404${code})${said} ${wording.notFound}`,
        details,
      );
    case 409:
      return new OperationInProgressError(
        `Another operation is already running for ${what} (HTTP 409${code})${said}`,
        details,
      );
    case 422:
      return new ValidationFailedError(
        `${capitalize(what)} failed validation (HTTP 422${code})${said} Fix the offer in the portal and publish again.`,
        details,
      );
  }
  if (isRetryableStatus(status, options.method)) {
    return new TransientError(
      `${capitalize(wording.service)} answered HTTP ${status}${code} for ${what}${said}`,
      {
        ...details,
        retryAfterMs: parseRetryAfter(response.headers["retry-after"], nowMs),
        requestMayHaveBeenProcessed: status !== 429,
      },
    );
  }
  return new RejectedError(`Unexpected HTTP ${status}${code} for ${what}${said}`, details);
}

/**
 * API error codes that say another operation is running (compared case-insensitively, separators ignored).
 * Only these, or HTTP 409, mean "operation in progress": a message is never parsed for it, since "already"
 * or "running" also appear in refusals such as "The offer is already live" (which stays CPP_REJECTED).
 */
export const OPERATION_IN_PROGRESS_CODES: readonly string[] = [
  "Conflict",
  "OperationInProgress",
  "OperationAlreadyInProgress",
  "OperationAlreadyRunning",
  "AnotherOperationInProgress",
  "SubmissionInProgress",
];

function saysOperationRunning(apiCode: string | undefined): boolean {
  const key = (text: string) => text.toLowerCase().replace(/[^a-z]/g, "");
  return apiCode !== undefined && OPERATION_IN_PROGRESS_CODES.some((c) => key(c) === key(apiCode));
}

export function describeTarget(context: CloudPartnerErrorDetails): string {
  if (context.publisherId && context.offerId) return `offer ${context.publisherId}/${context.offerId}`;
  if (context.offerId) return `offer ${context.offerId}`;
  if (context.operationLocation) return `operation ${context.operationLocation}`;
  return "the request";
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function redactQuery(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

/** Adds the call's context (offer, operation) to a transport error that did not know it. */
function withContext(error: unknown, options: SendOptions): unknown {
  if (!(error instanceof TransientError)) return error;
  const what = describeTarget(options.context);
  return new TransientError(`${options.method} for ${what} failed: ${error.message}`, {
    ...options.context,
    method: options.method,
    requestUrl: options.url,
    cause: error.cause,
    requestMayHaveBeenProcessed: error.requestMayHaveBeenProcessed,
  });
}
