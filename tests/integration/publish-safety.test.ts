/**
 * OfferPublish's publish safety against the simulator's Product Ingestion API: a portal edit nobody declared
 * refuses the publish with the per-field list and 0 submissions; `allowUndeclaredChanges` publishes it; changes
 * the declaration explains pass; a modular publish lists the declared resources; `pulumi preview`'s
 * draft/preview/live lines only read.
 */

import { type CppSimulator, defaultIngestionSeed } from "../../emulator/server";
import { StaticTokenProvider } from "../../provider/core/auth";
import { ConfigurationError, UndeclaredChangesError } from "../../provider/core/errors";
import { type HttpRequest, type HttpTransport, PooledTransport } from "../../provider/core/http";
import { type DeclaredPart, formatDeclaration } from "../../provider/ingestion/offer/declaration";
import { OfferPublishProvider } from "../../provider/resources";
import { TOKEN, withSimulator } from "../support/harness";
import { sas } from "../support/images";

// biome-ignore lint/suspicious/noExplicitAny: tests index into resources freely
type Json = Record<string, any>;

let sim: CppSimulator;
let pooled: PooledTransport;
let logs: string[];
/** Every request the provider sent, with its body. */
let sent: HttpRequest[];
let counter = 0;

beforeAll(async () => {
  sim = await withSimulator();
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  pooled = new PooledTransport();
  logs = [];
  sent = [];
});
afterEach(async () => {
  await pooled.close();
});

const recording: HttpTransport = {
  send: (request) => {
    sent.push(request);
    return pooled.send(request);
  },
};

const provider = () =>
  new OfferPublishProvider({
    tokenProvider: new StaticTokenProvider(TOKEN),
    transport: recording,
    log: (line) => logs.push(line),
  });

const template = () => {
  const seed = defaultIngestionSeed().find((p) => p.externalId === "ing-images-offer");
  if (!seed?.plans?.[0]?.technicalConfiguration) throw new Error("seed ing-images-offer changed");
  return { seed, config: seed.plans[0].technicalConfiguration as Json };
};

/** A product like the seeded `ing-images-offer` (one plan `main` with a VM technical configuration). */
function newProduct(state: "live" | "neverPublished" = "live"): string {
  const { seed, config } = template();
  const externalId = `ing-safe-${++counter}`;
  sim.ingestion.addProduct({
    ...seed,
    externalId,
    guid: undefined,
    state,
    plans: [{ externalId: "main", technicalConfiguration: config }],
  });
  return externalId;
}

/** The declaration OfferConfiguration outputs (formatDeclaration normalises the declared fields). */
function declaration(offerId: string, parts: DeclaredPart[]): string {
  return formatDeclaration(parts, offerId);
}

const techConfig = (fields: Json): DeclaredPart => ({
  key: "plans[main].technicalConfiguration",
  type: "virtual-machine-plan-technical-configuration",
  scope: "plan",
  planId: "main",
  fields,
});
const plan = (fields: Json): DeclaredPart => ({
  key: "plans[main]",
  type: "plan",
  scope: "plan",
  planId: "main",
  fields,
});

const inputs = (offerId: string, extra: Json = {}) => ({
  api: "ingestion",
  offerId,
  endpoint: `${sim.url}/rp/product-ingestion`,
  pollIntervalSeconds: 0.01,
  maxPollIntervalSeconds: 0.02,
  ...extra,
});

async function publish(raw: Json) {
  const p = provider();
  const { inputs: checked, failures } = await p.check({}, raw);
  expect(failures).toEqual([]);
  return p.create(checked);
}

const configurePosts = (offerId: string) => sim.ingestion.configurePosts(offerId);
/** A version added in the portal, with a SAS URI the simulator can read (its signature must never show). */
const newVersion = {
  versionNumber: "9.3.0",
  vmImages: [
    {
      imageType: "x64Gen2",
      source: { sourceType: "sasUri", osDisk: { uri: sas("os-9.3.0", "PORTALsig") }, dataDisks: [] },
    },
  ],
};

describe("refused: the draft holds changes nobody declared", () => {
  test("a portal edit of an undeclared field: the per-field list, what to do, 0 submissions", async () => {
    const offerId = newProduct();
    const configuration = declaration(offerId, [
      techConfig({ vmProperties: template().config.vmProperties }),
    ]);
    sim.ingestion.portalEdit(offerId, "main", { vmImageVersions: [newVersion] });
    const error = await publish(inputs(offerId, { configuration })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UndeclaredChangesError);
    const message = (error as Error).message;
    expect(message).toMatch(
      new RegExp(
        `^Offer ${offerId}: the draft holds a change compared with the preview that the configuration does not declare, so nothing was published: plans\\[main\\]\\.technicalConfiguration\\.vmImageVersions: added 9\\.3\\.0\\. `,
      ),
    );
    expect(message).toMatch(/declare them in the OfferConfiguration, or undo them in Partner Center/);
    expect(message).toMatch(/set `allowUndeclaredChanges: true` on this OfferPublish/);
    expect(message).not.toContain("PORTALsig");
    expect((error as UndeclaredChangesError).changes).toHaveLength(1);
    expect(configurePosts(offerId)).toBe(0);
    expect(sim.ingestion.product(offerId)?.jobs).toHaveLength(1 + 1); // the seeded preview and live only
    expect(sent.filter((r) => r.method !== "GET")).toEqual([]);
  });

  test("a declared field the portal changed to another value: listed with the declared value", async () => {
    const offerId = newProduct();
    const vmProperties = { ...template().config.vmProperties, supportsHibernation: true };
    const configuration = declaration(offerId, [techConfig({ vmProperties })]);
    sim.ingestion.portalEdit(offerId, "main", {
      vmProperties: { supportsHibernation: false, supportsBackup: true },
    });
    const error = await publish(inputs(offerId, { configuration })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UndeclaredChangesError);
    expect((error as UndeclaredChangesError).changes).toEqual([
      "plans[main].technicalConfiguration.vmProperties.supportsBackup: preview false, draft true (declared false)",
    ]);

    expect(configurePosts(offerId)).toBe(0);
  });

  test("a never-published offer is compared with nothing: an undeclared resource in its draft refuses", async () => {
    const offerId = newProduct("neverPublished");
    const configuration = declaration(offerId, [
      techConfig({ vmProperties: template().config.vmProperties }),
    ]);
    const error = await publish(inputs(offerId, { configuration })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UndeclaredChangesError);
    const message = (error as Error).message;
    expect(message).toMatch(/compared with nothing published \(the offer has never been published\)/);
    // Undeclared resources and fields against an empty resource (defaults such as the plan's azureRegions
    // ["azureGlobal"] or lifecycleState are no change); the declared vmProperties are explained.
    expect(message).toMatch(/: plans\[main\]\.alias: preview \(none\), draft "main"; /);
    expect(message).toMatch(/plans\[main\]\.technicalConfiguration\.skus: added x64Gen1, x64Gen2; /);
    expect(message).toMatch(/product\.type: preview \(none\), draft "azureVirtualMachine"\. /);
    expect(message).not.toMatch(/azureRegions|lifecycleState/);
    expect(message).not.toMatch(/technicalConfiguration\.vmProperties/);
    expect(configurePosts(offerId)).toBe(0);
  });

  test("the declaration of another offer is refused before anything is read", async () => {
    const offerId = newProduct();
    const configuration = declaration("another-offer", [plan({ alias: "main" })]);
    const error = await publish(inputs(offerId, { configuration })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(
      /declaration of offer another-offer, and this resource publishes offer ing-safe-/,
    );
    expect(configurePosts(offerId)).toBe(0);
    expect(sent.filter((r) => r.url.includes("resource-tree"))).toEqual([]);
  });
});

describe("published", () => {
  test("allowUndeclaredChanges: the undeclared change is logged and the draft goes to preview", async () => {
    const offerId = newProduct();
    const configuration = declaration(offerId, [
      techConfig({ vmProperties: template().config.vmProperties }),
    ]);
    sim.ingestion.portalEdit(offerId, "main", { vmImageVersions: [newVersion] });
    const { outs } = await publish(inputs(offerId, { configuration, allowUndeclaredChanges: true }));
    expect(outs).toMatchObject({ status: "succeeded", awaitingSignoff: true, allowUndeclaredChanges: true });
    expect(configurePosts(offerId)).toBe(1);
    expect(logs.join("\n")).toMatch(
      /publishing an undeclared change \(allowUndeclaredChanges\): plans\[main\]\.technicalConfiguration\.vmImageVersions: /,
    );
    expect(logs.join("\n")).not.toContain("PORTALsig");
  });

  test("allowUndeclaredChangesTo: VmImageVersion's image versions beside the configuration publish; any other undeclared edit still refuses", async () => {
    const allowUndeclaredChangesTo = ["plans[*].technicalConfiguration.vmImageVersions"];
    const offerId = newProduct();
    const configuration = declaration(offerId, [
      techConfig({ vmProperties: template().config.vmProperties }),
    ]);
    // What VmImageVersion adds beside the OfferConfiguration, and a portal edit nobody declared.
    sim.ingestion.portalEdit(offerId, "main", {
      vmImageVersions: [newVersion],
      vmProperties: { supportsBackup: true },
    });
    const error = await publish(inputs(offerId, { configuration, allowUndeclaredChangesTo })).catch(
      (e: unknown) => e,
    );
    expect((error as UndeclaredChangesError).changes).toEqual([
      "plans[main].technicalConfiguration.vmProperties.supportsBackup: preview false, draft true (declared false)",
    ]);
    expect(configurePosts(offerId)).toBe(0);
    // The portal edit undone: the image version alone publishes, and says so.
    sim.ingestion.portalEdit(offerId, "main", { vmProperties: { supportsBackup: false } });
    logs = [];
    const { outs } = await publish(inputs(offerId, { configuration, allowUndeclaredChangesTo }));
    expect(outs).toMatchObject({ awaitingSignoff: true, allowUndeclaredChangesTo });
    expect(configurePosts(offerId)).toBe(1);
    expect(logs).toEqual(
      expect.arrayContaining([
        `[${offerId}] allowed by allowUndeclaredChangesTo: plans[main].technicalConfiguration.vmImageVersions: added 9.3.0`,
        `[${offerId}] publish safety: the draft holds 0 declared changes, 1 allowed change (allowUndeclaredChangesTo) and no undeclared one compared with the preview.`,
        `[${offerId}] publishing an undeclared change (allowUndeclaredChangesTo): plans[main].technicalConfiguration.vmImageVersions: added 9.3.0`,
      ]),
    );
  });

  test("changes the declaration explains pass: a declared field holding the declared value", async () => {
    const offerId = newProduct();
    const vmProperties = { ...template().config.vmProperties, supportsHibernation: true };
    const configuration = declaration(offerId, [techConfig({ vmProperties })]);
    // What OfferConfiguration wrote (here through the portal hook): the declared value.
    sim.ingestion.portalEdit(offerId, "main", { vmProperties: { supportsHibernation: true } });
    const { outs } = await publish(inputs(offerId, { configuration }));
    expect(outs).toMatchObject({ status: "succeeded", awaitingSignoff: true });
    expect(configurePosts(offerId)).toBe(1);
    expect(logs.join("\n")).toMatch(
      /publish safety: the draft holds 1 declared change and no undeclared one compared with the preview/,
    );
    // A whole-draft publish: the submission is the only resource.
    const body = JSON.parse(sent.find((r) => r.method === "POST")?.body ?? "{}") as Json;
    expect(body.resources.map((r: Json) => r.$schema)).toEqual([
      "https://schema.mp.microsoft.com/schema/submission/2022-03-01-preview2",
    ]);
  });

  test("without configuration nothing changes: no tree is read, the draft is published as it is", async () => {
    const offerId = newProduct();
    sim.ingestion.portalEdit(offerId, "main", { vmImageVersions: [newVersion] });
    await publish(inputs(offerId));
    expect(configurePosts(offerId)).toBe(1);
    expect(sent.filter((r) => r.url.includes("resource-tree"))).toEqual([]);
  });
});

describe("modular publish", () => {
  test("the submission lists the product, the declared plan and its technical configuration; other draft changes are not counted", async () => {
    const offerId = newProduct();
    const configuration = declaration(offerId, [plan({ alias: "main", azureRegions: ["azureGlobal"] })]);
    // Not in the resources a modular publish lists: it does not ship, so it does not refuse.
    sim.ingestion.portalEdit(offerId, "main", { vmImageVersions: [newVersion] });
    const { outs } = await publish(inputs(offerId, { configuration, modular: true }));
    expect(outs).toMatchObject({ modular: true, awaitingSignoff: true });
    const post = sent.filter((r) => r.method === "POST");
    expect(post).toHaveLength(1);
    const body = JSON.parse(post[0]?.body ?? "{}") as Json;
    const guid = sim.ingestion.product(offerId)?.id.replace("product/", "");
    expect(body.resources.map((r: Json) => [r.$schema, r.id])).toEqual([
      ["https://schema.mp.microsoft.com/schema/product/2022-03-01-preview3", `product/${guid}`],
      [
        "https://schema.mp.microsoft.com/schema/plan/2022-03-01-preview2",
        expect.stringMatching(`^plan/${guid}/`),
      ],
      ["https://schema.mp.microsoft.com/schema/submission/2022-03-01-preview2", undefined],
    ]);
    expect(body.resources.at(-1)).toMatchObject({
      product: `product/${guid}`,
      target: { targetType: "preview" },
    });
    expect(logs.join("\n")).toMatch(/modular publish of product, plans\[main\]/);
    // Only the listed resources were published: the version added in the portal stays in the draft.
    const versions = (target: "draft" | "preview") =>
      (sim.ingestion.technicalConfiguration(offerId, "main", target) as Json).vmImageVersions.map(
        (v: Json) => v.versionNumber,
      );
    expect(versions("draft")).toContain("9.3.0");
    expect(versions("preview")).not.toContain("9.3.0");
  });

  test("an undeclared change inside a listed resource still refuses", async () => {
    const offerId = newProduct();
    const configuration = declaration(offerId, [
      techConfig({ vmProperties: template().config.vmProperties }),
    ]);
    sim.ingestion.portalEdit(offerId, "main", { vmImageVersions: [newVersion] });
    const error = await publish(inputs(offerId, { configuration, modular: true })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UndeclaredChangesError);
    expect((error as Error).message).toMatch(/the 3 resources this modular publish lists hold a change/);
    expect(configurePosts(offerId)).toBe(0);
  });
});

describe("pulumi preview: draft vs preview vs live", () => {
  test("one line per declared field that differs; reads only, at most 4 requests (lookup and 3 trees)", async () => {
    const offerId = newProduct();
    const vmProperties = { ...template().config.vmProperties, supportsHibernation: true };
    const configuration = declaration(offerId, [techConfig({ vmProperties }), plan({ alias: "main" })]);
    sim.ingestion.portalEdit(offerId, "main", { vmProperties: { supportsHibernation: true } });
    const p = provider();
    const checked = (await p.check({}, inputs(offerId, { configuration }))).inputs;
    expect(
      sent.map((r) => `${r.method} ${new URL(r.url).pathname.replace(/.*product-ingestion\//, "")}`),
    ).toEqual([
      "GET product",
      expect.stringMatching(/^GET resource-tree\/product\//),
      expect.stringMatching(/^GET resource-tree\/product\//),
      expect.stringMatching(/^GET resource-tree\/product\//),
    ]);
    expect(logs).toEqual([
      `[${offerId}] declared fields that differ between draft, preview and live: 1`,
      `[${offerId}]   plans[main].technicalConfiguration.vmProperties.supportsHibernation: draft true | preview false | live false`,
    ]);

    // The diff of a resource in state shows them the same way; a portal edit nobody declared is named.
    sent = [];
    logs = [];
    sim.ingestion.portalEdit(offerId, "main", { vmImageVersions: [newVersion] });
    const olds = {
      ...checked,
      operationLocation: "https://x/configure/j/status",
      status: "succeeded",
      awaitingSignoff: true,
    };
    await p.diff("id", olds, inputs(offerId, { configuration }));
    expect(sent.every((r) => r.method === "GET")).toBe(true);
    expect(sent.filter((r) => r.url.includes("resource-tree"))).toHaveLength(3);
    expect(logs.at(-1)).toMatch(
      /the draft holds 1 change the configuration does not declare \(the next publish refuses them\): plans\[main\]\.technicalConfiguration\.vmImageVersions: added 9\.3\.0$/,
    );
    expect(configurePosts(offerId)).toBe(0);
    // The check the engine sends for the replacement right after that diff: not shown again, nothing read.
    sent = [];
    logs = [];
    await p.check({}, inputs(offerId, { configuration }));
    expect({ sent, logs }).toEqual({ sent: [], logs: [] });
  });
});
