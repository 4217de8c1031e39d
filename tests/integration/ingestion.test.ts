/**
 * The ingestion backend against the simulator's Product Ingestion API over real HTTP: publish to a ready
 * preview, go live, attach and adopt without a configure POST, failures, request errors, auth, and faults.
 */

import { type CppSimulator, INGESTION_SCOPE } from "../../emulator/server";
import { run } from "../../provider/cli";
import { StaticTokenProvider } from "../../provider/core/auth";
import type { OfferBackend } from "../../provider/core/backend";
import {
  AuthenticationError,
  ForbiddenError,
  NotFoundError,
  OperationFailedError,
  RejectedError,
} from "../../provider/core/errors";
import { PooledTransport } from "../../provider/core/http";
import { isAwaitingSignoff } from "../../provider/core/operation";
import { pollOperation } from "../../provider/core/poller";
import { IngestionBackend, type IngestionBackendOptions } from "../../provider/ingestion/backend";
import { OfferPublishProvider } from "../../provider/resources";
import { getOfferStatus } from "../../provider/status-api";
import { fastPoll, TOKEN, withSimulator } from "../support/harness";

let sim: CppSimulator;
let transport: PooledTransport;
let logs: string[];

beforeEach(async () => {
  sim = await withSimulator();
  transport = new PooledTransport();
  logs = [];
});
afterEach(async () => {
  await transport.close();
  await sim.close();
});

const endpoint = () => `${sim.url}/rp/product-ingestion`;

function backend(offerId: string, options: Partial<IngestionBackendOptions> = {}): IngestionBackend {
  return new IngestionBackend({
    offerId,
    endpoint: endpoint(),
    accessToken: TOKEN,
    requestTimeoutMs: 2_000,
    retry: { baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 50 },
    transport,
    log: (line) => logs.push(line),
    ...options,
  });
}

async function follow(
  b: OfferBackend,
  kind: "publish" | "golive",
  handle: Parameters<OfferBackend["readOperation"]>[1],
) {
  let current = { ...handle };
  const snapshot = await pollOperation(
    async (signal) => {
      const read = await b.readOperation(kind, current, signal);
      if (read.handle) current = { ...current, ...read.handle };
      return read;
    },
    handle.operationLocation,
    {
      ...fastPoll,
      offerId: b.offer,
      service: b.service,
      until: kind === "publish" ? isAwaitingSignoff : undefined,
    },
  );
  return { snapshot, handle: current };
}

const configurePosts = (offerId: string) => sim.ingestion.configurePosts(offerId);

/** A never-published product whose publish runs for ~30 years of simulated time: still running when looked at. */
function slowProduct(externalId = "ing-slow-offer"): string {
  sim.ingestion.addProduct({ externalId, previewSeconds: 10 ** 9 });
  return externalId;
}

describe("publish and go-live", () => {
  test("publish: one configure POST, then the preview is ready to go live (submission id learned)", async () => {
    const b = backend("ing-new-offer");
    expect(await b.findExisting("publish")).toBeUndefined();
    const started = await b.start("publish");
    expect(started).toMatchObject({
      origin: "started",
      productId: "product/00000000-0000-4000-8000-000000000001",
    });
    expect(started.operationLocation).toBe(
      `${endpoint()}/configure/${started.operationId}/status?%24version=2022-07-01`,
    );
    const { snapshot, handle } = await follow(b, "publish", started);
    expect(snapshot.status).toBe("succeeded");
    expect(isAwaitingSignoff(snapshot)).toBe(true);
    expect(snapshot.currentStep?.name).toBe("Ready to go live");
    expect(handle.submissionId).toMatch(/^submission\/00000000-0000-4000-8000-000000000001\/\d{19}$/);
    expect(configurePosts("ing-new-offer")).toBe(1);
    // Every call carried $version; the configure body was accepted with the pinned submission schema.
    expect(sim.requests.every((r) => r.path.includes("%24version=2022-07-01"))).toBe(true);
    const status = await getOfferStatus({
      api: "ingestion",
      offerId: "ing-new-offer",
      endpoint: endpoint(),
      accessToken: TOKEN,
      transport,
    });
    expect(status).toMatchObject({ status: "waitingForPublisherReview", awaitingSignoff: true });
  });

  test("go-live sends the newest ready preview with target live and waits for the live submission", async () => {
    const b = backend("ing-preview-offer");
    expect(await b.findExisting("golive")).toBeUndefined();
    const started = await b.start("golive");
    expect(started.submissionId).toMatch(/^submission\/00000000-0000-4000-8000-000000000002\//);
    const { snapshot } = await follow(b, "golive", started);
    expect(snapshot.status).toBe("succeeded");
    expect(snapshot.steps.map((s) => [s.name, s.status])).toEqual([
      ["Configure job", "completed"],
      ["Live submission", "completed"],
    ]);
    expect((await b.offerStatus()).status).toBe("live");
    expect(configurePosts("ing-preview-offer")).toBe(1);
  });

  test("a submission in flight is attached to with 0 configure POSTs; a preview already live is adopted", async () => {
    const offer = slowProduct();
    const first = backend(offer);
    await first.start("publish");
    const attached = await backend(offer).findExisting("publish");
    expect(attached).toMatchObject({ origin: "attached" });
    expect(attached?.submissionId).toBeDefined();
    sim.advance(10 ** 9);
    const { snapshot } = await follow(first, "publish", attached as NonNullable<typeof attached>);
    expect(isAwaitingSignoff(snapshot)).toBe(true);
    expect(configurePosts(offer)).toBe(1);

    const adopted = await backend("ing-live-offer").findExisting("golive");
    expect(adopted).toMatchObject({ origin: "adopted" });
    expect(
      (await backend("ing-live-offer").readOperation("golive", adopted as NonNullable<typeof adopted>))
        .snapshot.status,
    ).toBe("succeeded");
    expect(configurePosts("ing-live-offer")).toBe(0);
  });

  test("an offer listed with live entries and no preview entry is live: the go-live adopts it, 0 configure POSTs", async () => {
    sim.ingestion.addProduct({ externalId: "ing-live-only", state: "live", previewListedOnceLive: false });
    const b = backend("ing-live-only");
    expect((await b.offerStatus()).status).toBe("live");
    const adopted = await b.findExisting("golive");
    expect(adopted).toMatchObject({ origin: "adopted" });
    expect((await b.readOperation("golive", adopted as NonNullable<typeof adopted>)).snapshot.status).toBe(
      "succeeded",
    );
    expect(await b.findExisting("publish")).toBeUndefined();
    expect(configurePosts("ing-live-only")).toBe(0);
  });

  test("an 'In Progress submission already exists' answer attaches instead of retrying", async () => {
    const offer = slowProduct();
    const b = backend(offer);
    await b.start("publish");
    const again = await backend(offer).start("publish");
    expect(again.origin).toBe("attached");
    expect(sim.ingestion.product(offer)?.jobs).toHaveLength(1);
    expect(logs.join("\n")).toMatch(/In Progress submission already exists.*Taking over submission/);
  });

  test("go-live without a ready preview: says to publish first, sends nothing", async () => {
    await expect(backend("ing-new-offer").start("golive")).rejects.toThrow(
      /no preview ready to go live: it has never been published to preview\. Publish first/,
    );
    expect(configurePosts("ing-new-offer")).toBe(0);
  });

  test("a failed job is failed with every error, nested details flattened and certification named", async () => {
    const b = backend("ing-failing-offer");
    const started = await b.start("publish");
    const error = await follow(b, "publish", started).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationFailedError);
    const message = (error as Error).message;
    expect(message).toMatch(/Certification failure: The offer failed certification/);
    expect(message).toMatch(/The VHD SAS URI of image version 1\.0\.0 has expired/);
    expect(message).toMatch(/Fix the offer in Partner Center \(Product Ingestion API\)/);
  });

  test("cancel: a running job is canceled; a late cancel's 400 is explained", async () => {
    const offer = slowProduct();
    const b = backend(offer);
    const started = await b.start("publish");
    expect(await b.cancel({ handle: started })).toEqual({ completed: true });
    await expect(b.cancel({ handle: started })).rejects.toThrow(
      /already completed.*can no longer be canceled.*processed stays applied/,
    );
    await expect(b.cancel()).rejects.toThrow(/Nothing is in progress/);
  });
});

describe("a ready preview is adopted, not published again", () => {
  test("after a killed run or a replace: no new configure; a triggers change publishes", async () => {
    const offer = "ing-new-offer";
    // The killed run: its configure went out and the preview got ready while nobody watched.
    const killed = backend(offer);
    const { handle } = await follow(killed, "publish", await killed.start("publish"));
    expect(configurePosts(offer)).toBe(1);
    // `pulumi refresh --clear-pending-creates`, `pulumi up`: a create with nothing in state.
    const publish = new OfferPublishProvider({
      tokenProvider: new StaticTokenProvider(TOKEN),
      transport,
      log: (line: string) => logs.push(line),
    });
    const raw = {
      api: "ingestion",
      offerId: offer,
      endpoint: endpoint(),
      pollIntervalSeconds: 0.01,
      maxPollIntervalSeconds: 0.02,
    };
    const created = await publish.create((await publish.check({}, raw)).inputs);
    expect(created.outs).toMatchObject({
      attached: true,
      status: "succeeded",
      awaitingSignoff: true,
      submissionId: handle.submissionId,
    });
    expect(logs.join("\n")).toMatch(/adopting .*\(no new publish\)/);
    expect(configurePosts(offer)).toBe(1);
    // A replace for another reason with the same triggers adopts it too ...
    const old = { ...created.outs, triggers: ["9.1.0"] };
    const same = await publish.create((await publish.check(old, { ...raw, triggers: ["9.1.0"] })).inputs);
    expect(same.outs).toMatchObject({ attached: true, submissionId: handle.submissionId });
    expect(configurePosts(offer)).toBe(1);
    // ... while a triggers change (a new image version in the draft) publishes the draft.
    const changed = await publish.create((await publish.check(old, { ...raw, triggers: ["9.2.0"] })).inputs);
    expect(changed.outs).toMatchObject({ attached: false, awaitingSignoff: true });
    expect(changed.outs.submissionId).not.toBe(handle.submissionId);
    expect(configurePosts(offer)).toBe(2);
  });
});

describe("request errors", () => {
  test("400 with the API's words, nothing started", async () => {
    sim.ingestion.refuseNext("ing-new-offer", {
      message: "The request is not valid.",
      details: [{ code: "schemaValidationError", message: "Resource 0: something is off." }],
    });
    await expect(backend("ing-new-offer").start("publish")).rejects.toThrow(
      /Partner Center \(Product Ingestion API\) rejected the request for offer ing-new-offer \(HTTP 400 \[badRequest\]\): The request is not valid\./,
    );
    expect(sim.ingestion.product("ing-new-offer")?.jobs).toHaveLength(0);
  });

  test("the pinned submission schema now requiring a property: which schema, what it wants, what to do", async () => {
    sim.ingestion.updateSchemas({ schemaRequirements: { "submission/2022-03-01-preview2": ["sources"] } });
    const error = await backend("ing-new-offer")
      .start("publish")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RejectedError);
    expect((error as Error).message).toMatch(
      /HTTP 400 \[badRequest\]\).*Required properties \["sources"\] were not present.* Partner Center's submission schema 2022-03-01-preview2 \(https:\/\/schema\.mp\.microsoft\.com\/schema\/submission\/2022-03-01-preview2\), the version pulumi-cloudpartner writes, now requires "sources".*Update pulumi-cloudpartner/,
    );
    expect(sim.ingestion.product("ing-new-offer")?.jobs).toHaveLength(0);
  });

  test("a job that fails on a schema requirement says which schema, what it wants, what to do", async () => {
    const b = backend("ing-new-offer");
    sim.ingestion.failNext("ing-new-offer", {
      target: "preview",
      errors: [
        {
          code: "badRequest",
          message:
            'Schema validation failed for schema https://schema.mp.microsoft.com/schema/submission/2022-03-01-preview7: Required properties ["sources"] were not present #',
        },
      ],
    });
    const started = await b.start("publish");
    const error = await follow(b, "publish", started).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OperationFailedError);
    expect((error as Error).message).toMatch(
      /checked against schema 2022-03-01-preview7 .*which requires "sources"; pulumi-cloudpartner writes submission with schema 2022-03-01-preview2/,
    );
  });

  test("a deprecated $version says which version to set", async () => {
    const error = await backend("ing-new-offer", { apiVersion: "2022-03-01-preview3" })
      .findExisting("publish")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RejectedError);
    expect((error as Error).message).toMatch(
      /deprecated schema.*The schema version 2022-03-01-preview3 is retired: set apiVersion to 2022-07-01/,
    );
  });

  test("a very short token (a test's) leaves the answers whole: only tokens of 8 characters or more are redacted from them", async () => {
    // Before: every "t" of every answer became "[redacted]", so the product list was not JSON any more.
    await sim.close();
    sim = await withSimulator({ acceptedTokens: ["t"] });
    const found = await backend("ing-new-offer", { accessToken: "t" }).findExisting("publish");
    expect(found).toBeUndefined();
    expect(sim.requests.at(-1)?.headers.authorization).toBe("Bearer t");
  });

  test("401 invalid audience: get a Graph token; 403: add the app as Manager; unknown offer: not found", async () => {
    const audience = await backend("ing-new-offer", { accessToken: "wrong-audience-token" })
      .findExisting("publish")
      .catch((e: unknown) => e);
    expect(audience).toBeInstanceOf(AuthenticationError);
    expect((audience as Error).message).toMatch(
      /Invalid audience.*token for Microsoft Graph \(scope https:\/\/graph\.microsoft\.com\/\.default.*az account get-access-token --resource https:\/\/graph\.microsoft\.com/,
    );
    const forbidden = await backend("ing-new-offer", { accessToken: "forbidden-app-token" })
      .findExisting("publish")
      .catch((e: unknown) => e);
    expect(forbidden).toBeInstanceOf(ForbiddenError);
    expect((forbidden as Error).message).toMatch(
      /Account settings → User management\) with the Manager role/,
    );
    const unknown = await backend("no-such-offer")
      .findExisting("publish")
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(NotFoundError);
    expect((unknown as Error).message).toMatch(
      /no product with the offer id \(external id\) "no-such-offer"/,
    );
    for (const error of [audience, forbidden, unknown])
      expect(JSON.stringify({ ...(error as object), message: (error as Error).message })).not.toContain(
        TOKEN,
      );
  });
});

describe("product lookup", () => {
  test("a lookup answer listing another product is not found (never value[0]); the match is found anywhere in it", async () => {
    const other = {
      id: "product/00000000-0000-4000-8000-000000000003",
      identity: { externalId: "ing-live-offer" },
    };
    const answer = (value: unknown[]) => ({
      type: "status" as const,
      status: 200,
      body: JSON.stringify({ value }),
      match: { kind: "product" as const },
    });
    sim.setFaults(INGESTION_SCOPE, "ing-new-offer", [answer([other])]);
    const error = await backend("ing-new-offer")
      .findExisting("publish")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toMatch(
      /no product with the offer id \(external id\) "ing-new-offer"\. The lookup listed only "ing-live-offer", none with that external id\./,
    );
    expect(configurePosts("ing-live-offer")).toBe(0);

    const mine = {
      id: "product/00000000-0000-4000-8000-000000000001",
      identity: { externalID: "ing-new-offer" },
    };
    sim.setFaults(INGESTION_SCOPE, "ing-new-offer", [answer([other, mine])]);
    const started = await backend("ing-new-offer").start("publish");
    expect(started.productId).toBe(mine.id);
    expect(configurePosts("ing-new-offer")).toBe(1);
  });
});

describe("faults", () => {
  test("5xx on status polls counts as pending; the publish still ends ready", async () => {
    const b = backend("ing-new-offer");
    const started = await b.start("publish");
    sim.setFaults(INGESTION_SCOPE, "ing-new-offer", [
      { type: "status", status: 503, times: 80, match: { kind: "configureStatus" } },
    ]);
    const { snapshot } = await follow(b, "publish", started);
    expect(isAwaitingSignoff(snapshot)).toBe(true);
    const faulted = sim.requests.filter((r) => r.kind === "configureStatus" && r.fault === "status");
    expect(faulted).toHaveLength(80);
    // While only 5xx answers come back, the step does not claim a state it never saw.
    sim.setFaults(INGESTION_SCOPE, "ing-new-offer", [
      { type: "status", status: 503, times: 10, match: { kind: "configureStatus" } },
    ]);
    const unseen = await b.readOperation("publish", started);
    expect(unseen.snapshot.status).toBe("running");
    expect(unseen.snapshot.currentStep).toMatchObject({
      name: "Configure job",
      status: "unknown (HTTP 503)",
    });
  });

  test("429 with Retry-After and a reset before processing: re-sent, one configure applied", async () => {
    sim.setFaults(INGESTION_SCOPE, "ing-new-offer", [
      { type: "status", status: 429, retryAfter: "0", match: { method: "POST", kind: "configure" } },
      { type: "reset", match: { method: "POST", kind: "configure" } },
    ]);
    const started = await backend("ing-new-offer").start("publish");
    expect(started.origin).toBe("started");
    const posts = sim.requests.filter((r) => r.kind === "configure");
    expect(posts.map((r) => [r.fault ?? "-", r.processed])).toEqual([
      ["status", false],
      ["reset", false],
      ["-", true],
    ]);
    expect(configurePosts("ing-new-offer")).toBe(1);
  });

  test("a reset after the configure was processed: the re-read finds it, 0 duplicate configure POSTs", async () => {
    sim.setFaults(INGESTION_SCOPE, "ing-preview-offer", [
      { type: "resetAfterProcessing", match: { method: "POST", kind: "configure" } },
    ]);
    const b = backend("ing-preview-offer");
    const started = await b.start("golive");
    expect(started.origin).toBe("attached");
    expect(sim.requests.filter((r) => r.kind === "configure")).toHaveLength(1);
    expect(configurePosts("ing-preview-offer")).toBe(1);
    const { snapshot } = await follow(b, "golive", started);
    expect(snapshot.status).toBe("succeeded");
  });
});

describe("CLI --api ingestion", () => {
  async function cli(...argv: string[]) {
    let stdout = "";
    let stderr = "";
    const code = await run([...argv, "--api", "ingestion", "--endpoint", endpoint()], {
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        stderr += text;
      },
      env: { CLOUDPARTNER_ACCESS_TOKEN: TOKEN },
      transport,
    });
    return { code, stdout, stderr };
  }

  test("status and operations need no publisher id; cancel takes --job", async () => {
    const status = await cli("status", "ing-preview-offer");
    expect(status).toMatchObject({ code: 0, stderr: "" });
    expect(status.stdout).toMatch(
      /^Offer ing-preview-offer: waitingForPublisherReview\nThe preview is ready/,
    );
    expect(status.stdout).toMatch(/Preview submission\s+completed/);
    expect(status.stdout).toMatch(/Current step: Ready to go live/);
    const operations = await cli("operations", "ing-live-offer", "--json");
    expect(JSON.parse(operations.stdout)).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: "golive", state: "succeeded", slot: "live" })]),
    );

    const offer = slowProduct();
    const started = await backend(offer).start("publish");
    const noJob = await cli("cancel", offer);
    expect(noJob.code).toBe(1);
    expect(noJob.stderr).toMatch(/preview submission submission\/.* is in progress.*--job <jobId>/);
    const cancel = await cli("cancel", offer, "--job", started.operationId as string);
    expect(cancel).toMatchObject({ code: 0, stdout: `Canceled the running operation of ${offer}.\n` });
    const late = await cli("cancel", offer, "--job", started.operationId as string);
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(/can no longer be canceled/);
    expect(status.stdout + operations.stdout + cancel.stdout + late.stderr).not.toContain(TOKEN);
  });

  test("cancel after an attach: the error says where the job id is; --job takes the operation URL too", async () => {
    const offer = slowProduct("ing-slow-attached");
    // A run sent the configure and was killed before saving it; the next one attached to the submission.
    const started = await backend(offer).start("publish");
    const attached = await backend(offer).findExisting("publish");
    expect(attached).toMatchObject({ origin: "attached" });
    expect(attached?.operationId).toBeUndefined();

    const noJob = await cli("cancel", offer);
    expect(noJob.code).toBe(1);
    expect(noJob.stderr).toMatch(/lists no jobs, so the job id must come from where it was started/);
    expect(noJob.stderr).toContain("`operationId` output of the OfferPublish or OfferGoLive resource");
    expect(noJob.stderr).toContain("`pulumi stack export`");
    expect(noJob.stderr).toContain("line `publish accepted; operation …/configure/<jobId>/status`");
    expect(noJob.stderr).toContain(`pulumi-cloudpartner cancel --api ingestion ${offer} --job <jobId>`);

    // The attached resource's operationLocation is the submission's: named as such, with the same advice.
    const submission = await cli("cancel", offer, "--job", attached?.operationLocation as string);
    expect(submission.code).toBe(1);
    expect(submission.stderr).toContain(`${attached?.operationLocation} is not a configure job's location`);
    expect(submission.stderr).toContain("has no job id");

    // The starting run's output line carries the job's URL: --job takes it as it is.
    const cancel = await cli("cancel", offer, "--job", started.operationLocation);
    expect(cancel).toMatchObject({ code: 0, stdout: `Canceled the running operation of ${offer}.\n` });
    expect(sim.ingestion.job(started.operationId as string)).toMatchObject({ jobResult: "cancelled" });
  });
});
