/**
 * The release pipeline of examples/image-release with the real Pulumi CLI against the simulator, on the CPP API
 * and the Product Ingestion API: image version → publish → review gate → go-live, the steps `npm run demo --
 * --release [--api ingestion]` shows (scripts/lib/release.ts). Each new version is exactly one image write (CPP:
 * offer PUT; ingestion: technical-configuration configure), one publish and one go-live; the same program again
 * sends nothing; SAS URIs are secrets everywhere Pulumi keeps or prints them; a portal edit made while `pulumi up`
 * runs is kept (CPP: re-applied on top; ingestion: reported, nothing sent).
 */

import * as path from "node:path";
import { type LocalStack, REPO_ROOT } from "../../scripts/lib/pulumi-cli";
import {
  type ReleaseApi,
  releaseConfig,
  releaseCounts,
  releaseOffer,
  releaseProduct,
  releaseSteps,
  releaseVersions,
  sasUri,
} from "../../scripts/lib/release";
import { e2eSuite } from "./helpers";

const CANARY = "e2e-release-token-93af1c";
const PROJECT = path.join(REPO_ROOT, "examples/image-release");

const e2e = e2eSuite(CANARY);
let counter = 0;

/**
 * A new live offer with one plan (ingestion: a live product whose plan has a technical configuration), and a
 * stack of examples/image-release on it with the first step's config.
 */
async function setup(api: ReleaseApi = "cpp") {
  const offerId = `release-${++counter}`;
  if (api === "ingestion") e2e.sim.ingestion.addProduct(releaseProduct(offerId));
  else e2e.sim.addOffer(releaseOffer(offerId));
  const stack = e2e.stack({ projectDir: PROJECT, stackName: `r${counter}` });
  const [first] = releaseSteps(api);
  await e2e.init(stack, releaseConfig(offerId, e2e.sim.url, api), first?.config, first?.secrets);
  return { offerId, stack };
}

async function setConfig(stack: LocalStack, config: Record<string, string>, secrets: Record<string, string>) {
  for (const [key, value] of Object.entries(config)) await stack.ok(["config", "set", key, value]);
  for (const [key, value] of Object.entries(secrets))
    await stack.ok(["config", "set", "--secret", key, value]);
}

/** Runs `pulumi <args>` and returns its output with what it sent to the offer. */
async function sending(stack: LocalStack, offerId: string, args: string[], api: ReleaseApi = "cpp") {
  const before = e2e.sim.requests.length;
  const result = await stack.ok(args);
  return {
    output: result.stdout + result.stderr,
    counts: releaseCounts(e2e.sim.requests.slice(before), offerId, api),
  };
}

/** The `sig=` values of every image the steps use. */
function sasSecrets(api: ReleaseApi = "cpp"): string[] {
  return releaseSteps(api).flatMap((step) =>
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

type TechnicalConfiguration = { vmImageVersions: Array<{ versionNumber: string }> };

/** Per API: the input holding the SAS URIs, and the versions of the release plan in the draft and live. */
const PIPELINE = {
  cpp: {
    imageInput: "osVhdUrl",
    versions: (offerId: string, _target: "draft" | "live") => {
      const draft = e2e.sim.draft("contoso", offerId) as {
        plans: Array<Record<string, Record<string, unknown>>>;
      };
      return Object.keys(draft.plans[0]?.["microsoft-azure-virtualmachines.vmImages"] ?? {}).sort();
    },
    all: ["1.0.0", "1.1.0", "1.2.0"],
  },
  ingestion: {
    imageInput: "images",
    versions: (offerId: string, target: "draft" | "live") => {
      const config = e2e.sim.ingestion.technicalConfiguration(offerId, releaseOffer(offerId).planId, target);
      return (config as TechnicalConfiguration | undefined)?.vmImageVersions.map((v) => v.versionNumber);
    },
    all: ["9.0.20230404", "9.1.20240101", "9.2.0", "9.3.0"],
  },
} as const;

test.each(["cpp", "ingestion"] as const)(
  "api %s: version → publish → gate → go-live; a bump is 1 write, 1 publish, 1 go-live; a re-run sends nothing; SAS URIs stay secret",
  async (api) => {
    const { offerId, stack } = await setup(api);
    const { imageInput, versions, all: allVersions } = PIPELINE[api];
    const secrets = sasSecrets(api);
    const printed: string[] = [];
    const steps = releaseSteps(api);
    for (const [i, step] of steps.entries()) {
      await setConfig(stack, step.config, step.secrets);
      if (i === 2) {
        // What a reviewer sees before the bump: the new image is a secret in the diff, never its URL.
        const preview = await sending(stack, offerId, ["preview", "--diff"], api);
        printed.push(preview.output);
        expect(preview.counts.all).toBe(0);
        expect(preview.output).toMatch(new RegExp(`${imageInput}\\s*:\\s*\\[secret\\]`));
      }
      const { output, counts } = await sending(stack, offerId, ["up", "--yes"], api);
      printed.push(output);
      expect({ step: i + 1, ...counts }).toEqual({ step: i + 1, ...counts, ...step.expected });
    }
    // The whole pipeline: two versions, each written, published and taken live once.
    expect(releaseCounts(e2e.sim.requests, offerId, api)).toMatchObject({
      imageWrites: 2,
      publishes: 2,
      goLives: 2,
    });
    expect(versions(offerId, "draft")).toEqual(allVersions);
    if (api === "ingestion") expect(versions(offerId, "live")).toEqual(allVersions);
    const [, latest] = releaseVersions(api);
    expect(await stack.outputs()).toMatchObject({ version: latest, liveStatus: "succeeded" });

    // Never printed by the CLI: not in any up, preview, or output listing.
    printed.push((await stack.ok(["stack", "output", "--json"])).stdout, (await stack.ok(["config"])).stdout);
    const all = printed.join("\n");
    expect(all).toContain(`vhds/os-${latest}.vhd`); // the blob path is how messages name an image
    for (const secret of secrets) expect(all).not.toContain(secret);
    expect(all).not.toContain(CANARY);

    // In state only as ciphertext, inputs and outputs alike.
    const exported = await stack.exportState();
    for (const secret of [...secrets, CANARY]) expect(exported).not.toContain(secret);
    const image = resourcesOf(exported).find(isImage);
    expect(image?.outputs?.version).toBe(latest);
    expect(isCiphertext(image?.inputs?.[imageInput])).toBe(true);
    expect(isCiphertext(image?.outputs?.[imageInput])).toBe(true);
    expect(exported).not.toContain("blob.core.windows.net/vhds/os-");
  },
);

test("a portal edit while pulumi up writes is kept (412, re-read, re-applied); a portal edit of the same version is reported, never overwritten", async () => {
  const { offerId, stack } = await setup();
  const plan = releaseOffer(offerId).planId;
  await stack.ok(["up", "--yes"]);
  const portalEdit = async (edit: Record<string, unknown>) => {
    const response = await fetch(`${e2e.sim.url}/_emulator/v1/offers/contoso/${offerId}/portal-edit`, {
      method: "POST",
      body: JSON.stringify({ ...edit, beforeNextPut: true }),
    });
    expect(response.status).toBe(200);
  };
  const putStatuses = () =>
    e2e.sim.requests
      .filter((r) => r.offerId === offerId && r.method === "PUT" && r.kind === "offer")
      .map((r) => r.status);

  // Someone edits the offer in the portal between the provider's read and its write.
  await portalEdit({ displayText: "edited in the portal" });
  await setConfig(stack, { version: "1.2.0" }, { osVhdUrl: sasUri("contoso", "os-1.2.0") });
  const bumped = await sending(stack, offerId, ["up", "--yes"]);
  expect(bumped.output).toMatch(/image version 1\.2\.0 .*: added .* after 1 concurrent edit/);
  expect(bumped.counts.imageWrites).toBe(2);
  expect(putStatuses()).toEqual([200, 412, 200]);
  const draft = e2e.sim.draft("contoso", offerId) as Record<string, unknown>;
  expect(draft.displayText).toBe("edited in the portal");

  // Someone adds the very version this run is adding, with another image: reported, the portal's image kept.
  const portalImage = sasUri("contoso", "portal-1.3.0");
  await portalEdit({ planId: plan, version: "1.3.0", image: { osVhdUrl: portalImage, lunVhdDetails: [] } });
  await setConfig(stack, { version: "1.3.0" }, { osVhdUrl: sasUri("contoso", "os-1.3.0") });
  const before = e2e.sim.requests.length;
  const refused = await stack.run(["up", "--yes"]);
  const counts = releaseCounts(e2e.sim.requests.slice(before), offerId);
  expect(refused.code).not.toBe(0);
  const output = refused.stdout + refused.stderr;
  expect(output).toMatch(/changed by someone else/);
  expect(output).toMatch(/vhds\/portal-1\.3\.0\.vhd/);
  for (const secret of [new URL(portalImage).searchParams.get("sig") ?? "", ...sasSecrets()])
    expect(output).not.toContain(secret);
  expect(counts).toMatchObject({ imageWrites: 1, publishes: 0, goLives: 0 });
  expect(putStatuses().at(-1)).toBe(412);
  const after = e2e.sim.draft("contoso", offerId) as {
    plans: Array<Record<string, Record<string, { osVhdUrl: string }>>>;
  };
  expect(after.plans[0]?.["microsoft-azure-virtualmachines.vmImages"]?.["1.3.0"]?.osVhdUrl).toBe(portalImage);
});

test("api ingestion: a portal edit of the technical configuration between the read and the write is reported, never overwritten", async () => {
  const { offerId, stack } = await setup("ingestion");
  const planId = releaseOffer(offerId).planId;
  await stack.ok(["up", "--yes"]);
  const draft = () =>
    e2e.sim.ingestion.technicalConfiguration(offerId, planId) as TechnicalConfiguration & {
      vmProperties: Record<string, unknown>;
    };
  expect(draft().vmProperties.supportsHibernation).toBe(false);

  // Someone edits the plan in Partner Center right after the provider has read it, before it writes.
  e2e.sim.ingestion.portalEdit(
    offerId,
    planId,
    { vmProperties: { supportsHibernation: true } },
    { afterNextRead: true },
  );
  const [, bump] = releaseVersions("ingestion");
  await setConfig(stack, { version: bump }, { osVhdUrl: sasUri("contoso", `os-${bump}`) });
  const before = e2e.sim.requests.length;
  const refused = await stack.run(["up", "--yes"]);
  const output = refused.stdout + refused.stderr;
  expect(refused.code).not.toBe(0);
  expect(output).toMatch(/was changed by someone else since it was read: vmProperties/);
  expect(output).toMatch(/Nothing was sent/);
  for (const secret of sasSecrets("ingestion")) expect(output).not.toContain(secret);
  expect(releaseCounts(e2e.sim.requests.slice(before), offerId, "ingestion")).toMatchObject({
    imageWrites: 0,
    publishes: 0,
    goLives: 0,
  });
  expect(draft().vmProperties.supportsHibernation).toBe(true);
  expect(draft().vmImageVersions.map((v) => v.versionNumber)).not.toContain(bump);

  // Run again once reviewed: the edit is part of what is read now, and kept.
  const again = await sending(stack, offerId, ["up", "--yes"], "ingestion");
  expect(again.counts).toMatchObject({ imageWrites: 1, publishes: 1, goLives: 0 });
  expect(draft().vmProperties.supportsHibernation).toBe(true);
  expect(draft().vmImageVersions.map((v) => v.versionNumber)).toContain(bump);
});

test("pulumi up --replace of a never-published image version (create-before-delete) keeps it in the draft, writes nothing", async () => {
  const { offerId, stack } = await setup();
  const urn = `urn:pulumi:r${counter}::cloudpartner-image-release::pulumi-nodejs:dynamic/cloudpartner:VmImageVersion::image`;
  // Only the image version (no publish): it stays a draft version, which a delete would remove.
  await stack.ok(["up", "--yes", "--target", urn]);
  const image = resourcesOf(await stack.exportState()).find(isImage);
  expect(image?.outputs).toMatchObject({ state: "draft", alreadyPresent: false });
  const version = String(image?.outputs?.version);
  const versions = () =>
    Object.keys(
      (e2e.sim.draft("contoso", offerId) as { plans: Array<Record<string, Record<string, unknown>>> })
        .plans[0]?.["microsoft-azure-virtualmachines.vmImages"] ?? {},
    );
  expect(versions()).toContain(version);
  // The new resource adopts the version, then the old one is deleted: it must not take the version with it.
  const replaced = await sending(stack, offerId, ["up", "--yes", "--target", urn, "--replace", urn]);
  expect(replaced.output).toMatch(/another resource of this deployment created or adopted it/);
  expect(replaced.counts).toMatchObject({ imageWrites: 0, publishes: 0, goLives: 0 });
  expect(versions()).toContain(version);
  expect(resourcesOf(await stack.exportState()).find(isImage)?.outputs).toMatchObject({
    version,
    alreadyPresent: true,
  });
});
