import { certificationFailure, checkVersionRules } from "./images";
import { evaluate, type OperationRecord, renderOperation, SUBMISSION_TYPES, spell } from "./operations";
import { type OfferRecord, SimError, type SimStore, type SlotName } from "./store";
import type { CancelLocationInBody, CanonicalStatus, ConfigureTarget, RequestKind } from "./types";

export const API_VERSION = "2017-10-31";

export interface SimResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

export interface Route {
  kind: RequestKind;
  publisherId?: string;
  offerId?: string;
  operationId?: string;
  /** The `{n}` of .../versions/{n} or the `{slot}` of .../slot/{slot}. */
  param?: string;
  /** Ingestion `POST configure`: what its body configures. */
  configures?: ConfigureTarget;
  /** Ingestion `POST configure`: the `$schema` types of its body's resources, in order. */
  resourceTypes?: string[];
  /** Ingestion resource-tree GET: the tree asked for. */
  targetType?: "draft" | "preview" | "live";
}

export interface ApiRequest {
  method: string;
  pathname: string;
  route: Route;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** From a statusSpelling fault: the status string an operation GET shows. */
  statusOverride?: string;
}

export interface AuthOptions {
  acceptedTokens: string[];
  tokenExpiry: Record<string, Date | number>;
  forbiddenPublishers: string[];
}

const OFFER_ACTIONS: Record<string, RequestKind> = {
  golive: "golive",
  publish: "publish",
  cancel: "cancel",
  submissions: "submissions",
  status: "status",
};

export function json(status: number, value: unknown, headers: Record<string, string> = {}): SimResponse {
  return {
    status,
    headers: { "Content-Type": "application/json; charset=utf-8", ...headers },
    body: JSON.stringify(value),
  };
}

export function apiError(
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
): SimResponse {
  return json(status, { error: { code, message } }, headers);
}

/** Parse an /api path; `$` ids may arrive literal or as %24, and a trailing slash is accepted. */
export function parseRoute(pathname: string): Route {
  let segments: string[];
  try {
    segments = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  } catch {
    return { kind: "other" };
  }
  const [api, collection, publisherId, offers, offerId, action, operationId, ...extra] = segments;
  if (api !== "api") return { kind: "other" };
  if (collection === "publishers" && publisherId === undefined) return { kind: "publishers" };
  if (collection === "publishers" && publisherId && offers === "offers" && offerId === undefined) {
    return { kind: "offers", publisherId };
  }
  if (collection === "operations" && publisherId && offers === undefined) {
    // Non-migrated ids carry the offer: publisher$offer$version$slot.
    const [p, o] = publisherId.split("$");
    return { kind: "operation", operationId: publisherId, publisherId: o ? p : undefined, offerId: o };
  }
  if (collection !== "publishers" || !publisherId || offers !== "offers" || !offerId || extra.length > 0) {
    return { kind: "other" };
  }
  if (action === undefined) return { kind: "offer", publisherId, offerId };
  if (action === "operations" && operationId) return { kind: "operation", publisherId, offerId, operationId };
  if (action === "versions" && operationId)
    return { kind: "version", publisherId, offerId, param: operationId };
  if (action === "slot" && operationId) return { kind: "slot", publisherId, offerId, param: operationId };
  // hasOwn: a path segment like "constructor" must not hit Object.prototype.
  const kind = Object.hasOwn(OFFER_ACTIONS, action) ? OFFER_ACTIONS[action] : undefined;
  return kind && operationId === undefined ? { kind, publisherId, offerId } : { kind: "other" };
}

export function locationOf(op: OperationRecord): string {
  const path = op.publicId.includes("$")
    ? `/api/operations/${op.publicId}`
    : `/api/publishers/${encodeURIComponent(op.publisherId)}/offers/${encodeURIComponent(op.offerId)}/operations/${op.publicId}`;
  return `${path}?api-version=${API_VERSION}`;
}

export function header(headers: ApiRequest["headers"], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The bearer-token check both APIs share: undefined when the token is accepted, else why not. */
export function checkBearer(
  auth: Pick<AuthOptions, "acceptedTokens" | "tokenExpiry">,
  authorization: string | undefined,
): string | undefined {
  if (auth.acceptedTokens.length === 0) return undefined;
  const token = bearerToken(authorization);
  if (!token) return "Authorization header with a bearer token is required.";
  if (!auth.acceptedTokens.includes(token)) return "The access token is invalid.";
  const expiry = Object.hasOwn(auth.tokenExpiry, token) ? auth.tokenExpiry[token] : undefined;
  if (expiry !== undefined && Date.now() >= new Date(expiry).getTime())
    return "The access token has expired.";
  return undefined;
}

export function bearerToken(authorization: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "")?.[1];
}

/**
 * Validates `{"metadata":{"notification-emails":"a@x.com,b@y.com"}}` when given; returns the list as sent.
 * The body and the addresses are optional (migrated offers ignore them), but a list that is sent must be valid.
 */
function notificationEmails(body: string): string | undefined {
  if (!body.trim()) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new SimError(400, "BadRequest", "The request body is not valid JSON.");
  }
  const metadata = (parsed as { metadata?: Record<string, unknown> } | null)?.metadata;
  const emails = metadata?.["notification-emails"];
  if (emails === undefined) return undefined;
  if (typeof emails !== "string" || !emails.trim()) {
    throw new SimError(
      400,
      "BadRequest",
      "metadata.notification-emails is required (comma-separated e-mail addresses).",
    );
  }
  const invalid = emails.split(",").filter((email) => !/^[^\s@,;]+@[^\s@,;]+\.[^\s@,;]+$/.test(email.trim()));
  if (invalid.length > 0) {
    throw new SimError(
      400,
      "BadRequest",
      `Invalid notification e-mail address: '${invalid.join(",").trim()}'.`,
    );
  }
  return emails;
}

/** The CPP API proper. Returns the response instead of writing it, so faults can alter or drop it. */
export class CppApi {
  constructor(
    private readonly store: SimStore,
    private readonly auth: AuthOptions,
  ) {}

  /** `processed` is false when a version or auth check answered before the route handler ran. */
  handle(request: ApiRequest): { response: SimResponse; processed: boolean } {
    const rejection = this.precheck(request);
    if (rejection) return { response: rejection, processed: false };
    try {
      return { response: this.route(request), processed: true };
    } catch (error) {
      if (error instanceof SimError)
        return { response: apiError(error.status, error.code, error.message), processed: true };
      throw error;
    }
  }

  private precheck(request: ApiRequest): SimResponse | undefined {
    if (request.query.get("api-version") !== API_VERSION) {
      return apiError(400, "InvalidAPIVersion", `Invalid api version. Allowed values are [${API_VERSION}]`);
    }
    const authFailure = checkBearer(this.auth, header(request.headers, "authorization"));
    if (authFailure) return apiError(401, "Unauthorized", authFailure, { "WWW-Authenticate": "Bearer" });
    const publisherId = request.route.publisherId;
    if (publisherId && this.auth.forbiddenPublishers.includes(publisherId)) return forbidden(publisherId);
    return undefined;
  }

  private route(request: ApiRequest): SimResponse {
    const { route, method } = request;
    if (route.kind === "other") throw new SimError(404, "NotFound", `No such resource: ${request.pathname}.`);
    if (route.kind === "operation" && !route.offerId) return this.operation(request, undefined);
    if (route.kind === "publishers" || route.kind === "offers") {
      if (method !== "GET") {
        return apiError(405, "MethodNotAllowed", `${method} is not allowed here.`, { Allow: "GET" });
      }
      return json(
        200,
        route.kind === "publishers" ? this.publishers() : this.offers(route.publisherId ?? ""),
      );
    }
    const offer = this.store.requireOffer(route.publisherId ?? "", route.offerId ?? "");
    const allowed =
      route.kind === "offer"
        ? ["GET", "PUT"]
        : ["golive", "publish", "cancel"].includes(route.kind)
          ? ["POST"]
          : ["GET"];
    if (!allowed.includes(method)) {
      return apiError(405, "MethodNotAllowed", `${method} is not allowed here.`, {
        Allow: allowed.join(", "),
      });
    }
    switch (route.kind) {
      case "golive":
        return accepted(this.store.startGoLive(offer));
      case "publish":
        return accepted(this.store.startPublish(offer, notificationEmails(request.body)));
      case "cancel": {
        notificationEmails(request.body);
        const cancelOp = this.store.cancel(offer);
        return cancelOp ? accepted(cancelOp, offer.seed.cancelLocationInBody) : { status: 200, headers: {} };
      }
      case "version":
        return this.versionBody(offer, request.route.param ?? "");
      case "slot":
        return this.slotBody(offer, request.route.param ?? "");
      case "submissions":
        return json(200, this.submissions(offer, request.query));
      case "status":
        return json(200, this.status(offer));
      case "operation":
        return this.operation(request, offer);
      default:
        return method === "PUT" ? this.putOffer(offer, request) : this.offerBody(offer, 200);
    }
  }

  private operation(request: ApiRequest, offer: OfferRecord | undefined): SimResponse {
    const id = request.route.operationId ?? "";
    const op = this.store.visibleOperation(id);
    if (!op || (offer && (op.publisherId !== offer.publisherId || op.offerId !== offer.offerId))) {
      throw new SimError(404, "NotFound", `Operation '${id}' was not found.`);
    }
    const seed = this.store.requireOffer(op.publisherId, op.offerId).seed;
    const body = renderOperation(
      op,
      this.store.clock.nowMs(),
      request.statusOverride,
      this.store.spelling(op),
    );
    const headers: Record<string, string> =
      seed.retryAfterSeconds !== undefined ? { "Retry-After": String(seed.retryAfterSeconds) } : {};
    return json(200, seed.wrapInArray ? [body] : body, headers);
  }

  private submissions(offer: OfferRecord, query: URLSearchParams): unknown[] {
    const filter = (
      query.get("status") ??
      query.get("filteredStatus") ??
      query.get("submissionState")
    )?.toLowerCase();
    const now = this.store.clock.nowMs();
    const omitType = this.store.omitSubmissionType(offer);
    return (
      offer.operations
        .filter((op) => !op.hiddenFromSubmissions)
        .map((op) => ({
          op,
          rendered: renderOperation(op, now, undefined, this.store.spelling(op)),
          canonical: evaluate(op, now).status,
        }))
        // Match the canonical status too, so `status=running` finds a run spelled "InProgress".
        .filter(
          ({ rendered, canonical }) =>
            !filter || [String(rendered.status).toLowerCase(), canonical].includes(filter),
        )
        .reverse()
        .map(({ op, rendered }) => ({
          id: op.publicId,
          offerId: op.offerId,
          offerVersion: op.offerVersion,
          publisherId: op.publisherId,
          ...(omitType ? {} : { submissionType: SUBMISSION_TYPES[op.kind] }),
          submissionState: rendered.status,
          publishingVersion: op.offerVersion,
          slot: op.slot,
          version: op.offerVersion,
          definition: { metadata: { "notification-emails": op.notificationEmails } },
          changedTime: rendered.lastActionDateTime,
        }))
    );
  }

  private status(offer: OfferRecord): Record<string, unknown> {
    const { status, operation } = this.store.offerStatus(offer);
    const steps = operation ? renderOperation(operation, this.store.clock.nowMs()).steps : [];
    const base = `https://portal.azure.com/#create/${offer.publisherId}.${offer.offerId}`;
    const previewed = this.store.slotVersion(offer, "preview") !== undefined;
    return {
      status: operation && isCanonical(status) ? spell(status, this.store.spelling(operation)) : status,
      messages: [],
      steps,
      previewLinks: previewed ? [{ displayText: "Preview", uri: `${base}-preview` }] : [],
      liveLinks: offer.state === "live" ? [{ displayText: "Live", uri: base }] : [],
    };
  }

  private offerBody(offer: OfferRecord, status: number): SimResponse {
    return json(status, offerDocument(offer, offer.offerVersion, offer.definition), {
      ETag: this.store.etag(offer),
    });
  }

  /** GET /api/publishers: the publishers this token may see. */
  private publishers(): unknown[] {
    return [...this.store.publishers()]
      .filter((id) => !this.auth.forbiddenPublishers.includes(id))
      .map((id) => ({ id, definition: { displayText: id } }));
  }

  /** GET /api/publishers/{p}/offers: a summary of each offer, as the "Retrieve offers" page shows it. */
  private offers(publisherId: string): unknown[] {
    if (!this.store.publishers().has(publisherId)) {
      throw new SimError(404, "NotFound", `Publisher '${publisherId}' was not found.`);
    }
    return this.store
      .allOffers()
      .filter((offer) => offer.publisherId === publisherId)
      .map((offer) => {
        const { status, operation } = this.store.offerStatus(offer);
        const displayText = offer.definition.displayText;
        return {
          offerTypeId: OFFER_TYPE,
          publisherId: offer.publisherId,
          status,
          id: offer.offerId,
          version: offer.offerVersion,
          definition: typeof displayText === "string" ? { displayText } : {},
          changedTime: new Date(
            operation ? evaluate(operation, this.store.clock.nowMs()).lastActionMs : this.store.clock.nowMs(),
          ).toISOString(),
        };
      });
  }

  private versionBody(offer: OfferRecord, param: string): SimResponse {
    const version = /^\d+$/.test(param) ? Number(param) : Number.NaN;
    const definition = offer.versions.get(version);
    if (!definition) {
      throw new SimError(
        404,
        "NotFound",
        `Version '${param}' of offer '${offer.offerId}' was not found; versions are 1 to ${offer.offerVersion}.`,
      );
    }
    return json(200, offerDocument(offer, version, definition));
  }

  /** Slots are Draft, Preview and Production, case-insensitive; a slot never filled is 404, as documented. */
  private slotBody(offer: OfferRecord, param: string): SimResponse {
    const slot = param.toLowerCase();
    if (slot !== "draft" && slot !== "preview" && slot !== "production") {
      throw new SimError(
        404,
        "NotFound",
        `Slot '${param}' does not exist; use Draft, Preview or Production.`,
      );
    }
    const version = this.store.slotVersion(offer, slot as SlotName);
    const definition = version === undefined ? undefined : offer.versions.get(version);
    if (version === undefined || !definition) {
      throw new SimError(
        404,
        "NotFound",
        `Offer '${offer.offerId}' has no ${param} slot yet: it has not been ${slot === "preview" ? "published" : "taken live"}.`,
      );
    }
    return json(200, offerDocument(offer, version, definition));
  }

  /**
   * PUT of the whole offer: If-Match is required (`*` or the current ETag; without one the 409 clients have seen
   * since 2020, a stale one 412); new image versions must obey the version rules; a write saves a new version.
   */
  private putOffer(offer: OfferRecord, request: ApiRequest): SimResponse {
    const ifMatch = header(request.headers, "if-match");
    if (ifMatch === undefined) {
      throw new SimError(
        409,
        "InvalidResourceId",
        "Offer ID already exists. To update an existing offer, ensure If-Match header is specified.",
      );
    }
    // One queued portal edit lands before each PUT: a client re-reading after a 412 can meet another one.
    const edit = offer.pendingPortalEdits.shift();
    if (edit) this.store.portalEdit(offer, edit);
    if (ifMatch !== "*" && ifMatch !== this.store.etag(offer)) {
      throw new SimError(
        412,
        "PreconditionFailed",
        `If-Match must be '*' or the offer's ETag ${this.store.etag(offer)}.`,
      );
    }
    let definition: Record<string, unknown>;
    try {
      const parsed = request.body.trim()
        ? (JSON.parse(request.body) as { definition?: Record<string, unknown> })
        : {};
      definition = parsed.definition ?? {};
    } catch {
      throw new SimError(400, "BadRequest", "The request body is not valid JSON.");
    }
    checkVersionRules(offer.definition, definition);
    if (offer.seed.echoBlobUri) {
      const refused = certificationFailure(
        definition,
        offer.definition,
        this.store.clock.nowMs(),
        offer.seed.unreadableBlobs ?? [],
        true,
      );
      if (refused) throw new SimError(400, "InvalidImage", refused.join(" "));
    }
    this.store.saveDraft(offer, definition);
    return this.offerBody(offer, 200);
  }
}

export function forbidden(publisherId: string): SimResponse {
  return apiError(
    403,
    "Forbidden",
    `The service principal does not have access to publisher namespace '${publisherId}'.`,
  );
}

const OFFER_TYPE = "microsoft-azure-virtualmachines";

function offerDocument(offer: OfferRecord, version: number, definition: Record<string, unknown>) {
  return {
    offerTypeId: offer.seed.offerTypeId ?? OFFER_TYPE,
    publisherId: offer.publisherId,
    id: offer.offerId,
    version,
    definition,
  };
}

/** 202 with both `Location` and `Operation-Location` (clients read one or the other); cancel may add a body. */
function accepted(op: OperationRecord, inBody?: boolean | CancelLocationInBody): SimResponse {
  const location = locationOf(op);
  const headers = { Location: location, "Operation-Location": location };
  if (!inBody) return { status: 202, headers };
  const options = inBody === true ? {} : inBody;
  return json(202, { [options.key ?? "operationLocation"]: location }, options.withoutHeaders ? {} : headers);
}

function isCanonical(status: string): status is CanonicalStatus {
  return ["running", "succeeded", "failed", "canceled"].includes(status);
}
