/**
 * Operation locations. The API answers a go-live or publish with a `Location` (older pages:
 * `Operation-Location`) that is usually a relative path in one of two shapes:
 *   /api/publishers/{p}/offers/{o}/operations/{guid}?api-version=...   (migrated offers)
 *   /api/operations/{p}${o}${version}${slot}?api-version=...           (non-migrated offers)
 * or, on some pages, an absolute URL without `api-version`.
 */

import { ConfigurationError, ProtocolError } from "./errors";

export interface ResolvedLocation {
  /** Absolute URL to poll, always on the configured endpoint, always with api-version. */
  url: string;
  /** True when the API pointed at another host; the path was re-based onto the endpoint (see README). */
  rebasedFromForeignHost?: string;
}

/** Reads the operation location header: `Location` first, then `Operation-Location`. */
export function locationHeader(headers: Record<string, string | string[] | undefined>): string | undefined {
  for (const name of ["location", "operation-location"]) {
    const value = headers[name];
    const text = Array.isArray(value) ? value[0] : value;
    if (text && text.trim() !== "") return text.trim();
  }
  return undefined;
}

/** Keys of a JSON body that name an operation's location, compared case-insensitively. */
const BODY_LOCATION_KEYS = ["operationlocation", "operation-location", "location"];

/**
 * The operation location a 202 names in its JSON body (`{"operationLocation": ...}`, `{"location": ...}`): the
 * cancel page says its location may come there instead of a header. Undefined for any other body.
 */
export function locationInBody(body: string): string | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return undefined;
  for (const [key, value] of Object.entries(json))
    if (BODY_LOCATION_KEYS.includes(key.toLowerCase()) && typeof value === "string" && value.trim() !== "")
      return value.trim();
  return undefined;
}

/**
 * Resolves a Location value against the endpoint. The bearer token is only ever sent to the configured
 * endpoint, so an absolute Location on another origin is not followed: its path and query are re-based onto
 * the endpoint (same API, same token audience) and the foreign host receives nothing.
 */
export function resolveOperationLocation(
  location: string,
  endpoint: string,
  apiVersion: string,
): ResolvedLocation {
  const base = new URL(endpoint);
  // A bare relative path ("api/operations/x") keeps an endpoint's path prefix (e.g. a reverse proxy under /cpp).
  const pathRelative = !/^[a-z][a-z0-9+.-]*:/i.test(location) && !/^[/\\]/.test(location);
  let parsed: URL;
  try {
    parsed = new URL(location, pathRelative ? `${base.origin}${base.pathname.replace(/\/?$/, "/")}` : base);
  } catch (cause) {
    throw new ProtocolError(
      `The API returned an operation location that is not a URL: ${JSON.stringify(location)}.`,
      {
        operationLocation: location,
        cause,
      },
    );
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new ProtocolError(
      `The API returned an operation location with an unsupported scheme: ${parsed.protocol}`,
      {
        operationLocation: location,
      },
    );
  }
  let rebasedFromForeignHost: string | undefined;
  if (parsed.origin !== base.origin) {
    rebasedFromForeignHost = parsed.origin;
    // Setters, not `new URL(path, base)`: a path such as "//other.host/x" must stay a path on the endpoint.
    const rebased = new URL(base.origin);
    rebased.pathname = parsed.pathname;
    rebased.search = parsed.search;
    parsed = rebased;
  }
  if (!parsed.searchParams.has("api-version")) parsed.searchParams.set("api-version", apiVersion);
  if (parsed.origin !== base.origin) {
    throw new ProtocolError(`The API returned an operation location that cannot be kept on the endpoint.`, {
      operationLocation: location,
    });
  }
  return rebasedFromForeignHost
    ? { url: parsed.toString(), rebasedFromForeignHost }
    : { url: parsed.toString() };
}

/** The operation id in a location: the GUID of `/operations/{guid}`, or the `$`-separated id. */
export function operationIdFromLocation(location: string): string | undefined {
  let path: string;
  try {
    path = new URL(location, "http://placeholder.invalid").pathname;
  } catch {
    return undefined;
  }
  const match = /\/operations\/([^/]+)\/?$/.exec(path);
  if (!match?.[1]) return undefined;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return match[1];
  }
}

/**
 * URL-encodes one path segment; `$` stays literal because the API's own locations use it that way.
 * "", "." and ".." cannot be sent as a segment (URL parsing drops or resolves them, changing the path), and
 * lone surrogates cannot be encoded, so these are refused before any request.
 */
export function pathSegment(value: string, name = "a path segment"): string {
  if (value === "" || value === "." || value === "..") {
    throw new ConfigurationError(`${name} must not be empty, "." or ".." (got ${JSON.stringify(value)}).`);
  }
  let encoded: string;
  try {
    encoded = encodeURIComponent(value);
  } catch {
    throw new ConfigurationError(`${name} is not well-formed Unicode (it contains a lone surrogate).`);
  }
  return encoded.replace(/%24/g, "$");
}

/**
 * The URL of an operation known only by id (e.g. from the list of running submissions): `$` ids use the
 * non-migrated shape, anything else the migrated one.
 */
export function operationUrl(
  endpoint: string,
  apiVersion: string,
  publisherId: string,
  offerId: string,
  operationId: string,
): string {
  const path = operationId.includes("$")
    ? `api/operations/${pathSegment(operationId, "operationId")}`
    : `api/publishers/${pathSegment(publisherId, "publisherId")}/offers/${pathSegment(offerId, "offerId")}/operations/${pathSegment(operationId, "operationId")}`;
  return apiUrl(endpoint, path, { "api-version": apiVersion });
}

/** Joins the endpoint (keeping any path prefix) with an API path and query. */
export function apiUrl(endpoint: string, path: string, query: Record<string, string | undefined>): string {
  const base = new URL(endpoint);
  const url = new URL(path.replace(/^\//, ""), `${base.origin}${base.pathname.replace(/\/?$/, "/")}`);
  for (const [name, value] of Object.entries(query))
    if (value !== undefined) url.searchParams.set(name, value);
  return url.toString();
}
