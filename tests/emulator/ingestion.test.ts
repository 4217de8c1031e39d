import {
  type CppSimulator,
  defaultIngestionSeed,
  INGESTION_MESSAGES,
  INGESTION_SCOPE,
} from "../../emulator/server";
import { simulatorPerTest } from "../support/harness";

const VERSION = "2022-07-01";
const SCHEMA = "https://schema.mp.microsoft.com/schema";
const NEW = "00000000-0000-4000-8000-000000000001";
const PREVIEW = "00000000-0000-4000-8000-000000000002";
const LIVE = "00000000-0000-4000-8000-000000000003";
const FAILING = "00000000-0000-4000-8000-000000000004";
const HOUR = 3600;
const DAY = 86_400;

interface SubmissionJson {
  id: string;
  product: string;
  target: { targetType: string };
  status?: string;
  result?: string;
  created?: string;
}
interface JobErrorJson {
  code: string;
  message: string;
  resourceId?: string;
  details?: JobErrorJson[];
}
interface StatusJson {
  $schema: string;
  jobId: string;
  jobStatus: string;
  jobResult: string;
  jobStart: string;
  jobEnd: string;
  errors: JobErrorJson[];
}
interface ErrorJson {
  error: { code: string; message: string; details?: Array<{ code: string; message: string }> };
}

let sim: CppSimulator;
const start = simulatorPerTest((started) => {
  sim = started;
});

interface CallOptions {
  method?: string;
  body?: unknown;
  token?: string | null;
  /** `$version`; null sends none. */
  version?: string | null;
}

/** A Product Ingestion call with the token and `$version` a real client would send. */
function call(path: string, options: CallOptions = {}): Promise<Response> {
  const version = options.version === undefined ? VERSION : options.version;
  const separator = path.includes("?") ? "&" : "?";
  const query = version === null ? "" : `${separator}$version=${version}`;
  const headers: Record<string, string> = { Accept: "application/json" };
  const token = options.token === undefined ? "test-token" : options.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  if (body) headers["Content-Type"] = "application/json";
  return fetch(`${sim.url}/rp/product-ingestion/${path}${query}`, {
    method: options.method ?? (body ? "POST" : "GET"),
    headers,
    body,
  });
}

async function ok<T>(path: string, options: CallOptions = {}): Promise<T> {
  const res = await call(path, options);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

async function errorOf(res: Response, status: number): Promise<ErrorJson["error"]> {
  expect(res.status).toBe(status);
  return ((await res.json()) as ErrorJson).error;
}

function submissionBody(target: "preview" | "live", product: unknown, id?: string, schemaHost = SCHEMA) {
  return {
    $schema: `${schemaHost}/configure/2022-07-01`,
    resources: [
      {
        $schema: `${schemaHost}/submission/2022-03-01-preview2`,
        ...(id ? { id } : {}),
        product,
        target: { targetType: target },
      },
    ],
  };
}

function configure(target: "preview" | "live", guid: string, id?: string): Promise<Response> {
  return call("configure", { body: submissionBody(target, `product/${guid}`, id) });
}

async function started(res: Response): Promise<StatusJson> {
  expect(res.status).toBe(202);
  return (await res.json()) as StatusJson;
}

const jobStatus = (jobId: string) => ok<StatusJson>(`configure/${jobId}/status`);
const submissions = async (guid: string, targetType?: string) =>
  (
    await ok<{ value: SubmissionJson[] }>(
      `submission/${guid}${targetType ? `?targetType=${targetType}` : ""}`,
    )
  ).value;
const brief = (entries: SubmissionJson[]) =>
  entries.map((e) => [e.target.targetType, e.id.split("/")[2], e.status, e.result]);

describe("$version", () => {
  test("missing: served as 2022-07-01 (SUSE sends none); deprecated: 400 with the real body; other versions pass", async () => {
    const missing = await call(`product?externalId=ing-new-offer`, { version: null });
    expect(missing.status).toBe(200);
    const asked = await ok<unknown>("product?externalId=ing-new-offer", { version: "2022-07-01" });
    expect(await missing.json()).toEqual(asked);
    const deprecated = await call(`product?externalId=ing-new-offer`, { version: "2022-03-01-preview3" });
    expect(deprecated.status).toBe(400);
    expect(await deprecated.text()).toBe(
      '{"error":{"code":"badRequest","message":"\\"2022-03-01-preview3 is a deprecated schema\\""}}',
    );
    expect((await call(`product?externalId=ing-new-offer`, { version: "not-a-version" })).status).toBe(400);
    for (const version of ["2022-07-01", "2023-07-15", "2022-03-01-preview5"])
      expect((await call(`product?externalId=ing-new-offer`, { version })).status).toBe(200);
    expect(sim.requests.map((entry) => entry.processed)).toEqual([
      true,
      true,
      false,
      false,
      true,
      true,
      true,
    ]);
  });

  test("versionRequired: a missing $version is refused with 400", async () => {
    await start({ ingestion: { versionRequired: true } });
    const missing = await call(`product?externalId=ing-new-offer`, { version: null });
    expect(await errorOf(missing, 400)).toEqual({
      code: "badRequest",
      message: INGESTION_MESSAGES.versionRequired,
    });
  });

  test("a deprecated version is configurable and applies to body schemas too", async () => {
    await start({ ingestion: { deprecatedVersions: ["2022-03-01-preview4"] } });
    expect((await call("product?externalId=ing-new-offer", { version: "2022-03-01-preview3" })).status).toBe(
      200,
    );
    const body = submissionBody("preview", `product/${NEW}`);
    (body.resources[0] as Record<string, unknown>).$schema = `${SCHEMA}/submission/2022-03-01-preview4`;
    const res = await call("configure", { body });
    expect((await errorOf(res, 400)).message).toBe('"2022-03-01-preview4 is a deprecated schema"');
    expect(sim.ingestion.product("ing-new-offer")?.jobs).toEqual([]);
  });

  test("the default deprecated preview3 is refused as $version and for types not served in it, not for those that are", async () => {
    expect((await errorOf(await call("product", { version: "2022-03-01-preview3" }), 400)).message).toBe(
      '"2022-03-01-preview3 is a deprecated schema"',
    );
    const body = submissionBody("preview", `product/${NEW}`);
    (body.resources[0] as Record<string, unknown>).$schema = `${SCHEMA}/submission/2022-03-01-preview3`;
    expect((await errorOf(await call("configure", { body }), 400)).message).toBe(
      '"2022-03-01-preview3 is a deprecated schema"',
    );
    // product, plan-listing, SaaS and container configurations are served (and written) in preview3.
    const product = {
      $schema: `${SCHEMA}/configure/2022-07-01`,
      resources: [
        {
          $schema: `${SCHEMA}/product/2022-03-01-preview3`,
          id: `product/${NEW}`,
          identity: { externalId: "ing-new-offer" },
          type: "azureVirtualMachine",
          alias: "renamed",
        },
      ],
    };
    expect((await call("configure", { body: product })).status).toBe(202);
  });
});

describe("auth", () => {
  test("401 for a missing, unknown or expired token; invalid audience for a wrong-audience token", async () => {
    await start({ tokenExpiry: { old: Date.now() - 1 }, acceptedTokens: ["test-token", "old"] });
    for (const token of [null, "unknown", "old"]) {
      const res = await call("product?externalId=ing-new-offer", { token });
      expect(res.headers.get("www-authenticate")).toBe("Bearer");
      expect((await errorOf(res, 401)).code).toBe("InvalidAuthenticationToken");
    }
    const audience = await call("product?externalId=ing-new-offer", { token: "wrong-audience-token" });
    expect(await errorOf(audience, 401)).toEqual({
      code: "InvalidAuthenticationToken",
      message: "Access token validation failure. Invalid audience.",
    });
    expect(sim.requests.every((entry) => !entry.processed)).toBe(true);
  });

  test("403 for a forbidden app's token and for a forbidden product; wrong-audience tokens are configurable", async () => {
    await start({
      ingestion: {
        wrongAudienceTokens: ["cpp-token"],
        products: [{ externalId: "secret", forbidden: true }, { externalId: "open" }],
      },
    });
    const app = await call("product?externalId=open", { token: "forbidden-app-token" });
    expect(await errorOf(app, 403)).toEqual({ code: "forbidden", message: INGESTION_MESSAGES.forbidden });
    expect((await call("product?externalId=secret")).status).toBe(403);
    expect((await call("product?externalId=open")).status).toBe(200);
    expect((await call("product?externalId=open", { token: "cpp-token" })).status).toBe(401);
  });
});

describe("products, plans, resource trees", () => {
  test("product by external id (empty value when unknown), by durable id; plans by external id", async () => {
    const found = await ok<{ value: Array<Record<string, unknown>> }>("product?externalId=ing-new-offer");
    expect(found.value).toEqual([
      {
        $schema: `${SCHEMA}/product/2022-03-01-preview3`,
        id: `product/${NEW}`,
        identity: { externalId: "ing-new-offer" },
        type: "azureVirtualMachine",
        alias: "ing-new-offer",
      },
    ]);
    expect(await ok("product?externalId=nope")).toEqual({ value: [] });
    expect(await ok(`product/${NEW}`)).toMatchObject({ id: `product/${NEW}` });
    expect((await call("product/00000000-0000-4000-8000-00000000ffff")).status).toBe(404);
    const plans = await ok<{ value: Array<{ id: string }> }>(
      `plan?product=product/${NEW}&externalId=ing-new-plan`,
    );
    expect(plans.value.map((plan) => plan.id)).toEqual([`plan/${NEW}/00000000-0000-4000-8000-0000000000a1`]);
    expect(await ok(`plan?product=product/${NEW}&externalId=other`)).toEqual({ value: [] });
    expect(sim.count({ kind: "product", offerId: "ing-new-offer" })).toBe(2);
  });

  test("resource tree: draft by default, live only once live, quoted targetType rejected, order not stable", async () => {
    const tree = await ok<{ root: string; target: unknown; resources: Array<{ id: string }> }>(
      `resource-tree/product/${NEW}`,
    );
    expect(tree).toMatchObject({ root: `product/${NEW}`, target: { targetType: "draft" } });
    const again = await ok<typeof tree>(`resource-tree/product/${NEW}?targetType=draft`);
    expect(again.resources.map((r) => r.id)).toEqual(tree.resources.map((r) => r.id).reverse());
    const never = await call(`resource-tree/product/${NEW}?targetType=live`);
    expect((await errorOf(never, 400)).message).toBe(INGESTION_MESSAGES.noTree("live", `product/${NEW}`));
    expect((await call(`resource-tree/product/${PREVIEW}?targetType=preview`)).status).toBe(200);
    expect((await call(`resource-tree/product/${PREVIEW}?targetType=live`)).status).toBe(400);
    expect((await call(`resource-tree/product/${LIVE}?targetType=live`)).status).toBe(200);
    const quoted = await call(`resource-tree/product/${LIVE}?targetType="live"`);
    expect((await errorOf(quoted, 400)).message).toContain(`'"live"' is not valid for targetType`);
  });
});

describe("submissions", () => {
  test("seeded products: draft /0 only; a preview ready; live with one id for preview and live", async () => {
    expect(brief(await submissions(NEW))).toEqual([["draft", "0", undefined, undefined]]);
    const preview = await submissions(PREVIEW);
    expect(brief(preview)).toEqual([
      ["draft", "0", undefined, undefined],
      ["preview", expect.stringMatching(/^\d{19}$/), "completed", "succeeded"],
    ]);
    expect(preview[1]).toMatchObject({ product: `product/${PREVIEW}`, lifecycleState: "generallyAvailable" });
    expect(Date.parse(preview[1]?.created ?? "")).toBeLessThan(sim.now().getTime());
    const live = await submissions(LIVE);
    expect(live.map((e) => e.target.targetType)).toEqual(["draft", "preview", "live"]);
    expect(live[1]?.id).toBe(live[2]?.id);
    expect(brief(await submissions(LIVE, "live"))).toEqual([
      ["live", expect.any(String), "completed", "succeeded"],
    ]);
    expect((await call(`submission/${LIVE}?targetType='live'`)).status).toBe(400);
    expect(await ok(`submission/${LIVE}/${live[2]?.id.split("/")[2]}`)).toMatchObject({ id: live[2]?.id });
  });
});

describe("configure: preview and live", () => {
  test("preview: 202 configure-status; job and submission move in simulated hours; detail only at the end", async () => {
    const job = await started(await configure("preview", NEW));
    expect(job).toEqual({
      $schema: `${SCHEMA}/configure-status/${VERSION}`,
      jobId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      jobStatus: "notStarted",
      jobResult: "pending",
      jobStart: expect.any(String),
      jobEnd: "0001-01-01T00:00:00",
      errors: [],
    });
    expect(Math.abs(Date.parse(job.jobStart) - sim.now().getTime())).toBeLessThan(60_000);
    expect(brief(await submissions(NEW, "preview"))).toEqual([
      ["preview", expect.any(String), "notStarted", "pending"],
    ]);
    const early = await call(`configure/${job.jobId}`);
    expect((await errorOf(early, 400)).message).toBe(INGESTION_MESSAGES.jobNotCompleted(job.jobId));
    sim.advance(60);
    expect(await jobStatus(job.jobId)).toMatchObject({ jobStatus: "running", jobResult: "pending" });
    expect(brief(await submissions(NEW, "preview"))).toEqual([
      ["preview", expect.any(String), "running", "pending"],
    ]);
    sim.advance(5 * HOUR);
    expect((await jobStatus(job.jobId)).jobStatus).toBe("running");
    sim.advance(HOUR);
    const done = await jobStatus(job.jobId);
    expect(done).toMatchObject({ jobStatus: "completed", jobResult: "succeeded", errors: [] });
    expect(Date.parse(done.jobEnd)).toBe(Date.parse(done.jobStart) + (30 + 6 * HOUR) * 1000);
    const [preview] = await submissions(NEW, "preview");
    expect(preview).toMatchObject({ status: "completed", result: "succeeded" });
    expect(await ok(`configure/${job.jobId}`)).toEqual({
      $schema: `${SCHEMA}/configure/${VERSION}`,
      resources: [
        {
          $schema: `${SCHEMA}/submission/2022-03-01-preview7`,
          id: preview?.id,
          product: `product/${NEW}`,
          target: { targetType: "preview" },
        },
      ],
    });
    expect((await call(`resource-tree/product/${NEW}?targetType=preview`)).status).toBe(200);
    expect(sim.ingestion.configurePosts("ing-new-offer")).toBe(1);
  });

  test("product by {externalId}, old schema host and the draft id as cloudpub sends it are accepted", async () => {
    const body = submissionBody(
      "preview",
      { externalId: "ing-new-offer" },
      `submission/${NEW}/0`,
      "https://product-ingestion.azureedge.net/schema",
    );
    await started(await call("configure", { body }));
    expect(sim.requests[0]).toMatchObject({ kind: "configure", offerId: "ing-new-offer", processed: true });
  });

  test("live: needs the preview id; takes simulated days; during it two live entries coexist", async () => {
    const live = await submissions(LIVE);
    const oldLive = live[2]?.id ?? "";
    const noId = await configure("live", LIVE);
    expect(await errorOf(noId, 400)).toEqual({ code: "badRequest", message: INGESTION_MESSAGES.liveNeedsId });
    expect((await errorOf(await configure("live", LIVE, `submission/${LIVE}/0`), 400)).message).toBe(
      INGESTION_MESSAGES.liveNeedsId,
    );
    const preview = await started(await configure("preview", LIVE));
    sim.advance(7 * HOUR);
    expect((await jobStatus(preview.jobId)).jobResult).toBe("succeeded");
    const [newPreview] = await submissions(LIVE, "preview");
    const newId = newPreview?.id ?? "";
    expect(newId).not.toBe(oldLive);
    const goLive = await started(await configure("live", LIVE, newId));
    sim.advance(DAY);
    expect((await jobStatus(goLive.jobId)).jobStatus).toBe("running");
    expect(brief(await submissions(LIVE, "live"))).toEqual([
      ["live", oldLive.split("/")[2], "completed", "succeeded"],
      ["live", newId.split("/")[2], "running", "pending"],
    ]);
    sim.advance(DAY + 30);
    expect(await jobStatus(goLive.jobId)).toMatchObject({ jobStatus: "completed", jobResult: "succeeded" });
    expect(brief(await submissions(LIVE, "live"))).toEqual([
      ["live", newId.split("/")[2], "completed", "succeeded"],
    ]);
    expect((await submissions(LIVE, "preview"))[0]?.id).toBe(newId);
  });

  test("durations and the submission's lag after its job are per product", async () => {
    sim.ingestion.addProduct({
      externalId: "quick",
      state: "previewReady",
      queueSeconds: 0,
      liveSeconds: 100,
      submissionLagSeconds: 50,
    });
    const guid = sim.ingestion.product("quick")?.id.split("/")[1] ?? "";
    const previewId = (await submissions(guid, "preview"))[0]?.id;
    const job = await started(await configure("live", guid, previewId));
    expect(job.jobStatus).toBe("running");
    sim.advance(100);
    expect((await jobStatus(job.jobId)).jobResult).toBe("succeeded");
    expect((await submissions(guid, "live"))[0]).toMatchObject({ status: "running", result: "pending" });
    sim.advance(50);
    expect((await submissions(guid, "live"))[0]).toMatchObject({ status: "completed", result: "succeeded" });
  });

  test("timeScale speeds simulated time for ingestion jobs too", async () => {
    await start({
      timeScale: 100_000,
      ingestion: { products: [{ externalId: "fast", previewSeconds: 1000 }] },
    });
    const guid = sim.ingestion.product("fast")?.id.split("/")[1] ?? "";
    const job = await started(await configure("preview", guid));
    await new Promise((resolve) => setTimeout(resolve, 50)); // ≥ 5000 simulated seconds
    expect((await jobStatus(job.jobId)).jobStatus).toBe("completed");
  });

  test("switches: 200 instead of 202, jobID spelling", async () => {
    await start({ ingestion: { configureStatus: 200, jobIdField: "jobID" } });
    const res = await configure("preview", NEW);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.jobId).toBeUndefined();
    expect(await ok(`configure/${String(body.jobID)}/status`)).toMatchObject({ jobID: body.jobID });
  });

  test("submission schema preview7 needs sources; other resource types and bad bodies are 400", async () => {
    const body = submissionBody("preview", `product/${NEW}`);
    const resource = body.resources[0] as Record<string, unknown>;
    resource.$schema = `${SCHEMA}/submission/2022-03-01-preview7`;
    const missing = await errorOf(await call("configure", { body }), 400);
    expect(missing.details?.[0]).toMatchObject({ code: "schemaValidationError" });
    expect(missing.details?.[0]?.message).toBe(
      `Schema validation failed for schema ${SCHEMA}/submission/2022-03-01-preview7: Required properties ["sources"] were not present #`,
    );
    resource.sources = [];
    expect((await call("configure", { body })).status).toBe(202);
    const plan = {
      $schema: `${SCHEMA}/configure/2022-07-01`,
      resources: [{ $schema: `${SCHEMA}/plan/2022-03-01-preview2` }],
    };
    expect((await call("configure", { body: plan })).status).toBe(400);
    expect((await call("configure", { body: submissionBody("preview", "product/unknown") })).status).toBe(
      400,
    );
    const raw = await fetch(`${sim.url}/rp/product-ingestion/configure?$version=${VERSION}`, {
      method: "POST",
      headers: { Authorization: "Bearer test-token" },
      body: "{not json",
    });
    expect(raw.status).toBe(400);
  });
});

describe("one submission in flight", () => {
  test("a second configure while one runs: 400 In Progress; a stale preview id: 400 not the latest", async () => {
    const seededPreviewId = (await submissions(PREVIEW, "preview"))[0]?.id;
    const preview = await started(await configure("preview", PREVIEW));
    const [, newPreview] = await submissions(PREVIEW, "preview");
    expect(newPreview?.status).toBe("notStarted");
    const second = await configure("preview", PREVIEW);
    expect(await errorOf(second, 400)).toEqual({
      code: "badRequest",
      message: "An In Progress submission already exists",
    });
    const liveDuring = await configure("live", PREVIEW, newPreview?.id);
    expect((await errorOf(liveDuring, 400)).message).toBe("An In Progress submission already exists");
    sim.advance(7 * HOUR);
    expect((await jobStatus(preview.jobId)).jobResult).toBe("succeeded");
    const stale = await configure("live", PREVIEW, seededPreviewId);
    expect(await errorOf(stale, 400)).toEqual({
      code: "badRequest",
      message: "The submission cannot be pushed to as its not the latest",
    });
    await started(await configure("live", PREVIEW, newPreview?.id));
    // The seeded preview's job, the new preview, the go-live: the refused POSTs made none.
    expect(sim.ingestion.product("ing-preview-offer")?.jobs).toHaveLength(3);
  });

  test("conflictMode jobError: 202 with a job already completed/failed carrying the conflict", async () => {
    await start({ ingestion: { conflictMode: "jobError" } });
    await started(await configure("preview", NEW));
    const second = await started(await configure("preview", NEW));
    expect(second).toMatchObject({
      jobStatus: "completed",
      jobResult: "failed",
      errors: [{ code: "conflict", message: INGESTION_MESSAGES.inProgress, resourceId: `product/${NEW}` }],
    });
    expect(second.jobEnd).not.toBe("0001-01-01T00:00:00");
    expect(brief(await submissions(NEW, "preview"))).toHaveLength(1);
  });
});

describe("failures, refusals, cancel", () => {
  test("a failing preview: job failed with nested errors, one of them a certification failure", async () => {
    const job = await started(await configure("preview", FAILING));
    sim.advance(30 + 1800);
    const done = await jobStatus(job.jobId);
    expect(done).toMatchObject({ jobStatus: "completed", jobResult: "failed" });
    expect(done.errors.length).toBeGreaterThanOrEqual(2);
    const certification = done.errors.filter(
      (e) => e.code === "invalidState" && e.details?.some((d) => /certification/i.test(d.message)),
    );
    expect(certification).toHaveLength(1);
    expect(done.errors.every((e) => e.code && e.message)).toBe(true);
    expect(brief(await submissions(FAILING, "preview"))).toEqual([
      ["preview", expect.any(String), "completed", "failed"],
    ]);
    // Only the next job fails.
    const retry = await started(await configure("preview", FAILING));
    sim.advance(7 * HOUR);
    expect((await jobStatus(retry.jobId)).jobResult).toBe("succeeded");
  });

  test("failNext for live with own errors; refuseNext answers one request error and applies nothing", async () => {
    sim.ingestion.failNext("ing-preview-offer", {
      target: "live",
      afterSeconds: 10,
      errors: [{ code: "internalServerError", message: "Boom." }],
    });
    sim.ingestion.refuseNext("ing-preview-offer", {
      message: "Nope.",
      details: [{ code: "x", message: "y" }],
    });
    const previewId = (await submissions(PREVIEW, "preview"))[0]?.id;
    const refused = await configure("live", PREVIEW, previewId);
    expect(await errorOf(refused, 400)).toEqual({
      code: "badRequest",
      message: "Nope.",
      details: [{ code: "x", message: "y" }],
    });
    expect(sim.ingestion.product("ing-preview-offer")?.jobs).toEqual([expect.any(String)]);
    const job = await started(await configure("live", PREVIEW, previewId));
    sim.advance(40);
    expect(await jobStatus(job.jobId)).toMatchObject({
      jobResult: "failed",
      errors: [{ code: "internalServerError", message: "Boom." }],
    });
    expect((await call(`resource-tree/product/${PREVIEW}?targetType=live`)).status).toBe(400);
  });

  test("cancel: completed/cancelled; too late: 400; far-along jobs may refuse", async () => {
    const job = await started(await configure("preview", NEW));
    sim.advance(120);
    const cancelled = await ok<StatusJson>(`configure/${job.jobId}/cancel`, { method: "POST" });
    expect(cancelled).toMatchObject({ jobStatus: "completed", jobResult: "cancelled" });
    expect(brief(await submissions(NEW, "preview"))).toEqual([
      ["preview", expect.any(String), "completed", "failed"],
    ]);
    const late = await call(`configure/${job.jobId}/cancel`, { method: "POST" });
    expect(await errorOf(late, 400)).toEqual({
      code: "badRequest",
      message: "Cannot cancel job, job has already completed.",
    });
    sim.ingestion.addProduct({ externalId: "stubborn", cancelRefusedAfterSeconds: 600 });
    const guid = sim.ingestion.product("stubborn")?.id.split("/")[1] ?? "";
    const running = await started(await configure("preview", guid));
    sim.advance(30 + 600);
    expect((await call(`configure/${running.jobId}/cancel`, { method: "POST" })).status).toBe(400);
    expect((await jobStatus(running.jobId)).jobStatus).toBe("running");
    expect((await call("configure/nope/status")).status).toBe(404);
  });
});

describe("faults and the request log", () => {
  test("per-product faults on configure POST: 429/503 and reset before processing start nothing; reset after does", async () => {
    sim.setFaults(INGESTION_SCOPE, "ing-new-offer", [
      { type: "status", status: 429, retryAfter: "3", match: { method: "POST", kind: "configure" } },
      { type: "status", status: 503, match: { method: "POST", kind: "configure" } },
      { type: "reset", match: { method: "POST" } },
      { type: "resetAfterProcessing", match: { method: "POST" } },
    ]);
    expect((await call(`submission/${NEW}`)).status).toBe(200);
    const throttled = await configure("preview", NEW);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("3");
    expect((await configure("preview", NEW)).status).toBe(503);
    await expect(configure("preview", NEW)).rejects.toThrow();
    expect(sim.ingestion.product("ing-new-offer")?.runningJobId).toBeUndefined();
    await expect(configure("preview", NEW)).rejects.toThrow();
    expect(sim.ingestion.product("ing-new-offer")?.runningJobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sim.ingestion.configurePosts("ing-new-offer")).toBe(1);
    expect(sim.requests.map((e) => [e.kind, e.fault ?? "-", e.processed])).toEqual([
      ["submission", "-", true],
      ["configure", "status", false],
      ["configure", "status", false],
      ["configure", "reset", false],
      ["configure", "resetAfterProcessing", true],
    ]);
    expect(
      sim.requests.every((e) => e.publisherId === INGESTION_SCOPE && e.offerId === "ing-new-offer"),
    ).toBe(true);
  });

  test("job status polls: truncated JSON, hung answer, 5xx burst; the log knows the job's product", async () => {
    const job = await started(await configure("preview", NEW));
    sim.setFaults(INGESTION_SCOPE, "ing-new-offer", [
      { type: "malformedJson" },
      { type: "hang", ms: 60 },
      { type: "status", status: 500, times: 2 },
    ]);
    const truncated = await call(`configure/${job.jobId}/status`);
    expect(truncated.status).toBe(200);
    await expect(truncated.json()).rejects.toThrow();
    const before = Date.now();
    await jobStatus(job.jobId);
    expect(Date.now() - before).toBeGreaterThanOrEqual(55);
    expect((await call(`configure/${job.jobId}/status`)).status).toBe(500);
    expect((await call(`configure/${job.jobId}/status`)).status).toBe(500);
    await jobStatus(job.jobId);
    expect(sim.count({ kind: "configureStatus", offerId: "ing-new-offer" })).toBe(5);
  });

  test("forbidden and unauthorized faults answer in the ingestion shape, once", async () => {
    sim.setFaults(INGESTION_SCOPE, "ing-live-offer", [{ type: "forbidden" }, { type: "unauthorized" }]);
    expect(await errorOf(await call(`submission/${LIVE}`), 403)).toEqual({
      code: "forbidden",
      message: INGESTION_MESSAGES.forbidden,
    });
    expect((await call(`submission/${LIVE}`)).status).toBe(401);
    expect((await call(`submission/${LIVE}`)).status).toBe(200);
  });
});

describe("control API, both APIs on one port", () => {
  test("control ingestion routes seed products, fail and refuse; faults, advance, requests and reset work", async () => {
    const control = async (path: string, body?: unknown) => {
      const res = await fetch(
        `${sim.url}/_emulator/v1${path}`,
        body === undefined ? {} : { method: "POST", body: JSON.stringify(body) },
      );
      return { status: res.status, body: res.status === 204 ? undefined : await res.json() };
    };
    const created = await control("/ingestion/products", { externalId: "ctl", state: "previewReady" });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ externalId: "ctl", configurePosts: 0 });
    const guid = (created.body as { id: string }).id.split("/")[1] ?? "";
    expect((await control("/ingestion/products/ctl/fail-next", {})).status).toBe(200);
    expect(
      (
        await control("/ingestion/products/ctl/refuse-next", {
          status: 409,
          code: "conflict",
          message: "Busy.",
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await control("/faults", {
          publisherId: INGESTION_SCOPE,
          offerId: "ctl",
          faults: [{ type: "status", status: 502 }],
        })
      ).status,
    ).toBe(204);
    expect((await configure("preview", guid)).status).toBe(502);
    expect(await errorOf(await configure("preview", guid), 409)).toEqual({
      code: "conflict",
      message: "Busy.",
    });
    const job = await started(await configure("preview", guid));
    await control("/advance", { seconds: DAY });
    expect((await control(`/ingestion/jobs/${job.jobId}`)).body).toMatchObject({ jobResult: "failed" });
    const view = (await control("/ingestion/products/ctl")).body;
    expect(view).toMatchObject({ configurePosts: 2 });
    expect(view).not.toHaveProperty("runningJobId");
    expect((await control("/ingestion/products/none")).status).toBe(404);
    expect((await control("/ingestion/products/none/fail-next", {})).status).toBe(404);
    const requests = (await control("/requests")).body as Array<{ path: string; kind: string }>;
    expect(requests.map((r) => r.kind)).toEqual(["configure", "configure", "configure"]);
    expect((await control("/reset", {})).status).toBe(204);
    expect(sim.ingestion.product("ctl")).toBeUndefined();
    expect(sim.ingestion.product("ing-live-offer")).toBeDefined();
  });

  test("the CPP API answers on the same port; the default seed has its ingestion products", async () => {
    const cpp = await fetch(
      `${sim.url}/api/publishers/contoso/offers/contoso-offer/status?api-version=2017-10-31`,
      {
        headers: { Authorization: "Bearer test-token" },
      },
    );
    expect(cpp.status).toBe(200);
    expect((await call("product?externalId=ing-live-offer")).status).toBe(200);
    expect(defaultIngestionSeed().map((p) => [p.externalId, p.state])).toEqual([
      ["ing-new-offer", "neverPublished"],
      ["ing-preview-offer", "previewReady"],
      ["ing-live-offer", "live"],
      ["ing-failing-offer", "neverPublished"],
      ["ing-images-offer", "live"],
      ["ing-vm-offer", "live"],
      ["ing-core-offer", "previewReady"],
      ["ing-saas-offer", "live"],
      ["ing-container-offer", "neverPublished"],
      ["ing-cnab-offer", "live"],
    ]);
    expect((await call("nothing-here")).status).toBe(404);
    expect((await call(`submission/${NEW}`, { method: "DELETE" })).status).toBe(405);
  });
});

describe("technical configurations", () => {
  const IMAGES = "00000000-0000-4000-8000-000000000005";
  const PLAN = "00000000-0000-4000-8000-0000000000a5";
  const TC = `virtual-machine-plan-technical-configuration/${IMAGES}/${PLAN}`;
  // biome-ignore lint/suspicious/noExplicitAny: tests index into the resource freely
  type Json = Record<string, any>;
  const sasUri = (blob: string, se = "2099-01-01T00:00:00Z") =>
    `https://contoso.blob.core.windows.net/vhds/${blob}.vhd?sv=2020-08-04&sr=c&sp=rl&st=2020-01-01T00:00:00Z&se=${encodeURIComponent(se)}&sig=abc`;
  const newVersion = (v: string, blob = `os-${v}`, se?: string) => ({
    versionNumber: v,
    vmImages: [
      {
        imageType: "x64Gen2",
        source: { sourceType: "sasUri", osDisk: { uri: sasUri(blob, se) }, dataDisks: [] },
      },
    ],
  });
  const read = () => ok<Json>(TC);
  const post = (resource: Json) =>
    call("configure", { body: { $schema: `${SCHEMA}/configure/2022-07-01`, resources: [resource] } });
  /** POST, let the job (2 s) end, return its final status. */
  async function configured(resource: Json): Promise<StatusJson> {
    const job = await started(await post(resource));
    expect(job.jobStatus).toBe("running");
    sim.advance(3);
    return jobStatus(job.jobId);
  }

  test("GET by durable id and in the resource tree; seeded versions, skus and vmProperties", async () => {
    const tc = await read();
    expect(tc).toMatchObject({
      $schema: `${SCHEMA}/virtual-machine-plan-technical-configuration/2022-03-01-preview5`,
      id: TC,
      product: `product/${IMAGES}`,
      plan: `plan/${IMAGES}/${PLAN}`,
      vmProperties: { supportsNVMe: true },
      skus: [{ imageType: "x64Gen2" }, { imageType: "x64Gen1" }],
    });
    expect(tc.vmImageVersions[0]).toMatchObject({
      versionNumber: "9.0.20230404",
      lifecycleState: "deprecated",
      deprecationSchedule: { reason: "endOfSupport", dateOffset: "P90D" },
    });
    const tree = await ok<{ resources: Json[] }>(`resource-tree/product/${IMAGES}`);
    expect(tree.resources.find((r) => r.id === TC)).toEqual(tc);
    const live = await ok<{ resources: Json[] }>(`resource-tree/product/${IMAGES}?targetType=live`);
    expect(live.resources.find((r) => r.id === TC)?.vmImageVersions).toEqual(tc.vmImageVersions);
    expect((await call(`${TC.replace(PLAN, "nope")}`)).status).toBe(404);
  });

  test("each type comes back in its own schema: the newest not newer than the $version asked", async () => {
    const schemaOf = async (path: string, version: string) => (await ok<Json>(path, { version })).$schema;
    expect(await schemaOf(TC, VERSION)).toBe(
      `${SCHEMA}/virtual-machine-plan-technical-configuration/2022-03-01-preview5`,
    );
    expect(await schemaOf(TC, "2022-03-01-preview4")).toBe(
      `${SCHEMA}/virtual-machine-plan-technical-configuration/2022-03-01-preview3`,
    );
    expect(await schemaOf(`plan/${IMAGES}/${PLAN}`, VERSION)).toBe(`${SCHEMA}/plan/2022-03-01-preview2`);
    expect(await schemaOf(`resource-tree/product/${IMAGES}`, VERSION)).toBe(
      `${SCHEMA}/resource-tree/2022-03-01-preview2`,
    );
    const listed = await ok<{ value: Json[] }>(`submission/${IMAGES}`);
    expect(new Set(listed.value.map((s) => s.$schema))).toEqual(
      new Set([`${SCHEMA}/submission/2022-03-01-preview7`]),
    );
    expect(
      (await ok<{ value: Json[] }>(`submission/${IMAGES}`, { version: "2022-03-01-preview5" })).value[0]
        ?.$schema,
    ).toBe(`${SCHEMA}/submission/2022-03-01-preview2`);
  });

  test("a newer preview that requires a property (setting): served on read; writing it back fails, an older one works", async () => {
    const type = "virtual-machine-plan-technical-configuration";
    sim.ingestion.updateSchemas({
      schemaVersions: { [type]: ["2022-03-01-preview9"] },
      schemaRequirements: { [`${type}/2022-03-01-preview9`]: ["imageSecurityProfile"] },
    });
    const tc = await read();
    expect(tc.$schema).toBe(`${SCHEMA}/${type}/2022-03-01-preview9`);
    const sent = { ...tc, vmImageVersions: [...tc.vmImageVersions, newVersion("9.2.0")] };
    const refused = await errorOf(await post(sent), 400);
    expect(refused.details).toEqual([
      {
        code: "schemaValidationError",
        message: `Schema validation failed for schema ${SCHEMA}/${type}/2022-03-01-preview9: Required properties ["imageSecurityProfile"] were not present #`,
      },
    ]);
    expect(
      sim.ingestion.technicalConfiguration("ing-images-offer", "ing-images-plan")?.vmImageVersions,
    ).toEqual(tc.vmImageVersions);
    const pinned = { ...sent, $schema: `${SCHEMA}/${type}/2022-03-01-preview5` };
    expect(await configured(pinned)).toMatchObject({ jobResult: "succeeded" });
    // Over HTTP too; a reset forgets it.
    const res = await fetch(`${sim.url}/_emulator/v1/ingestion/schemas`, {
      method: "POST",
      body: JSON.stringify({ schemaRequirements: { [`${type}/2022-03-01-preview5`]: ["x"] } }),
    });
    expect(res.status).toBe(204);
    expect((await post(pinned)).status).toBe(400);
    sim.reset();
    expect((await read()).$schema).toBe(`${SCHEMA}/${type}/2022-03-01-preview5`);
  });

  test("configure with the whole configuration adds a version after a 2 s job; older versions come back as sent", async () => {
    const tc = await read();
    const sent = { ...tc, vmImageVersions: [...tc.vmImageVersions, newVersion("9.2.0")] };
    const status = await configured(sent);
    expect(status).toMatchObject({ jobStatus: "completed", jobResult: "succeeded", errors: [] });
    const after = await read();
    expect(after.vmImageVersions).toEqual(sent.vmImageVersions);
    expect(sim.ingestion.configurePosts("ing-images-offer")).toBe(1);
  });

  test("the request log says what each configure POST configures: a technical configuration, preview or live", async () => {
    const tc = await read();
    await configured({ ...tc, vmImageVersions: [...tc.vmImageVersions, newVersion("9.2.0")] });
    await started(await configure("preview", IMAGES));
    // Refused (a submission is in flight), yet logged with what it asked for.
    expect((await configure("live", IMAGES, `submission/${IMAGES}/1`)).status).toBe(400);
    await call("configure", { body: { $schema: `${SCHEMA}/configure/2022-07-01`, resources: [] } });
    const posts = sim.requests.filter((r) => r.kind === "configure");
    expect(posts.map((r) => [r.offerId, r.configures])).toEqual([
      ["ing-images-offer", "technicalConfiguration"],
      ["ing-images-offer", "preview"],
      ["ing-images-offer", "live"],
      [undefined, undefined],
    ]);
    expect(sim.requests.filter((r) => r.kind !== "configure" && r.configures !== undefined)).toEqual([]);
  });

  test("omitting or deleting a published image fails the job with the API's words", async () => {
    const tc = await read();
    const omitted = await configured({ ...tc, vmImageVersions: tc.vmImageVersions.slice(1) });
    expect(omitted.jobResult).toBe("failed");
    expect(omitted.errors[0]).toEqual({
      code: "badRequest",
      message: "Cannot delete image '9.0.20230404' of type 'X64Gen1' as it is already published.",
      resourceId: TC,
      details: [
        {
          code: "invalidResource",
          message: "Failure for resource: virtual-machine-plan-technical-configuration-0",
          details: [],
        },
      ],
    });
    const deleted = tc.vmImageVersions.map((v: Json, i: number) =>
      i === 1 ? { ...v, lifecycleState: "deleted" } : v,
    );
    const refused = await configured({ ...tc, vmImageVersions: deleted });
    expect(refused.errors.map((e) => e.message)).toEqual([
      "Cannot delete image '9.1.20240101' of type 'X64Gen2' as it is already published.",
      "Cannot delete image '9.1.20240101' of type 'X64Gen1' as it is already published.",
    ]);
    expect(await read()).toEqual(tc);
  });

  test("a stripped deprecation schedule, sticky vmProperties and a bad versionNumber are refused", async () => {
    const tc = await read();
    const stripped = tc.vmImageVersions.map((v: Json, i: number) => {
      if (i !== 0) return v;
      const { deprecationSchedule: _s, ...rest } = v;
      return rest;
    });
    const restore = await configured({ ...tc, vmImageVersions: stripped });
    expect(restore.errors[0]?.message).toBe(
      "Image '9.0.20230404' cannot be restored because it was deprecated before it was published to live",
    );
    const nvme = await configured({ ...tc, vmProperties: { ...tc.vmProperties, supportsNVMe: false } });
    expect(nvme.errors[0]?.message).toBe("SupportsNVMe property has already been enabled");
    const bad = await post({
      ...tc,
      vmImageVersions: [...tc.vmImageVersions, newVersion("1.2.123456789012")],
    });
    const error = await errorOf(bad, 400);
    expect(error.details?.[0]?.code).toBe("schemaValidationError");
    expect(await read()).toEqual(tc);
  });

  test("a preview certifies new images: an expired SAS fails it naming the version; valid ones pass", async () => {
    const tc = await read();
    await configured({
      ...tc,
      vmImageVersions: [...tc.vmImageVersions, newVersion("9.3.0", "os-9.3.0", "2001-01-01T00:00:00Z")],
    });
    const job = await started(await configure("preview", IMAGES));
    sim.advance(2 * HOUR);
    const status = await jobStatus(job.jobId);
    expect(status.jobResult).toBe("failed");
    expect(JSON.stringify(status.errors)).toMatch(
      /Certification failed for image version '9\.3\.0' of plan 'ing-images-plan': Not able to download blob https:\/\/contoso\.blob\.core\.windows\.net\/vhds\/os-9\.3\.0\.vhd\./,
    );
    expect(JSON.stringify(status.errors)).not.toContain("sig=");
    // Fixed: the next preview certifies.
    const fixed = await read();
    fixed.vmImageVersions[2] = newVersion("9.3.0");
    await configured(fixed);
    const next = await started(await configure("preview", IMAGES));
    sim.advance(7 * HOUR);
    expect((await jobStatus(next.jobId)).jobResult).toBe("succeeded");
    const preview = sim.ingestion.technicalConfiguration(
      "ing-images-offer",
      "ing-images-plan",
      "preview",
    ) as Json;
    expect(preview?.vmImageVersions.map((v: Json) => v.versionNumber)).toEqual([
      "9.0.20230404",
      "9.1.20240101",
      "9.3.0",
    ]);
  });

  test("a portal edit lands right after the next read (between a client's read and write)", async () => {
    sim.ingestion.portalEdit(
      "ing-images-offer",
      "ing-images-plan",
      { vmImageVersions: [newVersion("9.9.0")], vmProperties: { supportsHibernation: true } },
      { afterNextRead: true },
    );
    const first = await read();
    expect(first.vmImageVersions).toHaveLength(2);
    const second = await read();
    expect(second.vmImageVersions.map((v: Json) => v.versionNumber)).toEqual([
      "9.0.20230404",
      "9.1.20240101",
      "9.9.0",
    ]);
    expect(second.vmProperties.supportsHibernation).toBe(true);
    const res = await fetch(`${sim.url}/_emulator/v1/ingestion/products/ing-images-offer/portal-edit`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ planId: "ing-images-plan", edit: { removeVersions: ["9.9.0"] } }),
    });
    expect(res.status).toBe(200);
    expect((await read()).vmImageVersions).toHaveLength(2);
  });

  /** Every object's keys reversed, `vmImages` reversed, empty `dataDisks` left out: the same meaning. */
  function reordered(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(reordered);
    if (typeof value !== "object" || value === null) return value;
    const entries = Object.entries(value as Json)
      .filter(([key, v]) => !(key === "dataDisks" && Array.isArray(v) && v.length === 0))
      .reverse()
      .map(([key, v]) => [key, key === "vmImages" ? (reordered(v) as unknown[]).reverse() : reordered(v)]);
    return Object.fromEntries(entries);
  }

  test("a no-change round trip with other key order (cloudpub) is accepted: vmImages compare by meaning", async () => {
    const tc = await read();
    const status = await configured(reordered(tc) as Json);
    expect(status).toMatchObject({ jobResult: "succeeded", errors: [] });
    // A real change still counts: another URI in a published image.
    const changed = structuredClone(tc);
    changed.vmImageVersions[1].vmImages[0].source.osDisk.uri = sasUri("other");
    expect((await configured(changed)).errors[0]?.message).toBe(
      "Image '9.1.20240101' of type 'X64Gen2' is already published and cannot be changed.",
    );
  });

  test("a reordered but unchanged version is not certified again by the next preview", async () => {
    const blob = "https://contoso.blob.core.windows.net/vhds/gone";
    const version = {
      versionNumber: "1.0.0",
      vmImages: [
        {
          imageType: "x64Gen2",
          source: {
            sourceType: "sasUri",
            osDisk: { uri: `${blob}.vhd?sv=2020-08-04&sr=c&sp=rl&se=2099-01-01T00%3A00%3A00Z&sig=abc` },
            dataDisks: [],
          },
        },
      ],
    };
    sim.ingestion.addProduct({
      externalId: "reorder-offer",
      state: "live",
      unreadableBlobs: [`${blob}.vhd`],
      plans: [{ externalId: "reorder-plan", technicalConfiguration: { vmImageVersions: [version] } }],
    });
    const guid = sim.ingestion.product("reorder-offer")?.id.split("/")[1] ?? "";
    const tree = await ok<{ resources: Json[] }>(`resource-tree/product/${guid}`);
    const config = tree.resources.find((r) =>
      String(r.id).startsWith("virtual-machine-plan-technical-configuration/"),
    );
    expect((await configured(reordered(config) as Json)).jobResult).toBe("succeeded");
    const job = await started(await configure("preview", guid));
    sim.advance(7 * HOUR);
    expect((await jobStatus(job.jobId)).jobResult).toBe("succeeded");
  });

  test("the seed follows the schema: isNetworkVirtualAppliance; a deprecation alternative is {plan} or {product}", async () => {
    // vmProperties names of cloudpub's stored schema; unknown names are not refused (Flatcar sends supportsSriov).
    const tc = await read();
    expect(Object.keys(tc.vmProperties).sort()).toEqual(
      [
        "isNetworkVirtualAppliance",
        "requiresCustomArmTemplate",
        "supportsAadLogin",
        "supportsAcceleratedNetworking",
        "supportsBackup",
        "supportsCloudInit",
        "supportsExtensions",
        "supportsHibernation",
        "supportsNVMe",
        "supportsRemoteConnection",
      ].sort(),
    );
    expect(tc.vmImageVersions[0].deprecationSchedule.alternative).toEqual({ plan: `plan/${IMAGES}/${PLAN}` });
    // A schema-breaking alternative is refused (oneOf {product} | {plan}, additionalProperties false).
    const withVersion = structuredClone(tc);
    withVersion.vmImageVersions[0].deprecationSchedule.alternative = {
      plan: `plan/${IMAGES}/${PLAN}`,
      imageVersion: "9.1.20240101",
    };
    expect((await errorOf(await post(withVersion), 400)).details?.[0]?.message).toMatch(
      /deprecationSchedule\.alternative must be exactly one of/,
    );
    expect(await read()).toEqual(tc);
  });
});

describe("real clients, unmodified (cloudpub, SUSE azure-img-utils, Microsoft's sample)", () => {
  test("query keys in any case: externalid (SUSE), targettype, Product", async () => {
    const found = await ok<{ value: Array<{ id: string }> }>("product?externalid=ing-new-offer");
    expect(found.value.map((p) => p.id)).toEqual([`product/${NEW}`]);
    expect(sim.count({ kind: "product", offerId: "ing-new-offer" })).toBe(1);
    const tree = await ok<{ target: unknown }>(`resource-tree/product/${LIVE}?targettype=live`);
    expect(tree.target).toEqual({ targetType: "live" });
    const plans = await ok<{ value: Array<{ id: string }> }>(
      `plan?Product=product/${NEW}&EXTERNALID=ing-new-plan`,
    );
    expect(plans.value).toHaveLength(1);
  });

  test("a technical configuration by the joined durable ids (Flatcar: <type>/product/<g>/plan/<g>/<planGuid>)", async () => {
    const IMAGES = "00000000-0000-4000-8000-000000000005";
    const PLAN = "00000000-0000-4000-8000-0000000000a5";
    const type = "virtual-machine-plan-technical-configuration";
    const joined = await ok<{ id: string }>(`${type}/product/${IMAGES}/plan/${IMAGES}/${PLAN}`, {
      version: null,
    });
    expect(joined).toEqual(await ok(`${type}/${IMAGES}/${PLAN}`));
    expect((await call(`${type}/product/${IMAGES}/plan/${NEW}/${PLAN}`)).status).toBe(404);
  });

  test("GET product without a filter lists every product (cloudpub matches identity.externalId itself)", async () => {
    const all = await ok<{ value: Array<{ id: string; identity: { externalId: string } }> }>("product");
    expect(all.value.map((p) => p.identity.externalId)).toEqual(
      (defaultIngestionSeed() as Array<{ externalId: string }>).map((p) => p.externalId),
    );
    expect(all.value.every((p) => p.id.startsWith("product/"))).toBe(true);
  });

  test("resource trees hold the submission resource: the draft's /0, the live tree's live submission", async () => {
    const draft = await ok<{ resources: Array<Record<string, unknown>> }>(`resource-tree/product/${NEW}`);
    expect(draft.resources.filter((r) => String(r.id).startsWith("submission/"))).toEqual([
      {
        $schema: expect.stringMatching(/^https:\/\/schema\.mp\.microsoft\.com\/schema\/submission\/[^/]+$/),
        id: `submission/${NEW}/0`,
        product: `product/${NEW}`,
        target: { targetType: "draft" },
        lifecycleState: "generallyAvailable",
      },
    ]);
    const liveId = (await submissions(LIVE, "live"))[0]?.id;
    const live = await ok<{ resources: Array<Record<string, unknown>> }>(
      `resource-tree/product/${LIVE}?targetType=live`,
    );
    expect(live.resources.filter((r) => String(r.id).startsWith("submission/"))).toMatchObject([
      { id: liveId, target: { targetType: "live" } },
    ]);
  });

  test("job errors: every error has details, [] on the innermost (cloudpub's fixtures)", async () => {
    const job = await started(await configure("preview", FAILING));
    sim.advance(DAY);
    const status = await jobStatus(job.jobId);
    const innermost: JobErrorJson[] = [];
    const visit = (e: JobErrorJson) => {
      expect(Array.isArray(e.details)).toBe(true);
      if (e.details?.length === 0) innermost.push(e);
      e.details?.forEach(visit);
    };
    status.errors.forEach(visit);
    expect(innermost.length).toBeGreaterThan(0);
  });

  test("previewListedOnceLive false: a live offer lists live entries and no preview entry (cloudpub's [live, draft])", async () => {
    sim.ingestion.addProduct({ externalId: "live-only", state: "live", previewListedOnceLive: false });
    const guid = sim.ingestion.product("live-only")?.id.split("/")[1] ?? "";
    expect(brief(await submissions(guid))).toEqual([
      ["draft", "0", undefined, undefined],
      ["live", expect.stringMatching(/^\d{19}$/), "completed", "succeeded"],
    ]);
  });
});
