/**
 * The whole offer as code (`OfferConfiguration`, Product Ingestion API) with the real Pulumi CLI, a local file
 * backend and the emulator:
 * - examples/offer-vm (TypeScript, dynamic class) and examples/offer-vm-yaml (YAML, native plugin) declare an
 *   offer with two plans: `up` creates it in one configure; a changed price shows in `preview` as that one field,
 *   and `up` sends one configure of one resource (and one publish, through `triggers`); a portal edit made
 *   through the emulator's control API shows in `refresh`;
 * - `pulumi import cloudpartner:index:OfferConfiguration <name> <offerId>` writes the program (TypeScript and
 *   YAML) that runs `up` with 0 writes;
 * - the issue's "done when": import an existing offer, change a listing text and a plan price in the generated
 *   code, `preview` shows exactly those two, then configure → publish → review gate → go-live.
 */

import * as fs from "node:fs";
import * as path from "node:path";
import { defaultIngestionSeed } from "../../emulator/server";
import {
  ensurePulumiYaml,
  type LocalStack,
  linkNativeNodeSdk,
  linkSelfPackage,
  NATIVE_PLUGIN_DIR,
  REPO_ROOT,
} from "../../scripts/lib/pulumi-cli";
import { sasUri } from "../../scripts/lib/release";
import { changedLeaves, e2eSuite, hasGo, resourcesOf } from "./helpers";

const CANARY = "e2e-offer-canary-5d1c07";
const TS_EXAMPLE = path.join(REPO_ROOT, "examples/offer-vm");
const YAML_EXAMPLE = path.join(REPO_ROOT, "examples/offer-vm-yaml");
const IMPORT_TS = path.join(REPO_ROOT, "tests/e2e/programs/offer-import-ts");
const IMPORT_YAML = path.join(REPO_ROOT, "tests/e2e/programs/offer-import-yaml");
const NATIVE_TYPE = "cloudpartner:index:OfferConfiguration";
const DYNAMIC_TYPE = "pulumi-nodejs:dynamic/cloudpartner:OfferConfiguration";
/** The emulator's seeded VM offer (two plans, listing, prices, technical configurations; emulator/seed.json). */
const SEEDED_VM_OFFER = "ing-vm-offer";
const SEEDED_TITLE = "Contoso Linux";
/** Plan vm-gen2's price in the seed, and the change the done-when test makes. */
const SEEDED_PRICE = {
  from: "pricePerCore: 0.05",
  to: "pricePerCore: 0.06",
  leaf: "plans.vm-gen2.availability.pricing.corePricing.pricePerCore: 0.05 => 0.06",
  live: '"pricePerCore":0.06',
};

const e2e = e2eSuite(CANARY, { link: [linkSelfPackage, linkNativeNodeSdk] });
const withGo = hasGo ? test : test.skip;
if (!hasGo)
  console.warn("tests/e2e/offer-configuration.e2e.ts: YAML tests SKIPPED: `go` builds the YAML host.");
let counter = 0;

// ---------------------------------------------------------------------------------------------------------------
// What a command sent, from the emulator's request log.

interface Sent {
  /** configure POSTs of draft resources (anything but a submission). */
  configures: number;
  /** The resource types of each of those, e.g. `[["price-and-availability-plan"]]`. */
  configured: string[][];
  /** configure POSTs of a submission to preview. */
  publishes: number;
  /** configure POSTs of a submission to live. */
  goLives: number;
  /** Every request naming the offer. */
  all: number;
  /** Every GET of a resource tree. */
  treeReads: number;
}

function sentSince(offerId: string, mark: number): Sent {
  const entries = e2e.sim.requests.slice(mark).filter((r) => r.offerId === offerId && r.status !== 0);
  const posts = entries.filter((r) => r.method === "POST" && r.kind === "configure" && r.processed);
  const writes = posts.filter((r) => r.configures !== "preview" && r.configures !== "live");
  return {
    configures: writes.length,
    configured: writes.map((r) => [...(r.resourceTypes ?? [])].sort()),
    publishes: posts.filter((r) => r.configures === "preview").length,
    goLives: posts.filter((r) => r.configures === "live").length,
    all: entries.length,
    treeReads: entries.filter((r) => r.kind === "resourceTree").length,
  };
}

/** Runs `pulumi <args>` (which must succeed) and returns its output with what it sent to the offer. */
async function sending(stack: LocalStack, offerId: string, args: string[]) {
  const mark = e2e.sim.requests.length;
  const result = await stack.ok(args);
  return { output: result.stdout + result.stderr, sent: sentSince(offerId, mark) };
}

// ---------------------------------------------------------------------------------------------------------------
// Portal edits through the emulator's control API (HTTP, as a script in CI would make them).

async function control(route: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${e2e.sim.url}/_emulator/v1/${route}`, {
    method: "POST",
    headers: { authorization: `Bearer ${CANARY}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST /_emulator/v1/${route} answered ${response.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Sets top-level fields of one draft resource of the offer (`type`, and `planId` for a plan's), as the portal would. */
function portalEdit(
  offerId: string,
  selector: { type: string; planId?: string },
  set: Record<string, unknown>,
) {
  return control(`ingestion/products/${offerId}/resource-edit`, { ...selector, set });
}

// ---------------------------------------------------------------------------------------------------------------

/** A stack of `projectDir` on the emulator's ingestion endpoint. */
async function setup(projectDir: string, options: { yaml?: boolean; config?: Record<string, string> } = {}) {
  const offerId = `e2e-offer-${++counter}`;
  const extraPath = [NATIVE_PLUGIN_DIR];
  if (options.yaml) extraPath.unshift(await ensurePulumiYaml());
  const stackName = `o${counter}`;
  const stack = e2e.stack({ projectDir, stackName, extraPath });
  const endpoint = `${e2e.sim.url}/rp/product-ingestion`;
  await e2e.init(
    stack,
    {
      offerId,
      ...(options.yaml ? {} : { endpoint }),
      "cloudpartner:api": "ingestion",
      "cloudpartner:endpoint": endpoint,
      ...options.config,
    },
    {},
    options.yaml
      ? {}
      : { osVhdUrl: sasUri("contoso", `os-${offerId}`), registryPassword: `registry-secret-${offerId}` },
  );
  const project = path.basename(projectDir).replace(/^offer-/, "cloudpartner-offer-");
  const urn = (type: string, name: string) => `urn:pulumi:${stackName}::${project}::${type}::${name}`;
  return { offerId, stack, urn };
}

/** Replaces `from` by `to` in the project's file `name` (exactly once: a test edits code, not config). */
function editCode(stack: LocalStack, name: string, from: string, to: string): void {
  const file = path.join(stack.projectDir, name);
  const text = fs.readFileSync(file, "utf8");
  expect(text.split(from)).toHaveLength(2);
  fs.writeFileSync(file, text.replace(from, to));
}

/** The declared offer after a command, as the state keeps it. */
async function offerState(stack: LocalStack) {
  return resourcesOf(await stack.exportState()).find(
    (r) => r.type === NATIVE_TYPE || r.type === DYNAMIC_TYPE,
  );
}

test("TypeScript (examples/offer-vm): created in one configure; a price change is one field in preview and one configure in up; a published plan's price is refused; refresh shows a portal edit", async () => {
  const { offerId, stack, urn } = await setup(TS_EXAMPLE);

  // The draft first (the offer and the image version beside it, no publish yet): created in one job each.
  const first = await sending(stack, offerId, [
    "up",
    "--yes",
    "--target",
    urn(DYNAMIC_TYPE, "offer"),
    "--target",
    urn("pulumi-nodejs:dynamic/cloudpartner:VmImageVersion", "image"),
  ]);
  expect(first.sent).toMatchObject({ configures: 2, publishes: 0, goLives: 0 });
  expect(first.sent.configured).toContainEqual(
    expect.arrayContaining(["product", "listing", "plan", "plan-listing", "price-and-availability-plan"]),
  );
  const created = await offerState(stack);
  expect(created?.outputs?.productId).toMatch(/^product\//);
  expect(Object.keys((created?.outputs?.resourceIds as object) ?? {})).toEqual(
    expect.arrayContaining(["listing", "plans[standard]", "plans[hardened].availability"]),
  );

  // One price changes in code: the preview names that field of the offer and no other, and sends nothing.
  editCode(stack, "index.ts", "pricePerCore: 0.09", "pricePerCore: 0.11");
  const preview = await sending(stack, offerId, ["preview", "--diff"]);
  expect(changedLeaves(preview.output, DYNAMIC_TYPE)).toEqual([
    "plans.hardened.availability.pricing.corePricing.pricePerCore: 0.09 => 0.11",
  ]);
  expect(preview.sent).toMatchObject({ configures: 0, publishes: 0, goLives: 0 });

  // One configure of that one resource, then the publish (the image version is already in the draft).
  const up = await sending(stack, offerId, ["up", "--yes"]);
  expect(up.sent).toMatchObject({
    configures: 1,
    configured: [["price-and-availability-plan"]],
    publishes: 1,
    goLives: 0,
  });
  expect(await stack.outputs()).toMatchObject({ awaitingSignoff: true });
  const again = await sending(stack, offerId, ["up", "--yes", "--expect-no-changes"]);
  expect(again.sent).toMatchObject({ configures: 0, publishes: 0, goLives: 0 });

  // Now the plan is published (preview): its price cannot change. Refused with the route, nothing sent.
  editCode(stack, "index.ts", "pricePerCore: 0.11", "pricePerCore: 0.12");
  const mark = e2e.sim.requests.length;
  const refused = await stack.run(["up", "--yes"]);
  expect(refused.code).not.toBe(0);
  expect(refused.stdout + refused.stderr).toMatch(
    /does not change a published VM plan's price\. Hide the plan/,
  );
  expect(sentSince(offerId, mark)).toMatchObject({ configures: 0, publishes: 0, goLives: 0 });
  editCode(stack, "index.ts", "pricePerCore: 0.12", "pricePerCore: 0.11");

  // Edited in the portal: refresh brings it into the stack and shows it.
  await portalEdit(offerId, { type: "listing" }, { title: "Contoso Linux (edited in Partner Center)" });
  const refresh = await sending(stack, offerId, ["refresh", "--diff", "--yes"]);
  expect(refresh.output).toMatch(
    /title\s*:\s*"Contoso Linux" => "Contoso Linux \(edited in Partner Center\)"/,
  );
  expect(refresh.sent).toMatchObject({ configures: 0, publishes: 0, goLives: 0 });
  expect(JSON.stringify((await offerState(stack))?.outputs?.listing)).toContain("edited in Partner Center");
  expect(first.output + up.output + refresh.output).not.toContain(CANARY);
});

withGo(
  "YAML (examples/offer-vm-yaml, native plugin): a price change is one field in preview (the provider's detailed diff) and one configure in up; refresh shows a portal edit",
  async () => {
    const { offerId, stack, urn } = await setup(YAML_EXAMPLE, { yaml: true });
    // The draft first (a published plan's price could not change any more): the offer in one configure.
    const first = await sending(stack, offerId, ["up", "--yes", "--target", urn(NATIVE_TYPE, "offer")]);
    expect(first.sent).toMatchObject({ configures: 1, publishes: 0, goLives: 0 });

    editCode(stack, "Pulumi.yaml", "pricePerCore: 0.04", "pricePerCore: 0.05");
    const preview = await sending(stack, offerId, ["preview", "--diff"]);
    expect(changedLeaves(preview.output, NATIVE_TYPE)).toEqual([
      "plans.standard.availability.pricing.corePricing.pricePerCore: 0.04 => 0.05",
    ]);
    expect(preview.sent).toMatchObject({ configures: 0, publishes: 0, goLives: 0 });

    const up = await sending(stack, offerId, ["up", "--yes"]);
    expect(up.sent).toMatchObject({
      configures: 1,
      configured: [["price-and-availability-plan"]],
      publishes: 1,
      goLives: 1,
    });

    await portalEdit(
      offerId,
      { type: "plan-listing", planId: "hardened" },
      { summary: "CIS level 2 (edited in Partner Center)" },
    );
    const refresh = await sending(stack, offerId, ["refresh", "--diff", "--yes"]);
    expect(refresh.output).toMatch(
      /summary\s*:\s*"CIS level 2" => "CIS level 2 \(edited in Partner Center\)"/,
    );
    expect(refresh.sent).toMatchObject({ configures: 0, publishes: 0, goLives: 0 });
  },
);

test.each([
  [
    "offer-core-vm",
    [
      "product",
      "listing",
      "plan",
      "plan-listing",
      "price-and-availability-plan",
      "core-virtual-machine-plan-technical-configuration",
    ],
  ],
  [
    "offer-saas",
    [
      "product",
      "listing",
      "software-as-a-service-technical-configuration",
      "plan",
      "price-and-availability-plan",
    ],
  ],
  ["offer-container-image", ["product", "listing", "plan", "container-plan-technical-configuration"]],
  ["offer-container-cnab", ["product", "listing", "plan", "container-plan-technical-configuration"]],
])(
  "examples/%s: the offer created in one configure and published once; the same program again sends nothing",
  async (example, types) => {
    const { offerId, stack } = await setup(path.join(REPO_ROOT, "examples", example));
    const first = await sending(stack, offerId, ["up", "--yes"]);
    expect(first.sent).toMatchObject({ configures: 1, publishes: 1, goLives: 0 });
    expect(first.sent.configured[0]).toEqual(expect.arrayContaining(types));
    expect(await stack.outputs()).toMatchObject({ awaitingSignoff: true });
    const again = await sending(stack, offerId, ["up", "--yes", "--expect-no-changes"]);
    expect(again.sent).toMatchObject({ configures: 0, publishes: 0, goLives: 0 });
    const state = await stack.exportState();
    expect(state).not.toContain(CANARY);
    expect(state).not.toContain(`registry-secret-${offerId}`);
  },
);

// ---------------------------------------------------------------------------------------------------------------
// Import: an existing offer (the emulator's seeded VM offer with two plans, under a new id) into a program.

/** The seeded VM offer (two plans, listing, prices, technical configurations) under a new offer id. */
function existingOffer(): string {
  const offerId = `e2e-existing-${++counter}`;
  const template = defaultIngestionSeed().find((p) => p.externalId === SEEDED_VM_OFFER);
  if (!template) throw new Error(`emulator/seed.json lacks ${SEEDED_VM_OFFER}`);
  // Never published: a published VM plan's price cannot change (hide the plan and create a new one instead).
  e2e.sim.ingestion.addProduct({
    ...template,
    externalId: offerId,
    guid: undefined,
    state: "neverPublished",
    plans: template.plans?.map((plan) => ({ ...plan, guid: undefined })),
  });
  return offerId;
}

/** `pulumi import` of the offer into `stack`, the generated program written to the project as `file`. */
async function importOffer(stack: LocalStack, offerId: string, file: string) {
  const generated = path.join(stack.stateDir, `generated-${path.basename(file)}`);
  // `--out` inside a YAML project would be read as its (still empty) program: write it aside, then move it in.
  const imported = await sending(stack, offerId, [
    "import",
    NATIVE_TYPE,
    "offer",
    offerId,
    "--yes",
    "--out",
    generated,
  ]);
  fs.copyFileSync(generated, path.join(stack.projectDir, file));
  return { ...imported, code: fs.readFileSync(generated, "utf8") };
}

/** The offer's resource tree on the API (draft, preview or live), read as any client would. */
async function tree(offerId: string, targetType: "draft" | "preview" | "live") {
  const headers = { authorization: `Bearer ${CANARY}` };
  const base = `${e2e.sim.url}/rp/product-ingestion`;
  const products = (await (await fetch(`${base}/product?externalId=${offerId}`, { headers })).json()) as {
    value: Array<{ id: string }>;
  };
  const productId = products.value[0]?.id ?? "";
  const answer = await fetch(`${base}/resource-tree/${productId}?targetType=${targetType}`, { headers });
  return ((await answer.json()) as { resources: Array<Record<string, unknown>> }).resources;
}

/** The publish chain a user adds under the imported offer: publish once per change, review gate, go-live. */
const PUBLISH_CHAIN = `
const chain = new pulumi.Config();
const waiting = { pollIntervalSeconds: 0.05, maxPollIntervalSeconds: 0.2 };
const published = new cloudpartner.OfferPublish("publish", {
    api: "ingestion",
    offerId: offer.offerId,
    configuration: offer.declaration,
    // The image versions are not in the program (import leaves them to VmImageVersion or the portal).
    allowUndeclaredChangesTo: ["plans[*].technicalConfiguration.vmImageVersions"],
    triggers: [offer.declaration],
    ...waiting,
}, { dependsOn: [offer] });
// Review gate: look at the preview, then \`pulumi config set goLive true\`.
const live = chain.getBoolean("goLive")
    ? new cloudpartner.OfferGoLive("live", { api: "ingestion", offerId: offer.offerId, triggers: [offer.declaration], ...waiting }, { dependsOn: [published] })
    : undefined;
export const awaitingSignoff = published.awaitingSignoff;
export const liveStatus = live?.status;
`;

test("done when: import an existing offer (TypeScript), 0 writes; change a listing text and a plan price in code; preview shows exactly those two; configure → publish → review gate → go-live", async () => {
  const offerId = existingOffer();
  const stack = e2e.stack({
    projectDir: IMPORT_TS,
    stackName: `i${++counter}`,
    extraPath: [NATIVE_PLUGIN_DIR],
  });
  await e2e.init(stack, {
    "cloudpartner:api": "ingestion",
    "cloudpartner:endpoint": `${e2e.sim.url}/rp/product-ingestion`,
  });

  const imported = await importOffer(stack, offerId, "index.ts");
  expect(imported.sent).toMatchObject({ configures: 0, publishes: 0, goLives: 0 });
  expect(imported.code).toMatch(/new cloudpartner\.OfferConfiguration\("offer", \{/);
  expect(imported.code).toContain(`offerId: "${offerId}"`);
  // Programs never hold durable ids: plans are keyed by plan id, references are external ids.
  expect(imported.code).not.toMatch(/(product|plan|listing)\/[0-9a-f]{8}-/);
  // Nor SAS URIs: the image versions stay with VmImageVersion (or the draft), never written into code.
  expect(imported.code).not.toMatch(/sig=|vmImageVersions/);

  // The generated program, as written: nothing to change, nothing sent.
  const rerun = await sending(stack, offerId, ["up", "--yes", "--expect-no-changes"]);
  expect(rerun.sent).toMatchObject({ configures: 0, publishes: 0, goLives: 0 });

  // In code: a listing text and one plan's price; and the publish chain under it.
  editCode(stack, "index.ts", `title: "${SEEDED_TITLE}",`, `title: "${SEEDED_TITLE}, now with more",`);
  editCode(stack, "index.ts", SEEDED_PRICE.from, SEEDED_PRICE.to);
  fs.appendFileSync(path.join(stack.projectDir, "index.ts"), PUBLISH_CHAIN);

  const preview = await sending(stack, offerId, ["preview", "--diff"]);
  expect(changedLeaves(preview.output, NATIVE_TYPE).sort()).toEqual(
    [`listing.title: "${SEEDED_TITLE}" => "${SEEDED_TITLE}, now with more"`, SEEDED_PRICE.leaf].sort(),
  );
  expect(preview.sent).toMatchObject({ configures: 0, publishes: 0, goLives: 0 });

  // One `up`: one configure (the two resources), then the publish, which stops at the review gate.
  const up = await sending(stack, offerId, ["up", "--yes"]);
  expect(up.sent).toMatchObject({
    configures: 1,
    configured: [["listing", "price-and-availability-plan"]],
    publishes: 1,
    goLives: 0,
  });
  expect(await stack.outputs()).toMatchObject({ awaitingSignoff: true });
  const previewTree = JSON.stringify(await tree(offerId, "preview"));
  expect(previewTree).toContain(`${SEEDED_TITLE}, now with more`);

  // The review is done: go live, nothing configured or published again.
  await stack.ok(["config", "set", "goLive", "true"]);
  const goLive = await sending(stack, offerId, ["up", "--yes"]);
  expect(goLive.sent).toMatchObject({ configures: 0, publishes: 0, goLives: 1 });
  expect(await stack.outputs()).toMatchObject({ liveStatus: "succeeded" });
  const liveTree = JSON.stringify(await tree(offerId, "live"));
  expect(liveTree).toContain(`${SEEDED_TITLE}, now with more`);
  expect(liveTree).toContain(SEEDED_PRICE.live);

  const again = await sending(stack, offerId, ["up", "--yes", "--expect-no-changes"]);
  expect(again.sent).toMatchObject({ configures: 0, publishes: 0, goLives: 0 });
  expect((await stack.exportState()) + imported.output + up.output).not.toContain(CANARY);
});

withGo("import into YAML: pulumi import writes the YAML program, which runs up with 0 writes", async () => {
  const offerId = existingOffer();
  const stack = e2e.stack({
    projectDir: IMPORT_YAML,
    stackName: `y${++counter}`,
    extraPath: [await ensurePulumiYaml(), NATIVE_PLUGIN_DIR],
  });
  await e2e.init(stack, {
    "cloudpartner:api": "ingestion",
    "cloudpartner:endpoint": `${e2e.sim.url}/rp/product-ingestion`,
  });
  const imported = await importOffer(stack, offerId, "Main.yaml");
  expect(imported.code).toMatch(/type: cloudpartner:(index:)?OfferConfiguration/);
  const rerun = await sending(stack, offerId, ["up", "--yes", "--expect-no-changes"]);
  expect(rerun.sent).toMatchObject({ configures: 0, publishes: 0, goLives: 0 });
});
