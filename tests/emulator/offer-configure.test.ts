/**
 * The ingestion simulator serves the whole offer: configure of any list of resources of every type in one job
 * (creation tied by `resourceName` and `{externalId}` references, durable ids as the API shapes them), schema
 * errors as the API answers them, business rules as job errors, draft/preview/live trees kept apart for every
 * type, portal edits of any resource, request counts, and the full offer seeds of each offer type. Real HTTP on
 * port 0.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { CppSimulator } from "../../emulator/server";
import { simulatorPerTest } from "../support/harness";

const VERSION = "2022-07-01";
const SCHEMA = "https://schema.mp.microsoft.com/schema";
const VM = "00000000-0000-4000-8000-000000000011";
const GEN2 = "00000000-0000-4000-8000-0000000000b1";
const GEN1 = "00000000-0000-4000-8000-0000000000b2";
const SAAS = "00000000-0000-4000-8000-000000000013";
const NEW = "00000000-0000-4000-8000-000000000001";

// biome-ignore lint/suspicious/noExplicitAny: tests index into API JSON freely
type Json = Record<string, any>;
interface StatusJson {
  jobId: string;
  jobStatus: string;
  jobResult: string;
  errors: Array<{ code: string; message: string; resourceId?: string; details?: Json[] }>;
}

let sim: CppSimulator;
const start = simulatorPerTest((started) => {
  sim = started;
});

function call(path: string, body?: unknown): Promise<Response> {
  const separator = path.includes("?") ? "&" : "?";
  return fetch(`${sim.url}/rp/product-ingestion/${path}${separator}$version=${VERSION}`, {
    method: body === undefined ? "GET" : "POST",
    headers: {
      Authorization: "Bearer test-token",
      Accept: "application/json",
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function ok(path: string): Promise<Json> {
  const res = await call(path);
  expect(res.status).toBe(200);
  return (await res.json()) as Json;
}

const tree = async (guid: string, target = "draft") =>
  (await ok(`resource-tree/product/${guid}?targetType=${target}`)).resources as Json[];
const byType = (resources: Json[], type: string) => resources.filter((r) => r.id.startsWith(`${type}/`));
const resource = (type: string, fields: Json) => ({
  $schema: `${SCHEMA}/${type}/2022-03-01-preview5`,
  ...fields,
});

/** POST configure with these resources; the 202 configure-status. */
async function configure(...resources: Json[]): Promise<StatusJson> {
  const res = await call("configure", { $schema: `${SCHEMA}/configure/2022-07-01`, resources });
  expect(res.status).toBe(202);
  return (await res.json()) as StatusJson;
}

/** POST, let the job (2 s) end, return its final status. */
async function configured(...resources: Json[]): Promise<StatusJson> {
  const job = await configure(...resources);
  sim.advance(3);
  return (await ok(`configure/${job.jobId}/status`)) as StatusJson;
}

async function refused(...resources: Json[]): Promise<{ code: string; message: string; details: Json[] }> {
  const res = await call("configure", { $schema: `${SCHEMA}/configure/2022-07-01`, resources });
  expect(res.status).toBe(400);
  return ((await res.json()) as Json).error;
}

async function control(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${sim.url}/_emulator/v1/ingestion/${path}`, {
    method,
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Json };
}

const availability = (plan: Json, extra: Json = {}) =>
  resource("price-and-availability-plan", {
    product: { externalId: "ing-vm-offer" },
    plan,
    visibility: "visible",
    audience: "public",
    markets: ["us"],
    pricing: { licenseModel: "payAsYouGo", corePricing: { priceInputOption: "perCore", pricePerCore: 0.05 } },
    ...extra,
  });

describe("seeds: a full offer of each type", () => {
  test("the VM offer: every resource type with the API's durable ids; its live tree holds them all", async () => {
    const draft = await tree(VM);
    const ids = draft.map((r) => r.id).sort();
    expect(ids).toEqual(
      [
        `product/${VM}`,
        `plan/${VM}/${GEN2}`,
        `plan/${VM}/${GEN1}`,
        `property/${VM}/public/main`,
        `listing/${VM}/public/main/default/en-us`,
        `listing-asset/${VM}/public/main/default/en-us/azurelogolarge/1`,
        `listing-asset/${VM}/public/main/default/en-us/azurelogoscreenshot/1`,
        `price-and-availability-offer/${VM}`,
        `reseller/${VM}`,
        `customer-leads/${VM}`,
        `test-drive/${VM}`,
        `plan-listing/${VM}/public/main/${GEN2}/en-us`,
        `plan-listing/${VM}/public/main/${GEN1}/en-us`,
        `price-and-availability-plan/${VM}/${GEN2}`,
        `price-and-availability-plan/${VM}/${GEN1}`,
        `virtual-machine-plan-technical-configuration/${VM}/${GEN2}`,
        `virtual-machine-plan-technical-configuration/${VM}/${GEN1}`,
        `submission/${VM}/0`,
      ].sort(),
    );
    const pricing = draft.find((r) => r.id === `price-and-availability-plan/${VM}/${GEN1}`);
    expect(pricing).toMatchObject({
      $schema: `${SCHEMA}/price-and-availability-plan/2022-03-01-preview4`,
      product: `product/${VM}`,
      plan: `plan/${VM}/${GEN1}`,
      pricing: { corePricing: { pricePerCore: 0.04 } },
    });
    expect(draft.find((r) => r.id.startsWith("listing-asset/"))?.listing).toBe(
      `listing/${VM}/public/main/default/en-us`,
    );
    const strip = (resources: Json[]) =>
      resources.filter((r) => !r.id.startsWith("submission/")).sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(strip(await tree(VM, "live"))).toEqual(strip(draft));
    expect(strip(await tree(VM, "preview"))).toEqual(strip(draft));
  });

  test("core VM, SaaS (offer-level technical configuration), container image and CNAB offers", async () => {
    const core = await tree("00000000-0000-4000-8000-000000000012", "preview");
    expect(byType(core, "core-virtual-machine-plan-technical-configuration")).toHaveLength(1);
    expect(
      (await call("resource-tree/product/00000000-0000-4000-8000-000000000012?targetType=live")).status,
    ).toBe(400);
    const saas = await tree(SAAS, "live");
    expect(byType(saas, "software-as-a-service-technical-configuration")).toEqual([
      expect.objectContaining({
        id: `software-as-a-service-technical-configuration/${SAAS}`,
        product: `product/${SAAS}`,
        landingPageUrl: "https://contoso.example/saas/landing",
      }),
    ]);
    expect(byType(saas, "plan")).toHaveLength(2);
    expect(byType(saas, "commercial-marketplace-setup")).toHaveLength(1);
    const image = byType(
      await tree("00000000-0000-4000-8000-000000000014"),
      "container-plan-technical-configuration",
    );
    expect(image).toEqual([
      expect.objectContaining({ payloadType: "image", imageTags: ["1.0.0", "latest"] }),
    ]);
    const cnab = byType(
      await tree("00000000-0000-4000-8000-000000000015", "live"),
      "container-plan-technical-configuration",
    );
    expect(cnab[0]).toMatchObject({ payloadType: "cnab", clusterExtensionType: "Contoso.App" });
    expect(cnab[0]?.id).toBe(
      "container-plan-technical-configuration/00000000-0000-4000-8000-000000000015/00000000-0000-4000-8000-0000000000b7",
    );
    // Any resource reads by its durable id (the draft).
    expect((await ok(`listing/${SAAS}/public/main/default/en-us`)).title).toBe("Contoso Insights");
  });
});

describe("creation in one job", () => {
  test("a new product with two plans, listings, pricing and technical configurations, tied by resourceName and externalId", async () => {
    const images = (type: string) => ({
      skus: [{ imageType: type, skuId: `p-${type}` }],
      vmImageVersions: [
        {
          versionNumber: "1.0.0",
          vmImages: [
            {
              imageType: type,
              source: {
                sourceType: "sasUri",
                osDisk: {
                  uri: "https://contoso.blob.core.windows.net/vhds/new.vhd?sv=2020-08-04&sr=b&sp=r&sig=x",
                },
              },
            },
          ],
        },
      ],
    });
    const status = await configured(
      resource("product", {
        resourceName: "newProduct",
        identity: { externalId: "brand-new-offer" },
        type: "azureVirtualMachine",
        alias: "Brand new",
      }),
      resource("listing", {
        resourceName: "newListing",
        product: { resourceName: "newProduct" },
        kind: "azureVM",
        languageId: "en-us",
        title: "Brand new",
      }),
      resource("listing-asset", {
        product: { resourceName: "newProduct" },
        listing: { resourceName: "newListing" },
        kind: "azure",
        languageId: "en-us",
        type: "azureLogoLarge",
        fileName: "logo.png",
        url: "https://contoso.example/logo.png",
      }),
      resource("plan", {
        resourceName: "planA",
        product: { resourceName: "newProduct" },
        identity: { externalId: "plan-a" },
        alias: "Plan A",
      }),
      resource("plan", {
        product: { externalId: "brand-new-offer" },
        identity: { externalId: "plan-b" },
        alias: "B",
      }),
      resource("plan-listing", {
        product: { resourceName: "newProduct" },
        plan: { resourceName: "planA" },
        kind: "azureVM-plan",
        languageId: "en-us",
        name: "Plan A",
      }),
      availability({ resourceName: "planA" }, { product: { resourceName: "newProduct" } }),
      availability({ externalId: "plan-b" }, { product: { externalId: "brand-new-offer" } }),
      resource("virtual-machine-plan-technical-configuration", {
        product: { externalId: "brand-new-offer" },
        plan: { externalId: "plan-a" },
        ...images("x64Gen2"),
      }),
    );
    expect(status).toMatchObject({ jobStatus: "completed", jobResult: "succeeded", errors: [] });
    const found = (await ok("product?externalId=brand-new-offer")).value as Json[];
    expect(found).toHaveLength(1);
    const id = String(found[0]?.id);
    const g = id.split("/")[1] ?? "";
    const plans = ((await ok(`plan?product=${id}`)).value as Json[]).map((p) => [
      p.identity.externalId,
      p.id,
    ]);
    expect(plans.map(([ext]) => ext).sort()).toEqual(["plan-a", "plan-b"]);
    const planA = String(plans.find(([ext]) => ext === "plan-a")?.[1]);
    const pa = planA.split("/")[2];
    // configure-detail: each resource with its durable id (and the resourceName sent).
    const detail = (await ok(`configure/${status.jobId}`)).resources as Json[];
    expect(detail.map((r) => r.id)).toEqual([
      id,
      `listing/${g}/public/main/default/en-us`,
      `listing-asset/${g}/public/main/default/en-us/azurelogolarge/1`,
      planA,
      expect.stringMatching(new RegExp(`^plan/${g}/[0-9a-f-]{36}$`)),
      `plan-listing/${g}/public/main/${pa}/en-us`,
      `price-and-availability-plan/${g}/${pa}`,
      expect.stringMatching(new RegExp(`^price-and-availability-plan/${g}/[0-9a-f-]{36}$`)),
      `virtual-machine-plan-technical-configuration/${g}/${pa}`,
    ]);
    expect(detail[0]).toMatchObject({
      resourceName: "newProduct",
      identity: { externalId: "brand-new-offer" },
    });
    expect(detail[2]?.listing).toBe(`listing/${g}/public/main/default/en-us`);
    const draft = await tree(g);
    expect(draft.find((r) => r.id === `plan-listing/${g}/public/main/${pa}/en-us`)).toMatchObject({
      product: id,
      plan: planA,
      name: "Plan A",
    });
    expect(draft.some((r) => "resourceName" in r)).toBe(false);
    // A plan's technical configuration may come later and without versions (the schema does not require them).
    const later = await configured(
      resource("virtual-machine-plan-technical-configuration", {
        product: id,
        plan: { externalId: "plan-b" },
        skus: [{ imageType: "x64Gen1", skuId: "plan-b" }],
      }),
    );
    expect(later.jobResult).toBe("succeeded");
    expect(byType(await tree(g), "virtual-machine-plan-technical-configuration")).toHaveLength(2);
    // A never-published product has no preview tree yet; one job wrote nine resources.
    expect((await call(`resource-tree/product/${g}?targetType=preview`)).status).toBe(400);
    const counts = sim.ingestion.counts("brand-new-offer");
    expect(counts.configurePosts).toBe(2);
    expect(counts.configures).toMatchObject({ resources: 1, technicalConfiguration: 1 });
    expect(Object.values(counts.configuredResources).reduce((a, b) => a + b, 0)).toBe(10);
  });

  test("an existing resource sent without id is updated in place (same durable id); one configure, one resource", async () => {
    const before = sim.ingestion.counts("ing-vm-offer");
    const status = await configured(
      resource("listing", {
        product: { externalId: "ing-vm-offer" },
        kind: "azureVM",
        languageId: "en-us",
        title: "Contoso Linux, renamed",
      }),
    );
    expect(status.jobResult).toBe("succeeded");
    const listings = byType(await tree(VM), "listing");
    expect(listings).toEqual([
      expect.objectContaining({
        id: `listing/${VM}/public/main/default/en-us`,
        title: "Contoso Linux, renamed",
      }),
    ]);
    // The draft takes the resource as sent: undeclared fields are gone (the client merges before it writes).
    expect(listings[0]?.description).toBeUndefined();
    const after = sim.ingestion.counts("ing-vm-offer");
    expect(after.configurePosts - before.configurePosts).toBe(1);
    expect(after.configuredResources).toEqual({ listing: 1 });
    expect(after.treeReads.draft - before.treeReads.draft).toBe(1);
    expect(after.writes).toBe(1);
  });
});

describe("validation as the API answers it", () => {
  test("schema errors: 400 badRequest with a schemaValidationError naming the field; nothing applied", async () => {
    const required = await refused(
      resource("plan", { product: { externalId: "ing-vm-offer" }, identity: { externalId: "plan-x" } }),
    );
    expect(required).toMatchObject({ code: "badRequest", message: "The request is not valid." });
    expect(required.details).toEqual([
      {
        code: "schemaValidationError",
        message: `Schema validation failed for schema ${SCHEMA}/plan/2022-03-01-preview5: Required properties ["alias"] were not present #`,
        target: "resources[0]",
      },
    ]);
    const enumError = await refused(availability({ externalId: "vm-gen1" }, { visibility: "gone" }));
    expect(enumError.details[0]).toMatchObject({
      code: "schemaValidationError",
      target: "resources[0].visibility",
    });
    expect(enumError.details[0]?.message).toMatch(
      /should match one of the values specified by the enum.* #\/visibility$/,
    );
    const pattern = await refused(
      resource("plan", {
        product: { externalId: "ing-vm-offer" },
        identity: { externalId: "Bad Id" },
        alias: "x",
      }),
    );
    expect(pattern.details[0]?.message).toMatch(/does not match the pattern .* #\/identity\/externalId$/);
    const typed = await refused(
      availability(
        { externalId: "vm-gen1" },
        { pricing: { licenseModel: "payAsYouGo", corePricing: { pricePerCore: "cheap" } } },
      ),
    );
    expect(typed.details[0]).toMatchObject({ target: "resources[0].pricing.corePricing.pricePerCore" });
    expect(typed.details[0]?.message).toMatch(
      /Value is "string" but should be "number" #\/pricing\/corePricing\/pricePerCore$/,
    );
    const markets = await refused(availability({ externalId: "vm-gen1" }, { customerMarkets: "allMarkets" }));
    expect(markets.details[0]?.message).toMatch(/'markets' must not be present/);
    const unknownPlan = await refused(availability({ externalId: "no-such-plan" }));
    expect(unknownPlan.details[0]?.message).toMatch(
      /'plan' .*no-such-plan.* names no plan of product 'ing-vm-offer'/,
    );
    const twoProducts = await refused(
      resource("listing", { product: { externalId: "ing-vm-offer" }, kind: "azureVM", languageId: "en-us" }),
      resource("listing", {
        product: { externalId: "ing-saas-offer" },
        kind: "azureSaaS",
        languageId: "en-us",
      }),
    );
    expect(twoProducts.details[0]?.message).toMatch(/changes one product/);
    const modular = await refused(
      resource("listing", { product: `product/${VM}`, kind: "azureVM", languageId: "en-us" }),
      {
        $schema: `${SCHEMA}/submission/2022-03-01-preview2`,
        product: `product/${VM}`,
        target: { targetType: "preview" },
      },
    );
    // A modular publish lists draft resources by their durable id: a new resource cannot go with a submission.
    expect(modular.details[0]?.message).toMatch(
      /a modular publish lists draft resources by their durable id; it has none/,
    );
    // Nothing was applied; the refused POSTs are logged as processed configure POSTs.
    expect(byType(await tree(VM), "plan")).toHaveLength(2);
    expect(sim.ingestion.counts("ing-vm-offer").configurePosts).toBe(8);
  });

  test("a published VM plan's price cannot change: the job fails naming the resource and the field", async () => {
    const status = await configured(
      availability(
        { externalId: "vm-gen1" },
        {
          pricing: {
            licenseModel: "payAsYouGo",
            corePricing: { priceInputOption: "perCore", pricePerCore: 0.09 },
          },
        },
      ),
    );
    expect(status.jobResult).toBe("failed");
    expect(status.errors).toEqual([
      {
        code: "badRequest",
        message: expect.stringMatching(
          /The price of plan 'vm-gen1' cannot be changed: field 'pricing'.*Stop-sell/,
        ),
        resourceId: `price-and-availability-plan/${VM}/${GEN1}`,
        details: [
          {
            code: "invalidResource",
            message: "Failure for resource: price-and-availability-plan-0",
            details: [],
          },
        ],
      },
    ]);
    const stored = byType(await tree(VM), "price-and-availability-plan").find((r) => r.plan.endsWith(GEN1));
    expect(stored?.pricing.corePricing.pricePerCore).toBe(0.04);
    // The same pricing (another key order) and other fields changed: accepted.
    const same = await configured(
      availability(
        { externalId: "vm-gen1" },
        {
          markets: ["us", "fr"],
          pricing: {
            corePricing: { pricePerCore: 0.04, priceInputOption: "perCore" },
            licenseModel: "payAsYouGo",
          },
        },
      ),
    );
    expect(same.jobResult).toBe("succeeded");
  });

  test("offer type, offer id and plan id are fixed once created: the job fails naming the field", async () => {
    const product = (extra: Json) =>
      resource("product", {
        id: `product/${VM}`,
        identity: { externalId: "ing-vm-offer" },
        type: "azureVirtualMachine",
        alias: "Contoso Linux VM",
        ...extra,
      });
    const typed = await configured(product({ type: "softwareAsAService" }));
    expect(typed.errors[0]).toMatchObject({
      resourceId: `product/${VM}`,
      message: expect.stringMatching(/field 'type' is 'azureVirtualMachine', not 'softwareAsAService'/),
    });
    const renamed = await configured(product({ identity: { externalId: "other-offer" } }));
    expect(renamed.errors[0]?.message).toMatch(
      /field 'identity.externalId' is 'ing-vm-offer', not 'other-offer'/,
    );
    const plan = await configured(
      resource("plan", {
        id: `plan/${VM}/${GEN1}`,
        product: `product/${VM}`,
        identity: { externalId: "vm-gen1-renamed" },
        alias: "x",
      }),
    );
    expect(plan.errors[0]).toMatchObject({
      resourceId: `plan/${VM}/${GEN1}`,
      message: expect.stringMatching(/external id of a plan cannot be changed/),
    });
    expect((await configured(product({ alias: "Renamed" }))).jobResult).toBe("succeeded");
    expect((await ok(`product/${VM}`)).alias).toBe("Renamed");
  });

  test("lifecycleState deleted: refused on a published resource, removes a never-published plan and its parts", async () => {
    const plan = (extra: Json) =>
      resource("plan", {
        product: { externalId: "ing-vm-offer" },
        identity: { externalId: "vm-gen1" },
        alias: "x",
        ...extra,
      });
    const published = await configured(plan({ lifecycleState: "deleted" }));
    expect(published.errors[0]).toMatchObject({
      resourceId: `plan/${VM}/${GEN1}`,
      message: expect.stringMatching(/Cannot delete resource .*field 'lifecycleState'/),
    });
    expect(byType(await tree(VM), "plan")).toHaveLength(2);

    const draftOnly = await configured(
      resource("plan", {
        product: { externalId: "ing-vm-offer" },
        identity: { externalId: "vm-draft" },
        alias: "d",
      }),
      resource("plan-listing", {
        product: { externalId: "ing-vm-offer" },
        plan: { externalId: "vm-draft" },
        kind: "azureVM-plan",
        languageId: "en-us",
        name: "draft",
      }),
    );
    expect(draftOnly.jobResult).toBe("succeeded");
    expect(byType(await tree(VM), "plan")).toHaveLength(3);
    const deleted = await configured(
      resource("plan", {
        product: { externalId: "ing-vm-offer" },
        identity: { externalId: "vm-draft" },
        alias: "d",
        lifecycleState: "deleted",
      }),
    );
    expect(deleted.jobResult).toBe("succeeded");
    const after = await tree(VM);
    expect(byType(after, "plan")).toHaveLength(2);
    expect(byType(after, "plan-listing")).toHaveLength(2);
    expect(sim.ingestion.product("ing-vm-offer")?.plans.map((p) => p.externalId)).toEqual([
      "vm-gen2",
      "vm-gen1",
    ]);
  });

  test("stop-sell: hiding one of two plans works; hiding the last visible one or the only plan fails", async () => {
    expect(
      (
        await configured(
          availability({ externalId: "vm-gen1" }, { visibility: "hidden", pricing: undefined }),
        )
      ).jobResult,
    ).toBe("failed"); // pricing dropped = a price change of a published plan
    const hidden = await configured(
      availability(
        { externalId: "vm-gen1" },
        {
          visibility: "hidden",
          pricing: {
            licenseModel: "payAsYouGo",
            corePricing: { priceInputOption: "perCore", pricePerCore: 0.04 },
          },
        },
      ),
    );
    expect(hidden).toMatchObject({ jobResult: "succeeded", errors: [] });
    const last = await configured(availability({ externalId: "vm-gen2" }, { visibility: "hidden" }));
    expect(last.errors).toEqual([
      expect.objectContaining({
        resourceId: `price-and-availability-plan/${VM}/${GEN2}`,
        message: expect.stringMatching(
          /Cannot stop-sell plan 'vm-gen2': at least one plan .*field 'visibility'/,
        ),
      }),
    ]);
    const deprecate = await configured(
      resource("plan", {
        id: `plan/${VM}/${GEN2}`,
        product: `product/${VM}`,
        identity: { externalId: "vm-gen2" },
        alias: "Contoso Linux Gen2",
        lifecycleState: "deprecated",
      }),
    );
    expect(deprecate.errors[0]?.message).toMatch(/Cannot stop-sell plan 'vm-gen2'/);
    // A one-plan offer: stop-sell needs two plans.
    const only = await configured(
      resource("price-and-availability-plan", {
        product: `product/${NEW}`,
        plan: `plan/${NEW}/00000000-0000-4000-8000-0000000000a1`,
        visibility: "visible",
        audience: "public",
      }),
    );
    expect(only.jobResult).toBe("succeeded");
    const onlyHidden = await configured(
      resource("price-and-availability-plan", {
        product: `product/${NEW}`,
        plan: { externalId: "ing-new-plan" },
        visibility: "hidden",
        audience: "public",
      }),
    );
    expect(onlyHidden.errors[0]?.message).toMatch(/stop-sell needs at least two plans/);
  });

  test("stop-sell: a plan whose technical configuration another plan reuses (basePlan) cannot be stop-sold", async () => {
    const gen1 = await ok(`virtual-machine-plan-technical-configuration/${VM}/${GEN1}`);
    const reused = await configured({ ...gen1, basePlan: { externalId: "vm-gen2" } });
    expect(reused.jobResult).toBe("succeeded");
    const hide = await configured(availability({ externalId: "vm-gen2" }, { visibility: "hidden" }));
    expect(hide.errors[0]).toMatchObject({
      resourceId: `price-and-availability-plan/${VM}/${GEN2}`,
      message: expect.stringMatching(
        /Cannot stop-sell plan 'vm-gen2': plan 'vm-gen1' reuses .*field 'basePlan'/,
      ),
    });
  });

  test("the last image version of a plan is never deprecated; the VM image rules hold in a mixed configure", async () => {
    const tc = await ok(`virtual-machine-plan-technical-configuration/${VM}/${GEN2}`);
    const deprecated = {
      ...tc,
      vmImageVersions: tc.vmImageVersions.map((v: Json) => ({
        ...v,
        lifecycleState: "deprecated",
        deprecationSchedule: { reason: "endOfSupport", dateOffset: "P30D" },
      })),
    };
    const last = await configured(deprecated);
    expect(last.errors).toEqual([
      expect.objectContaining({
        resourceId: `virtual-machine-plan-technical-configuration/${VM}/${GEN2}`,
        message: expect.stringMatching(/Cannot deprecate every image version of plan 'vm-gen2'/),
      }),
    ]);
    // With a listing change in the same job: the image rule fails the whole job, the listing is not applied.
    const mixed = await configured(
      resource("listing", { product: `product/${VM}`, kind: "azureVM", languageId: "en-us", title: "mixed" }),
      { ...tc, vmImageVersions: [] },
    );
    expect(mixed.errors.map((e) => e.message)).toEqual([
      "Cannot delete image '1.0.0' of type 'X64Gen2' as it is already published.",
    ]);
    expect(mixed.errors[0]?.details?.[0]?.message).toBe(
      "Failure for resource: virtual-machine-plan-technical-configuration-0",
    );
    expect(byType(await tree(VM), "listing")[0]?.title).toBe("Contoso Linux");
  });
});

describe("trees, portal edits and counts", () => {
  test("a publish copies the draft of every type to preview; a go-live copies preview to live", async () => {
    const edit = await configured(
      resource("listing", { product: `product/${VM}`, kind: "azureVM", languageId: "en-us", title: "v2" }),
      resource("reseller", { product: `product/${VM}`, resellerChannelState: "all", audiences: [] }),
    );
    expect(edit.jobResult).toBe("succeeded");
    const titles = async (target: string) => byType(await tree(VM, target), "listing")[0]?.title;
    const resellers = async (target: string) =>
      byType(await tree(VM, target), "reseller")[0]?.resellerChannelState;
    expect([await titles("draft"), await titles("preview"), await titles("live")]).toEqual([
      "v2",
      "Contoso Linux",
      "Contoso Linux",
    ]);
    const submission = { $schema: `${SCHEMA}/submission/2022-03-01-preview2`, product: `product/${VM}` };
    const preview = await configure({ ...submission, target: { targetType: "preview" } });
    sim.ingestion.advanceJob(preview.jobId, "end");
    expect([await titles("preview"), await titles("live"), await resellers("preview")]).toEqual([
      "v2",
      "Contoso Linux",
      "all",
    ]);
    const previewId = (await ok(`submission/${VM}?targetType=preview`)).value.at(-1).id;
    const live = await configure({ ...submission, id: previewId, target: { targetType: "live" } });
    sim.ingestion.advanceJob(live.jobId, "end");
    expect([await titles("live"), await resellers("live")]).toEqual(["v2", "all"]);
    expect(sim.ingestion.counts("ing-vm-offer").configures).toEqual({
      technicalConfiguration: 0,
      resources: 1,
      preview: 1,
      live: 1,
    });
  });

  test("portal edits of any resource over the control API: now, and after the next read of the draft tree", async () => {
    const now = await control("POST", "products/ing-vm-offer/resource-edit", {
      type: "listing",
      set: { title: "edited in the portal", "supportContact.phone": "+1 000" },
      remove: ["shortDescription"],
    });
    expect(now.status).toBe(200);
    expect(now.json).toMatchObject({
      title: "edited in the portal",
      supportContact: { name: "Support", phone: "+1 000" },
    });
    expect(now.json.shortDescription).toBeUndefined();
    const pending = await control("POST", "products/ing-vm-offer/resource-edit", {
      type: "price-and-availability-plan",
      planId: "vm-gen1",
      set: { "pricing.corePricing.pricePerCore": 0.07 },
      afterNextRead: true,
    });
    expect(pending).toEqual({ status: 202, json: { pending: true } });
    const price = async () =>
      byType(await tree(VM), "price-and-availability-plan").find((r) => r.plan.endsWith(GEN1))?.pricing
        .corePricing.pricePerCore;
    // The first read is answered before the edit lands; the next one shows it.
    expect(await price()).toBe(0.04);
    expect(await price()).toBe(0.07);
    // By durable id, after the next direct read of that resource.
    sim.ingestion.editResource(
      "ing-vm-offer",
      { id: `reseller/${VM}` },
      { set: { resellerChannelState: "some" } },
      { afterNextRead: true },
    );
    expect((await ok(`reseller/${VM}`)).resellerChannelState).toBe("notSet");
    expect((await ok(`reseller/${VM}`)).resellerChannelState).toBe("some");
    // Reads over the control API see every tree and one resource by selector.
    const listed = await control("GET", "products/ing-vm-offer/resources?type=plan-listing&planId=vm-gen2");
    expect(listed.json.resources).toEqual([expect.objectContaining({ name: "Contoso Linux Gen2" })]);
    const liveTree = await control("GET", "products/ing-vm-offer/resources?targetType=live");
    expect(byType(liveTree.json.resources, "listing")[0]?.title).toBe("Contoso Linux");
    expect(
      (await control("POST", "products/ing-vm-offer/resource-edit", { type: "nothing", set: {} })).status,
    ).toBe(404);
    expect((await control("POST", "products/ing-vm-offer/resource-edit", { type: "listing" })).status).toBe(
      400,
    );
    expect(
      (
        await control("POST", "products/ing-vm-offer/resource-edit", {
          id: `listing/${VM}`,
          type: "x",
          set: {},
        })
      ).status,
    ).toBe(400);
  });

  test("counts over the control API: tree reads per target, reads, configure POSTs by kind and resources by type", async () => {
    await tree(VM);
    await tree(VM, "live");
    await ok(`plan?product=product/${VM}`);
    await configured(availability({ externalId: "vm-gen2" }, { markets: ["us", "ca"] }));
    const counts = await control("GET", "products/ing-vm-offer/counts");
    expect(counts.json).toEqual({
      treeReads: { draft: 1, preview: 0, live: 1 },
      reads: 4,
      configurePosts: 1,
      configures: { technicalConfiguration: 0, resources: 1, preview: 0, live: 0 },
      writes: 1,
      configuredResources: { "price-and-availability-plan": 1 },
    });
    expect(sim.requests.filter((r) => r.kind === "configure").map((r) => r.resourceTypes)).toEqual([
      ["price-and-availability-plan"],
    ]);
    expect((await control("GET", "products/nope/counts")).status).toBe(404);
  });
});

test("the state file keeps a created product, its durable ids, the job's detail and a pending resource edit", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "offer-state-"));
  const stateFile = path.join(dir, "state.json");
  try {
    await start({ stateFile });
    const status = await configured(
      resource("product", {
        resourceName: "p",
        identity: { externalId: "kept-offer" },
        type: "softwareAsAService",
        alias: "Kept",
      }),
      resource("plan", { product: { resourceName: "p" }, identity: { externalId: "kept-plan" }, alias: "K" }),
    );
    expect(status.jobResult).toBe("succeeded");
    const g = String((await ok("product?externalId=kept-offer")).value[0].id).split("/")[1];
    const before = (await tree(String(g))).map((r) => r.id).sort();
    sim.ingestion.editResource(
      "kept-offer",
      { type: "plan", planId: "kept-plan" },
      { set: { alias: "edited" } },
      {
        afterNextRead: true,
      },
    );
    await sim.flushState();
    await start({ stateFile });
    const restored = await tree(String(g));
    expect(restored.map((r) => r.id).sort()).toEqual(before);
    // The edit was still pending: the first read after the restart lands it, the next one shows it.
    expect(byType(restored, "plan")[0]?.alias).toBe("K");
    expect(byType(await tree(String(g)), "plan")[0]?.alias).toBe("edited");
    expect(((await ok(`configure/${status.jobId}`)).resources as Json[]).map((r) => r.resourceName)).toEqual([
      "p",
      undefined,
    ]);
  } finally {
    // The read after the restart landed the pending edit: its state write may still be in flight. Close (which
    // waits for it) before removing the folder, or the removal races the write's temporary file (ENOTEMPTY).
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
