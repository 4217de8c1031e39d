/**
 * The whole offer as code (`OfferConfiguration`): what a refresh and a no-change `pulumi up` send, beside a naive
 * "configure everything every time" tool, and how long diffing a 500-resource tree takes.
 *
 * 1. Requests: an offer with 20 plans (each with its plan listing, price and availability and technical
 *    configuration, plus the offer's listing, assets, property, availability, reseller), live, on the simulator
 *    over real HTTP. Ours: the real `OfferConfigurationProvider` (imported by offer id, as `pulumi import` does),
 *    then `read` (a `pulumi refresh`) and `check` + `diff` (what the engine calls on a no-change `pulumi up`: with
 *    no change it calls nothing else), alone and with an `OfferPublish` that has the offer's `configuration`
 *    (its diff reads the trees to show draft/preview/live). Baseline: the same declaration sent the way
 *    Microsoft's `configuration.json` scripts do, every run: look the product up, read the draft tree, one
 *    configure with every declared resource, wait for the job (same client, same poll pace).
 * 2. Wall time of the diff of a 500-resource tree (123 plans): the provider's diff (state vs program, what
 *    `pulumi preview` runs) and the apply's diff (declared parts vs the draft tree, normalised), each with one price
 *    changed; median and p95 of 40 runs after 5 warm-ups, in this process.
 *
 *   npx ts-node --transpile-only bench/offer-configuration.ts
 */

import { type CppSimulator, defaultIngestionSeed, startSimulator } from "../emulator/server";
import { StaticTokenProvider } from "../provider/core/auth";
import { IngestionClient } from "../provider/ingestion/client";
import { diffDeclared, diffInputs } from "../provider/ingestion/offer/diff";
import { declaredParts, indexTree } from "../provider/ingestion/offer/keys";
import type { OfferConfigurationInputs } from "../provider/ingestion/offer/types";
import { configureResources } from "../provider/ingestion/offer/write";
import { OfferConfigurationProvider, OfferPublishProvider } from "../provider/resources";
import { type BenchReport, type Goal, progress, runStandalone, type Table } from "./lib/report";
import { fixed, median, percentile } from "./lib/stats";

const TOKEN = "bench-offer-token";
const PLANS = 20;
const BIG_PLANS = 123;
const RUNS = 40;
const WARMUPS = 5;
const JOB_POLL_MS = 50;

type Json = Record<string, unknown>;

/** The simulator's seeded VM offer with `plans` copies of its first plan (`plan-01`, ...). */
function offerSeed(externalId: string, plans: number) {
  const template = defaultIngestionSeed().find((p) => p.externalId === "ing-vm-offer");
  const plan = template?.plans?.[0];
  if (!template || !plan) throw new Error("emulator/seed.json lacks ing-vm-offer and its plans");
  return {
    ...template,
    externalId,
    guid: undefined,
    state: "live" as const,
    plans: Array.from({ length: plans }, (_, i) => {
      const id = `plan-${String(i + 1).padStart(3, "0")}`;
      return { ...structuredClone(plan), externalId: id, guid: undefined, alias: `Plan ${i + 1}` };
    }),
  };
}

/** Requests the simulator logged for the offer since `mark`, by kind (and tree target). */
function requestsSince(sim: CppSimulator, offerId: string, mark: number) {
  const entries = sim.requests.slice(mark).filter((r) => r.offerId === offerId);
  const by: Record<string, number> = {};
  for (const r of entries) {
    const kind =
      r.kind === "resourceTree"
        ? `tree ${new URL(r.url).searchParams.get("targetType") ?? "draft"}`
        : r.kind === "configure"
          ? `configure (${r.configures ?? "?"})`
          : r.kind;
    by[kind] = (by[kind] ?? 0) + 1;
  }
  const configures = entries.filter((r) => r.kind === "configure" && r.method === "POST");
  return {
    total: entries.length,
    by,
    jobs: configures.length,
    resourcesSent: configures.reduce((n, r) => n + (r.resourceTypes?.length ?? 0), 0),
  };
}

/** What an import read back, without the outputs: the inputs `pulumi import` writes into the program. */
function inputsOf(props: Json | undefined): Json {
  const { productId, resourceIds, declaration, pendingChanges, ...inputs } = props ?? {};
  void [productId, resourceIds, declaration, pendingChanges];
  return inputs;
}

const describe = (by: Record<string, number>) =>
  Object.entries(by)
    .sort()
    .map(([kind, n]) => `${n} ${kind}`)
    .join(", ") || "none";

/** A naive tool's `up`: every declared resource configured again, whether it changed or not. */
async function naiveUp(client: IngestionClient, offerId: string, inputs: OfferConfigurationInputs) {
  const productId = await client.productId(offerId);
  const tree = (await client.resourceTree(productId, offerId, "draft")) ?? [];
  const index = indexTree(tree);
  const parts = declaredParts(inputs, index.productType);
  const body = configureResources(parts, index, offerId);
  let { job } = await client.configureResources(body, offerId);
  while (!/^completed$/i.test(job.jobStatus)) {
    await new Promise((resolve) => setTimeout(resolve, JOB_POLL_MS));
    job = (await client.jobStatus(job.jobId, offerId)).job;
  }
  return body.length;
}

function timed(runs: number, fn: () => unknown): { medianMs: number; p95Ms: number; result: unknown } {
  let result: unknown;
  for (let i = 0; i < WARMUPS; i++) result = fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    result = fn();
    times.push(performance.now() - started);
  }
  return { medianMs: median(times), p95Ms: percentile(times, 95), result };
}

/** The inputs with one plan's price changed (what a reviewer's pull request does). */
function withPriceChange(inputs: OfferConfigurationInputs, planId: string): OfferConfigurationInputs {
  const changed = structuredClone(inputs);
  const pricing = changed.plans?.[planId]?.availability?.pricing?.corePricing;
  if (!pricing) throw new Error(`the exported inputs have no core pricing for ${planId}`);
  pricing.pricePerCore = (pricing.pricePerCore ?? 0) + 0.01;
  return changed;
}

export async function main(): Promise<BenchReport> {
  const sim = await startSimulator({ quiet: true, acceptedTokens: [TOKEN], timeScale: 100_000 });
  try {
    const endpoint = `${sim.url}/rp/product-ingestion`;
    const hooks = {
      tokenProvider: new StaticTokenProvider(TOKEN),
      log: () => undefined,
      jobPollIntervalMs: JOB_POLL_MS,
    };
    const client = new IngestionClient({ endpoint, tokenProvider: new StaticTokenProvider(TOKEN) });

    // ---- 1. Requests per refresh and per no-change up, 20 plans.
    const offerId = "bench-offer-20";
    sim.ingestion.addProduct(offerSeed(offerId, PLANS));
    const offer = new OfferConfigurationProvider(hooks);
    progress(`importing ${offerId} (${PLANS} plans)`);
    const imported = await offer.read(offerId, { endpoint });
    const declared = inputsOf(imported.props);
    const checked = await offer.check({}, { ...declared, endpoint });
    const created = await offer.read(offerId, { ...checked.inputs, ...imported.props });
    const state = created.props as Json;
    const treeSize = (await client.resourceTree(String(state.productId), offerId, "draft"))?.length ?? 0;

    let mark = sim.requests.length;
    const refreshed = await offer.read(offerId, state);
    const refresh = requestsSince(sim, offerId, mark);
    if (!refreshed.props) throw new Error("the refresh lost the offer");

    mark = sim.requests.length;
    const noChangeCheck = await offer.check(state, { ...checked.inputs });
    const noChangeDiff = await offer.diff(offerId, state, noChangeCheck.inputs);
    const ourUp = requestsSince(sim, offerId, mark);
    if (noChangeDiff.changes) throw new Error("the no-change diff found changes: the benchmark is wrong");

    // With the publish of the chain: its state from a real publish, then the same check + diff.
    const publish = new OfferPublishProvider(hooks);
    const publishInputs = {
      api: "ingestion",
      offerId,
      endpoint,
      configuration: String(state.declaration),
      triggers: [String(state.declaration)],
      pollIntervalSeconds: 0.05,
      maxPollIntervalSeconds: 0.2,
    };
    const publishChecked = await publish.check({}, publishInputs);
    const published = await publish.create(publishChecked.inputs);
    mark = sim.requests.length;
    const again = await publish.check(published.outs, publishInputs);
    await publish.diff(published.id, published.outs, again.inputs);
    const publishUp = requestsSince(sim, offerId, mark);

    const naiveRuns = 3;
    mark = sim.requests.length;
    let naiveResources = 0;
    for (let i = 0; i < naiveRuns; i++)
      naiveResources = await naiveUp(client, offerId, declared as unknown as OfferConfigurationInputs);
    const naive = requestsSince(sim, offerId, mark);
    const perNaive = (n: number) => fixed(n / naiveRuns, 1);

    const requestsTable: Table = {
      title: `Requests: an offer with ${PLANS} plans (${treeSize} resources in its draft tree), live`,
      headers: [
        "",
        "requests per refresh",
        "requests per no-change up",
        "configure jobs per no-change up",
        "resources sent per no-change up",
        "what",
      ],
      rows: [
        [
          "ours: OfferConfiguration",
          refresh.total,
          ourUp.total,
          ourUp.jobs,
          ourUp.resourcesSent,
          `refresh: ${describe(refresh.by)}; up: ${describe(ourUp.by)}`,
        ],
        [
          "ours: + OfferPublish with configuration",
          "—",
          ourUp.total + publishUp.total,
          ourUp.jobs + publishUp.jobs,
          0,
          `the publish's diff: ${describe(publishUp.by)}`,
        ],
        [
          "baseline: configure everything every time",
          "— (no state to refresh)",
          perNaive(naive.total),
          perNaive(naive.jobs),
          naiveResources,
          `per up: ${Object.entries(naive.by)
            .sort()
            .map(([k, n]) => `${perNaive(n)} ${k}`)
            .join(", ")}`,
        ],
      ],
      notes: [
        "A no-change `pulumi up` calls check and diff only (the engine calls update when diff reports a change); both run on state and program, without a request.",
        "A refresh reads the draft tree only: the product id and `pendingChanges` (as of the last up) come from state.",
        `The baseline is what a create-or-update script does on every run (Microsoft's configuration.json approach): product lookup, draft tree, one configure with all ${naiveResources} declared resources, job polls (${JOB_POLL_MS} ms pace, jobs of 2 simulated seconds). Mean of ${naiveRuns} runs. Each of its jobs rewrites the draft, so the next publish certifies an unchanged offer again.`,
      ],
    };

    // ---- 2. Diff wall time, 500-resource tree.
    const bigId = "bench-offer-500";
    sim.ingestion.addProduct(offerSeed(bigId, BIG_PLANS));
    const bigProduct = await client.productId(bigId);
    const bigTree = (await client.resourceTree(bigProduct, bigId, "draft")) ?? [];
    const bigImported = await offer.read(bigId, { endpoint });
    const bigInputs = inputsOf(bigImported.props) as unknown as OfferConfigurationInputs;
    const changed = withPriceChange(bigInputs, "plan-060");

    const stateDiff = timed(RUNS, () => diffInputs(bigInputs, changed));
    const treeDiff = timed(RUNS, () => {
      const index = indexTree(bigTree);
      return diffDeclared(declaredParts(changed, index.productType), index);
    });
    const providerDiff = timed(RUNS, () =>
      offer.diff(bigId, bigInputs as unknown as Json, changed as unknown as Json),
    );
    const found = (x: unknown) => (Array.isArray(x) ? x.length : "?");

    const diffTable: Table = {
      title: `Diff wall time: ${bigTree.length} resources (${BIG_PLANS} plans), one price changed`,
      headers: ["diff", "median", "p95", "changes found"],
      rows: [
        [
          "state vs program (diffInputs: what pulumi preview runs)",
          `${fixed(stateDiff.medianMs, 2)} ms`,
          `${fixed(stateDiff.p95Ms, 2)} ms`,
          found(stateDiff.result),
        ],
        [
          "declared parts vs draft tree (indexTree + normalise + diffDeclared: what up runs after its read)",
          `${fixed(treeDiff.medianMs, 2)} ms`,
          `${fixed(treeDiff.p95Ms, 2)} ms`,
          found(treeDiff.result),
        ],
        [
          "OfferConfigurationProvider.diff (the provider's whole diff call)",
          `${fixed(providerDiff.medianMs, 2)} ms`,
          `${fixed(providerDiff.p95Ms, 2)} ms`,
          "—",
        ],
      ],
      notes: [
        `${RUNS} runs after ${WARMUPS} warm-ups in this process (Node ${process.version}); the tree is read once from the simulator beforehand.`,
      ],
    };

    // The slower of the two diffs, by its median (p95 shown: the machine is shared).
    const slowest = stateDiff.medianMs >= treeDiff.medianMs ? stateDiff : treeDiff;
    const goals: Goal[] = [
      {
        goal: `requests per refresh of an offer with ${PLANS} plans`,
        target: "the draft tree read and nothing else",
        measured: `${refresh.total}: ${describe(refresh.by)}`,
        met: refresh.total === 1 && Object.keys(refresh.by).every((k) => k.startsWith("tree ")),
      },
      {
        goal: "requests and configure jobs per no-change up (OfferConfiguration)",
        target: `0 jobs (baseline: ${perNaive(naive.jobs)} job, ${perNaive(naive.total)} requests)`,
        measured: `${ourUp.jobs} jobs, ${ourUp.total} requests`,
        met: ourUp.jobs === 0 && ourUp.total === 0,
      },
      {
        goal: `diff of a ${bigTree.length}-resource tree (the slower of the two diffs), median`,
        target: "< 50 ms",
        measured: `${fixed(slowest.medianMs, 2)} ms (p95 ${fixed(slowest.p95Ms, 2)} ms)`,
        met: slowest.medianMs < 50,
      },
    ];
    return {
      name: "offer-configuration",
      title: "The whole offer as code: requests per refresh and per no-change up, diff wall time",
      method:
        "The real OfferConfigurationProvider and OfferPublishProvider against the simulator over HTTP (requests counted from its log), beside a naive tool that configures every declared resource on every run; the pure diff functions timed in process on a 500-resource tree read from the simulator.",
      tables: [requestsTable, diffTable],
      goals,
      raw: {
        refresh,
        ourUp,
        publishUp,
        naive,
        stateDiff,
        treeDiff,
        providerDiff,
        treeSize,
        bigTreeSize: bigTree.length,
      },
    };
  } finally {
    await sim.close();
  }
}

if (require.main === module) runStandalone(main);
