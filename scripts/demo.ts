/**
 * `npm run demo`: the main job of this repository, end to end on one machine. Starts the emulator (the
 * `pulumi-cloudpartner emulator` command, in its own process, as a user would) with a sample offer whose
 * go-live takes about 30 seconds, then runs the real `pulumi up` against it with a throwaway
 * local backend, shows the progress and outputs, and tears everything down.
 *
 * - `npm run demo`: examples/golive on the Cloud Partner Portal API (one `pulumi up`).
 * - `npm run demo -- --api ingestion`: examples/ingestion-golive on the Product Ingestion API: a first
 *   `pulumi up` publishes to preview and stops there (the review gate), `pulumi config set goLive true`, and a
 *   second `pulumi up` goes live.
 * - `npm run demo -- --release`: examples/image-release on the CPP API, the whole release pipeline: version A
 *   and its publish, the go-live after the review gate, version B the same way, and the same program once more;
 *   prints what each `pulumi up` sent (offer writes, publishes, go-lives) from the simulator's request log.
 * - `npm run demo -- --release --api ingestion`: the same five `pulumi up`s on the Product Ingestion API, against
 *   a live product whose plan has a technical configuration; prints the configure POSTs of each `pulumi up`
 *   (of the technical configuration, to preview, to live).
 */

import * as path from "node:path";
import { parseArgs } from "node:util";
import type { RequestLogEntry } from "../emulator/types";
import { EmulatorProcess } from "./lib/emulator-process";
import { ensurePulumiCli, LocalStack, linkSelfPackage, REPO_ROOT } from "./lib/pulumi-cli";
import {
  countsLine,
  type ReleaseApi,
  type ReleaseStep,
  releaseConfig,
  releaseCounts,
  releaseOffer,
  releaseProduct,
  releaseSteps,
} from "./lib/release";

/** The default go-live plan simulates about 3.2 days; this scale plays it in about 30 seconds. */
const TIME_SCALE = 9_500;
const TOKEN = "demo-token";
const INGESTION_OFFER = "ing-new-offer";
const RELEASE_OFFER = "contoso-release";

function say(line: string): void {
  process.stdout.write(`\n\u001b[1m== ${line}\u001b[0m\n`);
}

interface DemoPlan {
  project: string;
  config: Record<string, string>;
  /** Secret config of the stack, besides the token. */
  secrets?: Record<string, string>;
  /** The `pulumi up`s to run, with the config (and secret config) set before each. */
  ups: Array<{ title: string; config?: Record<string, string>; secrets?: Record<string, string> }>;
  /** The summary lines, given the requests each `pulumi up` sent (in order). */
  summary(sim: EmulatorProcess, perUp: RequestLogEntry[][]): Promise<string[]>;
}

async function planFor(api: ReleaseApi, release: boolean, sim: EmulatorProcess): Promise<DemoPlan> {
  const polling = { pollIntervalSeconds: "0.5", maxPollIntervalSeconds: "2" };
  if (release) {
    if (api === "ingestion") await sim.addProduct(releaseProduct(RELEASE_OFFER));
    else await sim.addOffer(releaseOffer(RELEASE_OFFER));
    const steps = releaseSteps(api);
    return {
      project: "examples/image-release",
      // The first step's config from the start, so the preview has a complete program.
      config: { ...releaseConfig(RELEASE_OFFER, sim.url, api), ...polling, ...steps[0]?.config },
      secrets: steps[0]?.secrets,
      ups: steps.map((step, i) => ({
        title: `up ${i + 1}: ${step.title}`,
        config: step.config,
        secrets: step.secrets,
      })),
      summary: async (_s, perUp) => releaseSummary(api, steps, perUp),
    };
  }
  if (api === "ingestion") {
    return {
      project: "examples/ingestion-golive",
      config: { offerId: INGESTION_OFFER, endpoint: `${sim.url}/rp/product-ingestion`, ...polling },
      ups: [
        { title: "pulumi up --yes (publish to preview; stops when the preview is ready for review)" },
        {
          title: "pulumi config set goLive true && pulumi up --yes (the go-live)",
          config: { goLive: "true" },
        },
      ],
      summary: async (s, perUp) => {
        const configures = perUp
          .flat()
          .filter(
            (r) =>
              r.offerId === INGESTION_OFFER && r.kind === "configure" && r.method === "POST" && r.processed,
          );
        return [
          `${configures.length} configure requests (one preview, one live; ${await s.goLives(INGESTION_OFFER)} go-live), ` +
            `${(await s.requests()).length} API requests in all`,
        ];
      },
    };
  }
  return {
    project: "examples/golive",
    config: { publisherId: "contoso", offerId: "contoso-offer", endpoint: sim.url, ...polling },
    ups: [{ title: "pulumi up --yes" }],
    summary: async (s) => [
      `${await s.goLives("contoso-offer")} go-live request, ${(await s.requests()).length} API requests in all`,
    ],
  };
}

/** One line per `pulumi up` with what it sent, and whether that is what the step must send. */
function releaseSummary(api: ReleaseApi, steps: ReleaseStep[], perUp: RequestLogEntry[][]): string[] {
  const total = releaseCounts(perUp.flat(), RELEASE_OFFER, api);
  const lines = steps.map((step, i) => {
    const counts = releaseCounts(perUp[i] ?? [], RELEASE_OFFER, api);
    const expected = { ...counts, ...step.expected };
    const ok = JSON.stringify(counts) === JSON.stringify(expected);
    return `up ${i + 1}: ${countsLine(counts, api)}${ok ? "" : ` — EXPECTED ${countsLine(expected, api)}`}`;
  });
  return [`${steps.length} pulumi ups, in all ${countsLine(total, api)}; per up:`, ...lines];
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { api: { type: "string", default: "cpp" }, release: { type: "boolean", default: false } },
  });
  const api = values.api ?? "cpp";
  if (api !== "cpp" && api !== "ingestion") throw new Error(`--api must be cpp or ingestion, got ${api}`);

  say("Pulumi CLI (built from Go modules on first use; cached afterwards)");
  const cliBinDir = await ensurePulumiCli();
  linkSelfPackage();

  const sim = await EmulatorProcess.start({ timeScale: TIME_SCALE, token: TOKEN });
  say(
    `pulumi-cloudpartner emulator on ${sim.url} (${api === "ingestion" ? "Product Ingestion API" : "CPP"}; ` +
      `time scale ${TIME_SCALE}x: days of publishing play in seconds)`,
  );
  const plan = await planFor(api, values.release ?? false, sim);
  const stack = new LocalStack({
    projectDir: path.join(REPO_ROOT, plan.project),
    stackName: "demo",
    cliBinDir,
    echo: true,
  });
  const started = Date.now();
  try {
    await stack.init(plan.config, { "cloudpartner:accessToken": TOKEN, ...plan.secrets });
    say("pulumi preview (sends nothing to the API)");
    await stack.ok(["preview"]);
    const perUp: RequestLogEntry[][] = [];
    for (const up of plan.ups) {
      for (const [key, value] of Object.entries(up.config ?? {}))
        await stack.ok(["config", "set", key, value]);
      for (const [key, value] of Object.entries(up.secrets ?? {}))
        await stack.ok(["config", "set", "--secret", key, value]);
      say(up.title);
      const before = (await sim.requests()).length;
      const result = await stack.run(["up", "--yes"]);
      perUp.push((await sim.requests()).slice(before));
      if (result.code !== 0) {
        say(`pulumi up failed (exit ${result.code})`);
        return result.code;
      }
    }
    const outputs = await stack.run(["stack", "output", "--json"]);
    if (outputs.code !== 0) return outputs.code;
    const [first, ...rest] = await plan.summary(sim, perUp);
    say(`done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${first}`);
    for (const line of rest) process.stdout.write(`   ${line}\n`);
    return rest.some((line) => line.includes("EXPECTED")) ? 1 : 0;
  } finally {
    stack.dispose();
    await sim.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  },
);
