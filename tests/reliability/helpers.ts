/** Shared bits of the reliability tier: waiting on conditions, scaled clocks, recording transports. */

import type { HttpRequest, HttpResponse, HttpTransport } from "../../provider/core/http";
import { type Clock, sleep } from "../../provider/core/options";
import type { InitError, ProviderHost } from "../support/provider-host";

/** A token that must never show up anywhere but an Authorization header sent to the endpoint. */
export const CANARY = "canary-7c1e5b09d2f84a6f-token";

/** Polls `condition` every 10 ms until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Real time, but every sleep is `factor` times shorter: the provider's default backoff (1 s base, full
 * jitter) and poll waits shrink to milliseconds while Retry-After and timeout arithmetic stay real.
 */
export function scaledClock(factor: number): Clock {
  return { now: () => Date.now(), sleep: (ms, signal) => sleep(ms / factor, signal) };
}

/** Wraps a transport and records every request it is asked to send (before anything goes on the wire). */
export class RecordingTransport implements HttpTransport {
  readonly sent: HttpRequest[] = [];
  constructor(private readonly inner: HttpTransport) {}

  send(request: HttpRequest): Promise<HttpResponse> {
    this.sent.push(request);
    return this.inner.send(request);
  }
}

/** Everything an error exposes when printed, logged or serialized, its causes included. */
export function errorText(error: unknown): string {
  const { inspect } = require("node:util") as typeof import("node:util");
  const parts: string[] = [inspect(error, { depth: 6, showHidden: false })];
  for (let e: unknown = error, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    parts.push(String((e as Error).message), String((e as Error).stack));
    try {
      parts.push(JSON.stringify(e));
    } catch {
      // circular causes are covered by inspect above
    }
  }
  return parts.join("\n");
}

// biome-ignore lint/suspicious/noExplicitAny: provider outputs are read freely
export type Props = Record<string, any>;

/** How a deployment ended: its properties where it was created, its error where not. */
export interface Settled {
  properties?: Props;
  error?: unknown;
}

/** Checks `inputs` through `host` (no failures allowed) and creates the resource with what the check returned. */
export async function checkAndCreate(host: ProviderHost, inputs: Record<string, unknown>) {
  const checked = await host.check({}, inputs);
  expect(checked.failures).toEqual([]);
  return host.create(checked.inputs);
}

/**
 * One fault-matrix deployment: runs `deploy` alongside `during` (which sees `ctx.settled` turn true once the
 * deployment settled), then names the outcome: `succeeded(properties)` where it was created; `partial state
 * (status)` and what `partial(init)` appends (e.g. after resuming) where the provider saved a partial state;
 * "deployment error, nothing saved" otherwise. `detail` is the error text, or what `succeeded` says.
 */
export async function runMatrixDeployment(options: {
  ctx: { settled: boolean };
  deploy: Promise<{ properties: Props }>;
  during?: () => Promise<void> | undefined;
  succeeded: (properties: Props | undefined) => { outcome: string; detail: string };
  partial: (init: InitError) => Promise<string>;
}): Promise<{ settled: Settled; outcome: string; detail: string }> {
  const { ctx } = options;
  const [settled] = await Promise.all([
    options.deploy
      .then(
        (created): Settled => ({ properties: created.properties as Props | undefined, error: undefined }),
        (error: unknown): Settled => ({ properties: undefined, error }),
      )
      .finally(() => {
        ctx.settled = true;
      }),
    options.during?.(),
  ]);
  // Loaded here, not at the top: it brings in @pulumi/pulumi, which the tests without a provider host skip.
  const { decodeInitError } =
    require("../support/provider-host") as typeof import("../support/provider-host");
  const init = settled.error ? decodeInitError(settled.error) : undefined;
  if (!settled.error) return { settled, ...options.succeeded(settled.properties) };
  if (init) {
    const outcome = `partial state (${init.properties.status})`;
    return { settled, outcome: outcome + (await options.partial(init)), detail: init.message };
  }
  return { settled, outcome: "deployment error, nothing saved", detail: (settled.error as Error).message };
}

/** A row's error text where it names one (none that reads as an error where not), then its counts. */
export function expectMatrixRow<T>(error: RegExp | undefined, detail: string, actual: T, expected: T): void {
  if (error) expect(detail).toMatch(error);
  else expect(detail).not.toMatch(/error|fail/i);
  expect(actual).toEqual(expected);
}

/**
 * With RELIABILITY_REPORT_DIR set, writes a matrix's results as a markdown table to that dir's `file`:
 * a numbered row per result, `|` and line breaks in a cell escaped.
 */
export function writeMatrixReport(file: string, header: string[], rows: Array<Array<string | number>>): void {
  const dir = process.env.RELIABILITY_REPORT_DIR;
  if (!dir) return;
  const { writeFileSync } = require("node:fs") as typeof import("node:fs");
  const { join } = require("node:path") as typeof import("node:path");
  const cell = (value: string | number) => String(value).replace(/\|/g, "\\|").replace(/\n/g, " ");
  const lines = [
    `| # | ${header.join(" | ")} |`,
    `|---|${header.map(() => "---|").join("")}`,
    ...rows.map((row, i) => `| ${i + 1} | ${row.map(cell).join(" | ")} |`),
  ];
  writeFileSync(join(dir, file), `${lines.join("\n")}\n`);
}

/** Runs `fn` with the environment variable `name` set to `value`, then restores it (or unsets it again). */
export async function withEnv<T>(name: string, value: string, fn: () => Promise<T>): Promise<T> {
  const saved = process.env[name];
  process.env[name] = value;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env[name];
    else process.env[name] = saved;
  }
}

/** SIGKILLs a provider host and checks its process is gone. */
export async function kill(host: ProviderHost): Promise<void> {
  const pid = host.pid;
  expect(pid).toBeDefined();
  await host.stop();
  expect(() => process.kill(pid as number, 0)).toThrow(/ESRCH/);
}

/**
 * The provider hosts of a kill-and-resume test: each configured with the CANARY token as `pulumi up`
 * configures it; `live` is the one the next test starts with (the one that survived the previous kill).
 */
export class KillableHosts {
  readonly all: ProviderHost[] = [];
  live!: ProviderHost;

  /** A fresh provider host, configured like `pulumi up` configures it; it becomes the live one. */
  async start(): Promise<ProviderHost> {
    const { ProviderHost } = require("../support/provider-host") as typeof import("../support/provider-host");
    const host = await ProviderHost.start();
    this.all.push(host);
    await host.configure({ "cloudpartner:accessToken": CANARY });
    this.live = host;
    return host;
  }

  stop(): Promise<unknown> {
    return Promise.all(this.all.map((h) => h.stop()));
  }
}

/**
 * The kill-and-resume flow that is the same for both APIs: a first `pulumi up` timed out and the engine saved
 * the partial state; the next one resumes it with update and is killed mid-poll; a killed update leaves the
 * saved state as it was, so the following `pulumi up` updates it again on a new host (while `finish` ends the
 * long-running job once the new host polls it). Returns the saved state and what the last update answered.
 */
export async function killMidUpdateThenResume(options: {
  hosts: KillableHosts;
  providerText: string;
  inputs: (extra?: Record<string, unknown>) => Record<string, unknown>;
  polls: () => number;
  finish: () => Promise<void>;
}): Promise<{ saved: InitError; updated: { properties: Props } }> {
  const { decodeInitError } =
    require("../support/provider-host") as typeof import("../support/provider-host");
  const first = options.hosts.live;
  const timedOut = await first
    .create((await first.check({}, options.inputs({ timeoutSeconds: 0.2 }))).inputs)
    .catch((e: unknown) => e);
  const saved = decodeInitError(timedOut);
  expect(saved?.properties).toMatchObject({ status: "running", __provider: options.providerText });
  if (!saved) throw new Error("the timed-out create saved no partial state");

  const news = (await first.check(saved.properties, options.inputs())).inputs;
  expect(await first.diff(saved.id, saved.properties, news)).toMatchObject({ changes: true, replaces: [] });
  const pollsBefore = options.polls();
  const updating = first.update(saved.id, saved.properties, news).catch((e: unknown) => e);
  await waitFor(() => options.polls() >= pollsBefore + 3, "the update to be polling");
  await kill(first);
  expect(decodeInitError(await updating)).toBeUndefined();

  const second = await options.hosts.start();
  const [updated] = await Promise.all([second.update(saved.id, saved.properties, news), options.finish()]);
  return { saved, updated };
}

/** `pulumi refresh --clear-pending-creates`, then `pulumi up`: check + create again on a new host. */
export async function createAgainOnNewHost(
  hosts: KillableHosts,
  inputs: Record<string, unknown>,
  finish: () => Promise<void>,
) {
  const second = await hosts.start();
  const again = (await second.check({}, inputs)).inputs;
  const [created] = await Promise.all([second.create(again), finish()]);
  return created;
}
