import { apiError, json, type SimResponse } from "./api";
import { handleIngestionControl } from "./ingestion/control";
import { SimError } from "./store";
import type {
  CppSimulator,
  Fault,
  OfferSeed,
  OfferSettings,
  PortalEdit,
  RandomFaultOptions,
  SpellingSettings,
} from "./types";

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
  const parsed: unknown = JSON.parse(body);
  if (typeof parsed !== "object" || parsed === null)
    throw new SimError(400, "BadRequest", "Expected a JSON object.");
  return parsed as Record<string, unknown>;
}

/**
 * The `/_sim` control API, so other processes (demo, benchmarks, engine tests) can drive a running
 * simulator. No auth, no faults, not logged.
 */
export function handleControl(
  sim: CppSimulator,
  method: string,
  pathname: string,
  rawBody: string,
): SimResponse {
  try {
    const body = parseBody(rawBody);
    const segments = pathname.split("/").filter(Boolean).map(decodeURIComponent).slice(1);
    if (segments[0] === "ingestion")
      return handleIngestionControl(sim.ingestion, method, segments.slice(1), body);
    const parameterized = segments[0] === "offers" || segments[0] === "operations";
    const route = `${method} ${segments.map((s, i) => (i > 0 && parameterized ? ":" : s)).join("/")}`;
    const [, publisherId = "", offerId = "", action] = segments;
    switch (route) {
      case "POST offers":
        return json(201, sim.addOffer(parseSeed([body])[0] as OfferSeed));
      case "GET offers/:/:":
        return offerOr404(sim, publisherId, offerId);
      case "POST offers/:/:/:":
        if (action === "portal-edit") {
          const { beforeNextPut, ...edit } = body;
          return json(
            200,
            sim.portalEdit(publisherId, offerId, edit as PortalEdit, {
              beforeNextPut: beforeNextPut === true,
            }),
          );
        }
        if (action !== "settings") break;
        return json(200, sim.configureOffer(publisherId, offerId, body as OfferSettings));
      case "POST settings":
        sim.configure(body as SpellingSettings);
        return { status: 204, headers: {} };
      case "POST operations/:/:": {
        // /_sim/operations/{id}/gone: the operation's GET answers 404 from now on.
        const [, operationId = "", verb] = segments;
        if (verb !== "gone") break;
        sim.dropOperationRecord(operationId, { fromSubmissions: body.fromSubmissions === true });
        return { status: 204, headers: {} };
      }
      case "POST faults": {
        const faults = (body.faults ?? []) as Fault[];
        sim.setFaults(String(body.publisherId ?? "*"), String(body.offerId ?? "*"), faults);
        return { status: 204, headers: {} };
      }
      case "POST random-faults":
        sim.setRandomFaults(body.rate === undefined ? undefined : (body as unknown as RandomFaultOptions));
        return { status: 204, headers: {} };
      case "POST advance":
        sim.advance(Number(body.seconds ?? 0));
        return json(200, { now: sim.now().toISOString() });
      case "GET requests":
        return json(200, sim.requests);
      case "GET stats":
        return json(200, sim.stats());
      case "POST reset":
        sim.reset();
        return { status: 204, headers: {} };
    }
    return apiError(404, "NotFound", `No control route ${method} ${pathname}.`);
  } catch (error) {
    if (error instanceof SimError) return apiError(error.status, error.code, error.message);
    return apiError(400, "BadRequest", error instanceof Error ? error.message : String(error));
  }
}

function offerOr404(sim: CppSimulator, publisherId: string, offerId: string): SimResponse {
  const offer = sim.offer(publisherId, offerId);
  return offer
    ? json(200, offer)
    : apiError(404, "NotFound", `Offer '${publisherId}/${offerId}' was not found.`);
}
