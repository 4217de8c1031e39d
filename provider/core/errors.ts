/**
 * One error hierarchy for everything the CPP client, poller and provider report.
 *
 * Every error has a stable `code` (match on it, not on the message), and carries what is known about the
 * failing call: HTTP status, the API's own error code and message, the request URL, the operation location
 * and the offer. Messages say what happened and what to do next. They never contain a bearer token: tokens
 * travel only in request headers, which are never copied into errors. Nor a SAS signature: an API that quotes
 * the blob URI it refused ("Not able to download blob https://…?sv=…&sig=…") would put one into `pulumi up`
 * output and CI logs, so every error of this hierarchy passes its texts through `redactSecrets` when it is
 * made, whichever door (dynamic provider, native provider, CLI) shows it.
 */

/** The query parameters of a SAS that are the credential. */
const SIGNATURE_KEYS = "sig|signature";
/** A URL with a query, up to whitespace, quotes, angle brackets or a backslash (JSON-escaped text). */
const URL_WITH_QUERY = /\bhttps?:\/\/[^\s"'<>?#\\]+\?[^\s"'<>#\\]*/gi;
const HAS_SIGNATURE = new RegExp(`(?:^|[&;])(?:${SIGNATURE_KEYS})=`, "i");
/** Punctuation that ends the sentence around a URL rather than the URL itself. */
const TRAILING_PUNCTUATION = /[.,;:!)\]]+$/;
/**
 * A signature outside a URL this module recognizes (percent-encoded, after `\u0026`, in a bare query string):
 * `sig=` or `sig%3D` after a separator (not a letter, digit, `_` or `-`; or `\u0026`, `%26`), up to `&`, `%26`,
 * whitespace, a quote or `\`.
 */
const LONE_SIGNATURE = new RegExp(
  `(?:(?<![A-Za-z0-9_-])|(?<=\\\\u0026|%26))((?:${SIGNATURE_KEYS})(?:=|%3D))(?:(?!%26)[^&\\s"'<>\\\\])*`,
  "gi",
);

/**
 * `text` with every occurrence of the bearer token replaced by `[redacted]`. A token shorter than 8 characters is
 * left alone: no real bearer token is that short, and replacing a one- or two-letter test token everywhere would
 * corrupt the text it is found in (an API answer's JSON, a message).
 */
export function redactToken(text: string, token: string | undefined): string {
  return token && token.length >= 8 && text.includes(token) ? text.split(token).join("[redacted]") : text;
}

/**
 * Any text with its SAS signatures removed, for errors, progress lines and logs: a URL whose query carries a
 * signature keeps its scheme, host and path (the blob path, which says which VHD) and loses its whole query
 * (`https://acct.blob.core.windows.net/vhds/os.vhd?[SAS query redacted]`); any other `sig=…` (percent-encoded,
 * JSON-escaped, a bare query) becomes `sig=[redacted]`. Idempotent; other URLs (operation locations with
 * `api-version`) stay as they are.
 */
export function redactSecrets(text: string): string {
  if (!/sig/i.test(text)) return text;
  return text
    .replace(URL_WITH_QUERY, (match) => {
      const trailing = TRAILING_PUNCTUATION.exec(match)?.[0] ?? "";
      const url = match.slice(0, match.length - trailing.length);
      const at = url.indexOf("?");
      if (!HAS_SIGNATURE.test(url.slice(at + 1))) return match;
      return `${url.slice(0, at)}?[SAS query redacted]${trailing}`;
    })
    .replace(LONE_SIGNATURE, "$1[redacted]");
}

/**
 * A text that another sentence follows, ended with a full stop unless it already ends a sentence (`.`, `!`, `?`,
 * `…`, also before a closing quote or bracket). API messages often have none: "…from its SAS URI" + " Fix the
 * offer…" must not run together. Used where API text is joined with this client's own sentences.
 */
export function endSentence(text: string): string {
  const trimmed = text.trimEnd();
  return trimmed === "" || /[.!?…]["'”’)\]]*$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/**
 * A cause kept on an error of the hierarchy, with its texts redacted as the error's own are: `util.inspect`,
 * loggers and the engines print a cause's message and stack (`[cause]: SyntaxError: …`). An error-like cause is
 * redacted in place (message, stack, its own causes, a few levels deep); a string cause is replaced.
 */
function redactCause(cause: unknown, depth = 0): unknown {
  if (typeof cause === "string") return redactSecrets(cause);
  // Any error-like object, not only this realm's `Error` (a DOMException, an error from another context).
  if (!isErrorLike(cause) || depth > 5) return cause;
  if (!(cause instanceof CloudPartnerError)) {
    try {
      // Assigned only when something changes: a DOMException (an abort reason) has a read-only message.
      const message = redactSecrets(cause.message);
      if (message !== cause.message) cause.message = message;
      const stack = cause.stack === undefined ? undefined : redactSecrets(cause.stack);
      if (stack !== cause.stack) cause.stack = stack;
      if (cause.cause !== undefined) {
        const inner = redactCause(cause.cause, depth + 1);
        if (inner !== cause.cause) cause.cause = inner;
      }
    } catch {
      // An error whose texts cannot be replaced (read-only, frozen) is dropped rather than shown.
      return undefined;
    }
  }
  return cause;
}

function isErrorLike(value: unknown): value is Error {
  return typeof value === "object" && value !== null && typeof (value as Error).message === "string";
}

export type CloudPartnerErrorCode =
  | "CPP_REJECTED"
  | "CPP_NOT_FOUND"
  | "CPP_UNAUTHORIZED"
  | "CPP_FORBIDDEN"
  | "CPP_OPERATION_IN_PROGRESS"
  | "CPP_VALIDATION_FAILED"
  | "CPP_TRANSIENT"
  | "CPP_PROTOCOL"
  | "CPP_OPERATION_FAILED"
  | "CPP_OPERATION_CANCELED"
  | "CPP_TIMEOUT"
  | "CPP_ABORTED"
  | "CPP_CONFIGURATION"
  | "CPP_IMAGE_VERSION"
  | "CPP_CONCURRENT_EDIT"
  | "CPP_UNDECLARED_CHANGES"
  | "CPP_OFFER_CONFIGURATION";

export interface CloudPartnerErrorDetails {
  status?: number;
  apiCode?: string;
  apiMessage?: string;
  method?: string;
  requestUrl?: string;
  operationLocation?: string;
  publisherId?: string;
  offerId?: string;
  cause?: unknown;
}

export class CloudPartnerError extends Error {
  readonly code: CloudPartnerErrorCode;
  readonly status?: number;
  readonly apiCode?: string;
  readonly apiMessage?: string;
  readonly method?: string;
  readonly requestUrl?: string;
  readonly operationLocation?: string;
  readonly publisherId?: string;
  readonly offerId?: string;
  /** True when retrying the same call later may succeed (network blips, 429, 5xx). */
  readonly transient: boolean = false;

  constructor(code: CloudPartnerErrorCode, message: string, details: CloudPartnerErrorDetails = {}) {
    // Redacted before `super`, so the stack trace's first line is clean too.
    super(
      redactSecrets(message),
      details.cause === undefined ? undefined : { cause: redactCause(details.cause) },
    );
    this.name = new.target.name;
    this.code = code;
    this.status = details.status;
    this.apiCode = details.apiCode;
    this.apiMessage = details.apiMessage === undefined ? undefined : redactSecrets(details.apiMessage);
    this.method = details.method;
    this.requestUrl = details.requestUrl;
    this.operationLocation = details.operationLocation;
    this.publisherId = details.publisherId;
    this.offerId = details.offerId;
  }

  /** "publisher/offer" when known, for messages. */
  get offerRef(): string | undefined {
    return this.publisherId && this.offerId ? `${this.publisherId}/${this.offerId}` : undefined;
  }
}

/** 400: the API refused the request; its message says why. Not retried. */
export class RejectedError extends CloudPartnerError {
  constructor(message: string, details: CloudPartnerErrorDetails) {
    super("CPP_REJECTED", message, details);
  }
}

/** 404: the publisher, offer or operation does not exist. */
export class NotFoundError extends CloudPartnerError {
  constructor(message: string, details: CloudPartnerErrorDetails) {
    super("CPP_NOT_FOUND", message, details);
  }
}

/** 401: no token, or the token is invalid or expired (already refreshed once). */
export class AuthenticationError extends CloudPartnerError {
  constructor(message: string, details: CloudPartnerErrorDetails) {
    super("CPP_UNAUTHORIZED", message, details);
  }
}

/** 403: the identity has no access to the publisher namespace. */
export class ForbiddenError extends CloudPartnerError {
  constructor(message: string, details: CloudPartnerErrorDetails) {
    super("CPP_FORBIDDEN", message, details);
  }
}

/** 409, or a 4xx saying so: another operation is already running for the offer. */
export class OperationInProgressError extends CloudPartnerError {
  constructor(message: string, details: CloudPartnerErrorDetails) {
    super("CPP_OPERATION_IN_PROGRESS", message, details);
  }
}

/** 422: the offer failed validation (publish). */
export class ValidationFailedError extends CloudPartnerError {
  constructor(message: string, details: CloudPartnerErrorDetails) {
    super("CPP_VALIDATION_FAILED", message, details);
  }
}

/** 429, 5xx, connection failures and request timeouts: worth retrying later. */
export class TransientError extends CloudPartnerError {
  override readonly transient = true;
  /** Delay the server asked for (Retry-After), in milliseconds. */
  readonly retryAfterMs?: number;
  /** False only when the connection failed before the request could have reached the server. */
  readonly requestMayHaveBeenProcessed: boolean;

  constructor(
    message: string,
    details: CloudPartnerErrorDetails & { retryAfterMs?: number; requestMayHaveBeenProcessed?: boolean },
  ) {
    super("CPP_TRANSIENT", message, details);
    this.retryAfterMs = details.retryAfterMs;
    this.requestMayHaveBeenProcessed = details.requestMayHaveBeenProcessed ?? true;
  }
}

/** The API answered something this client cannot use: malformed JSON, a 202 without Location, ... */
export class ProtocolError extends CloudPartnerError {
  constructor(message: string, details: CloudPartnerErrorDetails) {
    super("CPP_PROTOCOL", message, details);
  }
}

/** A step of the operation, as carried by operation errors. */
export interface FailedStep {
  id?: string;
  name: string;
  status: string;
  messages: string[];
}

/** The operation itself ended as failed or canceled. */
export class OperationFailedError extends CloudPartnerError {
  readonly failedStep?: FailedStep;
  readonly operationError?: string;

  constructor(
    message: string,
    details: CloudPartnerErrorDetails & {
      canceled?: boolean;
      failedStep?: FailedStep;
      operationError?: string;
    },
  ) {
    super(details.canceled ? "CPP_OPERATION_CANCELED" : "CPP_OPERATION_FAILED", message, details);
    this.failedStep = details.failedStep && {
      ...details.failedStep,
      messages: details.failedStep.messages.map(redactSecrets),
    };
    this.operationError =
      details.operationError === undefined ? undefined : redactSecrets(details.operationError);
  }
}

/** Waiting for the operation took longer than the configured timeout; the operation may still be running. */
export class PollTimeoutError extends CloudPartnerError {
  constructor(message: string, details: CloudPartnerErrorDetails) {
    super("CPP_TIMEOUT", message, details);
  }
}

/** The caller aborted the wait (AbortSignal). */
export class AbortedError extends CloudPartnerError {
  constructor(message: string, details: CloudPartnerErrorDetails = {}) {
    super("CPP_ABORTED", message, details);
  }
}

/** Bad configuration: no credentials, an endpoint that is not https, ... */
export class ConfigurationError extends CloudPartnerError {
  constructor(message: string, details: CloudPartnerErrorDetails = {}) {
    super("CPP_CONFIGURATION", message, details);
  }
}

/** An image version that the API's rules refuse (not greater than earlier ones, published image changed, ...). */
export class ImageVersionError extends CloudPartnerError {
  constructor(message: string, details: CloudPartnerErrorDetails = {}) {
    super("CPP_IMAGE_VERSION", message, details);
  }
}

/**
 * The plan a version belongs to is not in the offer's draft (deleted in the portal, or never there): a create
 * cannot add the version; a refresh or a destroy has nothing left to manage.
 */
export class PlanNotFoundError extends ImageVersionError {}

/** Someone else changed what a write was about to change (a portal edit): reported, never overwritten. */
export class ConcurrentEditError extends CloudPartnerError {
  /** What changed, one line each (blob paths only, never a SAS signature). */
  readonly changes: string[];
  constructor(message: string, details: CloudPartnerErrorDetails & { changes?: string[] } = {}) {
    super("CPP_CONCURRENT_EDIT", message, details);
    this.changes = (details.changes ?? []).map(redactSecrets);
  }
}

/**
 * A publish that would ship draft changes the program does not declare (portal edits nobody reviewed): refused
 * before anything is sent. `changes` lists each as `key.field: preview …, draft …`.
 */
export class UndeclaredChangesError extends CloudPartnerError {
  readonly changes: string[];
  constructor(message: string, details: CloudPartnerErrorDetails & { changes?: string[] } = {}) {
    super("CPP_UNDECLARED_CHANGES", message, details);
    this.changes = (details.changes ?? []).map(redactSecrets);
  }
}

/** One problem of an offer's configuration, named by the declared part's key and, when known, its field. */
export interface OfferProblem {
  /** The declared part's key: `listing`, `plans[gen2].availability`, `resources[<type>:<planId>]`, ... */
  key: string;
  /** The field within the part (dotted path), when the API or the rule names one. */
  field?: string;
  /** The durable id (or `resourceName`) the API named, when it named one. */
  resourceId?: string;
  message: string;
}

/**
 * An offer configuration that Partner Center refused (a configure job's per-resource errors) or that a rule
 * which cannot change after the fact refuses before anything is sent. `problems` names each declared part and
 * field.
 */
export class OfferConfigurationError extends CloudPartnerError {
  readonly problems: OfferProblem[];
  /** The configure job that failed, when one ran. */
  readonly jobId?: string;
  constructor(
    message: string,
    details: CloudPartnerErrorDetails & { problems?: OfferProblem[]; jobId?: string } = {},
  ) {
    super("CPP_OFFER_CONFIGURATION", message, details);
    this.problems = (details.problems ?? []).map((p) => ({ ...p, message: redactSecrets(p.message) }));
    this.jobId = details.jobId;
  }
}

export function isCloudPartnerError(value: unknown): value is CloudPartnerError {
  return value instanceof CloudPartnerError;
}
