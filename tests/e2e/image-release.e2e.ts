/**
 * The release pipeline of examples/image-release with the real Pulumi CLI against the CPP simulator: image
 * version → publish → review gate → go-live, the steps `npm run demo -- --release` shows (scripts/lib/release.ts).
 * Each new version is exactly one offer write, one publish and one go-live; the same program again sends nothing;
 * SAS URIs are secrets everywhere Pulumi keeps or prints them; a portal edit made while `pulumi up` runs is kept.
 */

import * as path from "node:path";
import { ensurePulumiCli, LocalStack, linkSelfPackage, REPO_ROOT } from "../../scripts/lib/pulumi-cli";
import { releaseConfig, releaseCounts, releaseOffer, releaseSteps, sasUri } from "../../scripts/lib/release";
import { type CppSimulator, startSimulator } from "../simulator/server";

const CANARY = "e2e-release-token-93af1c";
const PROJECT = path.join(REPO_ROOT, "examples/image-release");

let sim: CppSimulator;
let cliBinDir: string;
const stacks: LocalStack[] = [];
let counter = 0;

beforeAll(async () => {
  cliBinDir = await ensurePulumiCli();
  linkSelfPackage();
  sim = await startSimulator({ timeScale: 1_000_000, acceptedTokens: [CANARY], quiet: true });
});

afterAll(async () => {
  for (const stack of stacks) stack.dispose();
  await sim?.close();
});

/** A new live offer with one plan, and a stack of examples/image-release on it with the first step's config. */
async function setup() {
  const offerId = `release-${++counter}`;
  sim.addOffer(releaseOffer(offerId));
  const stack = new LocalStack({ projectDir: PROJECT, stackName: `r${counter}`, cliBinDir });
  stacks.push(stack);
  const [first] = releaseSteps();
  await stack.init(
    {
      ...releaseConfig(offerId, sim.url),
      pollIntervalSeconds: "0.05",
      maxPollIntervalSeconds: "0.2",
      ...first?.config,
    },
    { "cloudpartner:accessToken": CANARY, ...first?.secrets },
  );
  return { offerId, stack };
}

async function setConfig(stack: LocalStack, config: Record<string, string>, secrets: Record<string, string>) {
  for (const [key, value] of Object.entries(config)) await stack.ok(["config", "set", key, value]);
  for (const [key, value] of Object.entries(secrets))
    await stack.ok(["config", "set", "--secret", key, value]);
}

/** Runs `pulumi <args>` and returns its output with what it sent to the offer. */
async function sending(stack: LocalStack, offerId: string, args: string[]) {
  const before = sim.requests.length;
  const result = await stack.ok(args);
  return {
    output: result.stdout + result.stderr,
    counts: releaseCounts(sim.requests.slice(before), offerId),
  };
}

/** The `sig=` values of every image the steps use. */
function sasSecrets(): string[] {
  return releaseSteps().flatMap((step) =>
    Object.values(step.secrets).map((url) => new URL(url).searchParams.get("sig") ?? ""),
  );
}

type ExportedResource = { type: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> };

function resourcesOf(exported: string): ExportedResource[] {
  return JSON.parse(exported).deployment.resources ?? [];
}

const isImage = (r: { type: string }) => r.type === "pulumi-nodejs:dynamic/cloudpartner:VmImageVersion";
const isCiphertext = (value: unknown) =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as { ciphertext?: unknown }).ciphertext === "string";

test("version → publish → gate → go-live; a bump is 1 write, 1 publish, 1 go-live; a re-run sends nothing; SAS URIs stay secret", async () => {
  const { offerId, stack } = await setup();
  const secrets = sasSecrets();
  const printed: string[] = [];
  const steps = releaseSteps();
  for (const [i, step] of steps.entries()) {
    await setConfig(stack, step.config, step.secrets);
    if (i === 2) {
      // What a reviewer sees before the bump: the new image is a secret in the diff, never its URL.
      const preview = await sending(stack, offerId, ["preview", "--diff"]);
      printed.push(preview.output);
      expect(preview.counts.all).toBe(0);
      expect(preview.output).toMatch(/osVhdUrl\s*:\s*\[secret\]/);
    }
    const { output, counts } = await sending(stack, offerId, ["up", "--yes"]);
    printed.push(output);
    expect({ step: i + 1, ...counts }).toEqual({ step: i + 1, ...counts, ...step.expected });
  }
  // The whole pipeline: two versions, each written, published and taken live once.
  expect(releaseCounts(sim.requests, offerId)).toMatchObject({
    imageWrites: 2,
    publishes: 2,
    goLives: 2,
  });
  const draft = sim.draft("contoso", offerId) as { plans: Array<Record<string, Record<string, unknown>>> };
  const images = draft.plans[0]?.["microsoft-azure-virtualmachines.vmImages"] ?? {};
  expect(Object.keys(images).sort()).toEqual(["1.0.0", "1.1.0", "1.2.0"]);
  expect(await stack.outputs()).toMatchObject({ version: "1.2.0", liveStatus: "succeeded" });

  // Never printed by the CLI: not in any up, preview, or output listing.
  printed.push((await stack.ok(["stack", "output", "--json"])).stdout, (await stack.ok(["config"])).stdout);
  const all = printed.join("\n");
  expect(all).toContain("vhds/os-1.2.0.vhd"); // the blob path is how messages name an image
  for (const secret of secrets) expect(all).not.toContain(secret);
  expect(all).not.toContain(CANARY);

  // In state only as ciphertext, inputs and outputs alike.
  const exported = await stack.exportState();
  for (const secret of [...secrets, CANARY]) expect(exported).not.toContain(secret);
  const image = resourcesOf(exported).find(isImage);
  expect(image?.outputs?.version).toBe("1.2.0");
  expect(isCiphertext(image?.inputs?.osVhdUrl)).toBe(true);
  expect(isCiphertext(image?.outputs?.osVhdUrl)).toBe(true);
  expect(exported).not.toContain("blob.core.windows.net/vhds/os-");
});

test("a portal edit while pulumi up writes is kept (412, re-read, re-applied); a portal edit of the same version is reported, never overwritten", async () => {
  const { offerId, stack } = await setup();
  const plan = releaseOffer(offerId).planId;
  await stack.ok(["up", "--yes"]);
  const portalEdit = async (edit: Record<string, unknown>) => {
    const response = await fetch(`${sim.url}/_sim/offers/contoso/${offerId}/portal-edit`, {
      method: "POST",
      body: JSON.stringify({ ...edit, beforeNextPut: true }),
    });
    expect(response.status).toBe(200);
  };
  const putStatuses = () =>
    sim.requests
      .filter((r) => r.offerId === offerId && r.method === "PUT" && r.kind === "offer")
      .map((r) => r.status);

  // Someone edits the offer in the portal between the provider's read and its write.
  await portalEdit({ displayText: "edited in the portal" });
  await setConfig(stack, { version: "1.2.0" }, { osVhdUrl: sasUri("contoso", "os-1.2.0") });
  const bumped = await sending(stack, offerId, ["up", "--yes"]);
  expect(bumped.output).toMatch(/added image version 1\.2\.0 .* after 1 concurrent edit/);
  expect(bumped.counts.imageWrites).toBe(2);
  expect(putStatuses()).toEqual([200, 412, 200]);
  const draft = sim.draft("contoso", offerId) as Record<string, unknown>;
  expect(draft.displayText).toBe("edited in the portal");

  // Someone adds the very version this run is adding, with another image: reported, the portal's image kept.
  const portalImage = sasUri("contoso", "portal-1.3.0");
  await portalEdit({ planId: plan, version: "1.3.0", image: { osVhdUrl: portalImage, lunVhdDetails: [] } });
  await setConfig(stack, { version: "1.3.0" }, { osVhdUrl: sasUri("contoso", "os-1.3.0") });
  const before = sim.requests.length;
  const refused = await stack.run(["up", "--yes"]);
  const counts = releaseCounts(sim.requests.slice(before), offerId);
  expect(refused.code).not.toBe(0);
  const output = refused.stdout + refused.stderr;
  expect(output).toMatch(/changed by someone else/);
  expect(output).toMatch(/vhds\/portal-1\.3\.0\.vhd/);
  for (const secret of [new URL(portalImage).searchParams.get("sig") ?? "", ...sasSecrets()])
    expect(output).not.toContain(secret);
  expect(counts).toMatchObject({ imageWrites: 1, publishes: 0, goLives: 0 });
  expect(putStatuses().at(-1)).toBe(412);
  const after = sim.draft("contoso", offerId) as {
    plans: Array<Record<string, Record<string, { osVhdUrl: string }>>>;
  };
  expect(after.plans[0]?.["microsoft-azure-virtualmachines.vmImages"]?.["1.3.0"]?.osVhdUrl).toBe(portalImage);
});
