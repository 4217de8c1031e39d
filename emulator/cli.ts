/**
 * Run the simulator (CPP API, and the Product Ingestion API under /rp/product-ingestion/) as a process:
 *   ts-node tests/simulator/cli.ts --port 8080 [--host 127.0.0.1] [--seed file.json] [--time-scale 1000]
 *     [--token t1,t2] [--no-auth] [--quiet] [--json]
 * Prints `CPP simulator listening on <url>` and `Product Ingestion API on <url>/rp/product-ingestion`
 * (and `{"url": ...}` with --json), then one line per request. A --seed file may hold `offers` and
 * `ingestionProducts`.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { INGESTION_PREFIX, parseIngestionSeed, parseSeed, startSimulator } from "./server";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "0" },
      host: { type: "string", default: "127.0.0.1" },
      seed: { type: "string" },
      "time-scale": { type: "string", default: "1" },
      token: { type: "string" },
      "no-auth": { type: "boolean", default: false },
      quiet: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
    strict: true,
  });
  const port = Number(values.port);
  const timeScale = Number(values["time-scale"]);
  if (!Number.isInteger(port) || port < 0)
    throw new Error(`--port must be a port number, got '${values.port}'`);
  if (!(timeScale > 0))
    throw new Error(`--time-scale must be a positive number, got '${values["time-scale"]}'`);
  // `--token ""` or --no-auth disables auth, like acceptedTokens: [].
  const acceptedTokens = values["no-auth"]
    ? []
    : values.token
        ?.split(",")
        .map((token) => token.trim())
        .filter(Boolean);

  const seed: unknown = values.seed ? JSON.parse(readFileSync(values.seed, "utf8")) : undefined;
  const simulator = await startSimulator({
    port,
    host: values.host,
    timeScale,
    acceptedTokens,
    offers: seed ? parseSeed(seed) : undefined,
    ingestion: seed ? { products: parseIngestionSeed(seed) } : undefined,
    quiet: values.quiet,
    log: (line) => console.log(line),
  });
  console.log(`CPP simulator listening on ${simulator.url}`);
  console.log(`Product Ingestion API on ${simulator.url}${INGESTION_PREFIX}`);
  if (values.json) console.log(JSON.stringify({ url: simulator.url }));

  const shutdown = (): void => {
    simulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
