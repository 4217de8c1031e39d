/**
 * Soak: 50 go-lives at once through the provider class (in-process, the code the provider host runs),
 * against a simulator that faults 20% of all API requests (503, 500, connection reset, truncated JSON;
 * POSTs only get the faults that skip processing). Every offer must end succeeded with exactly one go-live
 * POST processed, nothing may reject unhandled, and memory must stay roughly flat.
 *
 * `RELIABILITY_REPORT_DIR=dir npx jest tests/reliability/soak.test.ts` writes the figures to dir/soak.md.
 */

import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { StaticTokenProvider } from "../../provider/core/auth";
import { PooledTransport } from "../../provider/core/http";
import { OfferGoLiveProvider, ResourceInitError } from "../../provider/resources";
import type { CppSimulator } from "../simulator/server";
import { withSimulator } from "../support/harness";
import { CANARY, scaledClock } from "./helpers";

const OFFERS = 50;
const SEED = 20_261_125;

/** A `gc()` even without --expose-gc, so heap figures are comparable; undefined if the runtime refuses. */
function collector(): (() => void) | undefined {
  try {
    require("node:v8").setFlagsFromString("--expose-gc");
    return require("node:vm").runInNewContext("gc") as () => void;
  } catch {
    return undefined;
  }
}

/** The real process object (Jest's sandbox has a copy whose listeners never fire). */
const realProcess: NodeJS.Process = require("node:vm").runInThisContext("process");

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

let sim: CppSimulator;

beforeAll(async () => {
  // A default go-live (~3.2 simulated days) takes ~2.8 s here: long enough for dozens of polls per offer.
  sim = await withSimulator({ timeScale: 100_000, acceptedTokens: [CANARY] });
});

afterAll(async () => {
  await sim?.close();
});

test(`${OFFERS} go-lives at once under 20% random faults: all succeed, one POST each`, async () => {
  const gc = collector();
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  realProcess.on("unhandledRejection", onRejection);

  const offerIds = Array.from({ length: OFFERS }, (_, i) => `soak-${i + 1}`);
  for (const offerId of offerIds) sim.addOffer({ publisherId: "contoso", offerId });
  const transport = new PooledTransport();
  const lines: string[] = [];
  let reruns = 0;
  const provider = new OfferGoLiveProvider({
    tokenProvider: new StaticTokenProvider(CANARY),
    transport,
    // Every wait 100× shorter: the default 1 s backoff base becomes 10 ms, a 5 s poll interval 50 ms.
    clock: scaledClock(100),
    log: (line) => lines.push(line),
    heartbeatIntervalMs: 60_000,
  });

  // Warm-up (no faults): load undici and JIT the hot paths, so the heap reading compares steady states.
  sim.addOffer({
    publisherId: "contoso",
    offerId: "soak-warmup",
    goLive: { steps: [{ id: "live", stepName: "Live", durationSeconds: 1_000 }] },
  });
  await deploy("soak-warmup");
  sim.requests.length = 0;
  gc?.();
  const before = realProcess.memoryUsage();
  const startedAt = Date.now();
  sim.setRandomFaults({ rate: 0.2, seed: SEED });

  /** `pulumi up` for one offer, repeated (as a person would) if a deployment fails; at most 3 runs. */
  async function deploy(offerId: string): Promise<Record<string, unknown>> {
    const news = {
      publisherId: "contoso",
      offerId,
      endpoint: sim.url,
      pollIntervalSeconds: 5,
      maxPollIntervalSeconds: 10,
    };
    const { inputs, failures } = await provider.check({}, news);
    expect(failures).toEqual([]);
    let saved: ResourceInitError | undefined;
    for (let run = 1; ; run++) {
      try {
        if (!saved) return (await provider.create(inputs)).outs;
        return (await provider.update(saved.id, saved.properties, inputs)).outs ?? {};
      } catch (error) {
        if (run >= 3) throw error;
        reruns++;
        if (error instanceof ResourceInitError) saved = error;
      }
    }
  }

  const outcomes = await Promise.allSettled(offerIds.map(deploy));
  const elapsedMs = Date.now() - startedAt;
  sim.setRandomFaults(undefined);
  await transport.close();
  await new Promise((resolve) => setImmediate(resolve));
  realProcess.off("unhandledRejection", onRejection);

  const failed = outcomes.flatMap((o, i) => (o.status === "rejected" ? [`${offerIds[i]}: ${o.reason}`] : []));
  expect(failed).toEqual([]);
  const statuses = outcomes.map((o) => (o.status === "fulfilled" ? o.value.status : "rejected"));
  expect(new Set(statuses)).toEqual(new Set(["succeeded"]));
  expect(offerIds.map((id) => sim.goLivePosts("contoso", id))).toEqual(offerIds.map(() => 1));
  expect(rejections).toEqual([]);
  expect(lines.join("\n")).not.toContain(CANARY);

  const requests = sim.requests.length;
  const faultCounts: Record<string, number> = {};
  for (const r of sim.requests) {
    if (r.fault === undefined) continue;
    const key = `${r.method} ${r.kind} ${r.fault}`;
    faultCounts[key] = (faultCounts[key] ?? 0) + 1;
  }
  const faulted = Object.values(faultCounts).reduce((a, b) => a + b, 0);
  const byFault = Object.entries(faultCounts).sort(([a], [b]) => a.localeCompare(b));
  const posts = offerIds.reduce((n, id) => n + sim.goLivePosts("contoso", id), 0);
  // Drop what the test itself holds (the simulator's request log) before measuring what the provider kept.
  sim.requests.length = 0;
  gc?.();
  const after = realProcess.memoryUsage();
  const heapGrowth = after.heapUsed - before.heapUsed;
  if (gc) expect(heapGrowth).toBeLessThan(64 * 1024 * 1024);

  const figures = [
    `| figure | value |`,
    `|---|---|`,
    `| offers | ${OFFERS} |`,
    `| wall time | ${(elapsedMs / 1000).toFixed(2)} s |`,
    `| API requests | ${requests} (${(requests / (elapsedMs / 1000)).toFixed(0)}/s) |`,
    `| faults injected | ${faulted} (${((100 * faulted) / requests).toFixed(1)}%) |`,
    ...byFault.map(([key, count]) => `| · ${key} | ${count} |`),
    `| go-live POSTs processed | ${posts} |`,
    `| TCP connections opened | ${sim.connections} |`,
    `| deployments re-run after a failure | ${reruns} |`,
    `| unhandled rejections | ${rejections.length} |`,
    `| heap used before → after (gc ${gc ? "forced" : "unavailable"}) | ${mb(before.heapUsed)} → ${mb(after.heapUsed)} (${heapGrowth >= 0 ? "+" : ""}${mb(heapGrowth)}) |`,
    `| RSS before → after | ${mb(before.rss)} → ${mb(after.rss)} |`,
    `| simulator request log | dropped before the heap reading (${requests} entries) |`,
  ];
  const dir = process.env.RELIABILITY_REPORT_DIR;
  if (dir) writeFileSync(path.join(dir, "soak.md"), `${figures.join("\n")}\n`);
});
