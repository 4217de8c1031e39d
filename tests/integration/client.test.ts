import {
  ForbiddenError,
  NotFoundError,
  OperationFailedError,
  ProtocolError,
  RejectedError,
  TransientError,
} from "../../provider/core/errors";
import { type ProgressEvent, pollOperation } from "../../provider/core/poller";
import { clientFor, clientSuite, fastPoll, TOKEN, withSimulator } from "../support/harness";

const suite = clientSuite("offer");
const { newOffer } = suite;

describe("go-live against the simulator", () => {
  test("migrated offer: 202 + GUID Location, polled to success, bearer token and user agent sent", async () => {
    const offerId = newOffer();
    const started = await suite.client.goLive("contoso", offerId);
    expect(started.attached).toBe(false);
    expect(started.operationLocation).toMatch(
      new RegExp(
        `^${suite.sim.url}/api/publishers/contoso/offers/${offerId}/operations/[0-9a-f-]{36}\\?api-version=2017-10-31$`,
      ),
    );
    expect(started.operationId).toMatch(/^[0-9a-f-]{36}$/);
    const events: ProgressEvent[] = [];
    const final = await pollOperation(suite.client, started.operationLocation, {
      ...fastPoll,
      onProgress: (e) => events.push(e),
    });
    expect(final.status).toBe("succeeded");
    expect(events.length).toBeGreaterThan(0);
    const post = suite.sim.requests.find((r) => r.kind === "golive" && r.offerId === offerId);
    expect(post?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(post?.headers["user-agent"]).toMatch(/^pulumi-cloudpartner\/\d+\.\d+\.\d+/);
    expect(post?.path).toBe(`/api/publishers/contoso/offers/${offerId}/golive?api-version=2017-10-31`);
    expect(suite.sim.goLivePosts("contoso", offerId)).toBe(1);
  });

  test("non-migrated offer: `$` operation id", async () => {
    const offerId = newOffer({ migrated: false, offerVersion: 2 });
    const started = await suite.client.goLive("contoso", offerId);
    expect(started.operationId).toBe(`contoso$${offerId}$2$production`);
    expect(started.operationLocation).toBe(
      `${suite.sim.url}/api/operations/contoso$${offerId}$2$production?api-version=2017-10-31`,
    );
    expect((await pollOperation(suite.client, started.operationLocation, fastPoll)).status).toBe("succeeded");
  });

  test("400: offer never published → RejectedError with the API's message", async () => {
    const offerId = newOffer({ state: "neverPublished" });
    const error = await suite.client.goLive("contoso", offerId).catch((e) => e);
    expect(error).toBeInstanceOf(RejectedError);
    expect(error.status).toBe(400);
    expect(error.message).toMatch(new RegExp(`contoso/${offerId}.*HTTP 400.*published`));
    expect(error.apiMessage).toMatch(/published/);
  });

  test("404: unknown offer and unknown publisher", async () => {
    const offer = await suite.client.goLive("contoso", "no-such-offer").catch((e) => e);
    expect(offer).toBeInstanceOf(NotFoundError);
    expect(offer.message).toMatch(/contoso\/no-such-offer was not found \(HTTP 404/);
    const publisher = await suite.client.goLive("nobody", "x").catch((e) => e);
    expect(publisher).toBeInstanceOf(NotFoundError);
    expect(suite.sim.count({ kind: "golive", method: "POST" })).toBeGreaterThan(0);
  });

  test("a second go-live while one runs is refused (409) and attaches: one operation", async () => {
    const offerId = newOffer({
      goLive: { steps: [{ id: "live", stepName: "Live", durationSeconds: 10 ** 9 }] },
    });
    const operationsBefore = suite.sim.offer("contoso", offerId)?.operations.length ?? 0;
    const first = await suite.client.goLive("contoso", offerId);
    const second = await suite.client.goLive("contoso", offerId);
    expect(second.attached).toBe(true);
    expect(second.operationLocation).toBe(first.operationLocation);
    expect(
      suite.sim.requests.filter((r) => r.kind === "golive" && r.offerId === offerId).map((r) => r.status),
    ).toEqual([202, 409]);
    expect(suite.sim.offer("contoso", offerId)?.operations).toHaveLength(operationsBefore + 1);
  });

  test("findRunningOperation finds a running go-live, and nothing for an idle offer", async () => {
    const idle = newOffer();
    expect(await suite.client.findRunningOperation("contoso", idle, "golive")).toBeUndefined();
    const offerId = newOffer({
      migrated: false,
      goLive: { steps: [{ id: "live", stepName: "Live", durationSeconds: 10 ** 9 }] },
    });
    const started = await suite.client.goLive("contoso", offerId);
    const found = await suite.client.findRunningOperation("contoso", offerId, "golive");
    expect(found?.operationLocation).toBe(started.operationLocation);
    expect(await suite.client.findRunningOperation("contoso", offerId, "publish")).toBeUndefined();
  });

  test("failed operation → error naming the step and its messages", async () => {
    const offerId = newOffer({
      goLive: {
        failAt: {
          stepId: "displaycertify",
          messages: ["No virtual machine image was found for the plan contoso."],
        },
      },
    });
    const started = await suite.client.goLive("contoso", offerId);
    const error = await pollOperation(suite.client, started.operationLocation, {
      ...fastPoll,
      publisherId: "contoso",
      offerId,
    }).catch((e) => e);
    expect(error).toBeInstanceOf(OperationFailedError);
    expect(error.failedStep?.name).toBe("Certification");
    expect(error.message).toMatch(/failed at step "Certification".*No virtual machine image/);
  });

  test("canceled operation and cancel spelled 'cancelled'", async () => {
    const offerId = newOffer({ goLive: { cancel: true, statusSpelling: { canceled: "cancelled" } } });
    const started = await suite.client.goLive("contoso", offerId);
    const error = await pollOperation(suite.client, started.operationLocation, fastPoll).catch((e) => e);
    expect(error.code).toBe("CPP_OPERATION_CANCELED");
  });

  test.each([["complete"], ["Completed"], ["Succeeded"]])("success spelled %p", async (spelling) => {
    const offerId = newOffer({ goLive: { statusSpelling: { succeeded: spelling } } });
    const started = await suite.client.goLive("contoso", offerId);
    const final = await pollOperation(suite.client, started.operationLocation, fastPoll);
    expect(final).toMatchObject({ status: "succeeded", rawStatus: spelling });
  });

  test("operation wrapped in an array (the docs' sample) is read the same", async () => {
    const offerId = newOffer({ wrapInArray: true });
    const started = await suite.client.goLive("contoso", offerId);
    expect((await pollOperation(suite.client, started.operationLocation, fastPoll)).status).toBe("succeeded");
  });
});

describe("faults", () => {
  test("5xx burst on polls is retried and recovers", async () => {
    const offerId = newOffer();
    suite.sim.setFaults("contoso", offerId, [
      { type: "status", status: 503, times: 3, match: { kind: "operation" } },
    ]);
    const started = await suite.client.goLive("contoso", offerId);
    expect((await pollOperation(suite.client, started.operationLocation, fastPoll)).status).toBe("succeeded");
    expect(suite.sim.requests.filter((r) => r.offerId === offerId && r.status === 503)).toHaveLength(3);
  });

  test("any 5xx on a poll is transient (507, 599); a POST's 501 is not retried", async () => {
    const offerId = newOffer();
    suite.sim.setFaults("contoso", offerId, [
      { type: "status", status: 507, times: 1, match: { kind: "operation" } },
      { type: "status", status: 599, times: 1, match: { kind: "operation" } },
    ]);
    const started = await suite.client.goLive("contoso", offerId);
    expect((await pollOperation(suite.client, started.operationLocation, fastPoll)).status).toBe("succeeded");
    expect(suite.sim.requests.filter((r) => r.offerId === offerId && r.status >= 507)).toHaveLength(2);

    const refused = newOffer();
    suite.sim.setFaults("contoso", refused, [{ type: "status", status: 501, match: { kind: "golive" } }]);
    const error = await suite.client.goLive("contoso", refused).catch((e) => e);
    expect(error).toBeInstanceOf(RejectedError);
    expect(suite.sim.count({ kind: "golive", offerId: refused })).toBe(1);
  });

  test("a long 5xx burst exhausts client retries, then the poller's bound", async () => {
    const offerId = newOffer({
      goLive: { steps: [{ id: "live", stepName: "Live", durationSeconds: 10 ** 9 }] },
    });
    const started = await suite.client.goLive("contoso", offerId);
    suite.sim.setFaults("contoso", offerId, [
      { type: "status", status: 500, times: 1000, match: { kind: "operation" } },
    ]);
    const error = await pollOperation(suite.client, started.operationLocation, {
      ...fastPoll,
      maxConsecutiveErrors: 1,
    }).catch((e) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect(error.status).toBe(500);
    // 2 polls × (1 + 5 retries)
    expect(suite.sim.requests.filter((r) => r.offerId === offerId && r.status === 500)).toHaveLength(12);
  });

  test("429 on go-live is retried after Retry-After; go-live processed once", async () => {
    const offerId = newOffer();
    suite.sim.setFaults("contoso", offerId, [
      { type: "status", status: 429, retryAfter: "0", match: { kind: "golive" } },
    ]);
    const started = await suite.client.goLive("contoso", offerId);
    expect(started.attached).toBe(false);
    expect(suite.sim.goLivePosts("contoso", offerId)).toBe(1);
    expect(suite.sim.count({ kind: "golive", offerId })).toBe(2);
  });

  test("429 with an HTTP-date Retry-After on polls", async () => {
    const offerId = newOffer();
    const started = await suite.client.goLive("contoso", offerId);
    suite.sim.setFaults("contoso", offerId, [
      {
        type: "status",
        status: 429,
        retryAfter: new Date(Date.now() + 20).toUTCString(),
        match: { kind: "operation" },
      },
    ]);
    expect((await pollOperation(suite.client, started.operationLocation, fastPoll)).status).toBe("succeeded");
  });

  test("connection reset before the go-live was processed: checked, then re-sent once", async () => {
    const offerId = newOffer();
    suite.sim.setFaults("contoso", offerId, [{ type: "reset", match: { kind: "golive" } }]);
    const started = await suite.client.goLive("contoso", offerId);
    expect(started.attached).toBe(false);
    expect(suite.sim.goLivePosts("contoso", offerId)).toBe(1);
    expect(suite.sim.count({ kind: "submissions", offerId })).toBe(1);
  });

  test("connection reset after the go-live was processed: attaches, never re-sends", async () => {
    const offerId = newOffer({
      goLive: { steps: [{ id: "live", stepName: "Live", durationSeconds: 10 ** 9 }] },
    });
    suite.sim.setFaults("contoso", offerId, [{ type: "resetAfterProcessing", match: { kind: "golive" } }]);
    const started = await suite.client.goLive("contoso", offerId);
    expect(started.attached).toBe(true);
    expect(suite.sim.goLivePosts("contoso", offerId)).toBe(1);
    expect(suite.sim.count({ kind: "golive", offerId })).toBe(1);
  });

  test("503 answer to go-live: checked for a running operation, then retried", async () => {
    const offerId = newOffer();
    suite.sim.setFaults("contoso", offerId, [{ type: "status", status: 503, match: { kind: "golive" } }]);
    await suite.client.goLive("contoso", offerId);
    expect(suite.sim.goLivePosts("contoso", offerId)).toBe(1);
  });

  test("hung response → request timeout → retried", async () => {
    const offerId = newOffer();
    const hungClient = clientFor(suite.sim, { requestTimeoutMs: 150 });
    try {
      const started = await hungClient.client.goLive("contoso", offerId);
      suite.sim.setFaults("contoso", offerId, [{ type: "hang", match: { kind: "operation" } }]);
      const t0 = Date.now();
      expect((await pollOperation(hungClient.client, started.operationLocation, fastPoll)).status).toBe(
        "succeeded",
      );
      expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    } finally {
      await hungClient.transport.close();
    }
  });

  test("malformed JSON is retried", async () => {
    const offerId = newOffer();
    const started = await suite.client.goLive("contoso", offerId);
    suite.sim.setFaults("contoso", offerId, [
      { type: "malformedJson", match: { kind: "operation" }, times: 2 },
    ]);
    expect((await pollOperation(suite.client, started.operationLocation, fastPoll)).status).toBe("succeeded");
  });

  test("unknown status spelling is reported and polling continues", async () => {
    const offerId = newOffer();
    const started = await suite.client.goLive("contoso", offerId);
    suite.sim.setFaults("contoso", offerId, [
      { type: "statusSpelling", status: "Bogus", match: { kind: "operation" } },
    ]);
    const events: ProgressEvent[] = [];
    await pollOperation(suite.client, started.operationLocation, {
      ...fastPoll,
      onProgress: (e) => events.push(e),
    });
    expect(events.some((e) => e.rawStatus === "Bogus" && !e.statusRecognized)).toBe(true);
  });

  test("202 without Location: the running operation is found through the submissions list", async () => {
    const offerId = newOffer({
      goLive: { steps: [{ id: "live", stepName: "Live", durationSeconds: 10 ** 9 }] },
    });
    suite.sim.setFaults("contoso", offerId, [{ type: "missingLocation", match: { kind: "golive" } }]);
    const started = await suite.client.goLive("contoso", offerId);
    expect(started.attached).toBe(false);
    expect(started.operationLocation).toContain(`/offers/${offerId}/operations/`);
    expect(suite.sim.goLivePosts("contoso", offerId)).toBe(1);
  });

  test("202 without Location and nothing listed → ProtocolError", async () => {
    const offerId = newOffer({ goLive: { steps: [{ id: "live", stepName: "Live", durationSeconds: 1 }] } });
    suite.sim.setFaults("contoso", offerId, [{ type: "missingLocation", match: { kind: "golive" } }]);
    suite.sim.advance(0);
    const slow = clientFor(suite.sim);
    suite.sim.setFaults("contoso", offerId, [
      { type: "missingLocation", match: { kind: "golive" } },
      { type: "status", status: 200, body: "[]", match: { kind: "submissions" } },
    ]);
    const error = await slow.client.goLive("contoso", offerId).catch((e) => e);
    await slow.transport.close();
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error.message).toMatch(/no Location or Operation-Location/);
  });

  test("Operation-Location instead of Location, without api-version", async () => {
    const offerId = newOffer();
    suite.sim.setFaults("contoso", offerId, [
      { type: "operationLocationHeader", omitApiVersion: true, match: { kind: "golive" } },
    ]);
    const started = await suite.client.goLive("contoso", offerId);
    expect(started.operationLocation).toMatch(/\?api-version=2017-10-31$/);
    expect((await pollOperation(suite.client, started.operationLocation, fastPoll)).status).toBe("succeeded");
  });

  test("absolute Location on a foreign host: re-based, the foreign host gets nothing", async () => {
    const foreign = await withSimulator({ host: "127.0.0.2" });
    try {
      const offerId = newOffer();
      suite.sim.setFaults("contoso", offerId, [
        { type: "absoluteLocation", host: foreign.url, match: { kind: "golive" } },
      ]);
      const started = await suite.client.goLive("contoso", offerId);
      expect(started.operationLocation.startsWith(suite.sim.url)).toBe(true);
      expect((await pollOperation(suite.client, started.operationLocation, fastPoll)).status).toBe(
        "succeeded",
      );
      expect(foreign.requests).toHaveLength(0);
      const poll = await suite.client
        .getOperation(started.operationLocation.replace(suite.sim.url, foreign.url))
        .catch((e) => e);
      expect(poll.snapshot?.status).toBe("succeeded");
      expect(foreign.requests).toHaveLength(0);
    } finally {
      await foreign.close();
    }
  });

  test("401 mid-poll: the token is refreshed once and polling continues", async () => {
    let n = 0;
    const tokens = {
      source: "test",
      canRefresh: true,
      async getToken(options?: { forceRefresh?: boolean }) {
        if (options?.forceRefresh) n++;
        return n === 0 ? TOKEN : "fresh-token";
      },
    };
    const local = await withSimulator({ acceptedTokens: [TOKEN, "fresh-token"] });
    const c = clientFor(local, { tokenProvider: tokens });
    try {
      local.addOffer({ publisherId: "contoso", offerId: "o" });
      const started = await c.client.goLive("contoso", "o");
      local.setFaults("contoso", "o", [{ type: "unauthorized", match: { kind: "operation" } }]);
      expect((await pollOperation(c.client, started.operationLocation, fastPoll)).status).toBe("succeeded");
      const auths = local.requests.filter((r) => r.kind === "operation").map((r) => r.headers.authorization);
      expect(auths[0]).toBe(`Bearer ${TOKEN}`);
      expect(auths.at(-1)).toBe("Bearer fresh-token");
      expect(n).toBe(1);
    } finally {
      await c.transport.close();
      await local.close();
    }
  });

  test("401 with a static token → AuthenticationError that never contains the token", async () => {
    const c = clientFor(suite.sim, { accessToken: "canary-0123456789" });
    const error = await c.client.goLive("contoso", newOffer()).catch((e) => e);
    await c.transport.close();
    expect(error.code).toBe("CPP_UNAUTHORIZED");
    expect(error.message).toMatch(/explicit token.*HTTP 401/);
    expect(JSON.stringify({ ...error, message: error.message, stack: error.stack })).not.toContain(
      "canary-0123456789",
    );
  });

  test("403 → ForbiddenError with guidance", async () => {
    const offerId = newOffer();
    suite.sim.setFaults("contoso", offerId, [{ type: "forbidden", match: { kind: "golive" } }]);
    const error = await suite.client.goLive("contoso", offerId).catch((e) => e);
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error.message).toMatch(/service principal/);
    expect(suite.sim.goLivePosts("contoso", offerId)).toBe(0);
  });

  test("keep-alive: many calls share a few connections", async () => {
    const offerId = newOffer();
    const before = suite.sim.connections;
    for (let i = 0; i < 30; i++) await suite.client.getOfferStatus("contoso", offerId);
    // undici may open a second socket when a request is queued just before the first one is released.
    expect(suite.sim.connections - before).toBeLessThanOrEqual(2);
  });
});

describe("other calls", () => {
  test("offer status, list operations, publish and cancel", async () => {
    const offerId = newOffer({ state: "neverPublished" });
    expect((await suite.client.getOfferStatus("contoso", offerId)).status).toBe("neverPublished");
    const publish = await suite.client.publish("contoso", offerId, ["ops@contoso.com", "rel@contoso.com"]);
    const listed = await suite.client.listOperations("contoso", offerId);
    expect(listed.map((s) => s.id)).toContain(publish.operationId);
    const cancel = await suite.client.cancel("contoso", offerId, ["ops@contoso.com"]);
    expect(cancel.completed === true || typeof cancel.operationLocation === "string").toBe(true);
    const publishBody = suite.sim.requests.find((r) => r.kind === "publish" && r.offerId === offerId);
    expect(publishBody?.method).toBe("POST");
  });

  test("422 on publish → ValidationFailedError", async () => {
    const offerId = newOffer({ state: "neverPublished", publishValidationError: "Plan price missing." });
    const error = await suite.client.publish("contoso", offerId, ["ops@contoso.com"]).catch((e) => e);
    expect(error.code).toBe("CPP_VALIDATION_FAILED");
    expect(error.message).toMatch(/Plan price missing/);
  });
});
