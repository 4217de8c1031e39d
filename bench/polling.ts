/**
 * Polling efficiency: requests per operation and detection lag (operation end → poller returns) for our
 * poller against @azure/core-lro's HTTP poller and a fixed 60 s poller, on go-lives lasting seconds to days.
 *
 * Part 1 runs in deterministic virtual time: every poller waits on the same operations, whose status is
 * the simulator's own rendering at the virtual instant (emulator/operations.ts). Part 2 runs a
 * smaller set over real HTTP against the time-scaled simulator and compares it with the virtual prediction
 * for that same set, to show the harness predicts what real polling does.
 *
 *   npx ts-node --transpile-only bench/polling.ts
 */

import type { RunningOperation } from "@azure/core-lro";
import { Agent } from "undici";
import { startSimulator } from "../emulator/server";
import { PooledTransport } from "../provider/core/http";
import { systemClock } from "../provider/core/options";
import { CloudPartnerClient } from "../provider/cpp/client";
import { parseOperation } from "../provider/cpp/operation";
import { type OperationSpec, operationBody, operationRecord, operationSet } from "./lib/operations";
import {
  coreLroPoller,
  fixedPoller,
  httpLro,
  type LroMode,
  type Outcome,
  oursPoller,
  type PollerUnderTest,
  progressAwarePoller,
  renameLocation,
  retryAfterOverridePoller,
} from "./lib/pollers";
import { type BenchReport, type Goal, progress, runStandalone, type Table } from "./lib/report";
import { count, fixed, human, mean, median, pct, percentile } from "./lib/stats";
import { realSleep, VirtualTime } from "./lib/virtual-time";

const TOKEN = "test-token";
const DAY_MS = 86_400_000;
/** Our default shortest interval; the lag bound never asks for less. */
const POLL_INTERVAL_S = 60;

/** One poller waiting on one operation. */
interface Trial {
  poller: string;
  spec: OperationSpec;
  outcome: Outcome;
  /** Poll GETs (the go-live POST is not counted for anyone). */
  polls: number;
  /** Polls sent before the previous response's Retry-After had passed. */
  earlyPolls: number;
  /** Seconds from the operation's end to the poller's return; NaN if it never returned. */
  lagSeconds: number;
}

const correct = (t: Trial) => t.outcome === t.spec.outcome && t.lagSeconds >= 0;

/** The lag a poller may have: 10% of the operation's duration, at least one interval, at least Retry-After. */
function lagBound(spec: OperationSpec): number {
  return Math.max(0.1 * spec.endSeconds, POLL_INTERVAL_S, spec.retryAfterSeconds ?? 0);
}

// ---------------------------------------------------------------------------------------------------------
// Part 1: virtual time

/** An operation in virtual time, seen through our client's interface and through core-lro's. */
class VirtualOperation {
  readonly record;
  readonly pollTimes: number[] = [];
  earlyPolls = 0;
  #lastRetryAfter?: { at: number; ms: number };

  constructor(
    readonly spec: OperationSpec,
    private readonly time: VirtualTime,
  ) {
    this.record = operationRecord(spec, time.now());
  }

  get location(): string {
    return `/api/publishers/bench/offers/${this.spec.label}/operations/${this.record.guid}?api-version=2017-10-31`;
  }

  poll(): { body: Record<string, unknown>; retryAfterMs?: number } {
    const now = this.time.now();
    if (this.#lastRetryAfter && now - this.#lastRetryAfter.at < this.#lastRetryAfter.ms) this.earlyPolls++;
    this.pollTimes.push(now);
    const retryAfterMs =
      this.spec.retryAfterSeconds !== undefined ? this.spec.retryAfterSeconds * 1000 : undefined;
    this.#lastRetryAfter = retryAfterMs !== undefined ? { at: now, ms: retryAfterMs } : undefined;
    return { body: operationBody(this.record, now), retryAfterMs };
  }

  client() {
    return {
      getOperation: async (_location: string) => {
        const { body, retryAfterMs } = this.poll();
        const snapshot = parseOperation(body);
        if (!snapshot) throw new Error("not an operation");
        return { snapshot, retryAfterMs };
      },
    };
  }

  lro(mode: LroMode): RunningOperation {
    return {
      sendInitialRequest: async () => {
        const headers: Record<string, string> = { location: this.location };
        renameLocation(headers, mode);
        return {
          flatResponse: undefined,
          rawResponse: {
            statusCode: 202,
            request: { method: "POST", url: `/api/publishers/bench/offers/${this.spec.label}/golive` },
            headers,
          },
        };
      },
      sendPollRequest: async (path: string) => {
        const { body, retryAfterMs } = this.poll();
        const headers: Record<string, string> =
          retryAfterMs !== undefined ? { "retry-after": String(retryAfterMs / 1000) } : {};
        return {
          flatResponse: body,
          rawResponse: { statusCode: 200, request: { method: "GET", url: path }, headers, body },
        };
      },
    };
  }
}

/** Every poller waits on every operation, all at once, in one virtual timeline starting at t = 0. */
async function virtualRun(specs: OperationSpec[], pollers: PollerUnderTest[], giveUpAfterMs: number) {
  const time = new VirtualTime();
  const trials: Trial[] = [];
  const restore = time.installGlobalTimers();
  let pending = 0;
  try {
    for (const poller of pollers) {
      for (const spec of specs) {
        const operation = new VirtualOperation(spec, time);
        const abort = new AbortController();
        const endMs = operation.record.startMs + spec.endSeconds * 1000;
        time.schedule(endMs + giveUpAfterMs - time.now(), () => abort.abort(new Error("gave up")));
        pending++;
        poller
          .run({
            client: operation.client(),
            operationLocation: operation.location,
            lro: (mode) => operation.lro(mode),
            clock: time,
            signal: abort.signal,
          })
          .then(
            (outcome) => outcome,
            (error: unknown) => {
              progress(`${poller.id} ${spec.label}: ${(error as Error).message}`);
              return "error" as const;
            },
          )
          .then((outcome) => {
            pending--;
            trials.push({
              poller: poller.id,
              spec,
              outcome,
              polls: operation.pollTimes.length,
              earlyPolls: operation.earlyPolls,
              lagSeconds: outcome === "gave-up" ? Number.NaN : (time.now() - endMs) / 1000,
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

// ---------------------------------------------------------------------------------------------------------
// Part 2: real HTTP against the time-scaled simulator

async function realRun(specs: OperationSpec[], scale: number) {
  const sim = await startSimulator({ timeScale: scale, quiet: true, acceptedTokens: [TOKEN] });
  const transport = new PooledTransport();
  const dispatcher = new Agent();
  const client = new CloudPartnerClient({ endpoint: sim.url, accessToken: TOKEN, transport });
  const settings = { scale };
  const trials: Trial[] = [];
  try {
    const runPoller = async (poller: PollerUnderTest, spec: OperationSpec, delayMs = 0) => {
      await realSleep(delayMs);
      const offerId = `${poller.id}-${spec.label}`;
      sim.addOffer({
        publisherId: "bench",
        offerId,
        goLive: spec.plan,
        ...(spec.retryAfterSeconds !== undefined
          ? { retryAfterSeconds: spec.retryAfterSeconds / scale }
          : {}),
      });
      const goLiveUrl = `${sim.url}/api/publishers/bench/offers/${offerId}/golive?api-version=2017-10-31`;
      const abort = new AbortController();
      const guard = setTimeout(
        () => abort.abort(new Error("gave up")),
        (spec.endSeconds * 1000) / scale + 30_000,
      );
      let operationLocation = "";
      if (!poller.id.startsWith("core-lro")) {
        operationLocation = (await client.goLive("bench", offerId)).operationLocation;
      }
      const outcome = await poller
        .run({
          client,
          operationLocation,
          lro: (mode) => httpLro({ endpoint: sim.url, goLiveUrl, token: TOKEN, mode, dispatcher }),
          clock: systemClock,
          signal: abort.signal,
        })
        .catch(() => "error" as const);
      const returnedAt = Date.now();
      clearTimeout(guard);
      const entries = sim.requests.filter((e) => e.offerId === offerId);
      const post = entries.find((e) => e.kind === "golive" && e.method === "POST");
      const gets = entries.filter((e) => e.kind === "operation" && e.method === "GET");
      const retryAfterMs = spec.retryAfterSeconds !== undefined ? (spec.retryAfterSeconds / scale) * 1000 : 0;
      let earlyPolls = 0;
      for (let i = 1; i < gets.length; i++) {
        if ((gets[i]?.at ?? 0) - (gets[i - 1]?.at ?? 0) < retryAfterMs - 1) earlyPolls++;
      }
      const endAt = (post?.at ?? Number.NaN) + (spec.endSeconds * 1000) / scale;
      trials.push({
        poller: poller.id,
        spec,
        outcome,
        polls: gets.length,
        earlyPolls,
        lagSeconds: outcome === "gave-up" ? Number.NaN : ((returnedAt - endAt) / 1000) * scale,
      });
    };
    // Warm up connections and code paths, so the first measured polls are not slowed by it.
    sim.addOffer({ publisherId: "bench", offerId: "warmup", goLive: { steps: [] } });
    for (let i = 0; i < 20; i++) {
      const { operationLocation } = await client.goLive("bench", "warmup");
      await client.getOperation(operationLocation);
      const lro = httpLro({
        endpoint: sim.url,
        goLiveUrl: `${sim.url}/api/publishers/bench/offers/warmup/golive?api-version=2017-10-31`,
        token: TOKEN,
        mode: "operation-location",
        dispatcher,
      });
      await lro.sendInitialRequest();
    }
    // Light pollers together, their starts 4 ms apart (a burst of simultaneous starts would delay first
    // polls by milliseconds, i.e. simulated seconds). core-lro reading the body polls every 10 ms (2 s
    // scaled), so it runs on its own, three operations at a time, to keep the CPU from distorting timing.
    const light = [oursPoller(settings), fixedPoller(settings), coreLroPoller("location", settings)];
    await Promise.all(
      light.flatMap((poller, p) =>
        specs.map((spec, i) => runPoller(poller, spec, (i * light.length + p) * 4)),
      ),
    );
    const heavy = coreLroPoller("operation-location", settings);
    const queue = [...specs];
    await Promise.all(
      [1, 2, 3].map(async () => {
        for (let spec = queue.shift(); spec; spec = queue.shift()) await runPoller(heavy, spec);
      }),
    );
  } finally {
    await transport.close();
    await dispatcher.close();
    await sim.close();
  }
  return trials;
}

// ---------------------------------------------------------------------------------------------------------
// Tables

interface Summary {
  n: number;
  correct: number;
  premature: number;
  wrongOutcome: number;
  gaveUp: number;
  polls: number[];
  lags: number[];
  lagFractions: number[];
  withinBound: number;
  earlyPolls: number;
}

function summarize(trials: Trial[]): Summary {
  const ok = trials.filter(correct);
  return {
    n: trials.length,
    correct: ok.length,
    premature: trials.filter((t) => t.lagSeconds < 0).length,
    wrongOutcome: trials.filter(
      (t) => t.lagSeconds >= 0 && t.outcome !== t.spec.outcome && t.outcome !== "gave-up",
    ).length,
    gaveUp: trials.filter((t) => t.outcome === "gave-up").length,
    polls: trials.map((t) => t.polls),
    lags: ok.map((t) => t.lagSeconds),
    lagFractions: ok.map((t) => t.lagSeconds / t.spec.endSeconds),
    withinBound: ok.filter((t) => t.lagSeconds <= lagBound(t.spec)).length,
    earlyPolls: trials.reduce((total, t) => total + t.earlyPolls, 0),
  };
}

function verdict(s: Summary): string {
  const problems = [
    s.premature ? `${s.premature} returned before the end` : "",
    s.wrongOutcome ? `${s.wrongOutcome} wrong outcome` : "",
    s.gaveUp ? `${s.gaveUp} never returned` : "",
  ].filter(Boolean);
  return `${s.correct}/${s.n}${problems.length ? ` (${problems.join(", ")})` : ""}`;
}

function pollerTable(title: string, pollers: PollerUnderTest[], trials: Trial[], notes: string[]): Table {
  return {
    title,
    headers: [
      "poller",
      "correct result",
      "requests/op mean",
      "p50",
      "p95",
      "lag p50",
      "lag p95",
      "lag/duration p50",
      "p95",
      "lag ≤ bound",
      "polls before Retry-After",
    ],
    rows: pollers.map((poller) => {
      const s = summarize(trials.filter((t) => t.poller === poller.id));
      return [
        poller.name,
        verdict(s),
        fixed(mean(s.polls), 1),
        count(percentile(s.polls, 50)),
        count(percentile(s.polls, 95)),
        human(percentile(s.lags, 50)),
        human(percentile(s.lags, 95)),
        pct(percentile(s.lagFractions, 50)),
        pct(percentile(s.lagFractions, 95)),
        `${s.withinBound}/${s.n}`,
        count(s.earlyPolls),
      ];
    }),
    notes,
  };
}

const BUCKETS: Array<[string, number, number]> = [
  ["< 1 h", 0, 3600],
  ["1 h – 1 d", 3600, 86_400],
  ["≥ 1 d", 86_400, Number.POSITIVE_INFINITY],
];

function bucketTable(pollers: PollerUnderTest[], trials: Trial[]): Table {
  return {
    title: "Requests per operation by duration (operations without Retry-After, mean)",
    headers: ["poller", ...BUCKETS.map(([label]) => label)],
    rows: pollers.map((poller) => [
      poller.name,
      ...BUCKETS.map(([, lo, hi]) => {
        const inBucket = trials.filter(
          (t) => t.poller === poller.id && t.spec.endSeconds >= lo && t.spec.endSeconds < hi,
        );
        return `${fixed(mean(inBucket.map((t) => t.polls)), 1)} (n=${inBucket.length})`;
      }),
    ]),
  };
}

function confirmTable(pollers: PollerUnderTest[], real: Trial[], predicted: Trial[], scale: number): Table {
  return {
    title: `Real HTTP vs virtual-time prediction (same ${real.length / pollers.length} operations; simulator timeScale ${scale})`,
    headers: [
      "poller",
      "correct (real)",
      "requests/op real",
      "virtual",
      "lag p50 real",
      "virtual",
      "lag p95 real",
      "virtual",
      "polls before Retry-After real",
    ],
    rows: pollers.map((poller) => {
      const r = summarize(real.filter((t) => t.poller === poller.id));
      const v = summarize(predicted.filter((t) => t.poller === poller.id));
      return [
        poller.name,
        verdict(r),
        fixed(mean(r.polls), 1),
        fixed(mean(v.polls), 1),
        human(percentile(r.lags, 50)),
        human(percentile(v.lags, 50)),
        human(percentile(r.lags, 95)),
        human(percentile(v.lags, 95)),
        count(r.earlyPolls),
      ];
    }),
    notes: [
      "Real figures are in simulated time (real ms × timeScale); request latency and timer granularity (1 ms real = 0.2 s simulated) add to the real lag.",
      "core-lro reading the body runs on its own, three operations at a time, after the other pollers; it waits 10 ms real between polls and each poll's latency comes on top, hence fewer real requests than predicted.",
      "Retry-After is 1 real second (the simulator sends whole seconds), i.e. 200 simulated seconds.",
    ],
  };
}

// ---------------------------------------------------------------------------------------------------------

export async function main(): Promise<BenchReport> {
  const virtualSettings = { scale: 1 };
  const pollers = [
    oursPoller(virtualSettings),
    coreLroPoller("location", virtualSettings),
    coreLroPoller("operation-location", virtualSettings),
    fixedPoller(virtualSettings),
    retryAfterOverridePoller(virtualSettings),
    progressAwarePoller(virtualSettings),
  ];
  const specs = operationSet({
    count: 40,
    minSeconds: 5,
    maxSeconds: 5 * 86_400,
    seed: 6,
    retryAfterSeconds: [30, 120, 600],
    pattern: { period: 16, fail: [2, 11], completed: [5, 14] },
  });
  // Part 2 runs first, in a fresh process: the virtual run's garbage would otherwise cost GC pauses here.
  const scale = 200;
  const realSpecs = operationSet({
    count: 12,
    minSeconds: 20,
    maxSeconds: 1800,
    seed: 7,
    retryAfterSeconds: [scale],
    pattern: { period: 6, fail: [2], completed: [] },
  });
  const realPollers = [
    oursPoller({ scale }),
    coreLroPoller("location", { scale }),
    coreLroPoller("operation-location", { scale }),
    fixedPoller({ scale }),
  ];
  progress(`real HTTP: ${realPollers.length} pollers × ${realSpecs.length} operations, timeScale ${scale}`);
  const real = await realRun(realSpecs, scale);
  progress(`virtual time: ${pollers.length} pollers × ${specs.length} operations`);
  const started = performance.now();
  const virtual = await virtualRun(specs, pollers, DAY_MS);
  const virtualMs = performance.now() - started;
  progress(`virtual time: ${count(virtual.events)} timer events in ${(virtualMs / 1000).toFixed(1)} s`);

  const noRetryAfter = virtual.trials.filter((t) => t.spec.retryAfterSeconds === undefined);
  const withRetryAfter = virtual.trials.filter((t) => t.spec.retryAfterSeconds !== undefined);
  const durations = specs.map((s) => s.endSeconds);
  const setNote =
    `${specs.length} go-lives (the simulator's six steps scaled), durations log-uniform ${human(Math.min(...durations))} – ${human(Math.max(...durations))} ` +
    `(seed 6); 5 fail at Certification, 5 spell success "Completed" (both spread over both halves); odd-numbered ones send Retry-After 30/120/600 s in turn.`;
  const definitions = [
    "lag = time from the operation's end to the poller's return; lag/duration uses the operation's duration; bound = max(10% of the duration, 60 s, Retry-After).",
    "correct result = the poller reported the operation's real outcome, after it happened. Requests exclude the go-live POST (the same one for every poller).",
    "core-lro (headers as is) judges CPP's bare Location by HTTP code: the first poll answers 200, so it reports success at t = 0 for every operation.",
    'core-lro (body) treats any status without "succeeded"/"fail"/"cancel" as running: on "Completed" it polls until the harness gives up (1 day after the end).',
    "Prototypes are not shipped; see the report for what they assume.",
  ];
  const oursNo = summarize(noRetryAfter.filter((t) => t.poller === "ours"));
  const fixedNo = summarize(noRetryAfter.filter((t) => t.poller === "fixed-60s"));
  const lroNo = summarize(noRetryAfter.filter((t) => t.poller === "core-lro-body"));
  const oursAll = virtual.trials.filter((t) => t.poller === "ours");
  const oursRa = summarize(withRetryAfter.filter((t) => t.poller === "ours"));
  const boundRatios = oursAll.filter(correct).map((t) => t.lagSeconds / lagBound(t.spec));

  const predictedTrials = (
    await virtualRun(
      realSpecs,
      [
        oursPoller(virtualSettings),
        coreLroPoller("location", virtualSettings),
        coreLroPoller("operation-location", virtualSettings),
        fixedPoller(virtualSettings),
      ],
      DAY_MS,
    )
  ).trials;
  const realOurs = summarize(real.filter((t) => t.poller === "ours"));
  const predictedOurs = summarize(predictedTrials.filter((t) => t.poller === "ours"));

  const confirm = confirmTable(realPollers, real, predictedTrials, scale);
  confirm.notes?.push(
    `Ours: ${fixed(mean(realOurs.polls), 2)} requests/op over real HTTP vs ${fixed(mean(predictedOurs.polls), 2)} predicted ` +
      `(${pct(mean(realOurs.polls) / mean(predictedOurs.polls) - 1)}).`,
  );

  const goals: Goal[] = [
    {
      goal: "fewer requests than both baselines (operations without Retry-After, mean per operation)",
      target: `< ${fixed(mean(fixedNo.polls), 1)} (fixed 60 s) and < ${fixed(mean(lroNo.polls), 1)} (core-lro, body)`,
      measured: fixed(mean(oursNo.polls), 1),
      met: mean(oursNo.polls) < mean(fixedNo.polls) && mean(oursNo.polls) < mean(lroNo.polls),
    },
    {
      goal: "p95 detection lag within max(10% of duration, 60 s interval, Retry-After)",
      target: "p95 of lag/bound ≤ 1",
      measured: `${fixed(percentile(boundRatios, 95), 2)} (${oursAll.filter((t) => correct(t) && t.lagSeconds <= lagBound(t.spec)).length}/${oursAll.length} within)`,
      met: percentile(boundRatios, 95) <= 1,
    },
    {
      goal: "zero extra requests when Retry-After is given",
      target: "0 polls before Retry-After",
      measured: `${oursRa.earlyPolls} (virtual), ${realOurs.earlyPolls} (real HTTP)`,
      met: oursRa.earlyPolls === 0 && realOurs.earlyPolls === 0,
    },
  ];

  return {
    name: "polling",
    title: "Polling efficiency",
    method:
      "Each poller waits on the same simulated go-lives. Part 1 runs in deterministic virtual time " +
      "(bench/lib/virtual-time.ts): the operation's status at any instant is the simulator's own rendering, " +
      "our poller gets the virtual clock, core-lro gets virtual global timers; no real waiting, no noise. " +
      "Part 2 repeats a smaller set over real HTTP against the time-scaled simulator and sets it beside the " +
      `virtual prediction for that set. Virtual run: ${count(virtual.events)} timer events in ${(virtualMs / 1000).toFixed(1)} s.`,
    tables: [
      pollerTable(
        `Without Retry-After (${noRetryAfter.length / pollers.length} operations)`,
        pollers,
        noRetryAfter,
        [setNote, ...definitions],
      ),
      pollerTable(
        `With Retry-After (${withRetryAfter.length / pollers.length} operations)`,
        pollers,
        withRetryAfter,
        [
          "Ours obeys Retry-After exactly (it overrides the 10% rule), so a short Retry-After on a long operation costs requests; the fixed poller ignores it, and polls early whenever Retry-After > 60 s.",
        ],
      ),
      bucketTable(pollers, noRetryAfter),
      confirm,
    ],
    goals,
    raw: {
      specs: specs.map(({ steps: _, plan: __, ...rest }) => rest),
      virtual: virtual.trials.map((t) => ({ ...t, spec: t.spec.label })),
      real: real.map((t) => ({ ...t, spec: t.spec.label })),
      medians: Object.fromEntries(
        pollers.map((p) => [
          p.id,
          median(virtual.trials.filter((t) => t.poller === p.id).map((t) => t.polls)),
        ]),
      ),
    },
  };
}

if (require.main === module) runStandalone(main);
