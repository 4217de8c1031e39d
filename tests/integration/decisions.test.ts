/**
 * The decisions that keep a publish or a go-live from being sent twice, client against the simulator:
 * one classification of submissions (any spelling of running), failing closed on lists it does not
 * understand, adopting by version and time, and what counts as "operation in progress".
 */

import { ProtocolError, RejectedError } from "../../provider/core/errors";
import { clientFor, clientSuite } from "../support/harness";

const suite = clientSuite("decide");
const { newOffer } = suite;

const longRun = { steps: [{ id: "live", stepName: "Live", durationSeconds: 10 ** 9 }] };

describe("running spelled InProgress", () => {
  test("findExistingOperation attaches to the running go-live", async () => {
    const offerId = newOffer({ goLive: { ...longRun, statusSpelling: { running: "InProgress" } } });
    const started = await suite.client.goLive("contoso", offerId);
    const existing = await suite.client.findExistingOperation("contoso", offerId, "golive");
    expect(existing).toEqual({
      operation: expect.objectContaining({ operationId: started.operationId }),
      running: true,
    });
  });

  test("a go-live POST whose answer was lost is found running, not sent again", async () => {
    const offerId = newOffer({ goLive: { ...longRun, statusSpelling: { running: "InProgress" } } });
    suite.sim.setFaults("contoso", offerId, [{ type: "resetAfterProcessing", match: { kind: "golive" } }]);
    const started = await suite.client.goLive("contoso", offerId);
    expect(started.attached).toBe(true);
    expect(suite.sim.goLivePosts("contoso", offerId)).toBe(1);
  });
});

describe("fail closed", () => {
  test.each([
    ["not a list", '{"items":[]}', /is not a list/],
    [
      "an item without an id",
      '[{"submissionType":"GoLive","submissionState":"running"}]',
      /item 0 has no id/,
    ],
    ["an unknown state", '[{"id":"x","submissionType":"GoLive","submissionState":"Pending"}]', /"Pending"/],
  ])(
    "a submissions list with %s is a ProtocolError, and no go-live is sent",
    async (_name, body, message) => {
      const offerId = newOffer();
      suite.sim.setFaults("contoso", offerId, [
        { type: "status", status: 200, body, match: { kind: "submissions" }, times: 100 },
      ]);
      const error = await suite.client.findExistingOperation("contoso", offerId, "golive").catch((e) => e);
      expect(error).toBeInstanceOf(ProtocolError);
      expect(error.message).toMatch(message);
      // The POST-was-accepted check fails closed too: a lost answer is not re-sent on a list it cannot read.
      suite.sim.setFaults("contoso", offerId, [
        { type: "resetAfterProcessing", match: { kind: "golive" } },
        { type: "status", status: 200, body, match: { kind: "submissions" }, times: 100 },
      ]);
      await expect(suite.client.goLive("contoso", offerId)).rejects.toThrow(ProtocolError);
      expect(suite.sim.goLivePosts("contoso", offerId)).toBe(1);
    },
  );
});

describe("operation in progress is 409 or an API code, not a word in a 400", () => {
  test("400 'The offer is already live' stays CPP_REJECTED with the API's words", async () => {
    const offerId = newOffer();
    const body = JSON.stringify({ error: { code: "BadRequest", message: "The offer is already live." } });
    suite.sim.setFaults("contoso", offerId, [
      { type: "status", status: 400, body, match: { kind: "golive" } },
    ]);
    const error = await suite.client.goLive("contoso", offerId).catch((e) => e);
    expect(error).toBeInstanceOf(RejectedError);
    expect(error.code).toBe("CPP_REJECTED");
    expect(error.message).toMatch(/HTTP 400 \[BadRequest\]\): The offer is already live\./);
  });

  test("400 with the code OperationInProgress attaches to the running go-live", async () => {
    const offerId = newOffer({ goLive: longRun });
    const { client: other, transport: otherTransport } = clientFor(suite.sim);
    const first = await other.goLive("contoso", offerId);
    await otherTransport.close();
    const body = JSON.stringify({ error: { code: "OperationInProgress", message: "Busy." } });
    suite.sim.setFaults("contoso", offerId, [
      { type: "status", status: 400, body, match: { kind: "golive" } },
    ]);
    const started = await suite.client.goLive("contoso", offerId);
    expect(started).toMatchObject({ attached: true, operationId: first.operationId });
  });
});

describe("publish", () => {
  test("without e-mails the request has no body, and the simulator accepts it", async () => {
    const offerId = newOffer({ state: "neverPublished" });
    const started = await suite.client.publish("contoso", offerId);
    expect(started.operationLocation).toMatch(/\/operations\//);
    expect(suite.sim.offer("contoso", offerId)?.notificationEmails).toBe("");
  });

  test("findExistingOperation adopts a publish that rests at sign-off; not once it went live", async () => {
    const offerId = newOffer({ state: "neverPublished" });
    const published = await suite.client.publish("contoso", offerId, ["ops@contoso.com"]);
    suite.sim.advance(10 ** 7);
    const existing = await suite.client.findExistingOperation("contoso", offerId, "publish");
    expect(existing).toEqual({
      operation: expect.objectContaining({ operationId: published.operationId }),
      running: false,
    });
    await suite.client.goLive("contoso", offerId);
    suite.sim.advance(10 ** 7);
    expect(await suite.client.findExistingOperation("contoso", offerId, "publish")).toBeUndefined();
  });

  test("a publish whose answer was lost is not taken for a publish resting at its preview (kept running there)", async () => {
    const offerId = newOffer({ state: "neverPublished", publishRunsAtSignoff: true });
    const first = await suite.client.publish("contoso", offerId);
    suite.sim.advance(10 ** 7);
    // The old draft's publish rests at sign-off, listed `running`; the draft changes; a new publish's answer is lost.
    suite.sim.portalEdit("contoso", offerId, { displayText: "new draft" });
    suite.sim.setFaults("contoso", offerId, [{ type: "reset", match: { kind: "publish" } }]);
    const second = await suite.client.publish("contoso", offerId);
    // Not "accepted, attaching" to the resting one: the POST is sent again and starts the new draft's publish.
    expect(second.operationId).not.toBe(first.operationId);
    expect(second.attached).toBe(false);
    const posts = suite.sim.requests.filter(
      (r) => r.kind === "publish" && r.method === "POST" && r.offerId === offerId,
    );
    expect(posts.map((r) => r.processed)).toEqual([true, false, true]);
  });
});
