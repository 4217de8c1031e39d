import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { apiError, bearerToken, CppApi, forbidden, parseRoute, type Route, type SimResponse } from "./api";
import { CONTROL_PREFIX, handleControl, LEGACY_CONTROL_PREFIX, parseSeed } from "./control";
import { FaultInjector } from "./faults";
import { DEFAULT_DEPRECATED_VERSIONS, IngestionApi, ingestionForbidden } from "./ingestion/api";
import { IngestionSimControl, parseIngestionSeed } from "./ingestion/control";
import { IngestionStore } from "./ingestion/store";
import { INGESTION_PREFIX, type IngestionProductSeed } from "./ingestion/types";
import { renderOperation } from "./operations";
import seedFile from "./seed.json";
import { readStateFile, StateWriter, serializeState } from "./state";
import { offerKey, SimClock, SimError, SimStore } from "./store";
import type {
  CppSimulator,
  Fault,
  FaultSpec,
  OfferSeed,
  OfferSettings,
  OfferView,
  PortalEdit,
  RandomFaultOptions,
  RequestFilter,
  RequestLogEntry,
  SimulatorOptions,
  SimulatorStats,
  SpellingSettings,
} from "./types";
import { WebRoutes } from "./web/routes";

export { API_VERSION } from "./api";
export { CONTROL_PREFIX, LEGACY_CONTROL_PREFIX, parseSeed } from "./control";
export { DEFAULT_INGESTION_VERSION, MESSAGES as INGESTION_MESSAGES } from "./ingestion/api";
export { parseIngestionSeed } from "./ingestion/control";
export { INGESTION_PREFIX, INGESTION_SCOPE } from "./ingestion/types";
export type * from "./types";

/** Start a simulator (CPP API, and the Product Ingestion API under /rp/product-ingestion/) listening on `options.host:options.port` (default 127.0.0.1, any free port). */
export async function startSimulator(options: SimulatorOptions = {}): Promise<CppSimulator> {
  const simulator = new Simulator(options);
  await simulator.listen(options.port ?? 0, options.host ?? "127.0.0.1");
  return simulator;
}

/** The default seed (seed.json), a fresh copy each call. */
export function defaultSeed(): OfferSeed[] {
  return structuredClone(parseSeed(seedFile));
}

/** The default ingestion products (seed.json `ingestionProducts`), a fresh copy each call. */
export function defaultIngestionSeed(): IngestionProductSeed[] {
  return structuredClone(parseIngestionSeed(seedFile));
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
    req.on("close", () => {
      if (!req.complete) reject(new Error("request aborted"));
    });
  });
}

function statusFault(fault: Extract<FaultSpec, { type: "status" }>): SimResponse {
  const headers: Record<string, string> =
    fault.retryAfter !== undefined ? { "Retry-After": fault.retryAfter } : {};
  if (fault.body !== undefined) return { status: fault.status, headers, body: fault.body };
  const code = (http.STATUS_CODES[fault.status] ?? "Error").replace(/[^A-Za-z]/g, "");
  return apiError(
    fault.status,
    code,
    `Simulated ${fault.status} ${http.STATUS_CODES[fault.status] ?? ""}`.trim(),
    headers,
  );
}

/** A body cut in half, as a dropped proxy connection or a buggy gateway would deliver it. */
function malformed(response: SimResponse): SimResponse {
  const body =
    response.body && response.body.length > 1
      ? response.body.slice(0, Math.floor(response.body.length / 2))
      : '{"status": "runn';
  return { status: 200, headers: { "Content-Type": "application/json; charset=utf-8" }, body };
}

/** Location faults: a 202 normally carries both `Location` and `Operation-Location`. */
function rewriteLocation(response: SimResponse, fault: FaultSpec, baseUrl: string): SimResponse {
  const location = response.headers.Location ?? response.headers["Operation-Location"];
  if (location === undefined) return response;
  const { Location: _, "Operation-Location": __, ...headers } = response.headers;
  const omitApiVersion = "omitApiVersion" in fault && fault.omitApiVersion === true;
  const target = omitApiVersion ? location.replace(/[?&]api-version=[^&]*/, "") : location;
  switch (fault.type) {
    case "missingLocation":
      return { ...response, headers };
    case "operationLocationHeader":
      return { ...response, headers: { ...headers, "Operation-Location": target } };
    case "locationHeaderOnly":
      return { ...response, headers: { ...headers, Location: target } };
    case "absoluteLocation": {
      const absolute = `${(fault.host ?? baseUrl).replace(/\/$/, "")}${target}`;
      return { ...response, headers: { ...headers, Location: absolute, "Operation-Location": absolute } };
    }
    default:
      return response;
  }
}

class Simulator implements CppSimulator {
  readonly requests: RequestLogEntry[] = [];
  host = "";
  port = 0;
  url = "";
  private connectionCount = 0;
  private store: SimStore;
  private api: CppApi;
  private ingestionState: { store: IngestionStore; api: IngestionApi };
  readonly ingestion: IngestionSimControl;
  private readonly faults = new FaultInjector();
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Requests held by `hang` with `untilReleased`. */
  private held: Array<() => void> = [];
  private readonly server: http.Server;
  /** The page at `/`, its files and its `/_emulator/v1/state` and `/_emulator/v1/events` routes. */
  private readonly web = new WebRoutes({
    cpp: () => this.store,
    ingestion: () => this.ingestionState.store,
    requests: () => this.requests,
    auth: () => ({
      acceptedTokens: this.options.acceptedTokens ?? ["test-token"],
      tokenExpiry: this.options.tokenExpiry ?? {},
    }),
    controlBase: CONTROL_PREFIX,
  });
  private closing?: Promise<void>;
  private readonly writer?: StateWriter;

  constructor(private readonly options: SimulatorOptions) {
    [this.store, this.api] = this.createState();
    this.ingestionState = this.createIngestionState();
    if (options.stateFile) {
      const file = options.stateFile;
      StateWriter.cleanup(file);
      const restored = readStateFile(file);
      if (restored) {
        const clock = new SimClock(options.timeScale ?? 1, restored.simulatedNowMs);
        [this.store, this.api] = this.createState(clock, restored.settings);
        this.store.load(restored.offers);
        this.store.failNext.push(...restored.failNext);
        this.ingestionState = this.createIngestionState();
        this.ingestionState.store.load(restored.products, restored.submissionCounter);
        this.requests.push(...restored.requests);
      }
      this.writer = new StateWriter(
        file,
        () =>
          serializeState({
            clock: this.store.clock,
            settings: this.store.settings,
            offers: this.store.records(),
            failNext: this.store.failNext,
            products: this.ingestionState.store.all(),
            submissionCounter: this.ingestionState.store.counter(),
            requests: this.requests,
          }),
        {
          writeDelayMs: options.stateWriteDelayMs,
          onError: options.onError ?? ((message) => process.stderr.write(`${message}\n`)),
        },
      );
      // The first write: the file exists (and is valid) from the start.
      this.writer.flushSync();
    }
    this.ingestion = new IngestionSimControl(() => this.ingestionState, this.requests);
    this.server = http.createServer((req, res) => this.onRequest(req, res));
    this.server.on("connection", (socket: Socket) => {
      this.connectionCount += 1;
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
  }

  private createState(clock?: SimClock, settings?: SimStore["settings"]): [SimStore, CppApi] {
    const store = clock
      ? new SimStore(clock, [], settings)
      : new SimStore(this.options.timeScale ?? 1, this.options.offers ?? defaultSeed(), {
          statusSpelling: this.options.statusSpelling,
          omitSubmissionType: this.options.omitSubmissionType,
        });
    const api = new CppApi(store, {
      acceptedTokens: this.options.acceptedTokens ?? ["test-token"],
      tokenExpiry: this.options.tokenExpiry ?? {},
      forbiddenPublishers: this.options.forbiddenPublishers ?? [],
    });
    return [store, api];
  }

  /** Shares the CPP side's clock (time scale, advance) and tokens. */
  private createIngestionState(): { store: IngestionStore; api: IngestionApi } {
    const options = this.options.ingestion ?? {};
    const store = new IngestionStore(this.store.clock, options.products ?? defaultIngestionSeed());
    const api = new IngestionApi(
      store,
      {
        acceptedTokens: this.options.acceptedTokens ?? ["test-token"],
        tokenExpiry: this.options.tokenExpiry ?? {},
        wrongAudienceTokens: options.wrongAudienceTokens ?? ["wrong-audience-token"],
        forbiddenTokens: options.forbiddenTokens ?? ["forbidden-app-token"],
      },
      {
        deprecatedVersions: options.deprecatedVersions ?? DEFAULT_DEPRECATED_VERSIONS,
        configureStatus: options.configureStatus ?? 202,
        jobIdField: options.jobIdField ?? "jobId",
        conflictMode: options.conflictMode ?? "requestError",
        // Copies: `sim.ingestion.updateSchemas` changes them until the next reset.
        schemaVersions: structuredClone(options.schemaVersions ?? {}),
        schemaRequirements: structuredClone(options.schemaRequirements ?? {}),
        versionRequired: options.versionRequired ?? false,
        refuseGoLive: () => this.store.settings.refuseGoLive,
      },
    );
    return { store, api };
  }

  async listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    const address = this.server.address() as AddressInfo;
    this.host = host;
    this.port = address.port;
    this.url = `http://${host.includes(":") ? `[${host}]` : host}:${address.port}`;
  }

  get connections(): number {
    return this.connectionCount;
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const method = req.method ?? "GET";
    const rawPath = req.url ?? "/";
    // Concatenate rather than resolve: a path like "//x" must not be read as a protocol-relative URL.
    const url = new URL(`${this.url}${rawPath.startsWith("/") ? "" : "/"}${rawPath}`);
    if (this.web.handle(req, res, url)) return;
    if (
      url.pathname.startsWith(`${CONTROL_PREFIX}/`) ||
      url.pathname.startsWith(`${LEGACY_CONTROL_PREFIX}/`)
    ) {
      readBody(req)
        .then((body) => {
          const denied = this.controlDenied(req);
          this.send(res, denied ?? handleControl(this, method, url.pathname, body, url.searchParams));
          if (!denied && method !== "GET") this.writer?.changed();
        })
        .catch(() => req.socket.destroy());
      return;
    }
    // Every API request may change the state (and is logged): write it once answered.
    if (this.writer) res.once("close", () => this.writer?.changed());
    if (url.pathname.startsWith(`${INGESTION_PREFIX}/`)) {
      // A configure POST names its product in the body: read it first so the log and faults are per product.
      readBody(req)
        .then((body) => {
          const route = this.ingestionState.api.route(url.pathname, url.searchParams, body);
          this.accept(req, res, url, route, body);
        })
        .catch(() => req.socket.destroy());
      return;
    }
    this.accept(req, res, url, this.resolveRoute(parseRoute(url.pathname)));
  }

  /** The control API takes the same bearer token as the APIs when `controlTokens` is set. */
  private controlDenied(req: http.IncomingMessage): SimResponse | undefined {
    const tokens = this.options.controlTokens;
    if (!tokens || tokens.length === 0) return undefined;
    const token = bearerToken(req.headers.authorization);
    if (token !== undefined && tokens.includes(token)) return undefined;
    return apiError(
      401,
      "Unauthorized",
      "The control API needs 'Authorization: Bearer <token>' with the token the emulator printed at start.",
      { "WWW-Authenticate": "Bearer" },
    );
  }

  /** Log the request, pick its fault and serve it; `body` when already read. */
  private accept(req: http.IncomingMessage, res: http.ServerResponse, url: URL, route: Route, body?: string) {
    const method = req.method ?? "GET";
    const rawPath = req.url ?? "/";
    const entry: RequestLogEntry = {
      method,
      path: rawPath,
      url: url.href,
      headers: { ...req.headers },
      status: 0,
      at: Date.now(),
      kind: route.kind,
      publisherId: route.publisherId,
      offerId: route.offerId,
      ...(route.configures ? { configures: route.configures } : {}),
      ...(route.resourceTypes ? { resourceTypes: route.resourceTypes } : {}),
      ...(route.targetType ? { targetType: route.targetType } : {}),
      processed: false,
    };
    this.requests.push(entry);
    const fault = this.faults.take({
      method,
      kind: route.kind,
      publisherId: route.publisherId,
      offerId: route.offerId,
    });
    if (fault) entry.fault = fault.type;
    this.serve(req, res, entry, route, url, fault, body).catch(() => {
      if (!res.headersSent && !res.destroyed)
        this.respond(res, entry, apiError(500, "InternalServerError", "Simulator error."));
    });
  }

  /** `/api/operations/{guid}` does not name the offer; look it up so logs and faults can be per offer. */
  private resolveRoute(route: Route): Route {
    if (route.kind !== "operation" || route.offerId || !route.operationId) return route;
    const op = this.store.findOperation(route.operationId);
    return op ? { ...route, publisherId: op.publisherId, offerId: op.offerId } : route;
  }

  private async serve(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    entry: RequestLogEntry,
    route: Route,
    url: URL,
    fault: FaultSpec | undefined,
    preread?: string,
  ): Promise<void> {
    const ingestion = url.pathname.startsWith(`${INGESTION_PREFIX}/`);
    // Faults that answer before processing: the handler never runs, so no go-live is started.
    switch (fault?.type) {
      case "reset":
        req.socket.destroy();
        return this.log(entry);
      case "hang":
        if (fault.ms === undefined && !fault.untilReleased) return this.log(entry);
        break;
      case "status":
        return this.respond(res, entry, statusFault(fault));
      case "unauthorized":
        return this.respond(
          res,
          entry,
          apiError(401, "Unauthorized", "The access token has expired.", { "WWW-Authenticate": "Bearer" }),
        );
      case "forbidden":
        return this.respond(
          res,
          entry,
          ingestion ? ingestionForbidden() : forbidden(route.publisherId ?? ""),
        );
    }
    const body = preread ?? (await readBody(req));
    if (fault?.type === "hang" && fault.untilReleased) await new Promise<void>((r) => this.held.push(r));
    else if (fault?.type === "hang" && fault.ms !== undefined) await this.delay(fault.ms);
    const { response, processed } = (ingestion ? this.ingestionState.api : this.api).handle({
      method: entry.method,
      pathname: url.pathname,
      route,
      query: url.searchParams,
      headers: entry.headers,
      body,
      statusOverride: fault?.type === "statusSpelling" ? fault.status : undefined,
    });
    entry.processed = processed;
    if (fault?.type === "resetAfterProcessing") {
      req.socket.destroy();
      return this.log(entry);
    }
    const faulted =
      fault?.type === "malformedJson"
        ? malformed(response)
        : fault
          ? rewriteLocation(response, fault, this.url)
          : response;
    this.respond(res, entry, faulted);
  }

  /** Resolves after `ms`, unless the simulator closes first (then never: the socket is gone anyway). */
  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private respond(res: http.ServerResponse, entry: RequestLogEntry, response: SimResponse): void {
    if (this.send(res, response)) entry.status = response.status;
    this.log(entry);
  }

  private send(res: http.ServerResponse, response: SimResponse): boolean {
    if (res.destroyed || res.headersSent) return false;
    const body = response.body ?? "";
    res.writeHead(response.status, {
      ...response.headers,
      "Content-Length": String(Buffer.byteLength(body)),
    });
    res.end(body);
    return true;
  }

  private log(entry: RequestLogEntry): void {
    if (this.options.quiet || !this.options.log) return;
    const outcome = entry.status === 0 ? "-" : String(entry.status);
    this.options.log(`${entry.method} ${entry.path} ${outcome}${entry.fault ? ` [${entry.fault}]` : ""}`);
  }

  count(filter: RequestFilter = {}): number {
    return this.requests.filter(
      (entry) =>
        (filter.method === undefined || entry.method === filter.method) &&
        (filter.kind === undefined || entry.kind === filter.kind) &&
        (filter.publisherId === undefined || entry.publisherId === filter.publisherId) &&
        (filter.offerId === undefined || entry.offerId === filter.offerId),
    ).length;
  }

  goLivePosts(publisherId: string, offerId: string): number {
    return this.requests.filter(
      (entry) =>
        entry.kind === "golive" &&
        entry.method === "POST" &&
        entry.processed &&
        entry.publisherId === publisherId &&
        entry.offerId === offerId,
    ).length;
  }

  stats(): SimulatorStats {
    const goLivePosts: Record<string, number> = {};
    for (const entry of this.requests) {
      if (entry.kind !== "golive" || entry.method !== "POST" || !entry.processed) continue;
      const key = offerKey(entry.publisherId ?? "", entry.offerId ?? "");
      goLivePosts[key] = (goLivePosts[key] ?? 0) + 1;
    }
    return { goLivePosts, connections: this.connectionCount, requests: this.requests.length };
  }

  setFaults(publisherId: string, offerId: string, faults: Fault[]): void {
    this.faults.set(publisherId, offerId, faults);
  }

  setRandomFaults(options: RandomFaultOptions | undefined): void {
    this.faults.setRandom(options);
  }

  offers(): OfferView[] {
    return this.store.allOffers().map((offer) => this.store.view(offer));
  }

  private requireOperation(id: string) {
    const op = this.store.findOperation(id);
    if (!op) throw new SimError(404, "NotFound", `Operation '${id}' was not found.`);
    return op;
  }

  advanceOperation(id: string, by: number | "end"): void {
    this.store.advanceOperation(this.requireOperation(id), by);
  }

  failOperation(id: string, stepId: string | undefined, messages: string[]): void {
    this.store.failOperation(this.requireOperation(id), stepId, messages);
  }

  failNext(
    publisherId: string,
    offerId: string,
    failure: { kind?: "publish" | "golive"; stepId: string; messages: string[] },
  ): void {
    if (publisherId === "*" && offerId === "*") this.store.queueGlobalFailure(failure);
    else this.store.queueFailure(this.store.requireOffer(publisherId, offerId), failure);
  }

  addOffer(seed: OfferSeed): OfferView {
    return this.store.view(this.store.addOffer(seed));
  }

  offer(publisherId: string, offerId: string): OfferView | undefined {
    const offer = this.store.findOffer(publisherId, offerId);
    return offer && this.store.view(offer);
  }

  operation(id: string): Record<string, unknown> | undefined {
    const op = this.store.findOperation(id);
    return op && renderOperation(op, this.store.clock.nowMs(), undefined, this.store.spelling(op));
  }

  configureOffer(publisherId: string, offerId: string, settings: OfferSettings): OfferView {
    const offer = this.store.requireOffer(publisherId, offerId);
    this.store.configureOffer(offer, settings);
    return this.store.view(offer);
  }

  portalEdit(
    publisherId: string,
    offerId: string,
    edit: PortalEdit,
    options: { beforeNextPut?: boolean } = {},
  ): OfferView {
    const offer = this.store.requireOffer(publisherId, offerId);
    if (options.beforeNextPut) offer.pendingPortalEdits.push(edit);
    else this.store.portalEdit(offer, edit);
    return this.store.view(offer);
  }

  draft(publisherId: string, offerId: string): Record<string, unknown> | undefined {
    const offer = this.store.findOffer(publisherId, offerId);
    return offer && structuredClone(offer.definition);
  }

  configure(settings: SpellingSettings & { refuseGoLive?: boolean | string }): void {
    Object.assign(this.store.settings, settings);
  }

  dropOperationRecord(id: string, options: { fromSubmissions?: boolean } = {}): void {
    this.store.dropOperationRecord(id, options.fromSubmissions === true);
  }

  advance(simulatedSeconds: number): void {
    this.store.clock.advance(simulatedSeconds);
  }

  now(): Date {
    return new Date(this.store.clock.nowMs());
  }

  reset(): void {
    this.requests.length = 0;
    this.connectionCount = 0;
    this.faults.clear();
    [this.store, this.api] = this.createState();
    this.ingestionState = this.createIngestionState();
    this.writer?.changed();
  }

  /** Lets every request held by a `hang` fault with `untilReleased` go on (processed, then answered). */
  releaseHeld(): void {
    const held = this.held;
    this.held = [];
    for (const release of held) release();
  }

  /** Resolves once every change so far is in the state file (at once without one). */
  async flushState(): Promise<void> {
    await this.writer?.flush();
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      for (const timer of this.timers) clearTimeout(timer);
      this.web.close();
      this.timers.clear();
      this.server.close(() => {
        if (!this.writer) return resolve();
        this.writer.flush().then(resolve, resolve);
      });
      // Hung responses and idle keep-alive sockets would otherwise hold close() open.
      this.server.closeAllConnections();
      for (const socket of this.sockets) socket.destroy();
    });
    return this.closing;
  }
}
