/**
 * Polling on the Product Ingestion API: requests per operation and detection lag (job end → the deployment
 * returns) for our provider (`api: "ingestion"`, its default pace) against cloudpub's fixed 300 s job-status
 * poll and a fixed 60 s one, on publishes of hours to 4 days and go-lives of days.
 *
 * Deterministic virtual time: the real OfferPublish / OfferGoLive providers (check + create, IngestionBackend,
 * IngestionClient, the poller) run with a virtual clock and a transport that hands each request to the
 * simulator's own Product Ingestion API handler (tests/simulator/ingestion) reading that same clock, so every
 * answer is what the simulator serves at that virtual instant. The baselines use the same client and the same
 * answers; only the waiting differs.
 *
 *   npx ts-node --transpile-only bench/ingestion-polling.ts
 */

import { StaticTokenProvider } from "../provider/core/auth";
import type { HttpRequest, HttpResponse, HttpTransport } from "../provider/core/http";
import { IngestionBackend } from "../provider/ingestion/backend";
import { jobState } from "../provider/ingestion/parse";
import { OfferGoLiveProvider, OfferPublishProvider } from "../provider/resources";
import { DEFAULT_DEPRECATED_VERSIONS, IngestionApi } from "../tests/simulator/ingestion/api";
import { IngestionStore } from "../tests/simulator/ingestion/store";
import { SimClock } from "../tests/simulator/store";
import { type BenchReport, type Goal, progress, runStandalone, type Table } from "./lib/report";
import { count, fixed, human, mean, pct, percentile, prng } from "./lib/stats";
import { VirtualTime } from "./lib/virtual-time";

const TOKEN = "bench-token";
const ENDPOINT = "https://graph.microsoft.com/rp/product-ingestion";
const HOUR = 3600;
const DAY = 86_400;
/** Our default shortest interval; the lag bound never asks for less. */
const POLL_INTERVAL_S = 60;

type Kind = "publish" | "golive";

interface Spec {
  label: string;
  kind: Kind;
  /** Simulated running time of the job (after its 30 s queue). */
  runSeconds: number;
}

interface Trial {
  poller: string;
  spec: Spec;
  ok: boolean;
  /** GETs sent while waiting, after the configure POST. */
  polls: number;
  /** Every request of the deployment: lookups before the POST, the POST, the polls. */
  requests: number;
  /** Seconds from the job's end to the poller's return. */
  lagSeconds: number;
  /** The job's duration (queue + run), seconds. */
  durationSeconds: number;
}

/** The simulator's clock, read from the virtual timeline. */
class VirtualSimClock extends SimClock {
  constructor(private readonly time: VirtualTime) {
    super(1);
  }
  override nowMs(): number {
    return this.time.now();
  }
  override advance(): void {
    throw new Error("virtual time advances only by waiting");
  }
}

/** Hands every request to the simulator's ingestion handler at the current virtual instant; logs per product. */
class SimulatorTransport implements HttpTransport {
  readonly log = new Map<string, Array<{ method: string; at: number }>>();
  constructor(
    private readonly api: IngestionApi,
    private readonly time: VirtualTime,
  ) {}

  async send(request: HttpRequest): Promise<HttpResponse> {
    const url = new URL(request.url);
    const pathname = url.pathname.replace(/^\/rp\/product-ingestion/, "/rp/product-ingestion");
    const body = request.body ?? "";
    const route = this.api.route(pathname, url.searchParams, body);
    const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
    const { response } = this.api.handle({
      method: request.method,
      pathname,
      route,
      query: url.searchParams,
      headers,
      body,
    });
    const entries = this.log.get(route.offerId ?? "?") ?? [];
    entries.push({ method: request.method, at: this.time.now() });
    this.log.set(route.offerId ?? "?", entries);
    return { status: response.status, headers: response.headers, body: response.body ?? "" };
  }
}

/** Publishes log-uniform 2 h – 4 d, go-lives log-uniform 1 – 5 d (the same set for every poller). */
function specs(): Spec[] {
  const random = prng(12);
  const spread = (n: number, lo: number, hi: number, kind: Kind) =>
    Array.from({ length: n }, (_, i) => ({
      label: `${kind}${String(i).padStart(2, "0")}`,
      kind,
      runSeconds: Math.round(Math.exp(Math.log(lo) + ((i + random()) / n) * (Math.log(hi) - Math.log(lo)))),
    }));
  return [...spread(24, 2 * HOUR, 4 * DAY, "publish"), ...spread(16, DAY, 5 * DAY, "golive")];
}

interface Harness {
  time: VirtualTime;
  store: IngestionStore;
  transport: SimulatorTransport;
}

/** One poller on one operation: a fresh product, started at the current virtual instant. */
type Poller = {
  id: string;
  name: string;
  run(h: Harness, spec: Spec, offerId: string): Promise<boolean>;
};

/** Our provider as `pulumi up` runs it: check, then create, with every default (60 s, then 10% of the age, ≤ 900 s). */
const ours: Poller = {
  id: "ours",
  name: "ours (provider defaults)",
  async run({ time, transport }, spec, offerId) {
    const hooks = { transport, clock: time, tokenProvider: new StaticTokenProvider(TOKEN), log: () => {} };
    const provider =
      spec.kind === "publish" ? new OfferPublishProvider(hooks) : new OfferGoLiveProvider(hooks);
    // A wait longer than the longest operation, so no run stops at the default 4-day timeout.
    const news = { api: "ingestion", offerId, endpoint: ENDPOINT, timeoutSeconds: 30 * DAY, __provider: "x" };
    const checked = await provider.check({}, news);
    if (checked.failures?.length) throw new Error(JSON.stringify(checked.failures));
    const { outs } = await provider.create(checked.inputs);
    return outs.status === "succeeded";
  },
};

/** The same client and start, then the job's status every `seconds` (the first poll at once), as cloudpub does. */
function fixedPoller(seconds: number, id: string, name: string): Poller {
  return {
    id,
    name,
    async run({ time, transport }, spec, offerId) {
      const backend = new IngestionBackend({
        offerId,
        endpoint: ENDPOINT,
        accessToken: TOKEN,
        transport,
        clock: time,
      });
      const started = await backend.start(spec.kind);
      const jobId = started.operationId ?? "";
      for (;;) {
        const { job } = await backend.client.jobStatus(jobId, offerId);
        const state = jobState(job).status;
        if (state !== "running") return state === "succeeded";
        await time.sleep(seconds * 1000);
      }
    },
  };
}

const POLLERS: Poller[] = [
  ours,
  fixedPoller(300, "cloudpub-300s", "cloudpub (fixed 300 s)"),
  fixedPoller(60, "fixed-60s", "fixed 60 s"),
];

async function virtualRun(set: Spec[]) {
  const time = new VirtualTime();
  const store = new IngestionStore(new VirtualSimClock(time), []);
  const api = new IngestionApi(
    store,
    { acceptedTokens: [TOKEN], tokenExpiry: {}, wrongAudienceTokens: [], forbiddenTokens: [] },
    {
      deprecatedVersions: DEFAULT_DEPRECATED_VERSIONS,
      configureStatus: 202,
      jobIdField: "jobId",
      conflictMode: "requestError",
      schemaVersions: {},
      schemaRequirements: {},
    },
  );
  const transport = new SimulatorTransport(api, time);
  const harness = { time, store, transport };
  const trials: Trial[] = [];
  const restore = time.installGlobalTimers();
  let pending = 0;
  try {
    for (const poller of POLLERS) {
      for (const spec of set) {
        const offerId = `${poller.id}-${spec.label}`;
        store.addProduct({
          externalId: offerId,
          state: spec.kind === "publish" ? "neverPublished" : "previewReady",
          ...(spec.kind === "publish"
            ? { previewSeconds: spec.runSeconds }
            : { liveSeconds: spec.runSeconds }),
        });
        pending++;
        poller
          .run(harness, spec, offerId)
          .catch((error: unknown) => {
            progress(`${poller.id} ${spec.label}: ${(error as Error).message.slice(0, 300)}`);
            return false;
          })
          .then((ok) => {
            pending--;
            const product = store.findByExternalId(offerId);
            const job = product?.jobs.at(-1);
            const state = job ? store.jobState(job) : undefined;
            const log = transport.log.get(offerId) ?? [];
            const post = log.findIndex((r) => r.method === "POST");
            trials.push({
              poller: poller.id,
              spec,
              ok: ok && state?.jobResult === "succeeded",
              polls: log.slice(post + 1).length,
              requests: log.length,
              lagSeconds: state ? (time.now() - state.endMs) / 1000 : Number.NaN,
              durationSeconds: job && state ? (state.endMs - job.startMs) / 1000 : Number.NaN,
            });
          });
      }
    }
    await time.run(() => pending === 0);
  } finally {
    restore();
  }
  return { trials, events: time.events };
}

const lagBound = (t: Trial) => Math.max(0.1 * t.durationSeconds, POLL_INTERVAL_S);

function table(title: string, trials: Trial[], notes: string[] = []): Table {
  return {
    title,
    headers: [
      "poller",
      "correct",
      "polls/op mean",
      "p50",
      "p95",
      "requests/op (all)",
      "lag p50",
      "lag p95",
      "lag/duration p95",
      "lag ≤ max(10%, 60 s)",
    ],
    rows: POLLERS.map((poller) => {
      const mine = trials.filter((t) => t.poller === poller.id);
      const polls = mine.map((t) => t.polls);
      const lags = mine.filter((t) => t.ok).map((t) => t.lagSeconds);
      return [
        poller.name,
        `${mine.filter((t) => t.ok && t.lagSeconds >= 0).length}/${mine.length}`,
        fixed(mean(polls), 1),
        count(percentile(polls, 50)),
        count(percentile(polls, 95)),
        fixed(mean(mine.map((t) => t.requests)), 1),
        human(percentile(lags, 50)),
        human(percentile(lags, 95)),
        pct(
          percentile(
            mine.filter((t) => t.ok).map((t) => t.lagSeconds / t.durationSeconds),
            95,
          ),
        ),
        `${mine.filter((t) => t.ok && t.lagSeconds <= lagBound(t)).length}/${mine.length}`,
      ];
    }),
    notes,
  };
}

export async function main(): Promise<BenchReport> {
  const set = specs();
  progress(`virtual time: ${POLLERS.length} pollers × ${set.length} operations`);
  const started = performance.now();
  const { trials, events } = await virtualRun(set);
  const seconds = (performance.now() - started) / 1000;
  progress(`virtual time: ${count(events)} timer events in ${seconds.toFixed(1)} s`);

  const publishes = set.filter((s) => s.kind === "publish").map((s) => s.runSeconds);
  const goLives = set.filter((s) => s.kind === "golive").map((s) => s.runSeconds);
  const of = (id: string, kind?: Kind) =>
    trials.filter((t) => t.poller === id && (!kind || t.spec.kind === kind));
  const oursAll = of("ours");
  const ratios = oursAll.filter((t) => t.ok).map((t) => t.lagSeconds / lagBound(t));
  const meanPolls = (id: string) => mean(of(id).map((t) => t.polls));
  const goals: Goal[] = [
    {
      goal: "fewer polling requests per operation than a fixed 60 s poller",
      target: `< ${fixed(meanPolls("fixed-60s"), 1)}`,
      measured: fixed(meanPolls("ours"), 1),
      met: meanPolls("ours") < meanPolls("fixed-60s"),
    },
    {
      goal: "p95 detection lag within max(10% of the job's duration, 60 s)",
      target: "p95 of lag/bound ≤ 1",
      measured: `${fixed(percentile(ratios, 95), 2)} (${oursAll.filter((t) => t.ok && t.lagSeconds <= lagBound(t)).length}/${oursAll.length} within)`,
      met: percentile(ratios, 95) <= 1,
    },
    {
      goal: "every operation reported with its real outcome, after its end",
      target: `${oursAll.length}/${oursAll.length}`,
      measured: `${oursAll.filter((t) => t.ok && t.lagSeconds >= 0).length}/${oursAll.length}`,
      met: oursAll.every((t) => t.ok && t.lagSeconds >= 0),
    },
  ];
  const notes = [
    `${publishes.length} publishes (job running ${human(Math.min(...publishes))} – ${human(Math.max(...publishes))}, log-uniform) and ${goLives.length} go-lives (${human(Math.min(...goLives))} – ${human(Math.max(...goLives))}), each after the simulator's 30 s queue; seed 12; the same set for every poller.`,
    "polls = GETs after the configure POST (ours also reads the submissions to confirm the preview/live submission); requests (all) adds the product lookup and submission reads before the POST, and the POST.",
    "lag = time from the job's end (jobStatus completed) to the poller's return; bound = max(10% of the job's duration, 60 s).",
    "cloudpub = Microsoft's cloudpub client: it polls the configure job's status every 300 s; the 60 s poller is the only rate Microsoft's documentation mentions. Both poll once at once after the POST.",
  ];
  return {
    name: "ingestion-polling",
    title: "Polling efficiency on the Product Ingestion API",
    method:
      "Deterministic virtual time (bench/lib/virtual-time.ts): the real OfferPublish/OfferGoLive providers (check + create: " +
      "IngestionBackend, IngestionClient, the poller, all defaults) run on a virtual clock through a transport that hands each " +
      "request to the simulator's own Product Ingestion API handler reading that clock, so every answer is the simulator's at " +
      "that instant; the baselines use the same client, start and answers and differ only in how they wait. " +
      `${count(events)} timer events in ${seconds.toFixed(1)} s.`,
    tables: [
      table(`All operations (${set.length} per poller)`, trials, notes),
      table(
        `Publishes (${publishes.length}: configure to preview, until the preview is ready)`,
        trials.filter((t) => t.spec.kind === "publish"),
      ),
      table(
        `Go-lives (${goLives.length}: configure to live, until the live submission succeeded)`,
        trials.filter((t) => t.spec.kind === "golive"),
      ),
    ],
    goals,
    raw: trials.map((t) => ({ ...t, spec: t.spec.label })),
  };
}

if (require.main === module) runStandalone(main);
