/**
 * The HTTP layer: one undici keep-alive `Pool` per endpoint origin, shared by every client in the process
 * (so 200 resources polling one endpoint share a handful of connections), a per-request deadline, and
 * translation of low-level failures into `TransientError`s that say whether the request could have been
 * processed by the server (needed to decide whether a POST may be retried).
 */

import type { Dispatcher, Pool } from "undici";
import { AbortedError, TransientError } from "./errors";

export interface HttpRequest {
  method: "GET" | "POST" | "PUT" | "DELETE";
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Anything that can send a request; the default is `PooledTransport`. Tests may wrap it to observe calls. */
export interface HttpTransport {
  send(request: HttpRequest): Promise<HttpResponse>;
}

export interface PoolOptions {
  /** Maximum sockets per endpoint origin. */
  connections?: number;
  keepAliveTimeoutMs?: number;
}

/** Error codes that prove the request never left this machine: nothing reached the server. */
const NOT_SENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);

const MAX_BODY_BYTES = 16 * 1024 * 1024;

export class PooledTransport implements HttpTransport {
  readonly #pools = new Map<string, Pool>();

  constructor(private readonly options: PoolOptions = {}) {}

  pool(origin: string): Pool {
    let pool = this.#pools.get(origin);
    if (!pool) {
      const { Pool: PoolClass } = require("undici") as typeof import("undici");
      pool = new PoolClass(origin, {
        connections: this.options.connections ?? 8,
        keepAliveTimeout: this.options.keepAliveTimeoutMs ?? 30_000,
        // The per-request deadline below governs; these only stop undici's own defaults from interfering.
        headersTimeout: 0,
        bodyTimeout: 0,
      });
      this.#pools.set(origin, pool);
    }
    return pool;
  }

  async send(request: HttpRequest): Promise<HttpResponse> {
    const url = new URL(request.url);
    const deadline = AbortSignal.timeout(request.timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, deadline]) : deadline;
    try {
      const response: Dispatcher.ResponseData = await this.pool(url.origin).request({
        method: request.method,
        path: `${url.pathname}${url.search}`,
        headers: request.headers,
        body: request.body,
        signal,
      });
      const body = await readBody(response.body);
      return { status: response.statusCode, headers: response.headers, body };
    } catch (cause) {
      if (request.signal?.aborted)
        throw new AbortedError("The request was aborted.", { requestUrl: request.url, cause });
      if (deadline.aborted) {
        throw new TransientError(`No response within ${request.timeoutMs} ms.`, {
          method: request.method,
          requestUrl: request.url,
          cause,
        });
      }
      const code = (cause as { code?: string }).code ?? "";
      throw new TransientError(`Network error (${code || (cause as Error).message}).`, {
        method: request.method,
        requestUrl: request.url,
        cause,
        requestMayHaveBeenProcessed: !NOT_SENT_CODES.has(code),
      });
    }
  }

  async close(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((p) => p.close().catch(() => p.destroy())));
  }
}

/**
 * Collects the body with plain stream events: `for await` over the stream cost about 10 µs more CPU per
 * request on loopback (≈ 12% of a whole poll), measured by bench/client-overhead.ts.
 */
function readBody(body: Dispatcher.ResponseData["body"]): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        body.destroy();
        reject(new Error(`response body larger than ${MAX_BODY_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    body.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    body.on("error", reject);
    body.on("close", () => reject(new Error("response body closed before its end")));
  });
}

let sharedTransport: PooledTransport | undefined;

/** The process-wide transport: one pool per endpoint for every client that does not bring its own. */
export function defaultTransport(): PooledTransport {
  sharedTransport ??= new PooledTransport();
  return sharedTransport;
}

/** Closes the process-wide pools (tests, CLIs that want to exit promptly). */
export async function closeDefaultTransport(): Promise<void> {
  const transport = sharedTransport;
  sharedTransport = undefined;
  await transport?.close();
}
