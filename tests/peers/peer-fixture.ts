/**
 * Recorded request/response pairs of real clients of the Product Ingestion API (cloudpub, SUSE azure-img-utils,
 * Microsoft's sample, Flatcar's script), written as JSON from their public code and test data. Each fixture names
 * its source. The tier runs every exchange twice: the recorded response through our client (a transport that
 * answers what the peer's data says), and the recorded request, as the peer sends it, against the simulator.
 */

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { HttpRequest, HttpResponse, HttpTransport } from "../../provider/core/http";
import type { IngestionProductSeed } from "../simulator/ingestion/types";

export interface PeerSource {
  repo: string;
  commit: string;
  paths: string[];
  /** What was added, trimmed or derived rather than taken as written. */
  note?: string;
}

export interface PeerRequest {
  method: "GET" | "POST";
  /** After the endpoint (`https://graph.microsoft.com/rp/product-ingestion`), query and any doubled slash as sent. */
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
}

/** What our client makes of the recorded response (one test each). */
export type ClientCheck = { name: string; dependsOn?: string } & (
  | { call: "productId"; offerId: string; productId?: string; error?: string }
  | { call: "planId"; productId: string; offerId: string; planId: string; planDurableId: string }
  | {
      call: "submissions";
      productId: string;
      offerStatus?: string;
      goLive?: "adopted" | "attached" | null;
      error?: string;
    }
  | {
      call: "jobStatus";
      jobId: string;
      state?: "running" | "succeeded" | "failed" | "canceled";
      messages?: string[];
      error?: string;
    }
  /** A job status poll through the backend: a 5xx counts as pending. */
  | { call: "readOperation"; jobId: string; productId: string; status: string }
  | { call: "configure"; jobId?: string; state?: string; error?: string }
  | { call: "resourceTree"; productId: string; target: "draft" | "preview" | "live"; resources: number }
  /** The plan's technical configuration in the recorded tree, as the image resource finds it. */
  | { call: "findConfig"; productId: string; planDurableId: string; found: Record<string, unknown> }
);

/** What the simulator must answer to the recorded request, compared with the recorded response. */
export interface SimulatorCheck {
  /** Start a fresh simulator with these products for this exchange (default: the fixture's, shared in order). */
  seed?: IngestionProductSeed[];
  /** Replayed first (their answers are not checked beyond 2xx). */
  before?: PeerRequest[];
  /** Simulated seconds to advance before the request. */
  advanceSeconds?: number;
  /** Accepted statuses; default the recorded one. */
  status?: number[];
  /** Paths whose values must be equal in the recorded and the simulated answer (lists compared as sets). */
  same?: string[];
  /** Path → values that both answers must contain. */
  shared?: Record<string, unknown[]>;
  /** Path → the values the simulated answer must have (as a set). */
  expect?: Record<string, unknown[]>;
  /** Top-level keys the simulated answer must have. */
  keys?: string[];
  /** Name → path: values of the simulated answer that later requests use as `{name}` (`jobId` is captured always). */
  capture?: Record<string, string>;
}

export interface PeerExchange {
  name: string;
  /** Where in the source the request and the response come from. */
  from: string;
  request: PeerRequest;
  /** As the peer's data has it; `from` when that differs from the exchange's. */
  response: { status: number; body?: unknown; from?: string };
  client?: ClientCheck[];
  /** Absent: not replayed (`why` says why). */
  simulator?: SimulatorCheck;
  notReplayed?: string;
}

export interface PeerFixture {
  title: string;
  client: string;
  source: PeerSource;
  seed?: IngestionProductSeed[];
  exchanges: PeerExchange[];
}

export const FIXTURE_DIR = join(__dirname, "fixtures");

export function loadFixtures(): Array<{ file: string; fixture: PeerFixture }> {
  return readdirSync(FIXTURE_DIR)
    .filter((file) => file.endsWith(".json"))
    .sort()
    .map((file) => ({
      file,
      fixture: JSON.parse(readFileSync(join(FIXTURE_DIR, file), "utf8")) as PeerFixture,
    }));
}

/** `a.b[].c`, `value[target.targetType=live].status`: dots outside brackets separate steps. */
function steps(path: string): string[] {
  const out: string[] = [];
  let current = "";
  let depth = 0;
  for (const char of path) {
    if (char === "[") depth += 1;
    if (char === "]") depth -= 1;
    if (char === "." && depth === 0) {
      out.push(current);
      current = "";
    } else current += char;
  }
  out.push(current);
  return out;
}

/**
 * Every value a path selects: `key` descends, `key[]` spreads a list, `key[sub.path=value]` keeps the items whose
 * `sub.path` is `value` (compared as text).
 */
export function select(root: unknown, path: string): unknown[] {
  let values: unknown[] = [root];
  for (const step of steps(path)) {
    const match = /^([^[]*)(?:\[(.*)\])?$/.exec(step);
    const key = match?.[1] ?? step;
    const filter = match?.[2];
    const next: unknown[] = [];
    for (const value of values) {
      const child =
        key === ""
          ? value
          : typeof value === "object" && value !== null
            ? (value as Record<string, unknown>)[key]
            : undefined;
      if (filter === undefined) {
        if (child !== undefined) next.push(child);
        continue;
      }
      if (!Array.isArray(child)) continue;
      if (filter === "") {
        next.push(...child);
        continue;
      }
      const at = filter.indexOf("=");
      const subPath = filter.slice(0, at);
      const wanted = filter.slice(at + 1);
      next.push(...child.filter((item) => select(item, subPath).some((v) => String(v) === wanted)));
    }
    values = next;
  }
  return values;
}

/** A list's values as a sorted list of JSON texts: compared as a set. */
export const asSet = (values: unknown[]) => values.map((v) => JSON.stringify(v)).sort();

/** `{name}` placeholders filled from captured values. */
export function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\{([A-Za-z]+)\}/g, (whole, name: string) => values[name] ?? whole);
}

/** A path without query, doubled slashes collapsed: how the peer's and our requests are matched. */
export const routeOf = (path: string) =>
  (path.split("?")[0] ?? "").replace(/\/{2,}/g, "/").replace(/^\//, "");

/** True when `route` is the recorded route, a `{name}` placeholder standing for any one segment. */
export function sameRoute(recordedPath: string, route: string): boolean {
  const pattern = routeOf(recordedPath)
    .split("/")
    .map((segment) =>
      /^\{[A-Za-z]+\}$/.test(segment) ? "[^/]+" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
    )
    .join("/");
  return new RegExp(`^${pattern}$`).test(route);
}

/**
 * A transport that answers our client with the recorded responses: by route (path without query), the first
 * exchange whose recorded request has that route. Anything else is a 404 naming the route, so a request the peer
 * never made shows up. Our client's requests are kept to compare with the peer's.
 */
export class RecordedTransport implements HttpTransport {
  readonly sent: HttpRequest[] = [];

  constructor(
    private readonly endpoint: string,
    private readonly exchanges: Array<Pick<PeerExchange, "request" | "response">>,
  ) {}

  async send(request: HttpRequest): Promise<HttpResponse> {
    this.sent.push(request);
    const path = request.url.startsWith(this.endpoint)
      ? request.url.slice(this.endpoint.length)
      : request.url;
    const route = routeOf(path);
    const recorded = this.exchanges.find(
      (e) => e.request.method === request.method && sameRoute(e.request.path, route),
    );
    if (!recorded)
      return {
        status: 404,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          error: { code: "notFound", message: `No recorded answer for ${request.method} ${route}.` },
        }),
      };
    return {
      status: recorded.response.status,
      headers: { "content-type": "application/json" },
      body: recorded.response.body === undefined ? "" : JSON.stringify(recorded.response.body),
    };
  }
}
