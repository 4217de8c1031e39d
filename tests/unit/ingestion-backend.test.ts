import { apiProfile } from "../../provider/backends";
import { isAwaitingSignoff } from "../../provider/core/operation";
import { checkOperationInputs } from "../../provider/core/validate";
import {
  appliedSince,
  describeSubmissions,
  existingSubmission,
  readyPreview,
  snapshotOf,
} from "../../provider/ingestion/backend";
import { INGESTION_WORDING } from "../../provider/ingestion/client";
import type { ConfigureStatus, IngestionSubmission } from "../../provider/ingestion/parse";

const P1 = "submission/g/1000000000000000001";
const P2 = "submission/g/1000000000000000002";
const draft: IngestionSubmission = { id: "submission/g/0", target: "draft" };
const sub = (
  id: string,
  target: "preview" | "live",
  status: string,
  result: string,
  created = "2024-01-01T00:00:00Z",
): IngestionSubmission => ({ id, target, status, result, created });
const job = (
  jobStatus: string,
  jobResult: string,
  errors: ConfigureStatus["errors"] = [],
): ConfigureStatus => ({
  jobId: "job-1",
  jobStatus,
  jobResult,
  jobStart: "2024-01-01T00:00:00Z",
  errors,
});

describe("what a new resource takes over", () => {
  test("a submission in flight for the target is attached to; none for the other target", () => {
    const list = [sub(P1, "preview", "running", "pending"), draft];
    expect(existingSubmission("publish", list, "o")).toEqual({ submission: list[0], origin: "attached" });
    expect(existingSubmission("golive", list, "o")).toBeUndefined();
  });

  test("go-live: the ready preview already live (same id) is adopted; a newer ready preview is not", () => {
    const live = [
      sub(P1, "preview", "completed", "succeeded"),
      sub(P1, "live", "completed", "succeeded"),
      draft,
    ];
    expect(existingSubmission("golive", live, "o")?.origin).toBe("adopted");
    const newer = [sub(P2, "preview", "completed", "succeeded", "2024-02-01T00:00:00Z"), ...live];
    expect(existingSubmission("golive", newer, "o")).toBeUndefined();
    expect(readyPreview(newer, "o")?.id).toBe(P2);
    expect(existingSubmission("publish", live, "o")).toBeUndefined();
  });

  test("go-live: live entries and no preview entry (cloudpub, SUSE): the newest live, if it succeeded, is adopted", () => {
    const liveOnly = [sub(P1, "live", "completed", "succeeded"), draft];
    expect(existingSubmission("golive", liveOnly, "o")).toEqual({
      submission: liveOnly[0],
      origin: "adopted",
    });
    expect(existingSubmission("publish", liveOnly, "o")).toBeUndefined();
    const goingLive = [
      sub(P2, "live", "running", "pending", "2024-02-01T00:00:00Z"),
      sub(P1, "live", "completed", "succeeded"),
      draft,
    ];
    expect(existingSubmission("golive", goingLive, "o")).toEqual({
      submission: goingLive[0],
      origin: "attached",
    });
    const failed = [
      sub(P2, "live", "completed", "failed", "2024-02-01T00:00:00Z"),
      sub(P1, "live", "completed", "succeeded"),
      draft,
    ];
    expect(existingSubmission("golive", failed, "o")).toBeUndefined();
    // A preview entry decides: a failed newer preview is not covered by an older live entry.
    const previewFailed = [
      sub(P2, "preview", "completed", "failed", "2024-02-01T00:00:00Z"),
      sub(P1, "live", "completed", "succeeded"),
      draft,
    ];
    expect(existingSubmission("golive", previewFailed, "o")).toBeUndefined();
  });

  test("publish: the newest ready preview that has not gone live is adopted, unless the triggers changed", () => {
    const ready = [sub(P1, "preview", "completed", "succeeded"), draft];
    expect(existingSubmission("publish", ready, "o")).toEqual({ submission: ready[0], origin: "adopted" });
    // Replaced because its triggers changed (a new image version in the draft): the ready preview predates it.
    expect(existingSubmission("publish", ready, "o", { onlyInProgress: true })).toBeUndefined();
    // Gone live, or going live: not the current publish.
    const goingLive = [sub(P1, "live", "running", "pending"), ...ready];
    expect(existingSubmission("publish", goingLive, "o")).toBeUndefined();
    // The newest preview failed: an older ready one is not current either.
    const failed = [sub(P2, "preview", "completed", "failed", "2024-02-01T00:00:00Z"), ...ready];
    expect(existingSubmission("publish", failed, "o")).toBeUndefined();
  });

  test("fails closed on a status it cannot judge", () => {
    const list = [sub(P1, "live", "archived", "unknown"), draft];
    expect(() => existingSubmission("golive", list, "o")).toThrow(
      /status this client does not know.*nothing was sent/,
    );
  });

  test("a re-read shows whether a configure was applied", () => {
    const before = [sub(P1, "preview", "completed", "succeeded"), draft];
    expect(appliedSince(before, before, "preview")).toBeUndefined();
    const after = [sub(P2, "preview", "notStarted", "pending", "2024-02-01T00:00:00Z"), ...before];
    expect(appliedSince(before, after, "preview")?.id).toBe(P2);
    // Going live reuses the preview's id: the live entry appearing is the change.
    expect(appliedSince(before, [sub(P1, "live", "running", "pending"), ...before], "live")?.id).toBe(P1);
    expect(appliedSince(before, after, "live")).toBeUndefined();
  });
});

describe("snapshots", () => {
  test("publish: running job, then a ready preview rests at the sign-off step", () => {
    const running = snapshotOf(
      "publish",
      job("running", "pending"),
      sub(P1, "preview", "running", "pending"),
      P1,
    );
    expect(running).toMatchObject({
      status: "running",
      rawStatus: "running/pending",
      createdDateTime: "2024-01-01T00:00:00Z",
    });
    expect(running.steps.map((s) => [s.name, s.status, s.progressPercentage])).toEqual([
      ["Configure job", "running", 50],
      ["Preview submission", "running", 50],
    ]);
    expect(isAwaitingSignoff(running)).toBe(false);
    const ready = snapshotOf(
      "publish",
      job("completed", "succeeded"),
      sub(P1, "preview", "completed", "succeeded"),
      P1,
    );
    expect(ready.status).toBe("succeeded");
    expect(ready.currentStep?.name).toBe("Ready to go live");
    expect(isAwaitingSignoff(ready)).toBe(true);
  });

  test("publish: a job done but the submission still moving is not ready", () => {
    const lag = snapshotOf(
      "publish",
      job("completed", "succeeded"),
      sub(P1, "preview", "running", "pending"),
      P1,
    );
    expect(lag.status).toBe("running");
    expect(isAwaitingSignoff(lag)).toBe(false);
  });

  test("go-live: done only when the job succeeded and the live entry carrying the id succeeded", () => {
    expect(snapshotOf("golive", job("completed", "succeeded"), undefined, P1).status).toBe("running");
    expect(
      snapshotOf("golive", job("running", "pending"), sub(P1, "live", "completed", "succeeded"), P1).status,
    ).toBe("running");
    const done = snapshotOf(
      "golive",
      job("completed", "succeeded"),
      sub(P1, "live", "completed", "succeeded"),
      P1,
    );
    expect(done.status).toBe("succeeded");
    expect(isAwaitingSignoff(done)).toBe(false);
  });

  test("a failed job carries every error, certification named; a canceled job is canceled", () => {
    const failed = snapshotOf(
      "publish",
      job("completed", "failed", [
        {
          code: "invalidState",
          message: "Could not publish.",
          details: [{ code: "invalidState", message: "Failed certification tests.", details: [] }],
        },
      ]),
      undefined,
      undefined,
    );
    expect(failed.status).toBe("failed");
    expect(failed.messages).toEqual([
      "invalidState: Could not publish.",
      "Certification failure: Failed certification tests.",
    ]);
    expect(failed.currentStep).toMatchObject({ name: "Configure job", status: "failed" });
    expect(snapshotOf("golive", job("completed", "cancelled"), undefined, P1).status).toBe("canceled");
  });
});

describe("offer status from submissions", () => {
  test.each([
    [[draft], "neverPublished", false],
    [[sub(P1, "preview", "running", "pending"), draft], "previewInProgress", false],
    [[sub(P1, "preview", "completed", "succeeded"), draft], "waitingForPublisherReview", true],
    [[sub(P1, "preview", "completed", "failed"), draft], "previewFailed", false],
    [
      [sub(P1, "preview", "completed", "succeeded"), sub(P1, "live", "completed", "succeeded"), draft],
      "live",
      false,
    ],
    [
      [
        sub(P1, "preview", "completed", "succeeded"),
        sub(P1, "live", "running", "pending", "2024-01-02T00:00:00Z"),
        draft,
      ],
      "liveInProgress",
      false,
    ],
    // Live entries, no preview entry (cloudpub's ["live","draft"], SUSE's status tests): live, not neverPublished.
    [[sub(P1, "live", "completed", "succeeded"), draft], "live", false],
    [
      [
        sub(P2, "live", "completed", "failed", "2024-02-01T00:00:00Z"),
        sub(P1, "live", "completed", "succeeded"),
        draft,
      ],
      "liveFailed",
      false,
    ],
    [
      [
        sub(P2, "live", "running", "pending", "2024-02-01T00:00:00Z"),
        sub(P1, "live", "completed", "succeeded"),
      ],
      "liveInProgress",
      false,
    ],
  ])("%#: %s", (list, status, awaiting) => {
    const report = describeSubmissions("o", list as IngestionSubmission[]);
    expect(report.status).toBe(status);
    expect(report.awaitingSignoff).toBe(awaiting);
    expect(report.publisherId).toBeUndefined();
  });
});

describe("wording and inputs", () => {
  test("401 invalid audience says to get a Graph token; 403 says to add the app as Manager", () => {
    expect(INGESTION_WORDING.unauthorized("Access token validation failure. Invalid audience.")).toMatch(
      /Microsoft Graph.*https:\/\/graph\.microsoft\.com\/\.default.*az account get-access-token --resource https:\/\/graph\.microsoft\.com/,
    );
    expect(INGESTION_WORDING.forbidden).toMatch(
      /Partner Center \(Account settings → User management\).*Manager/,
    );
  });

  test("api ingestion: publisherId optional, its own endpoint and $version defaults and check", () => {
    const { inputs, failures } = checkOperationInputs({ api: "ingestion", offerId: "my-offer" }, apiProfile);
    expect(failures).toEqual([]);
    expect(inputs).toMatchObject({
      endpoint: "https://graph.microsoft.com/rp/product-ingestion",
      apiVersion: "2022-07-01",
    });
    expect(inputs.publisherId).toBeUndefined();
    expect(
      checkOperationInputs({ api: "ingestion", offerId: "o", apiVersion: "2022-03-01-preview5" }, apiProfile)
        .failures,
    ).toEqual([]);
    expect(
      checkOperationInputs({ api: "ingestion", offerId: "o", apiVersion: "latest" }, apiProfile).failures[0]
        ?.reason,
    ).toMatch(/apiVersion must be a schema version like 2022-07-01/);
    expect(
      checkOperationInputs({ api: "graph", offerId: "o", publisherId: "p" }, apiProfile).failures[0]?.reason,
    ).toMatch(/api must be one of "cpp", "ingestion"/);
    // cpp stays as it was: publisherId required, its defaults, no api filled in.
    const cpp = checkOperationInputs({ offerId: "o" }, apiProfile);
    expect(cpp.failures.map((f) => f.property)).toEqual(["publisherId"]);
    expect(cpp.inputs).toMatchObject({
      endpoint: "https://cloudpartner.azure.com",
      apiVersion: "2017-10-31",
    });
    expect(cpp.inputs.api).toBeUndefined();
  });
});
