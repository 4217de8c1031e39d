/**
 * The CPP simulator in its own process (emulator/cli.ts under ts-node), so a throughput benchmark's
 * client and server do not share one event loop (or one core of two). Driven through its control API (/_emulator/v1).
 */

import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import type { OfferSeed, OfferView } from "../../emulator/types";

const ROOT = path.resolve(__dirname, "../..");

export class SimulatorProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    /** The control API takes the same bearer token as the API. */
    private readonly token: string,
  ) {}

  static async start(options: { timeScale?: number; token?: string } = {}): Promise<SimulatorProcess> {
    const child = spawn(
      process.execPath,
      [
        "-r",
        "ts-node/register/transpile-only",
        path.join(ROOT, "emulator/cli.ts"),
        "--port",
        "0",
        "--quiet",
        "--json",
        "--time-scale",
        String(options.timeScale ?? 1),
        "--token",
        options.token ?? "test-token",
      ],
      {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
      },
    );
    let stdout = "";
    let stderr = "";
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`simulator did not start: ${stderr}`)), 30_000);
      child.stdout?.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        // --json: the first line is `{"url": ..., "cppEndpoint": ..., "token": ...}`.
        const line = stdout.split("\n").find((l) => l.startsWith("{") && l.endsWith("}"));
        if (line) {
          clearTimeout(timer);
          resolve((JSON.parse(line) as { url: string }).url);
        }
      });
      child.stderr?.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`simulator exited (${code}): ${stderr}`));
      });
    });
    return new SimulatorProcess(child, url, options.token ?? "test-token");
  }

  async control(method: "GET" | "POST", route: string, body?: unknown): Promise<unknown> {
    const { request } = require("undici") as typeof import("undici");
    const response = await request(`${this.url}/_emulator/v1/${route}`, {
      method,
      headers: { "content-type": "application/json", authorization: `Bearer ${this.token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.body.text();
    if (response.statusCode >= 400)
      throw new Error(`/_emulator/v1/${route}: HTTP ${response.statusCode} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }

  reset(): Promise<unknown> {
    return this.control("POST", "reset");
  }

  async addOffer(seed: OfferSeed): Promise<OfferView> {
    return (await this.control("POST", "offers", seed)) as OfferView;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill("SIGTERM");
    await exited;
  }
}
