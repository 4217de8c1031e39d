import { type CppSimulator, defaultSeed, type OfferSeed, startSimulator } from "../simulator/server";
import { simulatorPerTest } from "../support/harness";

const API_VERSION = "2017-10-31";
const GUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

interface StepJson {
  id: string;
  status: string;
  progressPercentage: number;
  messages: Array<{ messageHtml: string; level: string; timestamp: string }>;
}
interface OperationJson {
  id: string;
  submissionType: string;
  status: string;
  steps: StepJson[];
  error?: string;
  notificationEmails: string;
}
interface ErrorJson {
  error: { code: string; message: string };
}

let sim: CppSimulator;
const start = simulatorPerTest((started) => {
  sim = started;
});

interface CallOptions {
  method?: string;
  body?: unknown;
  token?: string | null;
  apiVersion?: boolean;
  headers?: Record<string, string>;
  base?: string;
}

/** A CPP call with the token and api-version a real client would send. */
function call(path: string, options: CallOptions = {}): Promise<Response> {
  const separator = path.includes("?") ? "&" : "?";
  const url = `${options.base ?? sim.url}${path}${options.apiVersion === false || path.includes("api-version") ? "" : `${separator}api-version=${API_VERSION}`}`;
  const headers: Record<string, string> = { "Content-Type": "application/json", ...options.headers };
  const token = options.token === undefined ? "test-token" : options.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return fetch(url, { method: options.method ?? (body ? "POST" : "GET"), headers, body });
}

const offerPath = (offerId: string, action = "") => `/api/publishers/contoso/offers/${offerId}${action}`;
const goLive = (offerId: string, options: CallOptions = {}) =>
  call(offerPath(offerId, "/golive"), { method: "POST", ...options });
const EMAILS = { metadata: { "notification-emails": "a@x.com,b@y.com" } };

async function poll(location: string | null): Promise<OperationJson> {
  if (!location) throw new Error("no Location");
  const res = await call(location);
  expect(res.status).toBe(200);
  return (await res.json()) as OperationJson;
}

describe("go-live", () => {
  test("migrated offer: 202 with a GUID operation path that polls as running", async () => {
    const res = await goLive("contoso-offer");
    expect(res.status).toBe(202);
    expect(await res.text()).toBe("");
    const location = res.headers.get("location");
    expect(location).toMatch(
      new RegExp(
        `^/api/publishers/contoso/offers/contoso-offer/operations/${GUID}\\?api-version=2017-10-31$`,
      ),
    );
    expect(res.headers.get("operation-location")).toBe(location);
    const op = await poll(location);
    expect(op).toMatchObject({ submissionType: "GoLive", status: "running" });
    expect(op.steps.map((step) => step.id)).toEqual([
      "displaydummycertify",
      "displaycertify",
      "displayprovision",
      "displaypackage",
      "publisher-signoff",
      "live",
    ]);
    expect(op.steps[0]?.status).toBe("inProgress");
    expect(sim.goLivePosts("contoso", "contoso-offer")).toBe(1);
  });

  test("non-migrated offer: $-separated id, pollable literally and percent-encoded", async () => {
    const res = await goLive("legacy-offer");
    const location = res.headers.get("location");
    expect(location).toBe("/api/operations/contoso$legacy-offer$2$production?api-version=2017-10-31");
    expect((await poll(location)).id).toBe("contoso$legacy-offer$2$production");
    const encoded = await poll(
      "/api/operations/contoso%24legacy-offer%242%24production?api-version=2017-10-31",
    );
    expect(encoded.status).toBe("running");
    expect(sim.count({ kind: "operation", offerId: "legacy-offer" })).toBe(2);
  });

  test("400 for a wrong api-version, with the documented body", async () => {
    const res = await goLive("contoso-offer", { apiVersion: false });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { code: "InvalidAPIVersion", message: "Invalid api version. Allowed values are [2017-10-31]" },
    });
    expect(sim.goLivePosts("contoso", "contoso-offer")).toBe(0);
  });

  test("400 unless the preview is ready; 409 while a go-live runs", async () => {
    const unpublished = await goLive("unpublished-offer");
    expect(unpublished.status).toBe(400);
    expect(((await unpublished.json()) as ErrorJson).error.message).toBe(
      "Offer 'unpublished-offer' has not been published: publish it and go live once the preview is ready.",
    );
    expect((await goLive("contoso-offer")).status).toBe(202);
    const second = await goLive("contoso-offer");
    expect(second.status).toBe(409);
    expect(((await second.json()) as ErrorJson).error).toMatchObject({ code: "OperationInProgress" });
    expect(sim.goLivePosts("contoso", "contoso-offer")).toBe(2);
  });

  test("404 names the missing publisher, offer or operation", async () => {
    const publisher = await call("/api/publishers/nobody/offers/x/golive", { method: "POST" });
    expect(publisher.status).toBe(404);
    expect(((await publisher.json()) as ErrorJson).error.message).toContain("Publisher 'nobody'");
    const offer = await goLive("missing");
    expect(((await offer.json()) as ErrorJson).error.message).toContain("Offer 'missing'");
    expect((await call(offerPath("contoso-offer", "/operations/nope"))).status).toBe(404);
  });
});

describe("auth", () => {
  test("401 with WWW-Authenticate for a missing or unknown token", async () => {
    for (const token of [null, "wrong"]) {
      const res = await goLive("contoso-offer", { token });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe("Bearer");
      expect(((await res.json()) as ErrorJson).error.code).toBe("Unauthorized");
    }
    expect(sim.goLivePosts("contoso", "contoso-offer")).toBe(0);
    expect(sim.requests[0]?.headers.authorization).toBeUndefined();
    expect(sim.requests[1]?.headers.authorization).toBe("Bearer wrong");
  });

  test("tokenExpiry rejects a token after its time; an empty token list disables auth", async () => {
    await start({
      acceptedTokens: ["old", "new"],
      tokenExpiry: { old: Date.now() - 1, new: new Date(Date.now() + 60_000) },
    });
    expect((await call(offerPath("contoso-offer"), { token: "old" })).status).toBe(401);
    expect((await call(offerPath("contoso-offer"), { token: "new" })).status).toBe(200);
    await start({ acceptedTokens: [] });
    expect((await call(offerPath("contoso-offer"), { token: null })).status).toBe(200);
  });

  test("403 for a forbidden publisher", async () => {
    await start({ forbiddenPublishers: ["contoso"] });
    const res = await goLive("contoso-offer");
    expect(res.status).toBe(403);
    expect(((await res.json()) as ErrorJson).error.message).toContain(
      "The service principal does not have access to publisher namespace",
    );
  });
});

describe("operation progress", () => {
  test("timeScale speeds the simulated clock", async () => {
    await start({ timeScale: 20_000 });
    const location = (await goLive("contoso-offer")).headers.get("location");
    await new Promise((resolve) => setTimeout(resolve, 100)); // ≥ 2000 simulated seconds: validation (900 s) done
    const op = await poll(location);
    expect(op.steps[0]).toMatchObject({ status: "complete", progressPercentage: 100 });
    expect(op.steps[1]?.status).toBe("inProgress");
  });

  test("advance() moves through steps to success; the offer goes live", async () => {
    const location = (await goLive("contoso-offer")).headers.get("location");
    sim.advance(900 + 43_200);
    const half = await poll(location);
    expect(half.steps[1]).toMatchObject({ id: "displaycertify", status: "inProgress" });
    expect(half.steps[1]?.progressPercentage).toBeGreaterThanOrEqual(49);
    expect(half.steps[1]?.progressPercentage).toBeLessThanOrEqual(50);
    sim.advance(5 * 86_400);
    const done = await poll(location);
    expect(done.status).toBe("succeeded");
    expect(done.steps.every((step) => step.status === "complete")).toBe(true);
    expect(sim.offer("contoso", "contoso-offer")).toMatchObject({ state: "live", status: "succeeded" });
    const status = (await (await call(offerPath("contoso-offer", "/status"))).json()) as {
      liveLinks: unknown[];
    };
    expect(status.liveLinks).toHaveLength(1);
  });

  test("a failing go-live blocks at Certification with error messages", async () => {
    const location = (await goLive("failing-offer")).headers.get("location");
    sim.advance(900 + 86_400);
    const op = await poll(location);
    expect(op.status).toBe("failed");
    const certification = op.steps.find((step) => step.id === "displaycertify");
    expect(certification?.status).toBe("blocked");
    expect(certification?.messages[0]).toMatchObject({
      messageHtml: "No virtual machine image was found for the plan contoso.",
      level: "error",
    });
    expect(op.error).toContain("No virtual machine image");
    expect(op.steps[2]?.status).toBe("notStarted");
    expect(sim.offer("contoso", "failing-offer")).toMatchObject({ state: "published", status: "failed" });
  });

  test("statusSpelling, wrapInArray and Retry-After per offer", async () => {
    const seed: OfferSeed = {
      publisherId: "contoso",
      offerId: "odd",
      wrapInArray: true,
      retryAfterSeconds: 7,
      goLive: {
        steps: [{ id: "live", stepName: "Live", durationSeconds: 10 }],
        statusSpelling: { succeeded: "Completed" },
      },
    };
    sim.addOffer(seed);
    const location = (await goLive("odd")).headers.get("location") ?? "";
    sim.advance(10);
    const res = await call(location);
    expect(res.headers.get("retry-after")).toBe("7");
    const body = (await res.json()) as OperationJson[];
    expect(body[0]?.status).toBe("Completed");
  });
});

describe("publish, go-live as the sign-off, cancel, submissions", () => {
  test("publish validates e-mails when given, is idempotent, rests at sign-off; the go-live is the sign-off", async () => {
    const publish = (body?: unknown) =>
      call(offerPath("unpublished-offer", "/publish"), { method: "POST", body });
    expect((await publish({ metadata: { "notification-emails": "not-an-email" } })).status).toBe(400);
    const first = await publish(EMAILS);
    expect(first.status).toBe(202);
    const again = await publish(EMAILS);
    expect(again.headers.get("location")).toBe(first.headers.get("location"));
    // Before the preview is ready, go-live is refused.
    const early = await goLive("unpublished-offer");
    expect(early.status).toBe(400);
    expect(((await early.json()) as ErrorJson).error.message).toMatch(/preview .* is not ready yet/);
    sim.advance(2 * 86_400);
    const op = await poll(first.headers.get("location"));
    expect(op.status).toBe("succeeded");
    expect(op.steps.at(-1)).toMatchObject({ id: "publisher-signoff", status: "waitingForPublisherReview" });
    expect(sim.offer("contoso", "unpublished-offer")).toMatchObject({
      state: "published",
      status: "waitingForPublisherReview",
      notificationEmails: "a@x.com,b@y.com",
    });
    // No separate sign-off: the go-live is accepted and completes the publish's sign-off step.
    const live = await goLive("unpublished-offer");
    expect(live.status).toBe(202);
    expect((await poll(live.headers.get("location"))).notificationEmails).toBe("a@x.com,b@y.com");
    const signedOff = await poll(first.headers.get("location"));
    expect(signedOff.status).toBe("succeeded");
    expect(signedOff.steps.at(-1)).toMatchObject({ id: "publisher-signoff", status: "complete" });
    expect(sim.offer("contoso", "unpublished-offer")?.status).toBe("running");
    // The sign-off control is gone from the normal flow.
    expect(
      (await fetch(`${sim.url}/_sim/offers/contoso/unpublished-offer/signoff`, { method: "POST" })).status,
    ).toBe(404);
  });

  test("publish without a body or without e-mails is accepted (migrated offers ignore them)", async () => {
    sim.addOffer({ publisherId: "contoso", offerId: "no-emails", state: "neverPublished" });
    const bare = await call(offerPath("unpublished-offer", "/publish"), { method: "POST" });
    expect(bare.status).toBe(202);
    const noList = await call(offerPath("no-emails", "/publish"), { body: { metadata: {} } });
    expect(noList.status).toBe(202);
    expect(sim.offer("contoso", "unpublished-offer")?.notificationEmails).toBe("");
    expect((await poll(noList.headers.get("location"))).notificationEmails).toBe("");
  });

  test("publishRunsAtSignoff: the publish keeps running at sign-off until the go-live ends it succeeded", async () => {
    sim.addOffer({
      publisherId: "contoso",
      offerId: "held",
      state: "neverPublished",
      publishRunsAtSignoff: true,
    });
    const location = (await call(offerPath("held", "/publish"), { body: EMAILS })).headers.get("location");
    sim.advance(2 * 86_400);
    const resting = await poll(location);
    expect(resting.status).toBe("running");
    expect(resting.steps.at(-1)).toMatchObject({
      id: "publisher-signoff",
      status: "waitingForPublisherReview",
    });
    expect(sim.offer("contoso", "held")?.status).toBe("waitingForPublisherReview");
    const running = async () =>
      (await (await call(offerPath("held", "/submissions?status=running"))).json()) as Array<{
        slot: string;
      }>;
    expect((await running()).map((item) => item.slot)).toEqual(["staging"]);
    // The running publish does not block the go-live (no 409): the go-live is its sign-off.
    const live = await goLive("held");
    expect(live.status).toBe(202);
    const done = await poll(location);
    expect(done.status).toBe("succeeded");
    expect(done.steps.at(-1)?.status).toBe("complete");
    expect((await running()).map((item) => item.slot)).toEqual(["production"]);
    sim.advance(5 * 86_400);
    expect(sim.offer("contoso", "held")).toMatchObject({ state: "live", status: "succeeded" });
  });

  test("refuseGoLive: a per-offer switch, also via /_sim, refuses go-live with 400 for tests", async () => {
    const settings = (body: unknown) =>
      fetch(`${sim.url}/_sim/offers/contoso/contoso-offer/settings`, {
        method: "POST",
        body: JSON.stringify(body),
      });
    expect((await settings({ refuseGoLive: "The preview was not approved." })).status).toBe(200);
    const refused = await goLive("contoso-offer");
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({
      error: { code: "BadRequest", message: "The preview was not approved." },
    });
    expect(sim.offer("contoso", "contoso-offer")?.runningOperationId).toBeUndefined();
    sim.configureOffer("contoso", "contoso-offer", { refuseGoLive: true });
    expect((await goLive("contoso-offer")).status).toBe(400);
    expect((await settings({ refuseGoLive: false })).status).toBe(200);
    expect((await goLive("contoso-offer")).status).toBe(202);
    const unknown = await settings({ signoff: true });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as ErrorJson).error.message).toContain("Unknown offer setting 'signoff'");
  });

  test("publish answers 422 when validation fails", async () => {
    sim.addOffer({
      publisherId: "contoso",
      offerId: "invalid",
      publishValidationError: "Plan 'x' has no VM image.",
    });
    const res = await call(offerPath("invalid", "/publish"), { body: EMAILS });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      error: { code: "ValidationFailed", message: "Plan 'x' has no VM image." },
    });
  });

  test("cancel's 202 can name its operation in the body as well, or only there", async () => {
    sim.configureOffer("contoso", "contoso-offer", { cancelLocationInBody: true });
    await goLive("contoso-offer");
    const both = await call(offerPath("contoso-offer", "/cancel"), { method: "POST" });
    expect(both.status).toBe(202);
    const body = (await both.json()) as { operationLocation: string };
    expect(body.operationLocation).toMatch(
      new RegExp(`^/api/publishers/contoso/offers/contoso-offer/operations/${GUID}\\?`),
    );
    expect(both.headers.get("location")).toBe(body.operationLocation);
    expect(both.headers.get("operation-location")).toBe(body.operationLocation);
    expect((await poll(body.operationLocation)).submissionType).toBe("Cancel");

    const seed = {
      publisherId: "contoso",
      offerId: "body-only",
      cancelLocationInBody: { key: "location", withoutHeaders: true },
    };
    sim.addOffer(seed);
    await goLive("body-only");
    const only = await call(offerPath("body-only", "/cancel"), { method: "POST" });
    expect(only.status).toBe(202);
    expect(only.headers.get("location")).toBeNull();
    expect(only.headers.get("operation-location")).toBeNull();
    const onlyBody = (await only.json()) as { location: string };
    expect((await poll(onlyBody.location)).submissionType).toBe("Cancel");
  });

  test("cancel: 400 with nothing running; 202 + cancel operation that cancels the go-live", async () => {
    const idle = await call(offerPath("contoso-offer", "/cancel"), { body: EMAILS });
    expect(idle.status).toBe(400);
    expect(((await idle.json()) as ErrorJson).error.message).toContain("No operation is running");
    const location = (await goLive("contoso-offer")).headers.get("location");
    const cancel = await call(offerPath("contoso-offer", "/cancel"), { body: EMAILS });
    expect(cancel.status).toBe(202);
    expect((await poll(cancel.headers.get("location"))).submissionType).toBe("Cancel");
    sim.advance(60);
    expect((await poll(cancel.headers.get("location"))).status).toBe("succeeded");
    const op = await poll(location);
    expect(op.status).toBe("canceled");
    expect(op.steps[0]?.status).toBe("canceled");
  });

  test("submissions lists operations; status / filteredStatus / submissionState filter running ones", async () => {
    const location = (await goLive("contoso-offer")).headers.get("location") ?? "";
    const all = (await (await call(offerPath("contoso-offer", "/submissions/"))).json()) as Array<
      Record<string, unknown>
    >;
    expect(all.map((item) => item.submissionType)).toEqual(["GoLive", "Publish"]);
    expect(all.map((item) => item.slot)).toEqual(["production", "staging"]);
    for (const filter of ["status", "filteredStatus", "submissionState"]) {
      const res = await call(offerPath("contoso-offer", `/submissions?${filter}=running`));
      const items = (await res.json()) as Array<Record<string, unknown>>;
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({
        offerId: "contoso-offer",
        publisherId: "contoso",
        submissionState: "running",
      });
      expect(location).toContain(`/operations/${items[0]?.id}?`);
    }
  });

  test("submissionState spelling is configurable (option, /_sim, per offer); submissionType can be left out", async () => {
    await start({ statusSpelling: { running: "inProgress", succeeded: "Succeeded" } });
    const location = (await goLive("contoso-offer")).headers.get("location");
    const list = async (offerId: string, query = "") =>
      (await (await call(offerPath(offerId, `/submissions${query}`))).json()) as Array<
        Record<string, unknown>
      >;
    expect((await list("contoso-offer")).map((item) => [item.slot, item.submissionState])).toEqual([
      ["production", "inProgress"],
      ["staging", "Succeeded"],
    ]);
    // The running filter still finds a run spelled differently.
    expect((await list("contoso-offer", "?status=running")).map((item) => item.slot)).toEqual(["production"]);
    expect((await poll(location)).status).toBe("inProgress");
    const status = (await (await call(offerPath("contoso-offer", "/status"))).json()) as { status: string };
    expect(status.status).toBe("inProgress");

    const control = await fetch(`${sim.url}/_sim/settings`, {
      method: "POST",
      body: JSON.stringify({ statusSpelling: { running: "InProgress" }, omitSubmissionType: true }),
    });
    expect(control.status).toBe(204);
    const [item] = await list("contoso-offer", "?submissionState=running");
    expect(item).toMatchObject({ slot: "production", submissionState: "InProgress" });
    expect(item).not.toHaveProperty("submissionType");
    // An offer's own settings win over the global ones.
    sim.configureOffer("contoso", "legacy-offer", {
      statusSpelling: { succeeded: "Completed" },
      omitSubmissionType: false,
    });
    const [legacy] = await list("legacy-offer");
    expect(legacy).toMatchObject({
      submissionType: "Publish",
      slot: "staging",
      submissionState: "Completed",
    });
  });

  test("GET offer has an ETag; PUT needs a matching If-Match", async () => {
    const res = await call(offerPath("contoso-offer"));
    const etag = res.headers.get("etag") ?? "";
    expect(etag).not.toBe("");
    const put = (ifMatch: string) =>
      call(offerPath("contoso-offer"), {
        method: "PUT",
        body: { definition: {} },
        headers: { "If-Match": ifMatch },
      });
    expect((await put('"stale"')).status).toBe(412);
    const updated = await put(etag);
    expect(updated.status).toBe(200);
    expect(updated.headers.get("etag")).not.toBe(etag);
  });
});

describe("faults", () => {
  test("status fault answers without processing, with Retry-After; times and match apply", async () => {
    sim.setFaults("contoso", "contoso-offer", [
      { type: "status", status: 503, retryAfter: "2", times: 2, match: { method: "POST", kind: "golive" } },
    ]);
    expect((await call(offerPath("contoso-offer", "/status"))).status).toBe(200);
    const first = await goLive("contoso-offer");
    expect(first.status).toBe(503);
    expect(first.headers.get("retry-after")).toBe("2");
    expect((await goLive("contoso-offer")).status).toBe(503);
    expect((await goLive("contoso-offer")).status).toBe(202);
    expect(sim.goLivePosts("contoso", "contoso-offer")).toBe(1);
    expect(sim.requests.map((entry) => entry.fault ?? "-")).toEqual(["-", "status", "status", "-"]);
  });

  test("reset before processing starts no go-live; resetAfterProcessing does", async () => {
    sim.setFaults("contoso", "contoso-offer", [{ type: "reset" }]);
    await expect(goLive("contoso-offer")).rejects.toThrow();
    expect(sim.goLivePosts("contoso", "contoso-offer")).toBe(0);
    expect(sim.offer("contoso", "contoso-offer")?.runningOperationId).toBeUndefined();
    sim.setFaults("contoso", "contoso-offer", [{ type: "resetAfterProcessing" }]);
    await expect(goLive("contoso-offer")).rejects.toThrow();
    expect(sim.goLivePosts("contoso", "contoso-offer")).toBe(1);
    expect(sim.offer("contoso", "contoso-offer")?.runningOperationId).toMatch(new RegExp(GUID));
  });

  test("hang with ms answers late; malformedJson truncates; statusSpelling rewrites status", async () => {
    const location = (await goLive("contoso-offer")).headers.get("location");
    sim.setFaults("*", "*", [
      { type: "hang", ms: 60 },
      { type: "malformedJson" },
      { type: "statusSpelling", status: "weird" },
    ]);
    const started = Date.now();
    await poll(location);
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    const malformed = await call(location ?? "");
    expect(malformed.status).toBe(200);
    await expect(malformed.json()).rejects.toThrow();
    expect((await poll(location)).status).toBe("weird");
    expect((await poll(location)).status).toBe("running");
  });

  test("Location variants: missing, Operation-Location, absolute on this or a foreign host", async () => {
    const foreign = await startSimulator({ host: "127.0.0.2" });
    try {
      expect(foreign.url).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
      const ids = ["a", "b", "c", "d", "e"];
      const seeds: OfferSeed[] = ids.map((offerId) => ({ publisherId: "contoso", offerId }));
      for (const seed of seeds) sim.addOffer(seed);
      sim.setFaults("contoso", "a", [{ type: "missingLocation" }]);
      sim.setFaults("contoso", "b", [{ type: "operationLocationHeader" }]);
      sim.setFaults("contoso", "c", [{ type: "absoluteLocation" }]);
      sim.setFaults("contoso", "d", [{ type: "absoluteLocation", host: foreign.url, omitApiVersion: true }]);
      sim.setFaults("contoso", "e", [{ type: "locationHeaderOnly" }]);
      const [a, b, c, d, e] = await Promise.all(ids.map((offerId) => goLive(offerId)));
      expect(a?.status).toBe(202);
      expect(a?.headers.get("location")).toBeNull();
      expect(a?.headers.get("operation-location")).toBeNull();
      expect(b?.headers.get("location")).toBeNull();
      expect(e?.headers.get("location")).toMatch(/^\/api\/publishers\/contoso\/offers\/e\/operations\//);
      expect(e?.headers.get("operation-location")).toBeNull();
      expect(b?.headers.get("operation-location")).toMatch(
        /^\/api\/publishers\/contoso\/offers\/b\/operations\//,
      );
      expect(
        c?.headers.get("location")?.startsWith(`${sim.url}/api/publishers/contoso/offers/c/operations/`),
      ).toBe(true);
      expect(d?.headers.get("location")).toMatch(
        new RegExp(`^${foreign.url}/api/publishers/contoso/offers/d/operations/${GUID}$`),
      );
      expect(
        (await fetch(c?.headers.get("location") ?? "", { headers: { Authorization: "Bearer test-token" } }))
          .status,
      ).toBe(200);
    } finally {
      await foreign.close();
    }
  });

  test("unauthorized and forbidden faults answer once", async () => {
    sim.setFaults("contoso", "contoso-offer", [{ type: "unauthorized" }, { type: "forbidden" }]);
    const unauthorized = await call(offerPath("contoso-offer", "/status"));
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get("www-authenticate")).toBe("Bearer");
    expect((await call(offerPath("contoso-offer", "/status"))).status).toBe(403);
    expect((await call(offerPath("contoso-offer", "/status"))).status).toBe(200);
  });

  test("random faults repeat for a seed and never fault POSTs in a processing way", async () => {
    const run = async (): Promise<string[]> => {
      sim.reset();
      sim.setRandomFaults({
        rate: 0.5,
        seed: 42,
        types: ["status", "malformedJson", "resetAfterProcessing"],
      });
      for (let i = 0; i < 12; i += 1)
        await call(offerPath("contoso-offer", "/status")).catch(() => undefined);
      for (let i = 0; i < 12; i += 1) await goLive("legacy-offer").catch(() => undefined);
      return sim.requests.map((entry) => entry.fault ?? "-");
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(first.slice(0, 12)).toContain("malformedJson");
    expect(first.slice(12).every((fault) => fault === "-" || fault === "status")).toBe(true);
    expect(sim.goLivePosts("contoso", "legacy-offer")).toBe(
      first.slice(12).filter((fault) => fault === "-").length,
    );
  });

  test("close() does not wait for a hung request", async () => {
    sim.setFaults("*", "*", [{ type: "hang" }]);
    const hung = goLive("contoso-offer");
    await new Promise((resolve) => setTimeout(resolve, 30));
    // The hang never ends by itself: close() resolving at all shows it did not wait for it.
    await sim.close();
    await expect(hung).rejects.toThrow();
    expect(sim.goLivePosts("contoso", "contoso-offer")).toBe(0);
  });
});

describe("operation record gone", () => {
  test("the operation GET answers 404 while the operation runs on; the offer's status follows it", async () => {
    const location = (await goLive("contoso-offer")).headers.get("location") ?? "";
    const id = (await poll(location)).id;
    const gone = await fetch(`${sim.url}/_sim/operations/${id}/gone`, { method: "POST", body: "{}" });
    expect(gone.status).toBe(204);
    const missing = await call(location);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: { code: "NotFound", message: `Operation '${id}' was not found.` },
    });
    const offerStatus = async () =>
      ((await (await call(offerPath("contoso-offer", "/status"))).json()) as { status: string }).status;
    expect(await offerStatus()).toBe("running");
    const running = (await (
      await call(offerPath("contoso-offer", "/submissions?status=running"))
    ).json()) as Array<{ id: string }>;
    expect(running.map((item) => item.id)).toEqual([id]);
    sim.advance(5 * 86_400);
    expect(await offerStatus()).toBe("succeeded");
    expect(sim.offer("contoso", "contoso-offer")).toMatchObject({ state: "live", status: "succeeded" });
  });

  test("fromSubmissions leaves it out of the list too; a $ id works; an unknown id is 404", async () => {
    const location = (await goLive("legacy-offer")).headers.get("location") ?? "";
    const id = "contoso$legacy-offer$2$production";
    expect(location).toContain(id);
    sim.dropOperationRecord(id, { fromSubmissions: true });
    expect((await call(location)).status).toBe(404);
    const all = (await (await call(offerPath("legacy-offer", "/submissions"))).json()) as Array<{
      slot: string;
    }>;
    expect(all.map((item) => item.slot)).toEqual(["staging"]);
    const unknown = await fetch(`${sim.url}/_sim/operations/nope/gone`, { method: "POST" });
    expect(unknown.status).toBe(404);
  });
});

describe("read routes other CPP tools use", () => {
  type OfferDoc = { offerTypeId: string; id: string; version: number; definition: Record<string, unknown> };

  test("GET /api/publishers and /api/publishers/{p}/offers", async () => {
    sim.addOffer({ publisherId: "fabrikam", offerId: "vm" });
    const publishers = await call("/api/publishers");
    expect(publishers.status).toBe(200);
    expect(await publishers.json()).toEqual([
      { id: "contoso", definition: { displayText: "contoso" } },
      { id: "fabrikam", definition: { displayText: "fabrikam" } },
    ]);
    const offers = (await (await call("/api/publishers/contoso/offers")).json()) as Array<
      Record<string, unknown>
    >;
    expect(offers.map((offer) => [offer.id, offer.status])).toEqual([
      ["contoso-offer", "waitingForPublisherReview"],
      ["legacy-offer", "waitingForPublisherReview"],
      ["unpublished-offer", "neverPublished"],
      ["failing-offer", "waitingForPublisherReview"],
    ]);
    expect(offers[1]).toMatchObject({
      offerTypeId: "microsoft-azure-virtualmachines",
      publisherId: "contoso",
      version: 2,
      definition: { displayText: "legacy-offer (contoso)" },
    });
    expect(typeof offers[0]?.changedTime).toBe("string");
    const missing = await call("/api/publishers/nobody/offers");
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as ErrorJson).error).toEqual({
      code: "NotFound",
      message: "Publisher 'nobody' was not found.",
    });
    expect((await call("/api/publishers", { method: "POST" })).status).toBe(405);
    await start({ forbiddenPublishers: ["contoso"] });
    expect(await (await call("/api/publishers")).json()).toEqual([]);
    expect((await call("/api/publishers/contoso/offers")).status).toBe(403);
  });

  test("GET .../versions/{n}: the offer document of each version; 404 for one that does not exist", async () => {
    const v1 = await call(offerPath("contoso-offer", "/versions/1"));
    expect(v1.status).toBe(200);
    const doc = (await v1.json()) as OfferDoc;
    expect(doc).toMatchObject({
      offerTypeId: "microsoft-azure-virtualmachines",
      id: "contoso-offer",
      version: 1,
    });
    const plans = doc.definition.plans as Array<Record<string, unknown>>;
    expect(plans[0]).toMatchObject({
      planId: "contoso-offer-plan",
      "microsoft-azure-virtualmachines.vmImages": { "1.0.0": { lunVhdDetails: [] } },
    });
    const put = await call(offerPath("contoso-offer"), {
      method: "PUT",
      body: { definition: { displayText: "v2" } },
      headers: { "If-Match": "*" },
    });
    expect(put.status).toBe(200);
    expect(
      ((await (await call(offerPath("contoso-offer", "/versions/2"))).json()) as OfferDoc).definition,
    ).toEqual({
      displayText: "v2",
    });
    expect(
      ((await (await call(offerPath("contoso-offer", "/versions/1"))).json()) as OfferDoc).definition,
    ).toEqual(doc.definition);
    for (const version of ["3", "0", "x"]) {
      const missing = await call(offerPath("contoso-offer", `/versions/${version}`));
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as ErrorJson).error.code).toBe("NotFound");
    }
  });

  test("GET .../slot/{Draft|Preview|Production}, case-insensitive; an empty slot is 404", async () => {
    const slot = (offerId: string, name: string) => call(offerPath(offerId, `/slot/${name}`));
    for (const name of ["Draft", "draft", "DRAFT", "Preview"]) {
      const res = await slot("contoso-offer", name);
      expect(res.status).toBe(200);
      expect(((await res.json()) as OfferDoc).version).toBe(1);
    }
    const production = await slot("contoso-offer", "Production");
    expect(production.status).toBe(404);
    expect(((await production.json()) as ErrorJson).error.message).toContain("has no Production slot yet");
    expect((await slot("unpublished-offer", "preview")).status).toBe(404);
    expect((await slot("contoso-offer", "staging")).status).toBe(404);
    await call(offerPath("contoso-offer"), {
      method: "PUT",
      body: { definition: {} },
      headers: { "If-Match": "*" },
    });
    await goLive("contoso-offer");
    sim.advance(5 * 86_400);
    // Live shows the version that was published; the draft moved on.
    expect(((await (await slot("contoso-offer", "production")).json()) as OfferDoc).version).toBe(1);
    expect(((await (await slot("contoso-offer", "draft")).json()) as OfferDoc).version).toBe(2);
  });
});

describe("control API and bookkeeping", () => {
  test("control routes drive the simulator and stay out of the request log", async () => {
    const control = (path: string, body?: unknown) =>
      fetch(
        `${sim.url}/_sim${path}`,
        body === undefined ? {} : { method: "POST", body: JSON.stringify(body) },
      );
    expect(
      (await control("/offers", { publisherId: "fabrikam", offerId: "vm", migrated: false })).status,
    ).toBe(201);
    await control("/faults", {
      publisherId: "fabrikam",
      offerId: "vm",
      faults: [{ type: "status", status: 502 }],
    });
    const faulted = await call("/api/publishers/fabrikam/offers/vm/golive", { method: "POST" });
    expect(faulted.status).toBe(502);
    const accepted = await call("/api/publishers/fabrikam/offers/vm/golive", { method: "POST" });
    expect(accepted.headers.get("location")).toBe(
      "/api/operations/fabrikam$vm$1$production?api-version=2017-10-31",
    );
    const advanced = (await (await control("/advance", { seconds: 4 * 86_400 })).json()) as { now: string };
    expect(Date.parse(advanced.now)).toBeGreaterThan(Date.now() + 2 * 86_400_000);
    expect((await poll(accepted.headers.get("location"))).status).toBe("succeeded");
    const stats = await (await control("/stats")).json();
    expect(stats).toMatchObject({ goLivePosts: { "fabrikam/vm": 1 }, requests: 3 });
    const requests = (await (await control("/requests")).json()) as Array<{ path: string }>;
    expect(requests.every((entry) => entry.path.startsWith("/api/"))).toBe(true);
    expect((await control("/reset", {})).status).toBe(204);
    expect(sim.requests).toHaveLength(0);
    expect(sim.offer("fabrikam", "vm")).toBeUndefined();
  });

  test("connections, count() and the default seed", async () => {
    await goLive("contoso-offer");
    await call(offerPath("contoso-offer", "/status"));
    expect(sim.connections).toBeGreaterThanOrEqual(1);
    expect(
      sim.count({ method: "POST", kind: "golive", publisherId: "contoso", offerId: "contoso-offer" }),
    ).toBe(1);
    expect(sim.count({ kind: "status" })).toBe(1);
    expect(defaultSeed().map((offer) => offer.offerId)).toEqual([
      "contoso-offer",
      "legacy-offer",
      "unpublished-offer",
      "failing-offer",
    ]);
  });

  test("log receives one line per request", async () => {
    const lines: string[] = [];
    await start({ log: (line) => lines.push(line) });
    await goLive("contoso-offer");
    expect(lines).toEqual([
      "POST /api/publishers/contoso/offers/contoso-offer/golive?api-version=2017-10-31 202",
    ]);
  });
});

describe("offer documents with image versions", () => {
  type Doc = { definition: Record<string, unknown> };
  const VM = "microsoft-azure-virtualmachines.vmImages";
  const read = async (offerId: string) => {
    const res = await call(offerPath(offerId));
    return { etag: res.headers.get("etag") ?? "", doc: (await res.json()) as Doc };
  };
  const put = (offerId: string, doc: Doc, ifMatch?: string) =>
    call(offerPath(offerId), {
      method: "PUT",
      body: doc,
      headers: ifMatch === undefined ? {} : { "If-Match": ifMatch },
    });
  const withVersion = (doc: Doc, version: string, entry: Record<string, unknown>): Doc => {
    const copy = structuredClone(doc);
    const plans = copy.definition.plans as Array<Record<string, Record<string, unknown>>>;
    (plans[0] as Record<string, Record<string, unknown>>)[VM] = {
      ...(plans[0]?.[VM] ?? {}),
      [version]: entry,
    };
    return copy;
  };
  const sasUrl = (blob: string, se = "2099-01-01T00:00:00Z") =>
    `https://contoso.blob.core.windows.net/vhds/${blob}.vhd?sv=2020-08-04&sr=c&sp=rl&se=${encodeURIComponent(se)}&sig=s`;

  test("ETags look like the API's; PUT without If-Match is the 409 clients have met since 2020", async () => {
    const { etag, doc } = await read("contoso-offer");
    expect(etag).toMatch(/^W\/"datetime'\d{4}-\d\d-\d\dT\d\d%3A\d\d%3A\d\d\.\d{7}Z'"$/);
    const missing = await put("contoso-offer", doc);
    expect(missing.status).toBe(409);
    expect(((await missing.json()) as ErrorJson).error).toEqual({
      code: "InvalidResourceId",
      message: "Offer ID already exists. To update an existing offer, ensure If-Match header is specified.",
    });
    expect((await put("contoso-offer", doc, etag)).status).toBe(200);
    expect((await put("contoso-offer", doc, etag)).status).toBe(412);
  });

  test("version rules: X.Y.Z of at most 10 digits, greater than every earlier one, same data-disk count", async () => {
    const { etag, doc } = await read("contoso-offer");
    const entry = { osVhdUrl: sasUrl("x"), lunVhdDetails: [] };
    const refused = async (version: string, e: Record<string, unknown> = entry) => {
      const res = await put("contoso-offer", withVersion(doc, version, e), etag);
      expect(res.status).toBe(400);
      return ((await res.json()) as ErrorJson).error.message;
    };
    expect(await refused("1.1")).toMatch(/Invalid version '1\.1'.*format X\.Y\.Z/);
    expect(await refused("12345678901.0.0")).toMatch(/at most 10 digits/);
    expect(await refused("0.9.9")).toBe(
      "The version '0.9.9' of plan 'contoso-offer-plan' must be greater than the previous versions; the latest version is '1.0.0'.",
    );
    expect(await refused("1.0.1", { ...entry, lunVhdDetails: [{ lun: 0, lunVhdUrl: sasUrl("d") }] })).toMatch(
      /number of data disks of version '1\.0\.1' .*\(1\) must match the earlier versions \(0\)/,
    );
    expect((await put("contoso-offer", withVersion(doc, "1.0.10", entry), etag)).status).toBe(200);
  });

  test("publish certifies the draft's new image: an unreadable blob fails it with the portal's words", async () => {
    sim.addOffer({ publisherId: "contoso", offerId: "cert-offer" });
    const { etag, doc } = await read("cert-offer");
    await put(
      "cert-offer",
      withVersion(doc, "1.1.0", { osVhdUrl: sasUrl("expired", "2001-01-01T00:00:00Z"), lunVhdDetails: [] }),
      etag,
    );
    const publish = await call(offerPath("cert-offer", "/publish"), { body: EMAILS });
    sim.advance(3 * 86_400);
    const op = await poll(publish.headers.get("location"));
    expect(op.status).toBe("failed");
    const certify = op.steps.find((s) => s.id === "displaycertify");
    expect(certify?.messages.map((m) => m.messageHtml).join(" ")).toMatch(
      /^Failure: Copying Images\. Not able to download blob https:\/\/contoso\.blob\.core\.windows\.net\/vhds\/expired\.vhd of version '1\.1\.0' of plan 'cert-offer-plan'\./,
    );
    // A readable image (and the seeded ones, already in preview) certify.
    sim.addOffer({ publisherId: "contoso", offerId: "cert-ok" });
    const ok = await read("cert-ok");
    await put(
      "cert-ok",
      withVersion(ok.doc, "1.1.0", { osVhdUrl: sasUrl("good"), lunVhdDetails: [] }),
      ok.etag,
    );
    const published = await call(offerPath("cert-ok", "/publish"), { body: EMAILS });
    sim.advance(3 * 86_400);
    expect(
      (await poll(published.headers.get("location"))).steps.find((s) => s.id === "displaycertify")?.status,
    ).toBe("complete");
  });

  test("publish certifies data disks whatever the keys of their lunVhdDetails items", async () => {
    sim.addOffer({
      publisherId: "contoso",
      offerId: "cert-disks",
      definition: { offer: {}, plans: [{ planId: "p", [VM]: {} }] },
    });
    const { etag, doc } = await read("cert-disks");
    const item = { lunVhdUri: sasUrl("data-expired", "2001-01-01T00:00:00Z"), lunNumber: 0 };
    await put(
      "cert-disks",
      withVersion(doc, "1.0.0", { osVhdUrl: sasUrl("good"), lunVhdDetails: [item] }),
      etag,
    );
    const publish = await call(offerPath("cert-disks", "/publish"), { body: EMAILS });
    sim.advance(3 * 86_400);
    const op = await poll(publish.headers.get("location"));
    expect(
      op.steps
        .find((s) => s.id === "displaycertify")
        ?.messages.map((m) => m.messageHtml)
        .join(" "),
    ).toMatch(
      /Not able to download blob https:\/\/contoso\.blob\.core\.windows\.net\/vhds\/data-expired\.vhd of version '1\.0\.0'/,
    );
  });

  test("/_sim portal-edit: now, or queued before the next PUT (which then gets 412)", async () => {
    const control = (body: unknown) =>
      fetch(`${sim.url}/_sim/offers/contoso/contoso-offer/portal-edit`, {
        method: "POST",
        body: JSON.stringify(body),
      });
    const first = await read("contoso-offer");
    expect((await control({ displayText: "now" })).status).toBe(200);
    expect((await read("contoso-offer")).doc.definition.displayText).toBe("now");
    expect((await put("contoso-offer", first.doc, first.etag)).status).toBe(412);
    const second = await read("contoso-offer");
    await control({ planId: "contoso-offer-plan", version: "1.0.0", image: null, beforeNextPut: true });
    expect((await put("contoso-offer", second.doc, second.etag)).status).toBe(412);
    const plans = (await read("contoso-offer")).doc.definition.plans as Array<
      Record<string, Record<string, unknown>>
    >;
    expect(plans[0]?.[VM]).toEqual({});
  });
});
