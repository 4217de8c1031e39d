import { apiError, json, type SimResponse } from "./api";
import { handleIngestionControl } from "./ingestion/control";
import { redactEntry } from "./state";
import { SimError } from "./store";
import type {
  CppSimulator,
  Fault,
  FaultSpec,
  FaultType,
  OfferSeed,
  OfferSettings,
  PortalEdit,
  RandomFaultOptions,
  RequestLogEntry,
  SpellingSettings,
} from "./types";
import {
  badInput,
  isObject,
  onlyKeys,
  optionalBoolean,
  optionalNumber,
  optionalString,
  requiredNumber,
  requiredString,
} from "./validate";

/** The control API's path: versioned, and a path no real API uses. `/_sim/` is its deprecated alias. */
export const CONTROL_PREFIX = "/_emulator/v1";
export const LEGACY_CONTROL_PREFIX = "/_sim";

/** Accepts a seed file's content: an array of offers or `{ "offers": [...] }`. */
export function parseSeed(value: unknown): OfferSeed[] {
  const offers = Array.isArray(value) ? value : (value as { offers?: unknown } | null)?.offers;
  if (!Array.isArray(offers)) throw new Error("A seed is an array of offers or { offers: [...] }.");
  for (const offer of offers) {
    const { publisherId, offerId } = (offer ?? {}) as Partial<OfferSeed>;
    if (typeof publisherId !== "string" || typeof offerId !== "string") {
      throw new Error(`Every seeded offer needs a publisherId and an offerId: ${JSON.stringify(offer)}`);
    }
  }
  return offers as OfferSeed[];
}

function parseBody(body: string): Record<string, unknown> {
  if (!body.trim()) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw badInput(`The body is not JSON: ${(error as Error).message}.`);
  }
  if (!isObject(parsed)) throw badInput("Expected a JSON object.");
  return parsed;
}

const FAULT_FIELDS: Record<FaultType, string[]> = {
  status: ["status", "retryAfter", "body"],
  reset: [],
  resetAfterProcessing: [],
  hang: ["ms", "untilReleased"],
  malformedJson: [],
  statusSpelling: ["status"],
  missingLocation: [],
  operationLocationHeader: ["omitApiVersion"],
  locationHeaderOnly: [],
  absoluteLocation: ["host", "omitApiVersion"],
  unauthorized: [],
  forbidden: [],
};

/** Checks one fault (400 naming the problem); a numeric `retryAfter` becomes its string. */
export function parseFault(value: unknown, where: string): Fault {
  if (!isObject(value))
    throw badInput(`${where} must be an object such as {"type": "status", "status": 503}.`);
  const type = value.type;
  if (typeof type !== "string" || !Object.hasOwn(FAULT_FIELDS, type)) {
    throw badInput(
      `${where}.type must be one of ${Object.keys(FAULT_FIELDS).join(", ")}, got ${JSON.stringify(type)}.`,
    );
  }
  onlyKeys(
    value,
    ["type", "match", "times", ...(FAULT_FIELDS[type as FaultType] ?? [])],
    `${where} (${type})`,
  );
  optionalNumber(value, "times", 1, 1_000_000);
  if (value.times !== undefined && !Number.isInteger(value.times))
    throw badInput(`${where}.times must be a whole number.`);
  if (value.match !== undefined) {
    if (!isObject(value.match)) throw badInput(`${where}.match must be an object ({method?, kind?}).`);
    onlyKeys(value.match, ["method", "kind"], `${where}.match`);
    const method = optionalString(value.match, "method");
    if (method !== undefined && !["GET", "POST", "PUT"].includes(method))
      throw badInput(`${where}.match.method must be GET, POST or PUT, got ${JSON.stringify(method)}.`);
    optionalString(value.match, "kind");
  }
  const fault = { ...value } as Record<string, unknown>;
  switch (type) {
    case "status": {
      const status = requiredNumber(value, "status", 100, 599);
      if (!Number.isInteger(status)) throw badInput(`${where}.status must be an HTTP status code.`);
      if (typeof value.retryAfter === "number") {
        optionalNumber(value, "retryAfter", 0, 86_400 * 365);
        fault.retryAfter = String(value.retryAfter);
      } else optionalString(value, "retryAfter");
      optionalString(value, "body");
      break;
    }
    case "hang":
      optionalNumber(value, "ms", 0, 3_600_000);
      optionalBoolean(value, "untilReleased");
      break;
    case "statusSpelling":
      requiredString(value, "status");
      break;
    case "absoluteLocation":
      optionalString(value, "host");
      optionalBoolean(value, "omitApiVersion");
      break;
    case "operationLocationHeader":
      optionalBoolean(value, "omitApiVersion");
      break;
  }
  return fault as unknown as Fault;
}

function parseFaults(value: unknown): Fault[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw badInput("'faults' must be an array of faults.");
  return value.map((fault, i) => parseFault(fault, `faults[${i}]`));
}

function parseRandomFaults(body: Record<string, unknown>): RandomFaultOptions | undefined {
  onlyKeys(body, ["rate", "seed", "types"], "random-faults");
  if (body.rate === undefined) return undefined;
  const rate = requiredNumber(body, "rate", 0, 1);
  const seed = optionalNumber(body, "seed", 0, 2 ** 32);
  let types: Array<FaultType | FaultSpec> | undefined;
  if (body.types !== undefined) {
    if (!Array.isArray(body.types)) throw badInput("'types' must be an array of fault types or faults.");
    types = body.types.map((t, i) =>
      typeof t === "string"
        ? (parseFault({ type: t }, `types[${i}]`).type as FaultType)
        : parseFault(t, `types[${i}]`),
    );
  }
  return { rate, ...(seed !== undefined ? { seed } : {}), ...(types ? { types } : {}) };
}

function parseGlobalSettings(
  body: Record<string, unknown>,
): SpellingSettings & { refuseGoLive?: boolean | string } {
  onlyKeys(body, ["statusSpelling", "omitSubmissionType", "refuseGoLive"], "settings");
  if (body.statusSpelling !== undefined) parseSpelling(body.statusSpelling);
  optionalBoolean(body, "omitSubmissionType");
  if (
    body.refuseGoLive !== undefined &&
    typeof body.refuseGoLive !== "boolean" &&
    typeof body.refuseGoLive !== "string"
  )
    throw badInput("'refuseGoLive' must be true, false or a message.");
  return body as SpellingSettings;
}

function parseSpelling(value: unknown): void {
  if (!isObject(value))
    throw badInput('\'statusSpelling\' must be an object such as {"running": "inProgress"}.');
  onlyKeys(value, ["running", "succeeded", "failed", "canceled"], "statusSpelling");
  for (const key of Object.keys(value)) requiredString(value, key);
}

/** The values of `POST offers/{p}/{o}/settings` (the store refuses unknown keys, naming the known ones). */
function parseOfferSettings(body: Record<string, unknown>): OfferSettings {
  if (
    body.refuseGoLive !== undefined &&
    typeof body.refuseGoLive !== "boolean" &&
    typeof body.refuseGoLive !== "string"
  )
    throw badInput("'refuseGoLive' must be true, false or a message.");
  optionalBoolean(body, "publishRunsAtSignoff");
  optionalBoolean(body, "omitSubmissionType");
  optionalBoolean(body, "echoBlobUri");
  if (body.statusSpelling !== undefined) parseSpelling(body.statusSpelling);
  if (
    body.unreadableBlobs !== undefined &&
    (!Array.isArray(body.unreadableBlobs) || !body.unreadableBlobs.every((b) => typeof b === "string"))
  )
    throw badInput("'unreadableBlobs' must be an array of blob URLs.");
  const cancel = body.cancelLocationInBody;
  if (cancel !== undefined && typeof cancel !== "boolean") {
    if (!isObject(cancel))
      throw badInput("'cancelLocationInBody' must be true, false or {key?, withoutHeaders?}.");
    onlyKeys(cancel, ["key", "withoutHeaders"], "cancelLocationInBody");
    optionalString(cancel, "key");
    optionalBoolean(cancel, "withoutHeaders");
  }
  return body as OfferSettings;
}

/** `message` (one) or `messages` (several), default one generic message. */
function messagesOf(body: Record<string, unknown>, fallback: string): string[] {
  const message = optionalString(body, "message");
  if (body.messages !== undefined) {
    if (!Array.isArray(body.messages) || !body.messages.every((m) => typeof m === "string"))
      throw badInput("'messages' must be an array of strings.");
    return body.messages as string[];
  }
  return [message ?? fallback];
}

/** The request-log query: `?kind=&method=&publisherId=&offerId=&processed=&status=`; `kind=golive` covers both APIs. */
export function queryRequests(requests: RequestLogEntry[], query: URLSearchParams): RequestLogEntry[] {
  const known = ["kind", "method", "publisherId", "offerId", "processed", "status", "count", "fault"];
  for (const key of query.keys()) {
    if (!known.includes(key)) throw badInput(`Unknown query parameter '${key}'; known: ${known.join(", ")}.`);
  }
  const kind = query.get("kind");
  const method = query.get("method")?.toUpperCase();
  const processed = query.get("processed");
  if (processed !== null && processed !== "true" && processed !== "false")
    throw badInput(`'processed' must be true or false, got '${processed}'.`);
  const status = query.get("status");
  if (status !== null && !/^\d{1,3}$/.test(status))
    throw badInput(`'status' must be an HTTP status code, got '${status}'.`);
  const count = query.get("count");
  if (count !== null && count !== "true" && count !== "false")
    throw badInput(`'count' must be true or false, got '${count}'.`);
  return requests.filter((entry) => {
    if (kind === "golive") {
      // A go-live on either API: CPP `POST .../golive`, or an ingestion configure that takes a product live.
      const cpp = entry.kind === "golive" && entry.method === "POST";
      const ingestion = entry.kind === "configure" && entry.method === "POST" && entry.configures === "live";
      if (!cpp && !ingestion) return false;
    } else if (kind !== null && entry.kind !== kind) return false;
    return (
      (method === undefined || entry.method === method) &&
      (query.get("publisherId") === null || entry.publisherId === query.get("publisherId")) &&
      (query.get("offerId") === null || entry.offerId === query.get("offerId")) &&
      (processed === null || entry.processed === (processed === "true")) &&
      (status === null || entry.status === Number(status)) &&
      (query.get("fault") === null || entry.fault === query.get("fault"))
    );
  });
}

const NO_CONTENT: SimResponse = { status: 204, headers: {} };

/**
 * The control API (`/_emulator/v1/...`, also under the deprecated `/_sim/...`), so other processes (CI jobs,
 * the demo, benchmarks, engine tests) can drive a running emulator. Not logged, never faulted. Every route
 * checks its whole input before it changes anything: a bad request answers 400 and changes nothing.
 */
export function handleControl(
  sim: CppSimulator,
  method: string,
  pathname: string,
  rawBody: string,
  query: URLSearchParams = new URLSearchParams(),
): SimResponse {
  try {
    const body = parseBody(rawBody);
    const prefix = pathname.startsWith(`${CONTROL_PREFIX}/`) ? CONTROL_PREFIX : LEGACY_CONTROL_PREFIX;
    const segments = pathname.slice(prefix.length).split("/").filter(Boolean).map(decodeURIComponent);
    if (segments[0] === "ingestion")
      return handleIngestionControl(sim.ingestion, method, segments.slice(1), body, prefix, query);
    const parameterized = segments[0] === "offers" || segments[0] === "operations";
    const route = `${method} ${segments.map((s, i) => (i > 0 && parameterized ? ":" : s)).join("/")}`;
    const [, publisherId = "", offerId = "", action] = segments;
    switch (route) {
      case "GET offers":
        return json(200, sim.offers());
      case "POST offers":
        return json(201, sim.addOffer(parseSeed([body])[0] as OfferSeed));
      case "GET offers/:/:":
        return offerOr404(sim, publisherId, offerId);
      case "GET offers/:/:/:": {
        if (action !== "draft") break;
        const draft = sim.draft(publisherId, offerId);
        return draft ? json(200, draft) : offerOr404(sim, publisherId, offerId);
      }
      case "POST offers/:/:/:":
        return offerAction(sim, publisherId, offerId, action ?? "", body) ?? notFound(method, pathname);
      case "POST settings":
        sim.configure(parseGlobalSettings(body));
        return NO_CONTENT;
      case "GET operations/:": {
        const operation = sim.operation(segments[1] ?? "");
        return operation
          ? json(200, operation)
          : apiError(404, "NotFound", `Operation '${segments[1]}' was not found.`);
      }
      case "POST operations/:/:": {
        const [, operationId = "", verb] = segments;
        switch (verb) {
          case "gone":
            // The operation's GET answers 404 from now on.
            onlyKeys(body, ["fromSubmissions"], "gone");
            sim.dropOperationRecord(operationId, {
              fromSubmissions: optionalBoolean(body, "fromSubmissions") === true,
            });
            return NO_CONTENT;
          case "finish":
            onlyKeys(body, [], "finish");
            sim.advanceOperation(operationId, "end");
            return json(200, sim.operation(operationId));
          case "advance": {
            onlyKeys(body, ["seconds"], "advance");
            sim.advanceOperation(operationId, requiredNumber(body, "seconds", 0, 100 * 365 * 86_400));
            return json(200, sim.operation(operationId));
          }
          case "fail": {
            onlyKeys(body, ["stepId", "message", "messages"], "fail");
            const stepId = optionalString(body, "stepId");
            sim.failOperation(
              operationId,
              stepId,
              messagesOf(body, "The emulator failed this step on request."),
            );
            return json(200, sim.operation(operationId));
          }
        }
        break;
      }
      case "POST faults": {
        onlyKeys(body, ["publisherId", "offerId", "faults"], "faults");
        const faults = parseFaults(body.faults);
        sim.setFaults(
          optionalString(body, "publisherId") ?? "*",
          optionalString(body, "offerId") ?? "*",
          faults,
        );
        return NO_CONTENT;
      }
      case "POST random-faults":
        sim.setRandomFaults(parseRandomFaults(body));
        return NO_CONTENT;
      case "POST advance": {
        onlyKeys(body, ["seconds"], "advance");
        sim.advance(requiredNumber(body, "seconds", 0, 100 * 365 * 86_400));
        return json(200, { now: sim.now().toISOString() });
      }
      case "POST fail-next":
        sim.failNext("*", "*", parseFailNext(body));
        return NO_CONTENT;
      case "GET now":
        return json(200, { now: sim.now().toISOString() });
      case "POST release-held":
        sim.releaseHeld();
        return NO_CONTENT;
      case "GET requests": {
        const entries = queryRequests(sim.requests, query);
        return query.get("count") === "true"
          ? json(200, { count: entries.length })
          : json(200, entries.map(redactEntry));
      }
      case "GET stats":
        return json(200, sim.stats());
      case "POST reset":
        sim.reset();
        return NO_CONTENT;
    }
    return notFound(method, pathname);
  } catch (error) {
    if (error instanceof SimError) return apiError(error.status, error.code, error.message);
    return apiError(400, "BadRequest", error instanceof Error ? error.message : String(error));
  }
}

function notFound(method: string, pathname: string): SimResponse {
  return apiError(
    404,
    "NotFound",
    `No control route ${method} ${pathname}; see emulator/README.md for the routes.`,
  );
}

function parseFailNext(body: Record<string, unknown>): {
  kind?: "publish" | "golive";
  stepId: string;
  messages: string[];
} {
  onlyKeys(body, ["kind", "stepId", "message", "messages"], "fail-next");
  const kind = optionalString(body, "kind");
  if (kind !== undefined && kind !== "publish" && kind !== "golive")
    throw badInput(`'kind' must be publish or golive, got ${JSON.stringify(kind)}.`);
  const stepId = requiredString(body, "stepId");
  return {
    ...(kind ? { kind } : {}),
    stepId,
    messages: messagesOf(body, `The emulator failed step '${stepId}' on request.`),
  };
}

/** `POST offers/{p}/{o}/{action}`; undefined for an unknown action. */
function offerAction(
  sim: CppSimulator,
  publisherId: string,
  offerId: string,
  action: string,
  body: Record<string, unknown>,
): SimResponse | undefined {
  switch (action) {
    case "portal-edit": {
      onlyKeys(body, ["displayText", "planId", "version", "image", "beforeNextPut"], "portal-edit");
      const { beforeNextPut, ...edit } = body;
      optionalString(body, "displayText");
      optionalString(body, "planId");
      optionalString(body, "version");
      if (body.image !== undefined && body.image !== null && !isObject(body.image))
        throw badInput("'image' must be an image object or null (to remove the version).");
      if ((body.planId === undefined) !== (body.version === undefined))
        throw badInput("'planId' and 'version' go together (the image version to set or remove).");
      return json(
        200,
        sim.portalEdit(publisherId, offerId, edit as PortalEdit, {
          beforeNextPut: optionalBoolean(body, "beforeNextPut") === true,
        }),
      );
    }
    case "settings":
      return json(200, sim.configureOffer(publisherId, offerId, parseOfferSettings(body)));
    case "refuse-golive": {
      onlyKeys(body, ["message", "refuse"], "refuse-golive");
      const message = optionalString(body, "message");
      const refuse = optionalBoolean(body, "refuse") ?? true;
      return json(
        200,
        sim.configureOffer(publisherId, offerId, { refuseGoLive: refuse ? (message ?? true) : false }),
      );
    }
    case "fail-next":
      sim.failNext(publisherId, offerId, parseFailNext(body));
      return offerOr404(sim, publisherId, offerId);
    case "faults": {
      onlyKeys(body, ["faults"], "faults");
      const faults = parseFaults(body.faults);
      if (!sim.offer(publisherId, offerId)) return offerOr404(sim, publisherId, offerId);
      sim.setFaults(publisherId, offerId, faults);
      return { status: 204, headers: {} };
    }
  }
  return undefined;
}

function offerOr404(sim: CppSimulator, publisherId: string, offerId: string): SimResponse {
  const offer = sim.offer(publisherId, offerId);
  return offer
    ? json(200, offer)
    : apiError(404, "NotFound", `Offer '${publisherId}/${offerId}' was not found.`);
}
