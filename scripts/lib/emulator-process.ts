/**
 * The emulator as a user runs it: `pulumi-cloudpartner emulator` (the compiled CLI in dist/, as `npx` would
 * start it), in its own process, driven through its control API with its bearer token.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import type { IngestionProductSeed, OfferSeed, RequestLogEntry } from "../../emulator/types";

const ROOT = path.resolve(__dirname, "../..");

export class EmulatorProcess {
  private constructor(
    private readonly child: ChildProcess,
    /** The CPP endpoint (the ingestion endpoint is `${url}/rp/product-ingestion`). */
    readonly url: string,
    private readonly token: string,
  ) {}

  static async start(options: { token: string; timeScale: number }): Promise<EmulatorProcess> {
    const cli = path.join(ROOT, "dist/provider/cli.js");
    const args = ["emulator", "--port", "0", "--json", "--quiet", "--token", options.token];
    const child = spawn(process.execPath, [cli, ...args, "--time-scale", String(options.timeScale)], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the emulator did not start: ${stderr}`)), 30_000);
      child.stdout?.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        const line = stdout.split("\n").find((l) => l.startsWith("{") && l.endsWith("}"));
        if (!line) return;
        clearTimeout(timer);
        resolve((JSON.parse(line) as { cppEndpoint: string }).cppEndpoint);
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the emulator exited (${code}): ${stderr}`));
      });
    });
    return new EmulatorProcess(child, url, options.token);
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
