/**
 * The emulator's web page and the routes it reads: `GET /` (the page), `GET /_emulator/web/<file>` (its script
 * and style), `GET /_emulator/v1/state` (a JSON snapshot) and `GET /_emulator/v1/events` (server-sent events: the
 * snapshot again on every change). The page's buttons call the control API (`emulator/control.ts`). The page's
 * files hold no data and load without a token; state and events take the same bearer token as the APIs (none
 * with `--no-auth`).
 */
import { existsSync, readFileSync } from "node:fs";
import type http from "node:http";
import path from "node:path";
import { checkBearer } from "../api";
import type { IngestionStore } from "../ingestion/store";
import type { SimStore } from "../store";
import type { RequestLogEntry } from "../types";
import { buildSnapshot, type StateSnapshot, signature } from "./snapshot";

export const CONTROL_V1 = "/_emulator/v1";
export const ASSET_PREFIX = "/_emulator/web/";

/** What the routes read from the running emulator; getters, because a reset replaces the stores. */
export interface WebContext {
  cpp(): SimStore;
  ingestion(): IngestionStore;
  requests(): RequestLogEntry[];
  auth(): { acceptedTokens: string[]; tokenExpiry: Record<string, Date | number> };
  /** Base path of the control API the page's buttons call. Default `/_emulator/v1`. */
  controlBase?: string;
  /** Milliseconds between pushes while an operation runs (its progress moves). Default 1000. */
  tickMs?: number;
}

const ASSETS: Record<string, string> = {
  "index.html": "text/html; charset=utf-8",
  "app.js": "text/javascript; charset=utf-8",
  "controls.js": "text/javascript; charset=utf-8",
  "timeline.js": "text/javascript; charset=utf-8",
  "style.css": "text/css; charset=utf-8",
  "favicon.svg": "image/svg+xml",
};

/** Only files of this folder, nothing from the network: the page works offline. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The page's files: `public/` beside this module when run from source; from the compiled `dist/emulator/web/`,
 * the package's own `emulator/web/public/` (shipped in the npm package's `files`).
 */
export function publicDir(): string {
  const candidates = [
    path.join(__dirname, "public"),
    path.join(__dirname, "..", "..", "..", "emulator", "web", "public"),
  ];
  const found = candidates.find((dir) => existsSync(path.join(dir, "index.html")));
  if (!found) throw new Error(`The emulator's page files were not found in ${candidates.join(" or ")}.`);
  return found;
}

/** Milliseconds between pushes while an operation runs (its progress moves), and between idle checks. */
const TICK_MS = 1000;
/** A comment line this often keeps proxies from closing an idle stream. */
const HEARTBEAT_MS = 15000;
/** Changes that arrive together (a request and its answer) make one push. */
const DEBOUNCE_MS = 40;

interface Client {
  res: http.ServerResponse;
  last?: string;
}

function json(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": String(Buffer.byteLength(text)),
    "Cache-Control": "no-store",
    ...headers,
  });
  res.end(text);
}

function error(res: http.ServerResponse, status: number, code: string, message: string, headers = {}): void {
  json(res, status, { error: { code, message } }, headers);
}

export class WebRoutes {
  private readonly clients = new Set<Client>();
  private assets?: Map<string, Buffer>;
  private tick?: NodeJS.Timeout;
  private heartbeat?: NodeJS.Timeout;
  private debounce?: NodeJS.Timeout;
  private sequence = 0;

  constructor(private readonly context: WebContext) {}

  /** Serves the request when it is one of these routes (true); otherwise watches it to push the change it makes. */
  handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): boolean {
    const method = req.method ?? "GET";
    const route = url.pathname;
    const read = method === "GET" || method === "HEAD";
    if (read && (route === "/" || route === "/index.html")) return this.asset(res, "index.html", method);
    // Browsers ask for it on their own; answered here, it stays out of the request log.
    if (read && route === "/favicon.ico") return this.asset(res, "favicon.svg", method);
    if (read && route.startsWith(ASSET_PREFIX))
      return this.asset(res, route.slice(ASSET_PREFIX.length), method);
    if (route === `${CONTROL_V1}/state` && read) return this.authorized(req, res, () => this.state(res));
    if (route === `${CONTROL_V1}/events` && method === "GET")
      return this.authorized(req, res, () => this.events(req, res));
    // Anything else (the APIs, the control API) may change what the page shows: push once it is answered.
    res.once("close", () => this.changed());
    return false;
  }

  /** Something changed outside HTTP (a test drove the emulator in-process): push soon. */
  changed(): void {
    if (this.clients.size === 0 || this.debounce) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      this.push();
    }, DEBOUNCE_MS);
    this.debounce.unref();
  }

  snapshot(): StateSnapshot {
    return buildSnapshot({
      cpp: this.context.cpp(),
      ingestion: this.context.ingestion(),
      requests: this.context.requests(),
      auth: this.context.auth().acceptedTokens.length > 0,
      controlBase: this.context.controlBase ?? CONTROL_V1,
    });
  }

  /** Ends every event stream and timer (the server is closing). */
  close(): void {
    for (const timer of [this.tick, this.heartbeat, this.debounce]) if (timer) clearInterval(timer);
    this.tick = this.heartbeat = this.debounce = undefined;
    for (const client of this.clients) client.res.end();
    this.clients.clear();
  }

  private asset(res: http.ServerResponse, name: string, method: string): true {
    const type = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (!type) {
      error(res, 404, "NotFound", `The emulator's page has no file '${name}'.`);
      return true;
    }
    if (!this.assets) {
      const dir = publicDir();
      this.assets = new Map(Object.keys(ASSETS).map((file) => [file, readFileSync(path.join(dir, file))]));
    }
    const body = this.assets.get(name) ?? Buffer.alloc(0);
    res.writeHead(200, {
      "Content-Type": type,
      "Content-Length": String(body.length),
      "Cache-Control": "no-cache",
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy": CSP,
      "Referrer-Policy": "no-referrer",
    });
    res.end(method === "HEAD" ? undefined : body);
    return true;
  }

  private authorized(req: http.IncomingMessage, res: http.ServerResponse, serve: () => void): true {
    const header = req.headers.authorization;
    const failure = checkBearer(this.context.auth(), Array.isArray(header) ? header[0] : header);
    if (failure) {
      error(
        res,
        401,
        "Unauthorized",
        `${failure} Send 'Authorization: Bearer <token>' with the token the emulator printed when it started (the page asks for it, or takes ?token= once).`,
        { "WWW-Authenticate": "Bearer" },
      );
      req.resume();
      return true;
    }
    serve();
    return true;
  }

  private state(res: http.ServerResponse): void {
    json(res, 200, this.snapshot());
  }

  private events(req: http.IncomingMessage, res: http.ServerResponse): void {
    res.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-store",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    });
    res.write(`retry: 2000\n\n`);
    const client: Client = { res };
    this.clients.add(client);
    req.socket.setNoDelay(true);
    res.once("close", () => {
      this.clients.delete(client);
      if (this.clients.size === 0) this.stopTimers();
    });
    this.startTimers();
    this.send(client, this.snapshot(), true);
  }

  private startTimers(): void {
    if (!this.tick) {
      this.tick = setInterval(() => this.push(), this.context.tickMs ?? TICK_MS);
      this.tick.unref();
    }
    if (!this.heartbeat) {
      this.heartbeat = setInterval(() => {
        for (const client of this.clients) client.res.write(": keep-alive\n\n");
      }, HEARTBEAT_MS);
      this.heartbeat.unref();
    }
  }

  private stopTimers(): void {
    clearInterval(this.tick);
    clearInterval(this.heartbeat);
    this.tick = this.heartbeat = undefined;
  }

  /** Sends the snapshot to every client whose last one differs, and to all while something runs. */
  private push(): void {
    if (this.clients.size === 0) return;
    let snapshot: StateSnapshot;
    try {
      snapshot = this.snapshot();
    } catch {
      return;
    }
    const running = snapshot.operations.some((op) => !op.ended);
    for (const client of this.clients) this.send(client, snapshot, running);
  }

  private send(client: Client, snapshot: StateSnapshot, always: boolean): void {
    const sig = signature(snapshot);
    if (!always && client.last === sig) return;
    client.last = sig;
    this.sequence += 1;
    client.res.write(`id: ${this.sequence}\nevent: state\ndata: ${JSON.stringify(snapshot)}\n\n`);
  }
}
