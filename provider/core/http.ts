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

  /**
   * Sends one request through undici's `dispatch` with a handler that collects the body itself, and a
   * deadline timer cleared as soon as the answer is in. Profiling (bench/client-overhead.ts) showed
   * `pool.request()` costing ≈25 µs more CPU per request than this on loopback: its body stream, the
   * AbortSignal undici has to watch (AbortSignal.timeout also left a 60 s timer behind per request) and
   * `for await` over the stream. The deadline also covers time spent queued behind other requests.
   */
  send(request: HttpRequest): Promise<HttpResponse> {
    return new Promise<HttpResponse>((resolve, reject) => {
      const url = new URL(request.url);
      const pool = this.pool(url.origin);
      let settled = false;
      let controller: Dispatcher.DispatchController | undefined;
      /** Why the request was stopped before undici handed it a controller (it aborts on start). */
      let stopReason: Error | undefined;
      let status = 0;
      let headers: HttpResponse["headers"] = {};
      const chunks: Buffer[] = [];
      let size = 0;

      const settle = (error: Error | undefined, response?: HttpResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        request.signal?.removeEventListener("abort", onAbort);
        if (response) resolve(response);
        else reject(error);
      };
      const stop = (reason: Error) => {
        stopReason ??= reason;
        if (controller && !controller.aborted) controller.abort(reason);
        settle(reason);
      };
      const timer = setTimeout(() => {
        stop(
          new TransientError(`No response within ${request.timeoutMs} ms.`, {
            method: request.method,
            requestUrl: request.url,
          }),
        );
      }, request.timeoutMs);
      timer.unref?.();
      const onAbort = () =>
        stop(
          new AbortedError("The request was aborted.", {
            requestUrl: request.url,
            cause: request.signal?.reason,
          }),
        );
      if (request.signal?.aborted) return onAbort();
      request.signal?.addEventListener("abort", onAbort, { once: true });

      const handler: Dispatcher.DispatchHandler = {
        onRequestStart(started) {
          controller = started;
          if (stopReason) started.abort(stopReason);
        },
        onResponseStart(_controller, statusCode, responseHeaders) {
          status = statusCode;
          headers = responseHeaders;
        },
        onResponseData(current, chunk) {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) {
            current.abort(new Error(`response body larger than ${MAX_BODY_BYTES} bytes`));
            return;
          }
          chunks.push(chunk);
        },
        onResponseEnd() {
          settle(undefined, { status, headers, body: Buffer.concat(chunks).toString("utf8") });
        },
        onResponseError(_controller, cause) {
          settle(networkError(request, cause));
        },
      };
      try {
        pool.dispatch(
          {
            method: request.method,
            path: `${url.pathname}${url.search}`,
            headers: request.headers,
            body: request.body,
          },
          handler,
        );
      } catch (cause) {
        settle(networkError(request, cause));
      }
    });
  }

  async close(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((p) => p.close().catch(() => p.destroy())));
  }
}

/** A failure below HTTP, saying whether the server could have seen the request (decides POST retries). */
function networkError(request: HttpRequest, cause: unknown): Error {
  if (cause instanceof TransientError || cause instanceof AbortedError) return cause;
  const code = (cause as { code?: string }).code ?? "";
  return new TransientError(`Network error (${code || (cause as Error).message}).`, {
    method: request.method,
    requestUrl: request.url,
    cause,
    requestMayHaveBeenProcessed: !NOT_SENT_CODES.has(code),
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
