/**
 * `pulumi-cloudpartner emulator`: the emulator of the Cloud Partner Portal API and the Product Ingestion API as
 * one process (also `node dist/emulator/cli.js`, or `npm run simulator` in a checkout). See emulator/README.md.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import path from "node:path";
import { parseArgs } from "node:util";
import { CONTROL_PREFIX } from "./control";
import { INGESTION_PREFIX, parseIngestionSeed, parseSeed, startSimulator } from "./server";

export const DEFAULT_PORT = 7380;

export const EMULATOR_USAGE = `Usage: pulumi-cloudpartner emulator [options]

Serves the Cloud Partner Portal API (at its root) and the Product Ingestion API (under /rp/product-ingestion)
from one process, with a control API under ${CONTROL_PREFIX}/. Prints the endpoints and the token to use.

Options:
  --port <n>          Port (default ${DEFAULT_PORT}; 0: any free port)
  --host <address>    Address to bind (default 127.0.0.1)
  --allow-remote      Needed to bind an address other than loopback (anyone who can reach it and has the
                      token can drive the emulator)
  --state <file>      Keep offers, operations, products and the request log in this file (atomic writes);
                      a restart resumes from it. Default: in memory only
  --seed <file>       Offers and ingestion products to start with (JSON; see emulator/seed.schema.json)
                      when there is no state yet. Default: the built-in seed
  --time-scale <k>    Simulated seconds per real second (default 1; e.g. 1000 turns a day into 86 s)
  --token <t[,t2]>    The bearer token(s) the APIs and the control API accept. Default: a random one, printed
  --no-auth           Accept any request without a token (loopback only)
  --quiet             No line per request
  --json              Print the endpoints as one JSON line (first line of stdout)
  -h, --help          Show this help

Stops on Ctrl-C or SIGTERM, writing the state file first.
`;

export interface EmulatorIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Aborting it stops the emulator. */
  signal?: AbortSignal;
}

function isLoopback(host: string): boolean {
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  return host === "::1" || host === "0:0:0:0:0:0:0:1";
}

class UsageError extends Error {}

interface EmulatorArgs {
  port: number;
  host: string;
  state?: string;
  seed?: string;
  timeScale: number;
  tokens: string[];
  generatedToken: boolean;
  quiet: boolean;
  json: boolean;
  writeDelayMs?: number;
  help: boolean;
}

export function parseEmulatorArgs(argv: string[]): EmulatorArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: "string" },
        host: { type: "string" },
        "allow-remote": { type: "boolean" },
        state: { type: "string" },
        seed: { type: "string" },
        "time-scale": { type: "string" },
        token: { type: "string" },
        "no-auth": { type: "boolean" },
        quiet: { type: "boolean" },
        json: { type: "boolean" },
        // Tests of crash safety: every state write stays half-written this long.
        "write-delay-ms": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const help = values.help === true;
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be a port number (0-65535), got '${values.port}'.`);
  const timeScale = values["time-scale"] === undefined ? 1 : Number(values["time-scale"]);
  if (!(timeScale > 0) || !Number.isFinite(timeScale))
    throw new UsageError(`--time-scale must be a positive number, got '${values["time-scale"]}'.`);
  const host = (values.host as string | undefined) ?? "127.0.0.1";
  if (!isLoopback(host) && values["allow-remote"] !== true) {
    throw new UsageError(
      `--host ${host} is not a loopback address: pass --allow-remote too to let other machines reach the emulator.`,
    );
  }
  const noAuth = values["no-auth"] === true;
  if (noAuth && values.token !== undefined) throw new UsageError("--no-auth and --token exclude each other.");
  if (noAuth && !isLoopback(host)) throw new UsageError("--no-auth is refused with a non-loopback --host.");
  const given = (values.token as string | undefined)
    ?.split(",")
    .map((token) => token.trim())
    .filter(Boolean);
  if (values.token !== undefined && given?.length === 0)
    throw new UsageError("--token needs a value (use --no-auth to accept any request).");
  for (const token of given ?? []) {
    if (!/^[\x21-\x7e]{1,512}$/.test(token))
      throw new UsageError("--token must be printable ASCII without spaces (at most 512 characters).");
  }
  const generatedToken = !noAuth && given === undefined;
  const tokens = noAuth ? [] : (given ?? [`emu-${randomBytes(16).toString("hex")}`]);
  let writeDelayMs: number | undefined;
  if (values["write-delay-ms"] !== undefined) {
    writeDelayMs = Number(values["write-delay-ms"]);
    if (!Number.isInteger(writeDelayMs) || writeDelayMs < 0)
      throw new UsageError(
        `--write-delay-ms must be a whole number of milliseconds, got '${values["write-delay-ms"]}'.`,
      );
  }
  return {
    port,
    host,
    ...(values.state !== undefined ? { state: path.resolve(values.state as string) } : {}),
    ...(values.seed !== undefined ? { seed: values.seed as string } : {}),
    timeScale,
    tokens,
    generatedToken,
    quiet: values.quiet === true,
    json: values.json === true,
    ...(writeDelayMs !== undefined ? { writeDelayMs } : {}),
    help,
  };
}

/**
 * Runs the emulator until `io.signal` aborts; resolves to the exit code (0 after a clean stop, 1 when it
 * could not start, 2 for a usage error).
 */
export async function runEmulator(argv: string[], io: EmulatorIo): Promise<number> {
  let args: EmulatorArgs;
  try {
    args = parseEmulatorArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`error: ${error.message}\nRun 'pulumi-cloudpartner emulator --help' for usage.\n`);
    return 2;
  }
  if (args.help) {
    io.stdout(EMULATOR_USAGE);
    return 0;
  }
  let emulator: Awaited<ReturnType<typeof startSimulator>>;
  try {
    const seed: unknown = args.seed ? JSON.parse(readFileSync(args.seed, "utf8")) : undefined;
    emulator = await startSimulator({
      port: args.port,
      host: args.host,
      timeScale: args.timeScale,
      acceptedTokens: args.tokens,
      controlTokens: args.tokens,
      offers: seed ? parseSeed(seed) : undefined,
      ingestion: seed ? { products: parseIngestionSeed(seed) } : undefined,
      ...(args.state ? { stateFile: args.state } : {}),
      ...(args.writeDelayMs !== undefined ? { stateWriteDelayMs: args.writeDelayMs } : {}),
      quiet: args.quiet,
      log: (line) => io.stdout(`${line}\n`),
      onError: (message) => io.stderr(`${message}\n`),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const where = args.seed ? ` (seed ${args.seed})` : "";
    io.stderr(`error: the emulator could not start${where}: ${message}\n`);
    return 1;
  }
  const token = args.tokens[0];
  const info = {
    url: emulator.url,
    cppEndpoint: emulator.url,
    ingestionEndpoint: `${emulator.url}${INGESTION_PREFIX}`,
    controlApi: `${emulator.url}${CONTROL_PREFIX}/`,
    page: `${emulator.url}/`,
    token: token ?? null,
    stateFile: args.state ?? null,
    pid: process.pid,
  };
  if (args.json) io.stdout(`${JSON.stringify(info)}\n`);
  if (!isLoopback(args.host)) {
    io.stderr(
      `warning: the emulator listens on ${args.host}, not only on this machine: anyone who reaches it with the token can read and change its offers.\n`,
    );
  }
  io.stdout(
    [
      "pulumi-cloudpartner emulator: Cloud Partner Portal API and Product Ingestion API",
      `  CPP endpoint        ${info.cppEndpoint}`,
      `  Ingestion endpoint  ${info.ingestionEndpoint}`,
      `  Control API         ${info.controlApi}`,
      `  Web page            ${info.page}${token ? `?token=${token}` : ""}`,
      token
        ? `  Token               ${token}${args.generatedToken ? "  (random; pass --token to choose one)" : ""}`
        : "  Token               none needed (--no-auth)",
      `  State file          ${args.state ?? "none (in memory)"}`,
      `  Time scale          ${args.timeScale} simulated second(s) per second`,
      token ? `Use it: export CLOUDPARTNER_ACCESS_TOKEN=${token}` : "",
      "Ctrl-C or SIGTERM stops it (the state file is written first).",
      "",
    ]
      .filter((line, i, lines) => line !== "" || i === lines.length - 1)
      .join("\n"),
  );
  await new Promise<void>((resolve) => {
    if (io.signal?.aborted) return resolve();
    io.signal?.addEventListener("abort", () => resolve(), { once: true });
  });
  try {
    await emulator.close();
    io.stdout("emulator stopped\n");
    return 0;
  } catch (error) {
    io.stderr(`error while stopping: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

/** As a process: stops on SIGINT or SIGTERM. */
export async function main(argv: string[]): Promise<void> {
  const controller = new AbortController();
  const stop = (): void => {
    controller.abort();
    // A second signal: do not wait any more.
    process.once("SIGINT", () => process.exit(130));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  process.exitCode = await runEmulator(argv, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    signal: controller.signal,
  });
  // Stdin or a stray handle must not keep a stopped emulator alive.
  process.exit();
}

if (require.main === module) void main(process.argv.slice(2));
