/**
 * OfferConfiguration's lifecycle without an API: check and diff send no request (a transport that fails any
 * request proves it), and a failed configure job's errors are named by key and field from the API's words.
 */

import type { HttpTransport } from "../../provider/core/http";
import { fieldOf, jobFailure } from "../../provider/ingestion/offer/apply";
import { declaredParts, indexTree } from "../../provider/ingestion/offer/keys";
import { resourceNameOf } from "../../provider/ingestion/offer/write";
import { OfferConfigurationProvider } from "../../provider/resources";

const noRequests: HttpTransport = {
  request: async () => {
    throw new Error("check and diff must not send requests");
  },
  close: async () => {},
} as unknown as HttpTransport;

const provider = () => new OfferConfigurationProvider({ transport: noRequests, log: () => {} });

describe("check: 0 requests", () => {
  test("defaults filled; api cpp refused with the reason; an Azure Application offer refused", async () => {
    const { inputs, failures } = await provider().check({}, { offerId: "contoso-offer" });
    expect(failures).toEqual([]);
    expect(inputs).toMatchObject({
      api: "ingestion",
      endpoint: "https://graph.microsoft.com/rp/product-ingestion",
      apiVersion: "2022-07-01",
      requestTimeoutSeconds: 60,
      removedPlans: "keep",
    });
    const cpp = await provider().check({}, { offerId: "contoso-offer", api: "cpp" });
    expect(cpp.failures?.map((f) => f.reason).join(" ")).toMatch(/has no resource tree/);
    const app = await provider().check(
      {},
      { offerId: "contoso-offer", product: { type: "azureApplication", alias: "App" } },
    );
    expect(app.failures?.map((f) => f.reason).join(" ")).toMatch(/Azure Application/i);
  });

  test("a misspelt top-level input is named (it would declare nothing)", async () => {
    const { failures } = await provider().check({}, { offerId: "contoso-offer", listng: { title: "x" } });
    expect(failures).toEqual([
      expect.objectContaining({
        property: "listng",
        reason: expect.stringMatching(/is not an input of OfferConfiguration/),
      }),
    ]);
  });

  test("the offer type never changes once the resource exists; bad connection keys are named", async () => {
    const { failures } = await provider().check(
      { offerId: "contoso-offer", product: { type: "azureVirtualMachine" } },
      {
        offerId: "contoso-offer",
        product: { type: "softwareAsAService" },
        endpoint: "http://example.com",
        requestTimeoutSeconds: 0,
      },
    );
    expect(failures?.map((f) => f.property).sort()).toEqual(
      expect.arrayContaining(["endpoint", "product.type", "requestTimeoutSeconds"]),
    );
  });
});

describe("diff: from state and program only", () => {
  const state = {
    offerId: "contoso-offer",
    productId: "product/00000000-0000-4000-8000-000000000001",
    resourceIds: { listing: "listing/x" },
    declaration: "[]",
    pendingChanges: [],
    listing: { title: "A", searchResultSummary: "S" },
    plans: { gen2: { alias: "Gen 2", availability: { visibility: "visible", markets: ["us", "de"] } } },
  };

  test("no change (outputs and defaults aside; a set reordered) is no change", async () => {
    const news = {
      ...state,
      plans: {
        gen2: { ...state.plans.gen2, availability: { visibility: "visible", markets: ["de", "us"] } },
      },
    };
    const { productId: _p, resourceIds: _r, declaration: _d, pendingChanges: _c, ...program } = news;
    const diff = await provider().diff("contoso-offer", state, program);
    expect(diff).toMatchObject({ changes: false, replaces: [], detailedDiff: {} });
  });

  test("each changed field by its path; offerId replaces", async () => {
    const diff = await provider().diff("contoso-offer", state, {
      ...state,
      listing: { title: "B", searchResultSummary: "S" },
      plans: { gen2: { ...state.plans.gen2, availability: { visibility: "hidden", markets: ["us", "de"] } } },
    });
    expect(diff.changes).toBe(true);
    expect(diff.detailedDiff).toEqual({
      "listing.title": { kind: "update", inputDiff: true },
      'plans["gen2"].availability.visibility': { kind: "update", inputDiff: true },
    });
    const renamed = await provider().diff("contoso-offer", state, { ...state, offerId: "other-offer" });
    expect(renamed).toMatchObject({ changes: true, replaces: ["offerId"] });
    expect(renamed.detailedDiff?.offerId).toEqual({ kind: "update-replace", inputDiff: true });
  });
});

test("diff: values not known yet (preview) are changes of their own path, never parts removed", async () => {
  const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
  const state = { offerId: "contoso-offer", listing: { title: "A" }, plans: { gen2: { alias: "Gen 2" } } };
  const whole = await provider().diff("contoso-offer", state, { ...state, listing: UNKNOWN, plans: UNKNOWN });
  expect(whole.detailedDiff).toEqual({
    listing: { kind: "update", inputDiff: true },
    plans: { kind: "update", inputDiff: true },
  });
  const nested = await provider().diff("contoso-offer", state, {
    ...state,
    plans: { gen2: { alias: UNKNOWN } },
  });
  expect(nested.detailedDiff).toEqual({ 'plans["gen2"].alias': { kind: "update", inputDiff: true } });
  const id = await provider().diff("contoso-offer", state, { ...state, offerId: UNKNOWN });
  expect(id).toMatchObject({ replaces: ["offerId"], detailedDiff: { offerId: { kind: "update-replace" } } });
});

describe("job errors by key and field", () => {
  test("fieldOf reads the API's ways of naming a field", () => {
    expect(fieldOf("The property 'title' is required")).toBe("title");
    expect(fieldOf(`field 'pricing' of a published plan is fixed`)).toBe("pricing");
    expect(fieldOf(`Required properties ["alias"] were not present`)).toBe("alias");
    expect(
      fieldOf("SupportsBackup property has already been enabled", {
        vmProperties: { supportsBackup: false },
      }),
    ).toBe("vmProperties.supportsBackup");
    expect(fieldOf("pricing.corePricing.price: must be a number")).toBe("pricing.corePricing.price");
    expect(fieldOf("Something went wrong")).toBeUndefined();
  });

  test("each error of a failed job is named by the declared part its resource is (durable id or resourceName)", () => {
    const productId = "product/00000000-0000-4000-8000-000000000001";
    const tree = indexTree([
      {
        $schema: "https://schema.mp.microsoft.com/schema/product/2022-03-01-preview2",
        id: productId,
        identity: { externalId: "contoso-offer" },
        type: "azureVirtualMachine",
        alias: "A",
      },
      {
        $schema: "https://schema.mp.microsoft.com/schema/listing/2022-03-01-preview5",
        id: "listing/00000000-0000-4000-8000-000000000001/public/main/default/en-us",
        product: productId,
        languageId: "en-us",
        title: "A",
      },
    ]);
    const parts = declaredParts(
      { offerId: "contoso-offer", listing: { title: "B" }, plans: { gen2: { alias: "Gen 2" } } },
      "azureVirtualMachine",
    );
    const listing = tree.byKey.get("listing") as Record<string, unknown>;
    const body = [
      {
        $schema: "https://schema.mp.microsoft.com/schema/plan/2022-03-01-preview2",
        resourceName: resourceNameOf("plans[gen2]"),
        product: productId,
      },
      { ...listing, title: "B" },
    ];
    const error = jobFailure(
      {
        jobId: "job-1",
        jobStatus: "completed",
        jobResult: "failed",
        errors: [
          {
            code: "badRequest",
            message: "field 'title' is too long",
            resourceId: String(listing.id),
            details: [{ code: "invalidResource", message: "Failure for resource: listing-0", details: [] }],
          },
          {
            code: "badRequest",
            message: 'Required properties ["azureRegions"] were not present',
            resourceId: resourceNameOf("plans[gen2]"),
            details: [],
          },
        ],
      },
      parts,
      body,
      tree,
      "contoso-offer",
    );
    expect(error.problems).toEqual([
      { key: "listing", field: "title", resourceId: listing.id, message: "field 'title' is too long" },
      expect.objectContaining({
        key: "plans[gen2]",
        field: "azureRegions",
        resourceId: resourceNameOf("plans[gen2]"),
      }),
    ]);
    expect(error.message).toMatch(/configure job job-1\): listing\.title: field 'title' is too long\./);
    expect(error.jobId).toBe("job-1");
  });
});
