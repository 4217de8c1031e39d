/**
 * OfferPublishProvider's decisions that need no network: input checks, what a change does (diff), and when
 * an operation rests at the sign-off point.
 */

import type { OperationSnapshot, StepSnapshot } from "../../provider/core/operation";
import { UNKNOWN_VALUE } from "../../provider/core/validate";
import { OfferGoLiveProvider, OfferPublishProvider } from "../../provider/resources";
import { describeOfferStatus, isAwaitingSignoff } from "../../provider/status-api";

const provider = new OfferPublishProvider({ log: () => {} });
const base = { publisherId: "contoso", offerId: "contoso-offer", notificationEmails: ["ops@contoso.com"] };

/** State as create would have saved it. */
async function saved(extra: Record<string, unknown> = {}) {
  const { inputs } = await provider.check({}, base);
  return {
    ...inputs,
    operationLocation: "https://cloudpartner.azure.com/api/x",
    status: "succeeded",
    awaitingSignoff: true,
    ...extra,
  };
}

describe("check", () => {
  test("fills the common defaults and normalizes the e-mails", async () => {
    const { inputs, failures } = await provider.check(
      {},
      { ...base, notificationEmails: [" ops@contoso.com", "OPS@contoso.com", "dev@contoso.com "] },
    );
    expect(failures).toEqual([]);
    expect(inputs).toMatchObject({
      wait: true,
      timeoutSeconds: 604800,
      notificationEmails: ["ops@contoso.com", "dev@contoso.com"],
    });
  });

  test("records whether the triggers of a resource in state changed (create sees only the new inputs)", async () => {
    const marker = async (olds: Record<string, unknown>, triggers: unknown) =>
      (await provider.check(olds, { ...base, ...(triggers === undefined ? {} : { triggers }) })).inputs
        .__triggersChanged;
    const old = { ...base, triggers: ["1.0.0"] };
    expect(await marker(old, ["2.0.0"])).toBe(true);
    expect(await marker(old, ["1.0.0"])).toBe(false);
    expect(await marker({ ...base }, ["1.0.0"])).toBe(true);
    // A first create (nothing in state), no triggers, or triggers not known yet (preview): no marker.
    expect(await marker({}, ["1.0.0"])).toBeUndefined();
    expect(await marker(old, undefined)).toBeUndefined();
    expect(await marker(old, [UNKNOWN_VALUE])).toBeUndefined();
    // Never taken from the program's inputs.
    const forged = await provider.check({}, { ...base, triggers: ["1"], __triggersChanged: false });
    expect(forged.inputs).not.toHaveProperty("__triggersChanged");
  });

  test("reports e-mail problems under notificationEmails, next to other failures", async () => {
    const { failures } = await provider.check(
      {},
      { ...base, offerId: "", notificationEmails: ["ops@contoso.com", "a@x.com,b@y.com"] },
    );
    expect(failures).toEqual([
      { property: "offerId", reason: "offerId must not be empty." },
      {
        property: "notificationEmails",
        reason:
          'notificationEmails[1] "a@x.com,b@y.com" contains a comma; give each address as its own list item.',
      },
    ]);
  });

  test("notificationEmails is optional: absent passes and is kept absent; given, it is checked", async () => {
    const missing = await provider.check({}, { publisherId: "p", offerId: "o" });
    expect(missing.failures).toEqual([]);
    expect(missing.inputs).not.toHaveProperty("notificationEmails");
    const empty = await provider.check({}, { publisherId: "p", offerId: "o", notificationEmails: [] });
    expect(empty.failures?.map((f) => f.property)).toEqual(["notificationEmails"]);
  });

  test("an unknown list (preview) is not checked", async () => {
    const { failures, inputs } = await provider.check({}, { ...base, notificationEmails: UNKNOWN_VALUE });
    expect(failures).toEqual([]);
    expect(inputs.notificationEmails).toBe(UNKNOWN_VALUE);
  });

  test("go-live takes no notificationEmails and keeps none", async () => {
    const { inputs, failures } = await new OfferGoLiveProvider().check(
      {},
      { publisherId: "p", offerId: "o" },
    );
    expect(failures).toEqual([]);
    expect(inputs).not.toHaveProperty("notificationEmails");
  });
});

describe("diff", () => {
  test("a new e-mail list is an in-place update, never a new publish", async () => {
    const diff = await provider.diff("id", await saved(), {
      ...base,
      notificationEmails: ["ops@contoso.com", "rel@contoso.com"],
    });
    expect(diff).toMatchObject({ changes: true, replaces: [] });
  });

  test("a re-cased address is an in-place update; the same list is no change", async () => {
    const diff = await provider.diff("id", await saved(), {
      ...base,
      notificationEmails: [" OPS@contoso.com "],
    });
    expect(diff.replaces).toEqual([]);
    const same = await provider.diff("id", await saved(), base);
    expect(same).toMatchObject({ changes: false, replaces: [] });
  });

  test("identity inputs replace; a failed publish is replaced", async () => {
    expect((await provider.diff("id", await saved(), { ...base, offerId: "other" })).replaces).toEqual([
      "offerId",
    ]);
    expect((await provider.diff("id", await saved({ status: "failed" }), base)).replaces).toEqual(["status"]);
  });

  test("a publish resting at sign-off is not resumed; one still on its way is", async () => {
    const resting = await provider.diff(
      "id",
      await saved({ status: "running", awaitingSignoff: true }),
      base,
    );
    expect(resting.changes).toBe(false);
    const onItsWay = await provider.diff(
      "id",
      await saved({ status: "running", awaitingSignoff: false }),
      base,
    );
    expect(onItsWay).toMatchObject({ changes: true, replaces: [] });
  });
});

function step(status: string, name = "Publisher signoff"): StepSnapshot {
  return { name, status, messages: [] };
}

function snapshot(status: OperationSnapshot["status"], rawStatus: string, steps: StepSnapshot[]) {
  return { status, rawStatus, steps };
}

describe("isAwaitingSignoff", () => {
  test.each([
    [
      "succeeded with a step waitingForPublisherReview",
      snapshot("succeeded", "succeeded", [
        step("complete", "Certification"),
        step("waitingForPublisherReview"),
      ]),
      true,
    ],
    [
      "running with a step waitingForApproval",
      snapshot("running", "running", [step("waitingForApproval")]),
      true,
    ],
    ["the offer's status itself", snapshot("running", "waitingForPublisherReview", []), true],
    [
      "running, certification in progress",
      snapshot("running", "running", [step("inProgress", "Certification"), step("notStarted")]),
      false,
    ],
    ["signed off", snapshot("succeeded", "succeeded", [step("complete")]), false],
    [
      "failed, even with a waiting step",
      snapshot("failed", "failed", [step("waitingForPublisherReview")]),
      false,
    ],
    ["canceled", snapshot("canceled", "canceled", [step("waitingForPublisherReview")]), false],
  ])("%s", (_name, value, expected) => {
    expect(isAwaitingSignoff(value)).toBe(expected);
  });

  test("describeOfferStatus keeps the API's spelling and finds the current step", () => {
    const report = describeOfferStatus("p", "o", {
      status: "WaitingForPublisherReview",
      steps: [step("complete", "Certification"), step("waitingForPublisherReview")],
      previewLinks: [],
      liveLinks: [],
    });
    expect(report).toMatchObject({
      status: "WaitingForPublisherReview",
      awaitingSignoff: true,
      currentStep: { name: "Publisher signoff" },
    });
  });
});
