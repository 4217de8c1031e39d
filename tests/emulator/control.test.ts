/**
 * The emulator's control API (`/_emulator/v1/`): every control, over HTTP, as a CI job or the page drives it;
 * the `/_sim/` alias; the bearer token; bad input answers 400 and changes nothing.
 */
import { type CppSimulator, startSimulator } from "../../emulator/server";

const TOKEN = "ctl-token";
const API = "api-version=2017-10-31";
const DAY = 86_400;
const SCHEMA = "https://schema.mp.microsoft.com/schema";
const PREVIEW_READY = "00000000-0000-4000-8000-000000000002";

let sim: CppSimulator;

beforeEach(async () => {
  sim = await startSimulator({ acceptedTokens: [TOKEN], controlTokens: [TOKEN], quiet: true });
});
afterEach(() => sim.close());

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

async function control(
  method: "GET" | "POST",
  path: string,
  body?: unknown,
  prefix = "/_emulator/v1",
): Promise<Answer> {
  const res = await fetch(`${sim.url}${prefix}${path}`, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

async function cpp(method: "GET" | "POST", path: string): Promise<Response> {
  return fetch(`${sim.url}/api/publishers/contoso/offers/${path}${path.includes("?") ? "&" : "?"}${API}`, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
    ...(method === "POST" ? { body: "{}" } : {}),
  });
}

async function goLive(offerId = "contoso-offer"): Promise<string> {
  const res = await cpp("POST", `${offerId}/golive`);
  expect(res.status).toBe(202);
  return (res.headers.get("location") ?? "").split("/operations/")[1]?.split("?")[0] ?? "";
}

const operation = async (id: string) =>
  (await control("GET", `/operations/${id}`)).body as {
    status: string;
    createdDateTime: string;
    steps: Array<{ id: string; status: string; messages: Array<{ messageHtml: string }> }>;
  };

const INGESTION_HEADERS = { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" };

/** A configure that sends the product's current preview to `target` (live: its go-live). */
async function ingestionConfigure(target: "preview" | "live", guid: string): Promise<Response> {
  const list = await fetch(
    `${sim.url}/rp/product-ingestion/submission/${guid}?targetType=preview&$version=2022-07-01`,
    {
      headers: INGESTION_HEADERS,
    },
  );
  const previewId = ((await list.json()) as { value: Array<{ id: string }> }).value[0]?.id;
  return fetch(`${sim.url}/rp/product-ingestion/configure?$version=2022-07-01`, {
    method: "POST",
    headers: INGESTION_HEADERS,
    body: JSON.stringify({
      $schema: `${SCHEMA}/configure/2022-07-01`,
      resources: [
        {
          $schema: `${SCHEMA}/submission/2022-03-01-preview2`,
          ...(target === "live" ? { id: previewId } : {}),
          product: `product/${guid}`,
          target: { targetType: target },
        },
      ],
    }),
  });
}

describe("security", () => {
  test("the control API needs the emulator's bearer token, on both prefixes; a wrong one is 401", async () => {
    for (const prefix of ["/_emulator/v1", "/_sim"]) {
      expect((await fetch(`${sim.url}${prefix}/offers`)).status).toBe(401);
      const wrong = await fetch(`${sim.url}${prefix}/offers`, { headers: { Authorization: "Bearer nope" } });
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get("www-authenticate")).toBe("Bearer");
      expect((await control("GET", "/offers", undefined, prefix)).status).toBe(200);
    }
    // No real token works: only the configured one.
    const api = await fetch(`${sim.url}/api/publishers/contoso/offers/contoso-offer/status?${API}`, {
      headers: { Authorization: "Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.e30.sig" },
    });
    expect(api.status).toBe(401);
  });

  test("/_sim/ stays a deprecated alias of /_emulator/v1/ (same routes, same answers)", async () => {
    const id = await goLive();
    expect((await control("POST", `/operations/${id}/finish`, undefined, "/_sim")).body).toMatchObject({
      status: "succeeded",
    });
    expect((await control("GET", "/requests?kind=golive&count=true", undefined, "/_sim")).body).toEqual({
      count: 1,
    });
    const missing = await control("GET", "/nope", undefined, "/_sim");
    expect(missing.status).toBe(404);
  });

  test("the request log never shows the token", async () => {
    await cpp("GET", "contoso-offer/status");
    const log = (await control("GET", "/requests")).body as Array<{ headers: Record<string, string> }>;
    expect(log).toHaveLength(1);
    expect(log[0]?.headers.authorization).toBe("[redacted]");
    expect(JSON.stringify(log)).not.toContain(TOKEN);
  });
});

describe("operations: finish, advance, fail now", () => {
  test("finish: a running go-live succeeds at once and the offer is live", async () => {
    const id = await goLive();
    expect((await operation(id)).status).toBe("running");
    const before = (await operation(id)).createdDateTime;
    const finished = await control("POST", `/operations/${id}/finish`);
    expect(finished.status).toBe(200);
    expect(finished.body).toMatchObject({ id, status: "succeeded" });
    expect(sim.offer("contoso", "contoso-offer")?.state).toBe("live");
    expect(before).not.toBe("");
    // Finished: nothing more to finish.
    expect((await control("POST", `/operations/${id}/finish`)).status).toBe(409);
    expect((await control("POST", "/operations/nope/finish")).status).toBe(404);
  });

  test("advance: the operation moves on by simulated seconds (one step at a time), the clock does not", async () => {
    const id = await goLive();
    const now = sim.now().getTime();
    const first = await control("POST", `/operations/${id}/advance`, { seconds: 20 * 60 });
    expect(first.status).toBe(200);
    const steps = (first.body as { steps: Array<{ id: string; status: string }> }).steps;
    expect(steps.find((s) => s.id === "displaydummycertify")?.status).toBe("complete");
    expect(steps.find((s) => s.id === "displaycertify")?.status).toBe("inProgress");
    expect(Math.abs(sim.now().getTime() - now)).toBeLessThan(5_000);
  });

  test("fail: at the current step now, with the message; at a later step when it ends; a passed step is 400", async () => {
    const id = await goLive();
    await control("POST", `/operations/${id}/advance`, { seconds: 20 * 60 });
    const passed = await control("POST", `/operations/${id}/fail`, {
      stepId: "displaydummycertify",
      message: "x",
    });
    expect(passed.status).toBe(400);
    expect(JSON.stringify(passed.body)).toContain("already complete");
    const unknown = await control("POST", `/operations/${id}/fail`, { stepId: "nope" });
    expect(unknown.status).toBe(400);
    expect((await operation(id)).status).toBe("running");

    const later = await control("POST", `/operations/${id}/fail`, {
      stepId: "live",
      message: "Region outage.",
    });
    expect(later.body).toMatchObject({ status: "running" });
    const now = await control("POST", `/operations/${id}/fail`, { message: "Certification found malware." });
    expect(now.status).toBe(200);
    const failed = await operation(id);
    expect(failed.status).toBe("failed");
    const certify = failed.steps.find((s) => s.id === "displaycertify");
    expect(certify?.status).toBe("blocked");
    expect(certify?.messages.map((m) => m.messageHtml)).toEqual(["Certification found malware."]);
    // The API client sees the same.
    const polled = await cpp("GET", `contoso-offer/operations/${id}`);
    expect(await polled.json()).toMatchObject({ status: "failed", error: "Certification found malware." });
  });
});

describe("offers: fail-next, refuse-golive, portal-edit, per-offer faults", () => {
  test("fail-next: the next go-live fails at the named step with the message; later ones run normally", async () => {
    const queued = await control("POST", "/offers/contoso/contoso-offer/fail-next", {
      kind: "golive",
      stepId: "displaycertify",
      message: "Image not found.",
    });
    expect(queued.status).toBe(200);
    const id = await goLive();
    const done = (await control("POST", `/operations/${id}/finish`)).body as {
      status: string;
      error: string;
    };
    expect(done).toMatchObject({ status: "failed", error: "Image not found." });
    const again = await goLive();
    expect((await control("POST", `/operations/${again}/finish`)).body).toMatchObject({
      status: "succeeded",
    });
    const bad = await control("POST", "/offers/contoso/contoso-offer/fail-next", {
      kind: "golive",
      stepId: "nope",
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain("displaycertify");
  });

  test("global fail-next: the next go-live of any offer fails; the one after runs normally", async () => {
    const queued = await control("POST", "/fail-next", {
      kind: "golive",
      stepId: "live",
      message: "Rollout halted.",
    });
    expect(queued.status).toBe(204);
    const id = await goLive("legacy-offer");
    expect((await control("POST", `/operations/${id}/finish`)).body).toMatchObject({
      status: "failed",
      error: "Rollout halted.",
    });
    const next = await goLive();
    expect((await control("POST", `/operations/${next}/finish`)).body).toMatchObject({ status: "succeeded" });
    expect((await control("POST", "/fail-next", { stepId: "nope" })).status).toBe(400);
  });

  test("refuse-golive with a message, then allowed again; globally through settings", async () => {
    const refused = await control("POST", "/offers/contoso/contoso-offer/refuse-golive", {
      message: "Frozen.",
    });
    expect(refused.status).toBe(200);
    const res = await cpp("POST", "contoso-offer/golive");
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain("Frozen.");
    await control("POST", "/offers/contoso/contoso-offer/refuse-golive", { refuse: false });
    expect((await cpp("POST", "contoso-offer/golive")).status).toBe(202);

    expect((await control("POST", "/settings", { refuseGoLive: "Nobody goes live today." })).status).toBe(
      204,
    );
    const global = await cpp("POST", "legacy-offer/golive");
    expect(global.status).toBe(400);
    expect(JSON.stringify(await global.json())).toContain("Nobody goes live today.");
  });

  test("portal-edit of the draft: a new ETag; the draft shows the edit", async () => {
    const before = sim.offer("contoso", "contoso-offer")?.etag;
    const edited = await control("POST", "/offers/contoso/contoso-offer/portal-edit", {
      displayText: "Edited in the portal",
    });
    expect(edited.status).toBe(200);
    expect((edited.body as { etag: string }).etag).not.toBe(before);
    const draft = await control("GET", "/offers/contoso/contoso-offer/draft");
    expect(draft.body).toMatchObject({ displayText: "Edited in the portal" });
  });

  test("faults: 429 with Retry-After, 503, reset, slow answer, lost POST answer (processed, no answer)", async () => {
    const set = await control("POST", "/offers/contoso/contoso-offer/faults", {
      faults: [
        { type: "status", status: 429, retryAfter: 7, match: { method: "GET" } },
        { type: "status", status: 503, match: { method: "GET" } },
        { type: "reset", match: { method: "GET" } },
        { type: "hang", ms: 300, match: { method: "GET" } },
        { type: "resetAfterProcessing", match: { method: "POST", kind: "golive" } },
      ],
    });
    expect(set.status).toBe(204);
    const throttled = await cpp("GET", "contoso-offer/status");
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("7");
    expect((await cpp("GET", "contoso-offer/status")).status).toBe(503);
    await expect(cpp("GET", "contoso-offer/status")).rejects.toThrow();
    const started = Date.now();
    expect((await cpp("GET", "contoso-offer/status")).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await expect(cpp("POST", "contoso-offer/golive")).rejects.toThrow();
    // The go-live was sent and started, its answer lost: the request log says so.
    expect((await control("GET", "/requests?kind=golive&processed=true&count=true")).body).toEqual({
      count: 1,
    });
    expect(sim.offer("contoso", "contoso-offer")?.runningOperationId).toBeDefined();
    expect((await control("POST", "/offers/contoso/none/faults", { faults: [] })).status).toBe(404);
  });

  test("global faults and random faults, then cleared", async () => {
    expect((await control("POST", "/faults", { faults: [{ type: "status", status: 500 }] })).status).toBe(
      204,
    );
    expect((await cpp("GET", "legacy-offer/status")).status).toBe(500);
    expect((await control("POST", "/random-faults", { rate: 1, seed: 3, types: ["reset"] })).status).toBe(
      204,
    );
    await expect(cpp("GET", "legacy-offer/status")).rejects.toThrow();
    expect((await control("POST", "/random-faults", {})).status).toBe(204);
    expect((await cpp("GET", "legacy-offer/status")).status).toBe(200);
  });
});

describe("clock, log, stats, reset, ingestion", () => {
  test("request-log query: go-lives on both APIs (CPP POST golive, ingestion live configure)", async () => {
    await goLive();
    await cpp("GET", "contoso-offer/status");
    const live = await ingestionConfigure("live", PREVIEW_READY);
    expect(live.status).toBe(202);
    expect((await ingestionConfigure("preview", PREVIEW_READY)).status).toBe(400);
    expect((await control("GET", "/requests?kind=golive&count=true")).body).toEqual({ count: 2 });
    expect((await control("GET", "/requests?kind=golive&offerId=contoso-offer&count=true")).body).toEqual({
      count: 1,
    });
    expect((await control("GET", "/requests?method=GET&kind=status&count=true")).body).toEqual({ count: 1 });
    const entries = (await control("GET", "/requests?kind=golive")).body as Array<{ kind: string }>;
    expect(entries.map((e) => e.kind)).toEqual(["golive", "configure"]);
    expect((await control("GET", "/stats")).body).toMatchObject({
      goLivePosts: { "contoso/contoso-offer": 1 },
    });
  });

  test("ingestion refuse-golive: per product with a message, then allowed; globally through settings", async () => {
    const refused = await control("POST", "/ingestion/products/ing-preview-offer/refuse-golive", {
      message: "Frozen.",
    });
    expect(refused.status).toBe(200);
    const live = await ingestionConfigure("live", PREVIEW_READY);
    expect(live.status).toBe(400);
    expect(await live.json()).toEqual({ error: { code: "badRequest", message: "Frozen." } });
    // A preview is not a go-live: not refused by this switch.
    await control("POST", "/ingestion/products/ing-preview-offer/refuse-golive", { refuse: false });
    await control("POST", "/settings", { refuseGoLive: "Nobody goes live today." });
    const global = await ingestionConfigure("live", PREVIEW_READY);
    expect(global.status).toBe(400);
    expect(JSON.stringify(await global.json())).toContain("Nobody goes live today.");
    await control("POST", "/settings", { refuseGoLive: false });
    expect((await ingestionConfigure("live", PREVIEW_READY)).status).toBe(202);
  });

  test("ingestion jobs: finish, advance, fail now", async () => {
    const job = (await (await ingestionConfigure("live", PREVIEW_READY)).json()) as { jobId: string };
    const advanced = await control("POST", `/ingestion/jobs/${job.jobId}/advance`, { seconds: 60 });
    expect(advanced.body).toMatchObject({ jobStatus: "running" });
    const failed = await control("POST", `/ingestion/jobs/${job.jobId}/fail`, {
      message: "Live rollout failed.",
    });
    expect(failed.body).toMatchObject({ jobStatus: "completed", jobResult: "failed" });
    expect(JSON.stringify(failed.body)).toContain("Live rollout failed.");
    expect((await control("POST", `/ingestion/jobs/${job.jobId}/finish`)).status).toBe(409);
    const second = (await (await ingestionConfigure("live", PREVIEW_READY)).json()) as { jobId: string };
    expect((await control("POST", `/ingestion/jobs/${second.jobId}/finish`)).body).toMatchObject({
      jobStatus: "completed",
      jobResult: "succeeded",
    });
    expect((await control("POST", "/ingestion/jobs/nope/finish")).status).toBe(404);
  });

  test("advance, now, reset; offers list; an added offer", async () => {
    const before = Date.parse(((await control("GET", "/now")).body as { now: string }).now);
    const advanced = (await control("POST", "/advance", { seconds: DAY })).body as { now: string };
    expect(Date.parse(advanced.now) - before).toBeGreaterThanOrEqual(DAY * 1000);
    const added = await control("POST", "/offers", { publisherId: "fabrikam", offerId: "new-offer" });
    expect(added.status).toBe(201);
    const offers = (await control("GET", "/offers")).body as Array<{ offerId: string }>;
    expect(offers.map((o) => o.offerId)).toContain("new-offer");
    expect((await control("POST", "/reset")).status).toBe(204);
    expect(sim.offer("fabrikam", "new-offer")).toBeUndefined();
  });
});

describe("bad input: a clear 400 and nothing changed", () => {
  const cases: Array<[string, string, unknown, RegExp]> = [
    ["/advance", "POST", { seconds: "soon" }, /'seconds' must be a number/],
    ["/advance", "POST", { seconds: -5 }, /'seconds' must be a number from 0/],
    ["/advance", "POST", {}, /'seconds' is required/],
    ["/advance", "POST", "{not json", /not JSON/],
    ["/advance", "POST", "[1]", /Expected a JSON object/],
    ["/faults", "POST", { faults: [{ type: "explode" }] }, /type must be one of/],
    [
      "/faults",
      "POST",
      { faults: [{ type: "status", status: 42 }] },
      /status' must be a number from 100 to 599/,
    ],
    ["/faults", "POST", { faults: [{ type: "status", status: 503, wat: 1 }] }, /Unknown field 'wat'/],
    ["/faults", "POST", { faults: { type: "reset" } }, /must be an array/],
    ["/faults", "POST", { faults: [{ type: "reset", match: { method: "DELETE" } }] }, /GET, POST or PUT/],
    ["/faults", "POST", { faults: [{ type: "reset", times: 0 }] }, /'times' must be a number from 1/],
    ["/random-faults", "POST", { rate: 2 }, /'rate' must be a number from 0 to 1/],
    ["/settings", "POST", { statusSpelling: { running: 3 } }, /'running' must be a string/],
    ["/settings", "POST", { color: "red" }, /Unknown field 'color'/],
    ["/offers/contoso/contoso-offer/settings", "POST", { nope: true }, /Unknown offer setting 'nope'/],
    [
      "/offers/contoso/contoso-offer/settings",
      "POST",
      { refuseGoLive: 1 },
      /'refuseGoLive' must be true, false/,
    ],
    [
      "/offers/contoso/contoso-offer/settings",
      "POST",
      { unreadableBlobs: "x" },
      /'unreadableBlobs' must be an array/,
    ],
    ["/offers/contoso/contoso-offer/fail-next", "POST", { kind: "golive" }, /'stepId' is required/],
    [
      "/offers/contoso/contoso-offer/fail-next",
      "POST",
      { kind: "deploy", stepId: "live" },
      /publish or golive/,
    ],
    [
      "/offers/contoso/contoso-offer/refuse-golive",
      "POST",
      { refuse: "yes" },
      /'refuse' must be true or false/,
    ],
    [
      "/offers/contoso/contoso-offer/portal-edit",
      "POST",
      { planId: "p" },
      /'planId' and 'version' go together/,
    ],
    [
      "/offers/contoso/contoso-offer/portal-edit",
      "POST",
      { displayText: 5 },
      /'displayText' must be a string/,
    ],
    ["/requests?kind=golive&count=maybe", "GET", undefined, /'count' must be true or false/],
    ["/requests?colour=red", "GET", undefined, /Unknown query parameter 'colour'/],
    ["/ingestion/products/ing-new-offer/fail-next", "POST", { target: "staging" }, /preview or live/],
    [
      "/ingestion/products/ing-new-offer/portal-edit",
      "POST",
      { planId: "ing-new-plan" },
      /'edit' must be an object/,
    ],
    ["/ingestion/products/ing-new-offer/resource-edit", "POST", { type: "plan" }, /Send 'set' or 'remove'/],
    [
      "/ingestion/products/ing-new-offer/resource-edit",
      "POST",
      { type: "plan", set: { alias: "x" }, colour: 1 },
      /Unknown field 'colour'/,
    ],
    [
      "/ingestion/products/ing-new-offer/resource-edit",
      "POST",
      { type: "plan", remove: "alias" },
      /'remove' must be an array/,
    ],
    [
      "/ingestion/products/ing-new-offer/resource-edit",
      "POST",
      { id: "plan/x", planId: "ing-new-plan", set: {} },
      /not both/,
    ],
    [
      "/ingestion/products/ing-new-offer/resource-edit",
      "POST",
      { set: { alias: "x" } },
      /Name a resource by 'id', or by 'type'/,
    ],
    [
      "/ingestion/products/ing-new-offer/resources?targetType=staging",
      "GET",
      undefined,
      /draft, preview or live/,
    ],
    ["/ingestion/products/ing-new-offer/resources?colour=red", "GET", undefined, /Unknown query parameter/],
  ];

  test.each(cases)("%s %s %j", async (path, method, body, message) => {
    const id = await goLive();
    const snapshot = async () => ({
      offers: (await control("GET", "/offers")).body,
      operation: await operation(id),
      draft: (await control("GET", "/offers/contoso/contoso-offer/draft")).body,
      product: (await control("GET", "/ingestion/products/ing-new-offer")).body,
      count: sim.requests.length,
    });
    const before = await snapshot();
    const nowBefore = sim.now().getTime();
    const answer = await control(method as "GET" | "POST", path, body);
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toMatch(message);
    // Nothing changed: no fault armed (the next calls answer normally), same state, clock not moved.
    expect(await snapshot()).toEqual(before);
    expect(sim.now().getTime() - nowBefore).toBeLessThan(60_000);
    expect((await cpp("GET", "contoso-offer/status")).status).toBe(200);
  });
});
