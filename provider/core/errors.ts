/**
 * One error hierarchy for everything the CPP client, poller and provider report.
 *
 * Every error has a stable `code` (match on it, not on the message), and carries what is known about the
 * failing call: HTTP status, the API's own error code and message, the request URL, the operation location
 * and the offer. Messages say what happened and what to do next. They never contain a bearer token: tokens
 * travel only in request headers, which are never copied into errors.
 */

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
  | "CPP_CONCURRENT_EDIT";

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
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = details.status;
    this.apiCode = details.apiCode;
    this.apiMessage = details.apiMessage;
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
    this.failedStep = details.failedStep;
    this.operationError = details.operationError;
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

/** Someone else changed what a write was about to change (a portal edit): reported, never overwritten. */
export class ConcurrentEditError extends CloudPartnerError {
  /** What changed, one line each (blob paths only, never a SAS signature). */
  readonly changes: string[];
  constructor(message: string, details: CloudPartnerErrorDetails & { changes?: string[] } = {}) {
    super("CPP_CONCURRENT_EDIT", message, details);
    this.changes = details.changes ?? [];
  }
}

export function isCloudPartnerError(value: unknown): value is CloudPartnerError {
  return value instanceof CloudPartnerError;
}
