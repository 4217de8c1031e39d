/**
 * The emulator's page routes through HTTP like the page: GET / and its files, GET /_emulator/v1/state and
 * /events, and what the page's buttons (the control API) change showing in the state.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { IngestionStore } from "../../emulator/ingestion/store";
import { type CppSimulator, defaultIngestionSeed, defaultSeed } from "../../emulator/server";
import { SimStore } from "../../emulator/store";
import type { RequestLogEntry } from "../../emulator/types";
import { WebRoutes } from "../../emulator/web/routes";
import type { OperationView, StateSnapshot } from "../../emulator/web/snapshot";
import { simulatorPerTest } from "../support/harness";

const TOKEN = "test-token";
const API_VERSION = "2017-10-31";
const PREVIEW_PRODUCT = "00000000-0000-4000-8000-000000000002";
const SCHEMA = "https://schema.mp.microsoft.com/schema";

let sim: CppSimulator;
const start = simulatorPerTest((started) => {
  sim = started;
});

function call(path: string, options: { method?: string; body?: unknown; token?: string | null } = {}) {
  const token = options.token === undefined ? TOKEN : options.token;
  const headers: Record<string, string> = token === null ? {} : { Authorization: `Bearer ${token}` };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  return fetch(`${sim.url}${path}`, {
    method: options.method ?? (options.body === undefined ? "GET" : "POST"),
    headers,
    body:
      options.body === undefined
        ? undefined
        : typeof options.body === "string"
          ? options.body
          : JSON.stringify(options.body),
  });
}

async function state(): Promise<StateSnapshot> {
  const res = await call("/_emulator/v1/state");
  expect(res.status).toBe(200);
  return (await res.json()) as StateSnapshot;
}

/** Starts a go-live of contoso/contoso-offer and moves the clock into Certification (15 min of validation first). */
async function goLiveInCertification(offerId = "contoso-offer"): Promise<string> {
  const res = await call(`/api/publishers/contoso/offers/${offerId}/golive?api-version=${API_VERSION}`, {
    method: "POST",
  });
  expect(res.status).toBe(202);
  const id = res.headers.get("location")?.split("/operations/")[1]?.split("?")[0];
  if (!id) throw new Error("no operation id in the go-live's Location");
  sim.advance(20 * 60);
  return decodeURIComponent(id);
}

describe("the page and its files", () => {
  test("GET / serves the page without a token, only from its own origin (CSP), offline: no external URL", async () => {
    const res = await call("/", { token: null });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).toContain('<script type="module" src="/_emulator/web/app.js">');
    for (const file of ["app.js", "controls.js", "timeline.js", "style.css", "favicon.svg"]) {
      const asset = await call(`/_emulator/web/${file}`, { token: null });
      expect(asset.status).toBe(200);
      const text = await asset.text();
      // No CDN, no font service: nothing but this emulator's own paths.
      expect(text.match(/https?:\/\/(?!www\.w3\.org\/2000\/svg)[^\s"'`)]+/g) ?? []).toEqual([]);
    }
    expect(html.match(/https?:\/\/[^\s"']+/g) ?? []).toEqual([]);
  });

  test("only the page's own files: unknown names and path tricks answer 404", async () => {
    for (const path of [
      "/_emulator/web/server.ts",
      "/_emulator/web/%2e%2e%2fserver.ts",
      "/_emulator/web/",
      "/_emulator/web/public/app.js",
    ]) {
      const res = await call(path, { token: null });
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
        "The emulator's page has no file",
      );
    }
  });

  test("page and state requests are not in the request log; API requests are", async () => {
    await call("/");
    await state();
    expect(sim.requests).toHaveLength(0);
    await call(`/api/publishers/contoso/offers/contoso-offer?api-version=${API_VERSION}`);
    expect(sim.requests).toHaveLength(1);
  });
});

describe("GET /_emulator/v1/state", () => {
  test("needs the APIs' bearer token: none or a wrong one answers 401 with what to do", async () => {
    for (const token of [null, "wrong-token"]) {
      const res = await call("/_emulator/v1/state", { token });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe("Bearer");
      const body = (await res.json()) as { error: { message: string } };
      expect(body.error.message).toContain("Authorization: Bearer <token>");
    }
    expect((await call("/_emulator/v1/events", { token: null })).status).toBe(401);
  });

  test("with --no-auth (no accepted tokens) it answers without one", async () => {
    await start({ acceptedTokens: [] });
    const res = await call("/_emulator/v1/state", { token: null });
    expect(res.status).toBe(200);
    expect(((await res.json()) as StateSnapshot).auth).toBe(false);
  });

  test("offers with plans and draft/preview/live, products, every operation with steps in time, the log redacted", async () => {
    const id = await goLiveInCertification();
    await call(`/api/publishers/contoso/offers/contoso-offer?api-version=${API_VERSION}&token=leaked-secret`);
    const snapshot = await state();

    const offer = snapshot.offers.find((o) => o.api === "cpp" && o.offerId === "contoso-offer");
    expect(offer).toMatchObject({
      publisherId: "contoso",
      state: "published",
      status: "running",
      runningOperationId: id,
      submissions: { draft: { version: 1 }, preview: { version: 1 }, live: {} },
      plans: [{ planId: "contoso-offer-plan", title: "contoso-offer plan", imageVersions: ["1.0.0"] }],
    });
    expect(snapshot.offers.find((o) => o.offerId === "unpublished-offer")?.submissions.preview).toEqual({});
    const product = snapshot.offers.find((o) => o.api === "ingestion" && o.offerId === "ing-live-offer");
    expect(product?.submissions.live.status).toBe("succeeded");

    const op = snapshot.operations.find((o) => o.id === id) as OperationView;
    expect(snapshot.operations[0]?.id).toBe(id); // running first
    expect(op).toMatchObject({
      api: "cpp",
      kind: "golive",
      label: "Go-live",
      status: "running",
      ended: false,
    });
    expect(op.currentStep).toBe("Certification");
    expect(op.ageSeconds).toBeGreaterThanOrEqual(1200);
    expect(op.apiPath).toBe(
      `/api/publishers/contoso/offers/contoso-offer/operations/${id}?api-version=2017-10-31`,
    );
    expect(op.steps.map((s) => [s.name, s.status])).toEqual([
      ["Validate Pre-Requisites", "complete"],
      ["Certification", "inProgress"],
      ["Provisioning", "notStarted"],
      ["Packaging and Lead Generation Registration", "notStarted"],
      ["Publisher signoff", "notStarted"],
      ["Live", "notStarted"],
    ]);
    // Steps follow each other in time: 15 min of validation, then a day of certification.
    const [validate, certification] = op.steps;
    expect(Date.parse(validate?.end ?? "") - Date.parse(validate?.start ?? "")).toBe(15 * 60 * 1000);
    expect(certification?.start).toBe(validate?.end);
    expect(Date.parse(certification?.end ?? "") - Date.parse(certification?.start ?? "")).toBe(86400 * 1000);
    // Seeded history is there too, ended, and ingestion jobs are operations with steps.
    expect(
      snapshot.operations.some((o) => o.api === "ingestion" && o.kind === "live" && o.status === "succeeded"),
    ).toBe(true);

    const entries = snapshot.requests.entries;
    expect(snapshot.requests).toMatchObject({ total: 2, shown: 2, goLivePosts: 1 });
    expect(entries[0]?.path).toContain("token=<redacted>");
    expect(entries[1]).toMatchObject({ method: "POST", kind: "golive", status: 202, processed: true });
    expect(entries[1]?.headers.authorization).toBe("Bearer <redacted>");
    const text = JSON.stringify(snapshot);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain("leaked-secret");
  });
});

/** Reads `event: state` blocks off an event-stream response. */
function stateEvents(res: Response) {
  const reader = (res.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const next = async (): Promise<StateSnapshot> => {
    for (;;) {
      const end = buffer.indexOf("\n\n");
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split("\n").find((line) => line.startsWith("data: "));
        if (data && block.includes("event: state")) return JSON.parse(data.slice(6)) as StateSnapshot;
        continue;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error("the event stream ended");
      buffer += value;
    }
  };
  return { next, close: () => reader.cancel() };
}

describe("GET /_emulator/v1/events", () => {
  test("sends the state at once, then on every change (emulator)", async () => {
    const res = await call("/_emulator/v1/events");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const events = stateEvents(res);
    try {
      const first = await events.next();
      expect(first.operations.every((op) => op.ended)).toBe(true);
      await call(`/api/publishers/contoso/offers/contoso-offer/golive?api-version=${API_VERSION}`, {
        method: "POST",
      });
      let next = await events.next();
      while (!next.operations.some((op) => op.kind === "golive" && !op.ended)) next = await events.next();
      expect(next.requests.goLivePosts).toBe(1);
    } finally {
      await events.close();
    }
  });

  test("a request that changes the state is pushed at once, not on the next tick; in-process changes on the tick", async () => {
    const store = new SimStore(1, defaultSeed());
    const ingestion = new IngestionStore(store.clock, defaultIngestionSeed());
    const requests: RequestLogEntry[] = [];
    const tick = { ms: 60_000 };
    const web = new WebRoutes({
      cpp: () => store,
      ingestion: () => ingestion,
      requests: () => requests,
      auth: () => ({ acceptedTokens: [], tokenExpiry: {} }),
      get tickMs() {
        return tick.ms;
      },
    });
    // Stands in for the emulator: every other request is "logged" and answered.
    const server = http.createServer((req, res) => {
      if (web.handle(req, res, new URL(req.url ?? "/", "http://localhost"))) return;
      requests.push({
        method: req.method ?? "GET",
        path: req.url ?? "/",
        url: "",
        headers: {},
        status: 204,
        at: Date.now(),
        kind: "other",
        processed: true,
      });
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const events = stateEvents(await fetch(`${base}/_emulator/v1/events`));
    try {
      expect((await events.next()).requests.total).toBe(0);
      for (const n of [1, 2, 3]) {
        const started = Date.now();
        await fetch(`${base}/anything-${n}`);
        const next = await events.next();
        expect(next.requests.total).toBe(n);
        expect(Date.now() - started).toBeLessThan(5000);
      }
      web.close();
      tick.ms = 20;
      const again = stateEvents(await fetch(`${base}/_emulator/v1/events`));
      await again.next();
      requests.push({
        method: "GET",
        path: "/in-process",
        url: "",
        headers: {},
        status: 200,
        at: Date.now(),
        kind: "other",
        processed: true,
      });
      expect((await again.next()).requests.total).toBe(4);
      await again.close();
    } finally {
      web.close();
      await events.close().catch(() => undefined);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("what the page's buttons do shows in the state", () => {
  test("fail at Certification through the control API: the snapshot shows the blocked step and the error", async () => {
    const id = await goLiveInCertification();
    const res = await call(`/_emulator/v1/operations/${encodeURIComponent(id)}/fail`, {
      body: { stepId: "displaycertify", message: "The VHD could not be read." },
    });
    expect(res.status).toBe(200);
    const op = (await state()).operations.find((o) => o.id === id) as OperationView;
    expect(op).toMatchObject({ status: "failed", ended: true, error: "The VHD could not be read." });
    expect(op.steps.map((s) => s.status)).toEqual([
      "complete",
      "blocked",
      "notStarted",
      "notStarted",
      "notStarted",
      "notStarted",
    ]);
    expect(op.steps[1]?.messages).toEqual(["The VHD could not be read."]);
    expect(Date.parse(op.endsAt)).toBeLessThanOrEqual(Date.parse((await state()).now));
  });

  test("queued failures and refused go-lives are on the offer; ingestion job failures on the job", async () => {
    await call("/_emulator/v1/offers/contoso/contoso-offer/fail-next", {
      body: { kind: "golive", stepId: "displaycertify" },
    });
    await call("/_emulator/v1/offers/contoso/legacy-offer/refuse-golive", { body: { refuse: true } });
    await call("/_emulator/v1/ingestion/products/ing-new-offer/fail-next", { body: { target: "preview" } });
    const offers = (await state()).offers;
    const offer = (id: string) => offers.find((o) => o.offerId === id);
    expect(offer("contoso-offer")?.pendingFailures).toEqual(["the next golive fails at Certification"]);
    expect(offer("legacy-offer")?.refuseGoLive).toBe(true);
    expect(offer("ing-new-offer")?.pendingFailures).toEqual(["the next preview fails"]);
    expect(offer("ing-new-offer")?.refuseGoLive).toBe(false);
    await call("/_emulator/v1/ingestion/products/ing-new-offer/refuse-golive", {
      body: { message: "Not today." },
    });
    expect((await state()).offers.find((o) => o.offerId === "ing-new-offer")?.refuseGoLive).toBe(
      "Not today.",
    );
    await call("/_emulator/v1/settings", { body: { refuseGoLive: true } });
    expect((await state()).offers.every((o) => o.refuseGoLive !== false)).toBe(true);
    await call("/_emulator/v1/settings", { body: { refuseGoLive: false } });

    const preview = offer("ing-preview-offer")?.submissions.preview;
    const configured = await call(`/rp/product-ingestion/configure?$version=2022-07-01`, {
      body: {
        $schema: `${SCHEMA}/configure/2022-07-01`,
        resources: [
          {
            $schema: `${SCHEMA}/submission/2022-03-01-preview2`,
            id: preview?.id,
            product: `product/${PREVIEW_PRODUCT}`,
            target: { targetType: "live" },
          },
        ],
      },
    });
    expect(configured.status).toBe(202);
    const { jobId } = (await configured.json()) as { jobId: string };
    const running = (await state()).operations.find((o) => o.id === jobId);
    expect(running).toMatchObject({ api: "ingestion", kind: "live", label: "Go-live", status: "running" });
    expect(running?.apiPath).toContain(`/rp/product-ingestion/configure/${jobId}/status`);
    sim.advance(60);
    await call(`/_emulator/v1/ingestion/jobs/${jobId}/fail`, {
      body: { message: "Live publishing failed." },
    });
    const failed = (await state()).operations.find((o) => o.id === jobId);
    expect(failed).toMatchObject({ status: "failed", error: "Live publishing failed." });
    expect(failed?.steps.map((s) => [s.name, s.status])).toEqual([
      ["Queued", "complete"],
      ["Going live", "blocked"],
    ]);
  });
});
