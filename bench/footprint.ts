/**
 * Provider footprint: the size of the serialized `__provider` (it is stored in every resource's state) and
 * the dynamic provider host's cold start to the first `create` completing, each against a baseline:
 * a naive provider (undici imported at module scope, the go-live inline) and a bare host running a trivial
 * provider (start → configure → first `check`). Needs `npm run build` (our provider loads dist/).
 *
 *   npm run build && npx ts-node --transpile-only bench/footprint.ts
 */

import * as pulumi from "@pulumi/pulumi";
import { startSimulator } from "../emulator/server";
import { ProviderHost, serializedProvider } from "../tests/support/provider-host";
import { naiveProvider } from "./lib/naive-provider";
import { processMemory, requireBuiltProvider } from "./lib/process-info";
import { type BenchReport, progress, runStandalone } from "./lib/report";
import { count, fixed, median } from "./lib/stats";

const TOKEN = "test-token";
const ROUNDS = 5;

const trivialProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news) {
    return { inputs: news };
  },
  async create() {
    return { id: "trivial" };
  },
};

async function serialize(provider: pulumi.dynamic.ResourceProvider): Promise<string> {
  return (await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: false })).text;
}

interface ColdStart {
  /** Spawn → the host printed its port. */
  startMs: number;
  /** Spawn → first check answered. */
  checkMs: number;
  /** Spawn → first create answered (bare: same as check). */
  readyMs: number;
  peakRssMiB: number;
  error?: string;
}

export async function main(): Promise<BenchReport> {
  requireBuiltProvider();
  const sim = await startSimulator({ quiet: true, acceptedTokens: [TOKEN] });
  try {
    const texts = {
      ours: await serializedProvider(),
      naive: await serialize(naiveProvider),
      trivial: await serialize(trivialProvider),
    };
    const bytes = (text: string) => Buffer.byteLength(text, "utf8");
    let counter = 0;
    const newOffer = () => {
      const offerId = `cold-${++counter}`;
      // A go-live whose one step takes no time is over at once: create = lookup + POST + one poll. (Not
      // `steps: []`: outs would then hold `currentStep: undefined`, which the host cannot encode.)
      sim.addOffer({
        publisherId: "fp",
        offerId,
        goLive: { steps: [{ id: "live", stepName: "Live", durationSeconds: 0 }] },
      });
      return offerId;
    };

    /** Spawns a host and times it to its first check (and create, unless bare). */
    const coldStart = async (kind: "bare" | "ours" | "naive"): Promise<ColdStart> => {
      const started = performance.now();
      const host = await ProviderHost.start(kind === "naive" ? { CLOUDPARTNER_ACCESS_TOKEN: TOKEN } : {});
      const startMs = performance.now() - started;
      try {
        await host.configure(kind === "ours" ? { "cloudpartner:accessToken": TOKEN } : {});
        const news =
          kind === "bare"
            ? { name: "x", __provider: texts.trivial }
            : {
                publisherId: "fp",
                offerId: newOffer(),
                endpoint: sim.url,
                pollIntervalSeconds: 0.05,
                __provider: kind === "ours" ? texts.ours : texts.naive,
              };
        const checked = await host.check({}, news);
        const checkMs = performance.now() - started;
        let error: string | undefined;
        if (kind !== "bare") {
          try {
            const created = await host.create(checked.inputs);
            if (created.properties.status !== "succeeded") error = `ended ${created.properties.status}`;
          } catch (cause) {
            error = (cause as Error).message.split("\n")[0];
          }
        }
        const readyMs = performance.now() - started;
        return { startMs, checkMs, readyMs, peakRssMiB: processMemory(host.pid ?? 0).peakRssMiB, error };
      } finally {
        await host.stop();
      }
    };

    const runs: Record<"bare" | "ours" | "naive", ColdStart[]> = { bare: [], ours: [], naive: [] };
    const order: Array<"bare" | "ours" | "naive"> = ["bare", "ours", "naive"];
    for (let round = 0; round < ROUNDS; round++) {
      progress(`cold starts, round ${round + 1}/${ROUNDS}`);
      for (const kind of round % 2 ? [...order].reverse() : order) runs[kind].push(await coldStart(kind));
    }
    const med = (kind: keyof typeof runs, field: "startMs" | "checkMs" | "readyMs" | "peakRssMiB") =>
      median(runs[kind].map((r) => r[field]));
    const overheadMs = med("ours", "readyMs") - med("bare", "readyMs");
    const errors = (kind: keyof typeof runs) => {
      const failed = runs[kind].filter((r) => r.error);
      return failed.length ? `${failed.length}/${ROUNDS} failed: ${failed[0]?.error}` : "all succeeded";
    };
    const row = (label: string, kind: keyof typeof runs, what: string) => [
      label,
      what,
      `${fixed(med(kind, "startMs"), 0)} ms`,
      `${fixed(med(kind, "checkMs"), 0)} ms`,
      `${fixed(med(kind, "readyMs"), 0)} ms`,
      kind === "bare" ? "—" : `+${fixed(med(kind, "readyMs") - med("bare", "readyMs"), 0)} ms`,
      `${fixed(med(kind, "peakRssMiB"), 1)} MiB`,
      kind === "bare" ? "—" : errors(kind),
    ];

    return {
      name: "footprint",
      title: "Provider footprint: serialized size and host cold start",
      method:
        "Sizes are `pulumi.runtime.serializeFunction` output, as stored in state as `__provider`. Cold start spawns Pulumi's " +
        "dynamic provider host (the process the engine starts per deployment) and drives it over gRPC: configure, then " +
        "check and create of one go-live against the in-process simulator (a go-live over at once: lookup, POST and one " +
        `poll), timed from spawn; the baseline host runs a trivial provider to its first check. Median of ${ROUNDS} rounds, ` +
        "order alternating each round; RSS is the host's VmHWM when the first create (or check) has answered.",
      tables: [
        {
          title: "Serialized __provider",
          headers: ["provider", "bytes", "what it captures"],
          rows: [
            [
              "ours (thin provider, resource.ts)",
              count(bytes(texts.ours)),
              "two strings; requires dist/provider/provider.js at run time",
            ],
            [
              "naive (bench/lib/naive-provider.ts)",
              count(bytes(texts.naive)),
              "the whole go-live inline; undici as `require(...)`",
            ],
            ["trivial (check/create returning constants)", count(bytes(texts.trivial)), "nothing"],
          ],
          notes: [
            'Pulumi serializes the naive provider\'s module-scope undici as `require("undici/index.js")` here (undici 8 in node_modules), not as a copy of its code; its size is its inline logic.',
          ],
        },
        {
          title: `Host cold start (median of ${ROUNDS})`,
          headers: [
            "host running",
            "measured until",
            "port printed",
            "first check",
            "ready",
            "vs bare host",
            "peak RSS",
            "creates",
          ],
          rows: [
            row("trivial provider (bare host)", "bare", "first check"),
            row("ours", "ours", "first create done"),
            row("naive", "naive", "first create done"),
          ],
          notes: [
            `Per-round ready times, ours: ${runs.ours.map((r) => fixed(r.readyMs, 0)).join(", ")} ms; bare: ${runs.bare.map((r) => fixed(r.readyMs, 0)).join(", ")} ms.`,
            "Ours pays for loading dist/provider (client, undici) on the first call and three HTTP round trips; the naive one loads undici and makes two.",
          ],
        },
      ],
      goals: [
        {
          goal: "serialized __provider size",
          target: "< 8 KB (8 192 bytes)",
          measured: `${count(bytes(texts.ours))} bytes`,
          met: bytes(texts.ours) < 8192,
        },
        {
          goal: "cold start to first create, beyond the bare host's first check",
          target: "< 300 ms",
          measured: `+${fixed(overheadMs, 0)} ms (${fixed(med("ours", "readyMs"), 0)} vs ${fixed(med("bare", "readyMs"), 0)} ms)`,
          met: overheadMs < 300 && runs.ours.every((r) => !r.error),
        },
      ],
      raw: {
        runs,
        sizes: { ours: bytes(texts.ours), naive: bytes(texts.naive), trivial: bytes(texts.trivial) },
      },
    };
  } finally {
    await sim.close();
  }
}

if (require.main === module) runStandalone(main);
