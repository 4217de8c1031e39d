/**
 * Fault matrix for `api: "ingestion"`: the simulator's faults on the Product Ingestion API, driven through the
 * real provider (the serialized thin OfferPublish / OfferGoLive providers inside Pulumi's dynamic provider
 * host, over gRPC), asserting the outcome, how many configure POSTs reached the API's handler, how many
 * configure jobs started, and the error text where the deployment fails.
 *
 * `RELIABILITY_REPORT_DIR=dir npx jest tests/reliability/ingestion-fault-matrix.test.ts` also writes the
 * results as a markdown table to dir/ingestion-fault-matrix.md; nothing is printed.
 */

import {
  type CppSimulator,
  type Fault,
  INGESTION_SCOPE,
  type IngestionProductSeed,
} from "../../emulator/server";
import { ingestionInputs, withSimulator } from "../support/harness";
import { decodeInitError, ProviderHost, serializedProviders } from "../support/provider-host";
import {
  CANARY,
  checkAndCreate,
  expectMatrixRow,
  type Props,
  runMatrixDeployment,
  waitFor,
  writeMatrixReport,
} from "./helpers";

type Kind = "publish" | "golive";

interface RowContext {
  offerId: string;
  sim: CppSimulator;
  host: ProviderHost;
  /** True once the deployment has settled (so `during` stops waiting and the assertions show why). */
  settled: boolean;
}

interface Row {
  /** The fault, as the table shows it. */
  fault: string;
  /** Publish (OfferPublish, the default) or go-live (OfferGoLive, on a product whose preview is ready). */
  kind?: Kind;
  seed?: Partial<IngestionProductSeed>;
  faults?: (ctx: RowContext) => Fault[];
  inputs?: Record<string, unknown>;
  /** Runs before the deployment (its configure POSTs and jobs are not counted). */
  before?: (ctx: RowContext) => Promise<void>;
  /** Runs alongside the deployment, e.g. to finish a long job once the provider attached to it. */
  during?: (ctx: RowContext) => Promise<void>;
  /** The host to deploy through instead of the shared one (e.g. configured with another token). */
  host?: () => ProviderHost;
  /** After a partial state: clear the faults and `update` it, as the next `pulumi up` would. */
  resume?: boolean;
  outcome: string;
  /** Configure POSTs that reached the API's handler (past auth and `$version`). */
  posts: number;
  /** Configure jobs the API started. */
  jobs: number;
  error?: RegExp;
  verify?: (ctx: RowContext, result: { properties?: Props; error?: unknown }) => void;
}

const postConfigure = { method: "POST", kind: "configure" } as const;
const poll = { method: "GET", kind: "configureStatus" } as const;
const submissions = { method: "GET", kind: "submission" } as const;
/** ~30 years of simulated time: still running whenever looked at, until the test advances the clock. */
const LONG = 10 ** 9;
const WRONG_AUDIENCE = "wrong-audience-token";

function requestsOf(ctx: RowContext, kind: string, method?: string) {
  return ctx.sim.requests.filter(
    (r) =>
      r.publisherId === INGESTION_SCOPE &&
      r.offerId === ctx.offerId &&
      r.kind === kind &&
      (method === undefined || r.method === method),
  );
}

/** Milliseconds between the first and second request of a kind for the row's product. */
function gapMs(ctx: RowContext, kind: string, method?: string): number {
  const [first, second] = requestsOf(ctx, kind, method);
  return (second?.at ?? 0) - (first?.at ?? 0);
}

const matrix: Row[] = [
  {
    fault: "5xx burst, short: 503 on a job-status poll, then 500 and 502",
    faults: () => [
      { type: "status", status: 503, match: poll },
      { type: "status", status: 500, match: poll },
      { type: "status", status: 502, match: poll },
    ],
    outcome: "succeeded (preview ready)",
    posts: 1,
    jobs: 1,
    verify: (ctx) =>
      expect(requestsOf(ctx, "configureStatus").map((r) => r.status)).toEqual(
        expect.arrayContaining([503, 500, 502, 200]),
      ),
  },
  {
    fault: "5xx burst, long: every job-status poll answers 503 (Retry-After: 0), timeoutSeconds 1",
    faults: () => [{ type: "status", status: 503, retryAfter: "0", match: poll, times: 100_000 }],
    inputs: { timeoutSeconds: 1 },
    resume: true,
    outcome: "partial state (running), update resumed → succeeded",
    posts: 1,
    jobs: 1,
    error:
      /Stopped waiting.*still running on Partner Center \(Product Ingestion API\).*Run `pulumi up` again to resume waiting \(publish is not sent again\)/,
    verify: (ctx) => {
      // A 5xx on a status poll counts as still pending: the wait ran to its timeout, never failed on it.
      expect(requestsOf(ctx, "configureStatus").filter((r) => r.status === 503).length).toBeGreaterThan(10);
    },
  },
  {
    fault: "503 on every configure POST (Retry-After: 0)",
    faults: () => [{ type: "status", status: 503, retryAfter: "0", match: postConfigure, times: 100 }],
    outcome: "deployment error, nothing saved",
    posts: 0,
    jobs: 0,
    error: /HTTP 503.*Simulated 503/,
    verify: (ctx) => {
      // The first attempt and 5 retries, each 503 checked against a re-read of the submissions first.
      expect(requestsOf(ctx, "configure", "POST")).toHaveLength(6);
    },
  },
  {
    fault: "429 with Retry-After: 1 (seconds) on the configure POST",
    faults: () => [{ type: "status", status: 429, retryAfter: "1", match: postConfigure }],
    outcome: "succeeded (preview ready)",
    posts: 1,
    jobs: 1,
    verify: (ctx) => {
      expect(requestsOf(ctx, "configure", "POST").map((r) => r.status)).toEqual([429, 202]);
      expect(gapMs(ctx, "configure", "POST")).toBeGreaterThanOrEqual(950);
    },
  },
  {
    fault: "429 with Retry-After: 1 (seconds) on a job-status poll",
    faults: () => [{ type: "status", status: 429, retryAfter: "1", match: poll }],
    // While polling, Retry-After is honoured up to the longest poll interval: allow 3 s here.
    inputs: { maxPollIntervalSeconds: 3 },
    outcome: "succeeded (preview ready)",
    posts: 1,
    jobs: 1,
    verify: (ctx) => {
      expect(requestsOf(ctx, "configureStatus")[0]?.status).toBe(429);
      expect(gapMs(ctx, "configureStatus")).toBeGreaterThanOrEqual(950);
    },
  },
  {
    fault: "connection reset before the configure POST was processed",
    faults: () => [{ type: "reset", match: postConfigure }],
    outcome: "succeeded (preview ready)",
    posts: 1,
    jobs: 1,
    verify: (ctx) => {
      expect(requestsOf(ctx, "configure", "POST").map((r) => [r.fault, r.processed])).toEqual([
        ["reset", false],
        [undefined, true],
      ]);
    },
  },
  {
    fault: "connection reset after the configure POST was processed",
    faults: () => [{ type: "resetAfterProcessing", match: postConfigure }],
    outcome: "succeeded (preview ready)",
    posts: 1,
    jobs: 1,
    verify: (ctx, { properties }) => {
      // Never re-sent: the re-read of the submissions found the one it had started, and it was followed.
      expect(requestsOf(ctx, "configure", "POST")).toHaveLength(1);
      expect(properties?.attached).toBe(true);
    },
  },
  {
    fault: "go-live: connection reset after the configure POST (target live) was processed",
    kind: "golive",
    faults: () => [{ type: "resetAfterProcessing", match: postConfigure }],
    outcome: "succeeded",
    posts: 1,
    jobs: 1,
    verify: (ctx, { properties }) => {
      expect(requestsOf(ctx, "configure", "POST")).toHaveLength(1);
      expect(properties).toMatchObject({
        attached: true,
        submissionId: expect.stringMatching(/^submission\//),
      });
    },
  },
  {
    fault: "hung configure POST (never answered), requestTimeoutSeconds 0.3",
    faults: () => [{ type: "hang", match: postConfigure }],
    inputs: { requestTimeoutSeconds: 0.3 },
    outcome: "succeeded (preview ready)",
    posts: 1,
    jobs: 1,
    verify: (ctx) => {
      expect(requestsOf(ctx, "configure", "POST").map((r) => r.processed)).toEqual([false, true]);
      expect(ctx.host.stdout).toMatch(/No response within 300 ms.*nothing was applied, sending it again/);
    },
  },
  {
    fault: "hung job-status poll (never answered), requestTimeoutSeconds 0.3",
    faults: () => [{ type: "hang", match: poll }],
    inputs: { requestTimeoutSeconds: 0.3 },
    outcome: "succeeded (preview ready)",
    posts: 1,
    jobs: 1,
    verify: (ctx) => expect(requestsOf(ctx, "configureStatus")[0]?.fault).toBe("hang"),
  },
  {
    fault: "truncated JSON on two job-status polls",
    faults: () => [{ type: "malformedJson", match: poll, times: 2 }],
    outcome: "succeeded (preview ready)",
    posts: 1,
    jobs: 1,
  },
  {
    fault: "truncated JSON on the submissions read before the configure POST",
    faults: () => [{ type: "malformedJson", match: submissions }],
    outcome: "succeeded (preview ready)",
    posts: 1,
    jobs: 1,
    verify: (ctx) => expect(requestsOf(ctx, "submission")[0]?.fault).toBe("malformedJson"),
  },
  {
    fault:
      '"An In Progress submission already exists" (a job started elsewhere, not listed on the first reads)',
    seed: { previewSeconds: LONG },
    before: async (ctx) => {
      // Another client configured the preview: a job is running that this deployment did not start.
      const { IngestionBackend } = await import("../../provider/ingestion/backend");
      const { PooledTransport } = await import("../../provider/core/http");
      const transport = new PooledTransport();
      try {
        const backend = new IngestionBackend({
          offerId: ctx.offerId,
          endpoint: `${ctx.sim.url}/rp/product-ingestion`,
          accessToken: CANARY,
          transport,
        });
        await backend.start("publish");
      } finally {
        await transport.close();
      }
    },
    // The reads before the POST (find-existing, then start) miss it, as if listed late.
    faults: () => [{ type: "status", status: 200, body: '{"value":[]}', match: submissions, times: 2 }],
    inputs: { timeoutSeconds: 20 },
    during: async (ctx) => {
      await waitFor(
        () =>
          ctx.settled ||
          (requestsOf(ctx, "configure", "POST").some((r) => r.status === 400) &&
            requestsOf(ctx, "submission").length > 3),
        "the refused POST and a poll",
      );
      ctx.sim.advance(2 * LONG);
    },
    outcome: "succeeded (preview ready)",
    // The refused POST reached the handler; it started nothing and was not re-sent.
    posts: 1,
    jobs: 0,
    verify: (ctx, { properties }) => {
      expect(requestsOf(ctx, "configure", "POST").map((r) => r.status)).toEqual([202, 400]);
      expect(properties?.attached).toBe(true);
      expect(ctx.host.stdout).toMatch(/An In Progress submission already exists.*Taking over submission/);
    },
  },
  {
    fault: "job failed with nested errors (a certification failure among them)",
    seed: { failNext: [{}] },
    outcome: "partial state (failed)",
    posts: 1,
    jobs: 1,
    error:
      /Certification failure: The offer failed certification.*The VHD SAS URI of image version 1\.0\.0 has expired.*Fix the offer in Partner Center \(Product Ingestion API\)/s,
    verify: (_ctx, { error }) => {
      const messages = decodeInitError(error)?.properties.messages as string[];
      expect(decodeInitError(error)?.properties.status).toBe("failed");
      // Every message, the nested details flattened.
      for (const expected of [
        /The submission could not be published/,
        /Certification failure: The offer failed certification/,
        /Failure for resource: virtual-machine-plan-technical-configuration/,
        /The VHD SAS URI of image version 1\.0\.0 has expired/,
      ])
        expect(messages.some((m) => expected.test(m))).toBe(true);
    },
  },
  {
    fault: "configure refused with 400 (schema validation error)",
    before: async (ctx) =>
      ctx.sim.ingestion.refuseNext(ctx.offerId, {
        message: "The request is not valid.",
        details: [{ code: "schemaValidationError", message: "Resource 0: something is off." }],
      }),
    outcome: "deployment error, nothing saved",
    posts: 1,
    jobs: 0,
    error:
      /rejected the request for offer matrix-ing-\d+ \(HTTP 400 \[badRequest\]\): The request is not valid\. schemaValidationError: Resource 0: something is off\./,
  },
  {
    fault: "unknown offer (product?externalId= answers an empty value)",
    before: async (ctx) => {
      ctx.offerId = `${ctx.offerId}-unknown`;
    },
    outcome: "deployment error, nothing saved",
    posts: 0,
    jobs: 0,
    error: /no product with the offer id \(external id\) "matrix-ing-\d+-unknown"/,
  },
  {
    fault: "401 invalid audience (a token for another resource than Microsoft Graph)",
    host: () => audienceHost,
    outcome: "deployment error, nothing saved",
    posts: 0,
    jobs: 0,
    error: /Invalid audience.*token for Microsoft Graph \(scope https:\/\/graph\.microsoft\.com\/\.default/,
  },
  {
    fault: "403 on the configure POST (app not a Manager of the seller account)",
    faults: () => [{ type: "forbidden", match: postConfigure }],
    outcome: "deployment error, nothing saved",
    posts: 0,
    jobs: 0,
    error: /HTTP 403.*not authorized to access this seller account.*with the Manager role/,
  },
];

let sim: CppSimulator;
let host: ProviderHost;
let audienceHost: ProviderHost;
const providerText: Partial<Record<Kind, string>> = {};
let counter = 0;
const results: Array<{ row: Row; outcome: string; posts: number; jobs: number; detail: string }> = [];

function inputs(kind: Kind, offerId: string, extra: Record<string, unknown> = {}) {
  return ingestionInputs(sim.url, providerText[kind], offerId, extra);
}

function jobsOf(offerId: string): number {
  return sim.ingestion.product(offerId)?.jobs.length ?? 0;
}

beforeAll(async () => {
  sim = await withSimulator({ acceptedTokens: [CANARY] });
  Object.assign(providerText, await serializedProviders());
  [host, audienceHost] = await Promise.all([ProviderHost.start(), ProviderHost.start()]);
  await host.configure({ "cloudpartner:accessToken": CANARY });
  await audienceHost.configure({ "cloudpartner:accessToken": WRONG_AUDIENCE });
});

afterAll(async () => {
  await Promise.all([host?.stop(), audienceHost?.stop()]);
  await sim?.close();
  writeMatrixReport(
    "ingestion-fault-matrix.md",
    ["fault", "outcome", "configure POSTs processed", "jobs started", "error text / detail"],
    results.map((r) => [r.row.fault, r.outcome, r.posts, r.jobs, r.detail]),
  );
});

test.each(matrix)("$fault", async (row) => {
  const kind = row.kind ?? "publish";
  const ctx: RowContext = { offerId: `matrix-ing-${++counter}`, sim, host, settled: false };
  sim.ingestion.addProduct({
    externalId: ctx.offerId,
    state: kind === "golive" ? "previewReady" : "neverPublished",
    ...row.seed,
  });
  await row.before?.(ctx);
  const { offerId } = ctx;
  const postsBefore = sim.ingestion.configurePosts(offerId);
  const jobsBefore = jobsOf(offerId);
  sim.setFaults(INGESTION_SCOPE, offerId, row.faults?.(ctx) ?? []);

  const { settled, outcome, detail } = await runMatrixDeployment({
    ctx,
    deploy: checkAndCreate(row.host?.() ?? host, inputs(kind, offerId, row.inputs)),
    during: () => row.during?.(ctx),
    succeeded: (p) => ({
      outcome:
        p?.status === "succeeded"
          ? `succeeded${p.awaitingSignoff ? " (preview ready)" : ""}`
          : `created (${p?.status})`,
      detail: p?.attached ? `attached to submission ${p.submissionId}` : "",
    }),
    partial: async (init) => {
      expect(init.properties.__provider).toBe(providerText[kind]);
      expect(init.properties.operationLocation).toMatch(/\/rp\/product-ingestion\//);
      if (!row.resume) return "";
      sim.setFaults(INGESTION_SCOPE, offerId, []);
      const news = (await host.check(init.properties, inputs(kind, offerId, row.inputs))).inputs;
      const { properties } = await host.update(init.id, init.properties, news);
      expect(properties.operationId).toBe(init.properties.operationId);
      return `, update resumed → ${properties.status}`;
    },
  });
  const posts = sim.ingestion.configurePosts(offerId) - postsBefore;
  const jobs = jobsOf(offerId) - jobsBefore;
  results.push({ row, outcome, posts, jobs, detail: detail.slice(0, 300) });

  expectMatrixRow(
    row.error,
    detail,
    { outcome, posts, jobs },
    { outcome: row.outcome, posts: row.posts, jobs: row.jobs },
  );
  row.verify?.(ctx, settled);
});

test("no response or output of either host carried a token", () => {
  for (const h of [host, audienceHost]) {
    for (const response of h.responses) {
      expect(response).not.toContain(CANARY);
      expect(response).not.toContain(WRONG_AUDIENCE);
    }
    expect(h.stdout + h.stderr).not.toContain(CANARY);
    expect(h.stdout + h.stderr).not.toContain(WRONG_AUDIENCE);
  }
});
