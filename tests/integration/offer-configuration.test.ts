/**
 * OfferConfiguration against the simulator's Product Ingestion API: a new offer created in one configure, an
 * existing offer adopted with 0 writes, one field = one configure with one resource, portal edits between the
 * read and the write (and since the last run) reported and never overwritten, a failed job's per-resource errors
 * named by key and field, a new plan with its listing and pricing in one job, each offer type, removed plans kept
 * or hidden, the rules that cannot change after the fact refused before anything is sent, lost answers re-read.
 */

import type { IngestionProductSeed } from "../../emulator/ingestion/types";
import { type CppSimulator, defaultIngestionSeed } from "../../emulator/server";
import { StaticTokenProvider } from "../../provider/core/auth";
import { ConcurrentEditError, OfferConfigurationError } from "../../provider/core/errors";
import { PooledTransport } from "../../provider/core/http";
import { IngestionClient } from "../../provider/ingestion/client";
import { exportOfferInputs } from "../../provider/ingestion/offer/apply";
import {
  OfferConfigurationProvider,
  type ProviderHooks,
  VmImageVersionProvider,
} from "../../provider/resources";
import { TOKEN, withSimulator } from "../support/harness";

// biome-ignore lint/suspicious/noExplicitAny: tests index into inputs and outputs freely
type Json = Record<string, any>;

let sim: CppSimulator;
let transport: PooledTransport;
let lines: string[];
let counter = 0;

beforeAll(async () => {
  sim = await withSimulator();
});
afterAll(() => sim.close());
beforeEach(() => {
  transport = new PooledTransport();
  lines = [];
});
afterEach(() => transport.close());

const ARM_VHD =
  "https://contoso.blob.core.windows.net/vhds/arm-1.0.0.vhd?sv=2020-08-04&sr=c&sp=rl&st=2020-01-01T00%3A00%3A00Z&se=9999-12-31T23%3A59%3A59Z&sig=SIGsecret";

const endpoint = () => `${sim.url}/rp/product-ingestion`;

function provider(hooks: ProviderHooks = {}) {
  return new OfferConfigurationProvider({
    tokenProvider: new StaticTokenProvider(TOKEN),
    transport,
    log: (line) => lines.push(line),
    jobPollIntervalMs: 5,
    ...hooks,
  });
}

/** A copy of a seeded offer (`ing-vm-offer`, ...) under a new offer id and new GUIDs. */
function copyOf(seedId: string, edit: (seed: IngestionProductSeed) => void = () => {}): string {
  const template = structuredClone(defaultIngestionSeed().find((p) => p.externalId === seedId));
  if (!template) throw new Error(`no seed ${seedId}`);
  const externalId = `offer-cfg-${++counter}`;
  const seed: IngestionProductSeed = {
    ...template,
    externalId,
    guid: undefined,
    plans: template.plans?.map((plan) => ({ ...plan, guid: undefined })),
  };
  edit(seed);
  sim.ingestion.addProduct(seed);
  return externalId;
}

/** What `pulumi-cloudpartner export` prints for the offer: the program that matches the draft. */
async function exported(offerId: string): Promise<Json> {
  const client = new IngestionClient({ endpoint: endpoint(), accessToken: TOKEN, transport });
  return (await exportOfferInputs(client, offerId)) as Json;
}

const counts = (offerId: string) => sim.ingestion.counts(offerId);
const draft = (offerId: string, selector: Json) => sim.ingestion.resource(offerId, selector) as Json;

/** check, then create, as the engine calls them. */
async function up(inputs: Json) {
  const p = provider();
  const checked = await p.check({}, inputs);
  expect(checked.failures).toEqual([]);
  return p.create(checked.inputs);
}

/** check, diff, then update, as the engine calls them; the diff comes back too. */
async function upAgain(state: Json, inputs: Json, p = provider()) {
  const checked = await p.check(state, inputs);
  expect(checked.failures).toEqual([]);
  const diff = await p.diff(state.offerId, state, checked.inputs);
  const result = diff.changes ? await p.update(state.offerId, state, checked.inputs) : { outs: state };
  return { diff, outs: result.outs as Json };
}

describe("create", () => {
  test("a new offer: the product, its listing and two plans with listing, pricing and technical configuration in ONE configure", async () => {
    const offerId = `offer-cfg-new-${++counter}`;
    const plan = (name: string, imageType: string) => ({
      alias: name,
      listing: { name, summary: `${name} plan`, description: `The ${name} plan.` },
      availability: {
        visibility: "visible",
        audience: "public",
        markets: ["us", "de"],
        pricing: {
          licenseModel: "payAsYouGo",
          corePricing: { priceInputOption: "perCore", pricePerCore: 0.01 },
        },
      },
      technicalConfiguration: {
        operatingSystem: { family: "linux", type: "other", friendlyName: "Contoso Linux" },
        skus: [{ imageType, skuId: name }],
        vmProperties: { supportsExtensions: true },
      },
    });
    const { id, outs } = await up({
      offerId,
      endpoint: endpoint(),
      product: { type: "azureVirtualMachine", alias: "Contoso new" },
      listing: { title: "Contoso new", searchResultSummary: "New", description: "<p>New</p>" },
      plans: { gen2: plan("gen2", "x64Gen2"), gen1: plan("gen1", "x64Gen1") },
    });
    expect(id).toBe(offerId);
    expect(outs?.productId).toMatch(/^product\/[0-9a-f-]{36}$/);
    expect(counts(offerId).configurePosts).toBe(1);
    expect(Object.keys(outs?.resourceIds).sort()).toEqual(
      [
        "listing",
        "plans[gen1]",
        "plans[gen1].availability",
        "plans[gen1].listing",
        "plans[gen1].technicalConfiguration",
        "plans[gen2]",
        "plans[gen2].availability",
        "plans[gen2].listing",
        "plans[gen2].technicalConfiguration",
        "product",
      ].sort(),
    );
    expect(outs?.resourceIds["plans[gen2].availability"]).toMatch(/^price-and-availability-plan\//);
    expect(draft(offerId, { type: "listing" }).title).toBe("Contoso new");
    expect(draft(offerId, { type: "price-and-availability-plan", planId: "gen1" }).markets).toEqual(
      expect.arrayContaining(["us", "de"]),
    );
    expect(typeof outs?.declaration).toBe("string");
    // Nothing published yet: every declared field waits for the next publish.
    expect(outs?.pendingChanges).toContain("listing.title");
    expect(JSON.stringify(outs)).not.toContain(TOKEN);
  });

  test("a missing offer without product { type, alias } is refused before any write, saying what to add", async () => {
    const offerId = `offer-cfg-missing-${++counter}`;
    await expect(up({ offerId, endpoint: endpoint(), listing: { title: "x" } })).rejects.toThrow(
      /has no offer "offer-cfg-missing-\d+".*Declare product \{ type, alias \}/,
    );
  });

  test("an existing offer whose draft matches the program is adopted with 0 writes; a re-run sends nothing", async () => {
    const offerId = copyOf("ing-vm-offer");
    const program: Json = { ...(await exported(offerId)), endpoint: endpoint() };
    const { outs } = await up(program);
    expect(counts(offerId).writes).toBe(0);
    expect(outs?.productId).toMatch(/^product\//);
    expect(outs?.resourceIds["plans[vm-gen2].technicalConfiguration"]).toMatch(
      /^virtual-machine-plan-technical-configuration\//,
    );
    const again = await upAgain(outs as Json, program);
    expect(again.diff.changes).toBe(false);
    // Even an update with nothing to change writes nothing (the draft is read, not written).
    await provider().update(offerId, outs as Json, (await provider().check(outs as Json, program)).inputs);
    expect(counts(offerId).writes).toBe(0);
    expect(lines.join("\n")).toMatch(/nothing to write/);
    // The declaration is stable run after run.
    expect(again.outs.declaration).toBe(outs?.declaration);
  });
});

describe("update", () => {
  test("one field changed: ONE configure with ONE resource; undeclared fields of it keep the draft's values", async () => {
    const offerId = copyOf("ing-vm-offer");
    const program: Json = { ...(await exported(offerId)), endpoint: endpoint() };
    const { outs } = await up(program);
    const before = draft(offerId, { type: "listing" });
    const changed = { ...program, listing: { ...program.listing, title: "Contoso Linux 10" } };
    const { diff, outs: after } = await upAgain(outs as Json, changed);
    expect(diff.changes).toBe(true);
    expect(diff.replaces).toEqual([]);
    expect(Object.keys(diff.detailedDiff ?? {})).toEqual(["listing.title"]);
    expect(counts(offerId).configurePosts).toBe(1);
    expect(counts(offerId).configuredResources).toEqual({ listing: 1 });
    expect(draft(offerId, { type: "listing" })).toEqual({ ...before, title: "Contoso Linux 10" });
    expect(after.listing.title).toBe("Contoso Linux 10");
    expect(after.pendingChanges).toContain("listing.title");
  });

  test("a listing text and a plan price: ONE configure with the two resources", async () => {
    const offerId = copyOf("ing-vm-offer", (seed) => {
      seed.state = "neverPublished";
    });
    const program: Json = { ...(await exported(offerId)), endpoint: endpoint() };
    const { outs } = await up(program);
    const changed = structuredClone(program);
    changed.listing.searchResultSummary = "Now with more";
    changed.plans["vm-gen2"].availability.pricing.corePricing.pricePerCore = 0.07;
    const { diff } = await upAgain(outs as Json, changed);
    expect(Object.keys(diff.detailedDiff ?? {}).sort()).toEqual([
      "listing.searchResultSummary",
      'plans["vm-gen2"].availability.pricing.corePricing.pricePerCore',
    ]);
    expect(counts(offerId).configurePosts).toBe(1);
    expect(counts(offerId).configuredResources).toEqual({ listing: 1, "price-and-availability-plan": 1 });
    expect(
      draft(offerId, { type: "price-and-availability-plan", planId: "vm-gen2" }).pricing.corePricing,
    ).toEqual({
      priceInputOption: "perCore",
      pricePerCore: 0.07,
    });
  });

  test("a portal edit between the read and the write is reported per field; nothing is sent", async () => {
    const offerId = copyOf("ing-vm-offer");
    const program: Json = { ...(await exported(offerId)), endpoint: endpoint() };
    const { outs } = await up(program);
    sim.ingestion.editResource(
      offerId,
      { type: "listing" },
      { set: { shortDescription: "edited in the portal" } },
      { afterNextRead: true },
    );
    const changed = { ...program, listing: { ...program.listing, title: "Contoso Linux 10" } };
    const error = await provider()
      .update(offerId, outs as Json, (await provider().check(outs as Json, changed)).inputs)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConcurrentEditError);
    expect((error as ConcurrentEditError).changes.join("\n")).toMatch(
      /listing\.shortDescription: was "Contoso Linux, short", now "edited in the portal"/,
    );
    expect((error as Error).message).toMatch(/between the read and the write.*Nothing was sent/);
    expect(counts(offerId).writes).toBe(0);
    expect(draft(offerId, { type: "listing" }).shortDescription).toBe("edited in the portal");
    expect(draft(offerId, { type: "listing" }).title).toBe("Contoso Linux");
  });

  test("a concurrent edit's report masks a registry password", async () => {
    const offerId = copyOf("ing-container-offer");
    const program: Json = { ...(await exported(offerId)), endpoint: endpoint() };
    const { outs } = await up(program);
    const planId = Object.keys(program.plans)[0] as string;
    sim.ingestion.editResource(
      offerId,
      { type: "container-plan-technical-configuration", planId },
      { set: { imageRepositoryDetails: { registryName: "other", password: "hunter2-secret" } } },
      { afterNextRead: true },
    );
    const changed = structuredClone(program);
    changed.plans[planId].technicalConfiguration.imageTags = ["1.0.0", "1.1.0"];
    const error = await upAgain(outs as Json, changed).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConcurrentEditError);
    expect((error as Error).message).toMatch(/technicalConfiguration\.imageRepositoryDetails: was/);
    expect((error as Error).message).toContain("[secret]");
    expect(JSON.stringify(error) + (error as Error).message).not.toContain("hunter2");
  });

  test("a declared field edited in the portal since the last run is refused; refresh brings it into state and the next run writes the program's value", async () => {
    const offerId = copyOf("ing-vm-offer");
    const program: Json = { ...(await exported(offerId)), endpoint: endpoint() };
    const { outs } = await up(program);
    sim.ingestion.editResource(offerId, { type: "listing" }, { set: { searchResultSummary: "portal text" } });
    const changed = { ...program, listing: { ...program.listing, title: "Contoso Linux 10" } };
    await expect(upAgain(outs as Json, changed)).rejects.toThrow(
      /listing\.searchResultSummary: was "Contoso Linux in the marketplace", now "portal text".*pulumi refresh/,
    );
    expect(counts(offerId).writes).toBe(0);

    // pulumi refresh: the draft's values come into state, read with the tree reads only.
    const before = counts(offerId);
    const refreshed = await provider().read(offerId, outs as Json);
    // The draft tree only: the product id and the pending changes (as of the last up) come from state.
    const after = counts(offerId);
    expect(after.reads - before.reads).toBe(1);
    expect(after.treeReads.draft - before.treeReads.draft).toBe(1);
    expect(refreshed.props.pendingChanges).toEqual(outs?.pendingChanges);
    expect(refreshed.props.listing.searchResultSummary).toBe("portal text");
    expect(refreshed.props.declaration).toBe(outs?.declaration);
    // The next preview shows the program's values as changes back; the next up writes them.
    const { diff } = await upAgain(refreshed.props, changed);
    expect(Object.keys(diff.detailedDiff ?? {}).sort()).toEqual([
      "listing.searchResultSummary",
      "listing.title",
    ]);
    expect(draft(offerId, { type: "listing" })).toMatchObject({
      title: "Contoso Linux 10",
      searchResultSummary: "Contoso Linux in the marketplace",
    });
    expect(counts(offerId).configurePosts).toBe(1);
  });

  test("a failed configure job: each error named by the declared part's key and field", async () => {
    const offerId = copyOf("ing-vm-offer");
    const program: Json = { ...(await exported(offerId)), endpoint: endpoint() };
    const { outs } = await up(program);
    const changed = structuredClone(program);
    // supportsCloudInit is true in the draft: once true, Partner Center never lets it go back.
    changed.plans["vm-gen2"].technicalConfiguration.vmProperties.supportsCloudInit = false;
    const error = await upAgain(outs as Json, changed).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OfferConfigurationError);
    const problems = (error as OfferConfigurationError).problems;
    expect(problems).toEqual([
      expect.objectContaining({
        key: "plans[vm-gen2].technicalConfiguration",
        field: "vmProperties.supportsCloudInit",
        resourceId: expect.stringMatching(/^virtual-machine-plan-technical-configuration\//),
      }),
    ]);
    expect((error as Error).message).toMatch(
      /plans\[vm-gen2\]\.technicalConfiguration\.vmProperties\.supportsCloudInit: SupportsCloudInit property has already been enabled/,
    );
    expect((error as OfferConfigurationError).jobId).toBeTruthy();
  });

  test("a new plan with its listing, pricing and technical configuration: ONE job, durable ids read back", async () => {
    const offerId = copyOf("ing-vm-offer");
    const program: Json = { ...(await exported(offerId)), endpoint: endpoint() };
    const { outs } = await up(program);
    const changed = structuredClone(program);
    changed.plans["vm-arm"] = {
      alias: "Contoso Linux Arm",
      listing: { name: "Contoso Linux Arm", summary: "Arm image", description: "The Arm image." },
      availability: {
        visibility: "visible",
        audience: "public",
        markets: ["us"],
        pricing: {
          licenseModel: "payAsYouGo",
          corePricing: { priceInputOption: "perCore", pricePerCore: 0.03 },
        },
      },
      technicalConfiguration: {
        operatingSystem: { family: "linux", type: "other", friendlyName: "Contoso Linux 9" },
        skus: [{ imageType: "arm64Gen2", skuId: "vm-arm" }],
        vmImageVersions: [
          {
            versionNumber: "1.0.0",
            vmImages: [
              {
                imageType: "arm64Gen2",
                source: { sourceType: "sasUri", osDisk: { uri: ARM_VHD }, dataDisks: [] },
              },
            ],
          },
        ],
      },
    };
    const { diff, outs: after } = await upAgain(outs as Json, changed);
    expect(Object.keys(diff.detailedDiff ?? {}).some((path) => path.startsWith('plans["vm-arm"]'))).toBe(
      true,
    );
    expect(counts(offerId).configurePosts).toBe(1);
    expect(counts(offerId).configuredResources).toEqual({
      plan: 1,
      "plan-listing": 1,
      "price-and-availability-plan": 1,
      "virtual-machine-plan-technical-configuration": 1,
    });
    expect(after.resourceIds["plans[vm-arm]"]).toMatch(/^plan\//);
    expect(after.resourceIds["plans[vm-arm].listing"]).toMatch(/^plan-listing\//);
    expect(after.resourceIds["plans[vm-arm].availability"]).toMatch(/^price-and-availability-plan\//);
    expect(after.resourceIds["plans[vm-arm].technicalConfiguration"]).toMatch(
      /^virtual-machine-plan-technical-configuration\//,
    );
    expect(
      draft(offerId, { type: "virtual-machine-plan-technical-configuration", planId: "vm-arm" })
        .vmImageVersions,
    ).toHaveLength(1);
    expect(JSON.stringify(lines)).not.toContain("SIGsecret");
    // The state holds what the draft holds for every declared field (image versions included): the same program
    // again is no change.
    const rerun = await provider().diff(offerId, after, (await provider().check(after, changed)).inputs);
    expect(rerun.changes).toBe(false);
  });

  test("a plan removed from the program is kept and logged; removedPlans hide stop-sells it in one configure", async () => {
    const offerId = copyOf("ing-vm-offer");
    const program: Json = { ...(await exported(offerId)), endpoint: endpoint() };
    const { outs } = await up(program);
    const { "vm-gen1": _gone, ...rest } = program.plans;
    const { outs: kept } = await upAgain(outs as Json, { ...program, plans: rest });
    expect(counts(offerId).writes).toBe(0);
    expect(lines.join("\n")).toMatch(
      /plans\[vm-gen1\]: removed from the program; left in the offer as it is \(set removedPlans: "hide" to stop selling it\)/,
    );
    expect(kept.plans["vm-gen1"]).toBeUndefined();
    expect(draft(offerId, { type: "plan", planId: "vm-gen1" })).toBeDefined();

    await upAgain(outs as Json, { ...program, plans: rest, removedPlans: "hide" });
    expect(counts(offerId).configuredResources).toEqual({ "price-and-availability-plan": 1 });
    expect(draft(offerId, { type: "price-and-availability-plan", planId: "vm-gen1" }).visibility).toBe(
      "hidden",
    );
    expect(draft(offerId, { type: "price-and-availability-plan", planId: "vm-gen2" }).visibility).toBe(
      "visible",
    );
  });

  test("a published VM plan's price is refused before anything is sent, with the route to take", async () => {
    const offerId = copyOf("ing-vm-offer"); // live
    const program: Json = { ...(await exported(offerId)), endpoint: endpoint() };
    const { outs } = await up(program);
    const changed = structuredClone(program);
    changed.plans["vm-gen2"].availability.pricing.corePricing.pricePerCore = 0.5;
    const error = await upAgain(outs as Json, changed).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/hide|stop-sell|new plan/i);
    expect((error as OfferConfigurationError).problems).toEqual([
      expect.objectContaining({ key: "plans[vm-gen2].availability", field: "pricing" }),
    ]);
    expect(counts(offerId).writes).toBe(0);
  });

  test.each([
    [
      "deleted only when never published",
      (p: Json) => {
        p.plans["vm-gen1"].listing.lifecycleState = "deleted";
      },
      /lifecycleState: "deleted" works only on resources never published/,
    ],
    [
      "stop-sell keeps one plan visible",
      (p: Json) => {
        p.plans["vm-gen1"].availability.visibility = "hidden";
        p.plans["vm-gen2"].availability.visibility = "hidden";
      },
      /plan left visible|one visible|stays visible/,
    ],
    [
      "the last image version is never deprecated",
      (p: Json) => {
        p.plans["vm-gen2"].technicalConfiguration.vmImageVersions = [
          {
            versionNumber: "1.0.0",
            lifecycleState: "deprecated",
            deprecationSchedule: { dateOffset: "P30D", reason: "endOfSupport" },
            vmImages: [
              {
                imageType: "x64Gen2",
                source: { sourceType: "sasUri", osDisk: { uri: ARM_VHD }, dataDisks: [] },
              },
            ],
          },
        ];
      },
      /last|at least one version/i,
    ],
  ])("refused before or by Partner Center, nothing applied: %s", async (_rule, edit, expected) => {
    const offerId = copyOf("ing-vm-offer"); // live
    const program: Json = { ...(await exported(offerId)), endpoint: endpoint() };
    const { outs } = await up(program);
    const before = structuredClone(sim.ingestion.tree(offerId));
    const changed = structuredClone(program);
    edit(changed);
    await expect(upAgain(outs as Json, changed)).rejects.toThrow(expected);
    expect(sim.ingestion.tree(offerId)).toEqual(before);
  });

  test("the offer type never changes: refused at check", async () => {
    const offerId = copyOf("ing-vm-offer");
    const program: Json = { ...(await exported(offerId)), endpoint: endpoint() };
    const { outs } = await up(program);
    const checked = await provider().check(outs as Json, {
      ...program,
      product: { ...program.product, type: "softwareAsAService" },
    });
    expect((checked.failures ?? []).map((f) => f.property)).toContain("product.type");
    expect(counts(offerId).writes).toBe(0);
  });

  test("a configure whose answer was lost is re-read: found applied, never sent again", async () => {
    const offerId = copyOf("ing-vm-offer");
    const program: Json = { ...(await exported(offerId)), endpoint: endpoint() };
    const { outs } = await up(program);
    sim.setFaults("ingestion", offerId, [
      { type: "resetAfterProcessing", match: { method: "POST", kind: "configure" } },
    ]);
    await upAgain(outs as Json, { ...program, listing: { ...program.listing, title: "Lost answer" } });
    expect(counts(offerId).configurePosts).toBe(1);
    expect(draft(offerId, { type: "listing" }).title).toBe("Lost answer");
    expect(lines.join("\n")).toMatch(
      /may have been applied; re-reading the draft.*\n?.*applied; not sending it again/s,
    );
  });

  test("a configure lost before it was processed is re-read: untouched, sent once more", async () => {
    const offerId = copyOf("ing-vm-offer");
    const program: Json = { ...(await exported(offerId)), endpoint: endpoint() };
    const { outs } = await up(program);
    sim.setFaults("ingestion", offerId, [{ type: "reset", match: { method: "POST", kind: "configure" } }]);
    await upAgain(outs as Json, { ...program, listing: { ...program.listing, title: "Sent twice?" } });
    expect(counts(offerId).configurePosts).toBe(1);
    expect(draft(offerId, { type: "listing" }).title).toBe("Sent twice?");
  });

  test("failed polls of an answered configure's job are retried; the configure is never sent again", async () => {
    const offerId = copyOf("ing-vm-offer");
    const program: Json = { ...(await exported(offerId)), endpoint: endpoint() };
    const { outs } = await up(program);
    sim.setFaults("ingestion", offerId, [
      { type: "status", status: 503, times: 2, match: { method: "GET", kind: "configureStatus" } },
    ]);
    await upAgain(outs as Json, { ...program, listing: { ...program.listing, title: "Polled" } });
    expect(counts(offerId).configurePosts).toBe(1);
    expect(draft(offerId, { type: "listing" }).title).toBe("Polled");
  });

  test("Cancel (the call's signal) stops the update at once and says what to do", async () => {
    const offerId = copyOf("ing-vm-offer");
    const program: Json = { ...(await exported(offerId)), endpoint: endpoint() };
    const { outs } = await up(program);
    const controller = new AbortController();
    controller.abort();
    await expect(
      provider().update(
        offerId,
        outs as Json,
        { ...program, listing: { ...program.listing, title: "x" } },
        {
          signal: controller.signal,
        },
      ),
    ).rejects.toThrow(/canceled the deployment.*Run `pulumi up` again/);
    expect(counts(offerId).writes).toBe(0);
  });

  test("a run stopped while its configure job runs: the next run re-reads the draft and sends nothing twice", async () => {
    // Jobs of this offer run for about 10 s of real time (simulated 10^7 s at the suite's time scale).
    const offerId = copyOf("ing-vm-offer", (seed) => {
      seed.configureSeconds = 10 ** 7;
    });
    const program: Json = { ...(await exported(offerId)), endpoint: endpoint() };
    const { outs } = await up(program);
    const changed = { ...program, listing: { ...program.listing, title: "Stopped mid-job" } };
    const checked = (await provider().check(outs as Json, changed)).inputs;
    const controller = new AbortController();
    const stopped = provider().update(offerId, outs as Json, checked, { signal: controller.signal });
    for (const deadline = Date.now() + 5_000; counts(offerId).configurePosts === 0 && Date.now() < deadline; )
      await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    await expect(stopped).rejects.toThrow(
      /canceled the deployment.*re-reads the draft and sends only what still differs/,
    );
    expect(counts(offerId).configurePosts).toBe(1);
    // The next `pulumi up` (the state is still the old one): the draft already holds the change.
    await upAgain(outs as Json, changed);
    expect(counts(offerId).configurePosts).toBe(1);
    expect(draft(offerId, { type: "listing" }).title).toBe("Stopped mid-job");
  });

  test("destroy sends nothing and leaves the offer as it is", async () => {
    const offerId = copyOf("ing-vm-offer");
    const program: Json = { ...(await exported(offerId)), endpoint: endpoint() };
    const { outs } = await up(program);
    const before = counts(offerId);
    await provider().delete(offerId, outs as Json);
    expect(counts(offerId)).toEqual(before);
    expect(lines.join("\n")).toMatch(/left in Partner Center as it is/);
  });
});

describe.each([
  ["core VM", "ing-core-offer"],
  ["SaaS", "ing-saas-offer"],
  ["container image", "ing-container-offer"],
  ["container CNAB", "ing-cnab-offer"],
  ["VM", "ing-vm-offer"],
])("each offer type: %s", (_label, seedId) => {
  test("exported, adopted with 0 writes; one listing text changed: one configure with one resource", async () => {
    const offerId = copyOf(seedId);
    const program: Json = { ...(await exported(offerId)), endpoint: endpoint() };
    expect(Object.keys(program.plans ?? {}).length).toBeGreaterThan(0);
    const { outs } = await up(program);
    expect(counts(offerId).writes).toBe(0);
    const { outs: after } = await upAgain(outs as Json, {
      ...program,
      listing: { ...program.listing, shortDescription: "changed in code" },
    });
    expect(counts(offerId).configuredResources).toEqual({ listing: 1 });
    expect(after.listing.shortDescription).toBe("changed in code");
    const again = { ...program, listing: { ...program.listing, shortDescription: "changed in code" } };
    expect((await upAgain(after, again)).diff.changes).toBe(false);
    // Every plan's technical configuration (or the SaaS offer's) was found and keyed.
    const techKeys = Object.keys(after.resourceIds).filter((k) => k.endsWith("technicalConfiguration"));
    expect(techKeys.length).toBeGreaterThan(0);
  });
});

describe("beside VmImageVersion on the same plan", () => {
  test("one owns the image versions, the other the rest: neither undoes the other, and re-runs send nothing", async () => {
    const offerId = copyOf("ing-vm-offer", (seed) => {
      seed.state = "neverPublished";
    });
    const program: Json = { ...(await exported(offerId)), endpoint: endpoint() };
    expect(program.plans["vm-gen2"].technicalConfiguration.vmImageVersions).toBeUndefined();
    const { outs } = await up(program);
    const images = new VmImageVersionProvider({
      tokenProvider: new StaticTokenProvider(TOKEN),
      transport,
      log: (line) => lines.push(line),
      jobPollIntervalMs: 5,
    });
    const version = {
      api: "ingestion",
      offerId,
      planId: "vm-gen2",
      version: "1.1.0",
      images: [{ imageType: "x64Gen2", osDiskUri: ARM_VHD.replace("arm-1.0.0", "gen2-1.1.0") }],
      endpoint: endpoint(),
    };
    const techConfig = () =>
      draft(offerId, { type: "virtual-machine-plan-technical-configuration", planId: "vm-gen2" });
    await images.create((await images.check({}, version)).inputs ?? {});
    expect(techConfig().vmImageVersions.map((v: Json) => v.versionNumber)).toEqual(["1.0.0", "1.1.0"]);

    // OfferConfiguration again: the new version is not its business (undeclared), so nothing to write.
    const writes = counts(offerId).writes;
    expect((await upAgain(outs as Json, program)).diff.changes).toBe(false);
    await provider().update(offerId, outs as Json, (await provider().check(outs as Json, program)).inputs);
    expect(counts(offerId).writes).toBe(writes);

    // A change of the technical configuration's other fields carries the draft's versions as read.
    const changed = structuredClone(program);
    changed.plans["vm-gen2"].technicalConfiguration.recommendedVmSizes = ["standard_d2s_v5"];
    const { outs: after } = await upAgain(outs as Json, changed);
    expect(techConfig().recommendedVmSizes).toEqual(["standard_d2s_v5"]);
    expect(techConfig().vmImageVersions.map((v: Json) => v.versionNumber)).toEqual(["1.0.0", "1.1.0"]);

    // VmImageVersion again: its version is there with its image, nothing written; the other fields stay.
    const before = counts(offerId).writes;
    const again = await images.create((await images.check({}, version)).inputs ?? {});
    expect(again.outs?.alreadyPresent).toBe(true);
    expect(counts(offerId).writes).toBe(before);
    expect(techConfig().recommendedVmSizes).toEqual(["standard_d2s_v5"]);
    expect((await upAgain(after, changed)).diff.changes).toBe(false);
  });
});
