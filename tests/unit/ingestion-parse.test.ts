import { apiErrorOf } from "../../provider/core/rest";
import {
  conflictKind,
  flattenJobErrors,
  jobState,
  parseConfigureStatus,
  parseProductLookup,
  parseSubmissions,
  submissionState,
} from "../../provider/ingestion/parse";

describe("configure-status", () => {
  test("reads jobId and the 2023 spelling jobID; a running job's jobEnd placeholder is dropped", () => {
    const running = parseConfigureStatus({
      jobId: "j1",
      jobStatus: "running",
      jobResult: "pending",
      jobStart: "2024-01-01T00:00:00Z",
      jobEnd: "0001-01-01T00:00:00",
      errors: [],
    });
    expect(running).toEqual({
      jobId: "j1",
      jobStatus: "running",
      jobResult: "pending",
      jobStart: "2024-01-01T00:00:00Z",
      errors: [],
    });
    expect(parseConfigureStatus({ jobID: "j2", jobStatus: "completed", jobResult: "succeeded" })?.jobId).toBe(
      "j2",
    );
    expect(parseConfigureStatus({ jobStatus: "running" })).toBeUndefined();
    expect(parseConfigureStatus("nope")).toBeUndefined();
  });

  test("job states, compared case-insensitively; unknown spellings are not a success", () => {
    expect(jobState({ jobStatus: "notStarted", jobResult: "pending" })).toEqual({
      status: "running",
      recognized: true,
    });
    expect(jobState({ jobStatus: "Running", jobResult: "Pending" })).toEqual({
      status: "running",
      recognized: true,
    });
    expect(jobState({ jobStatus: "Completed", jobResult: "Succeeded" }).status).toBe("succeeded");
    expect(jobState({ jobStatus: "completed", jobResult: "failed" }).status).toBe("failed");
    expect(jobState({ jobStatus: "completed", jobResult: "cancelled" }).status).toBe("canceled");
    expect(jobState({ jobStatus: "completed", jobResult: "weird" })).toEqual({
      status: "running",
      recognized: false,
    });
    expect(jobState({ jobStatus: "paused", jobResult: "pending" })).toEqual({
      status: "running",
      recognized: false,
    });
  });
});

describe("job errors", () => {
  test("nested details are flattened in order and a certification failure is named as such", () => {
    const job = parseConfigureStatus({
      jobId: "j",
      jobStatus: "completed",
      jobResult: "failed",
      errors: [
        {
          code: "invalidState",
          message: "The submission could not be published.",
          resourceId: "submission/g/1",
          details: [
            { code: "invalidState", message: "The offer failed certification: the image did not pass." },
          ],
        },
        {
          code: 409,
          message: "Conflict as a number code",
          details: [{ code: "invalidResource", message: "SAS expired." }],
        },
      ],
    });
    expect(flattenJobErrors(job?.errors ?? [])).toEqual([
      "invalidState: The submission could not be published. (submission/g/1)",
      "Certification failure: The offer failed certification: the image did not pass.",
      "409: Conflict as a number code",
      "invalidResource: SAS expired.",
    ]);
  });

  test("conflict answers are told apart", () => {
    expect(conflictKind("An In Progress submission already exists.")).toBe("inProgress");
    expect(conflictKind("The submission cannot be pushed to as its not the latest")).toBe("notLatest");
    expect(conflictKind("The request is not valid.")).toBeUndefined();
  });
});

describe("submissions and products", () => {
  test("newest first by created, then by number; draft has no status", () => {
    const list = parseSubmissions({
      value: [
        { id: "submission/g/0", target: { targetType: "draft" } },
        {
          id: "submission/g/1000000000000000001",
          target: { targetType: "preview" },
          status: "completed",
          result: "succeeded",
          created: "2024-01-01T00:00:00Z",
        },
        {
          id: "submission/g/1000000000000000002",
          target: { targetType: "preview" },
          status: "running",
          result: "pending",
          created: "2024-02-01T00:00:00Z",
        },
      ],
    });
    expect(list?.map((s) => s.id)).toEqual([
      "submission/g/1000000000000000002",
      "submission/g/1000000000000000001",
      "submission/g/0",
    ]);
    expect(list?.map(submissionState)).toEqual(["inFlight", "succeeded", "draft"]);
  });

  test("live entries without a preview entry, and a draft entry carrying an id and a status (cloudpub)", () => {
    const entry = (targetType: string) => ({
      $schema: "https://schema.mp.microsoft.com/schema/submission/2022-03-01-preview2",
      id: "submission/1234/5678",
      product: "product/1234",
      target: { targetType },
      lifecycleState: "generallyAvailable",
      status: "completed",
      result: "succeeded",
      created: "2025-09-26T19:59:15.0265988Z",
    });
    const list = parseSubmissions({ value: [entry("live"), entry("draft")] });
    expect(list?.map((s) => [s.target, s.id])).toEqual([
      ["live", "submission/1234/5678"],
      ["draft", "submission/1234/5678"],
    ]);
    expect(list?.map(submissionState)).toEqual(["succeeded", "draft"]);
  });

  test("an unreadable list or entry is undefined (callers fail closed)", () => {
    expect(parseSubmissions({ items: [] })).toBeUndefined();
    expect(parseSubmissions({ value: [{ id: "x", target: { targetType: "staging" } }] })).toBeUndefined();
    expect(submissionState({ id: "s", target: "live", status: "archived" })).toBeUndefined();
    expect(submissionState({ id: "s", target: "live", status: "completed", result: "pending" })).toBe(
      "inFlight",
    );
  });

  test("product lookup: the entry whose identity.externalId is the offer id; no match = not found", () => {
    const product = (id: string, externalId: string, key = "externalId") => ({
      id,
      identity: { [key]: externalId },
    });
    expect(parseProductLookup({ value: [product("product/abc-1", "offer")] }, "offer")).toEqual({
      productId: "product/abc-1",
      understood: true,
    });
    // Not value[0]: a list that ignored the filter, or cloudpub's unfiltered GET product.
    expect(
      parseProductLookup(
        { value: [product("product/other", "other-offer"), product("product/abc-2", "offer", "externalID")] },
        "offer",
      ),
    ).toEqual({ productId: "product/abc-2", understood: true });
    expect(parseProductLookup({ value: [product("product/other", "other-offer")] }, "offer")).toEqual({
      understood: true,
      listed: ["other-offer"],
    });
    expect(parseProductLookup({ value: [{ id: "product/no-identity" }] }, "offer")).toEqual({
      understood: true,
      listed: [],
    });
    expect(parseProductLookup({ value: [] }, "offer")).toEqual({ understood: true });
    expect(parseProductLookup({ value: [product("plan/x/y", "offer")] }, "offer")).toEqual({
      understood: false,
    });
    expect(parseProductLookup([], "offer")).toEqual({ understood: false });
  });
});

describe("request errors (apiErrorOf)", () => {
  test("nested details follow the message: the schema errors are the API's actual words", () => {
    const body = JSON.stringify({
      error: {
        code: "badRequest",
        message: "The request is not valid.",
        details: [
          {
            code: "schemaValidationError",
            message: "Resource 0: 'sources' is required.",
            details: [{ code: "", message: "See the submission schema." }],
          },
          { code: "other" },
        ],
      },
    });
    expect(apiErrorOf(body)).toEqual({
      apiCode: "badRequest",
      apiMessage:
        "The request is not valid. schemaValidationError: Resource 0: 'sources' is required. See the submission schema.",
    });
    // Without details (every CPP answer), the message is unchanged.
    expect(apiErrorOf('{"error":{"code":"x","message":"Plain."}}')).toEqual({
      apiCode: "x",
      apiMessage: "Plain.",
    });
    expect(apiErrorOf('{"error":{"code":"x","details":[{"code":"d","message":"Only a detail."}]}}')).toEqual({
      apiCode: "x",
      apiMessage: "d: Only a detail.",
    });
  });
});
