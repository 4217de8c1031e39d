/**
 * The emulator as a user runs it: `pulumi-cloudpartner emulator` (the compiled CLI in dist/, as `npx` would
 * start it), in its own process, driven through its control API with its bearer token.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import type { IngestionProductSeed, OfferSeed, RequestLogEntry } from "../../emulator/types";

const ROOT = path.resolve(__dirname, "../..");

/** What `pulumi-cloudpartner emulator --json` prints as its first JSON line (the fields these callers read). */
export interface EmulatorInfo {
  cppEndpoint: string;
  pid: number;
}

export interface SpawnedEmulator {
  child: ChildProcess;
  info: EmulatorInfo;
  /** The exit code, once the process ended. */
  exited: Promise<number | null>;
}

/** The arguments every caller starts the emulator with: any free port, its JSON line, no request lines. */
export function emulatorArgs(token: string): string[] {
  return ["emulator", "--port", "0", "--json", "--quiet", "--token", token];
}

/**
 * Starts `command args` (the emulator command, however it is reached: node and the compiled CLI, or `npx`)
 * and resolves once it printed its JSON line; rejects, with what it printed on stderr, if it exits first or
 * prints nothing within `timeoutMs` (then it is killed).
 */
export async function spawnEmulator(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<SpawnedEmulator> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let stdout = "";
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const info = await new Promise<EmulatorInfo>((resolve, reject) => {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the emulator did not start within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split("\n").find((l) => l.startsWith("{") && l.endsWith("}"));
      if (!line) return;
      clearTimeout(timer);
      resolve(JSON.parse(line) as EmulatorInfo);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the emulator exited (${code}): ${stderr}`));
    });
  });
  return { child, info, exited };
}

export class EmulatorProcess {
  private constructor(
    private readonly child: ChildProcess,
    /** The CPP endpoint (the ingestion endpoint is `${url}/rp/product-ingestion`). */
    readonly url: string,
    private readonly token: string,
  ) {}

  static async start(options: { token: string; timeScale: number }): Promise<EmulatorProcess> {
    const cli = path.join(ROOT, "dist/provider/cli.js");
    const { child, info } = await spawnEmulator(
      process.execPath,
      [cli, ...emulatorArgs(options.token), "--time-scale", String(options.timeScale)],
      { cwd: ROOT },
    );
    return new EmulatorProcess(child, info.cppEndpoint, options.token);
  }

  async control<T>(method: "GET" | "POST", route: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}/_emulator/v1/${route}`, {
      method,
      headers: { Authorization: `Bearer ${this.token}`, "Content-Type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} /_emulator/v1/${route}: HTTP ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  addOffer(seed: OfferSeed): Promise<unknown> {
    return this.control("POST", "offers", seed);
  }

  addProduct(seed: IngestionProductSeed): Promise<unknown> {
    return this.control("POST", "ingestion/products", seed);
  }

  /** The request log (token redacted). */
  requests(): Promise<RequestLogEntry[]> {
    return this.control("GET", "requests");
  }

  /** Go-lives that reached the API, on either API (`?kind=golive&processed=true&count=true`). */
  async goLives(offerId?: string): Promise<number> {
    const query = `kind=golive&processed=true&count=true${offerId ? `&offerId=${encodeURIComponent(offerId)}` : ""}`;
    return (await this.control<{ count: number }>("GET", `requests?${query}`)).count;
  }

  /** SIGTERM: the emulator stops cleanly. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill("SIGTERM");
    await exited;
  }
}
