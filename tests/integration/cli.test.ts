/**
 * The compiled CLI (`dist/provider/cli.js`, what `npx pulumi-cloudpartner` runs) as a child process against
 * the simulator. Needs `npm run build` first. Spawned asynchronously: the simulator shares this event loop.
 */

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import type { CppSimulator } from "../../emulator/server";
import { TOKEN, withSimulator } from "../support/harness";

const ROOT = path.resolve(__dirname, "../..");
const CLI = path.join(ROOT, "dist/provider/cli.js");
const LOCAL_NODE = path.join(ROOT, "node_modules/.bin/node");
const NODE = existsSync(LOCAL_NODE) ? LOCAL_NODE : process.execPath;
const CANARY = "cli-canary-token-4b7e19";

let sim: CppSimulator;
let counter = 0;

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** From the last output to the exit. */
  exitLagMs: number;
}

// Each case starts a node process; on a loaded 2-core machine that can take seconds.
jest.setTimeout(60_000);

function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  let lastOutputAt = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [CLI, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", CLOUDPARTNER_ACCESS_TOKEN: CANARY, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      lastOutputAt = Date.now();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      lastOutputAt = Date.now();
    });
    child.on("error", reject);
    let exitLagMs = 0;
    child.on("exit", () => {
      exitLagMs = Date.now() - lastOutputAt;
    });
    child.on("close", (code) => resolve({ code, stdout, stderr, exitLagMs }));
  });
}

const at = () => ["--endpoint", sim.url];

function newOffer(seed: Record<string, unknown> = {}): string {
  const offerId = `cli-${++counter}`;
  sim.addOffer({ publisherId: "contoso", offerId, ...seed });
  return offerId;
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first.`);
  sim = await withSimulator({ acceptedTokens: [CANARY] });
});
afterAll(async () => {
  await sim?.close();
});

test("--help: usage on stdout, exit 0", async () => {
  const result = await cli(["--help"]);
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/^Usage: pulumi-cloudpartner <command>/);
  expect(result.stdout).toContain("cancel <publisherId> <offerId> [--notification-emails");
});

test("status of a published offer: the sign-off point, a table of steps; --json for machines", async () => {
  const offerId = newOffer({ state: "published" });
  const human = await cli(["status", "contoso", offerId, ...at()]);
  expect(human.code).toBe(0);
  expect(human.stderr).toBe("");
  const lines = human.stdout.split("\n");
  expect(lines[0]).toBe(`Offer contoso/${offerId}: waitingForPublisherReview`);
  expect(lines[1]).toMatch(/preview is ready: review the preview links, then go live/);
  expect(lines).toContainEqual(expect.stringMatching(/^STEP +STATUS +PROGRESS +ESTIMATE +MESSAGES$/));
  expect(lines).toContainEqual(expect.stringMatching(/^Certification +complete +100% +< 1 day$/));
  expect(lines).toContainEqual(expect.stringMatching(/^Publisher signoff +waitingForPublisherReview +0%/));

  const json = await cli(["status", "contoso", offerId, ...at(), "--json"]);
  expect(json.code).toBe(0);
  const report = JSON.parse(json.stdout);
  expect(report).toMatchObject({ status: "waitingForPublisherReview", awaitingSignoff: true });
  expect(report.steps).toHaveLength(5);
});

test("operations --status running lists the running go-live", async () => {
  const offerId = newOffer({
    goLive: { steps: [{ id: "live", stepName: "Live", durationSeconds: 10 ** 9 }] },
  });
  await fetch(`${sim.url}/api/publishers/contoso/offers/${offerId}/golive?api-version=2017-10-31`, {
    method: "POST",
    headers: { authorization: `Bearer ${CANARY}` },
  });
  const running = sim.offer("contoso", offerId)?.runningOperationId;
  const human = await cli(["operations", "contoso", offerId, "--status", "running", ...at()]);
  expect(human.code).toBe(0);
  expect(human.stdout.split("\n")[1]).toMatch(
    new RegExp(`^${running} +golive +running +GoLive +production +1 `),
  );
  const all = JSON.parse((await cli(["operations", "contoso", offerId, ...at(), "--json"])).stdout);
  expect(all.map((op: { kind: string; type: string }) => [op.kind, op.type])).toEqual([
    ["golive", "GoLive"],
    ["publish", "Publish"],
  ]);
});

test("cancel --wait: sends the e-mails, follows the cancel, the go-live ends canceled", async () => {
  const offerId = newOffer({
    goLive: { steps: [{ id: "live", stepName: "Live", durationSeconds: 10 ** 9 }] },
  });
  await fetch(`${sim.url}/api/publishers/contoso/offers/${offerId}/golive?api-version=2017-10-31`, {
    method: "POST",
    headers: { authorization: `Bearer ${CANARY}` },
  });
  const goLiveId = sim.offer("contoso", offerId)?.runningOperationId ?? "";
  const result = await cli([
    "cancel",
    "contoso",
    offerId,
    ...at(),
    "--notification-emails",
    "ops@contoso.com, release@contoso.com",
    "--wait",
    "--poll-interval",
    "0.01",
  ]);
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(
    new RegExp(`^Cancel of contoso/${offerId} accepted: ${sim.url}/api/publishers/`),
  );
  expect(result.stdout).toMatch(/The cancel operation succeeded\.\n$/);
  expect(result.stderr).toMatch(/cancel accepted; following/);
  expect(sim.operation(goLiveId)?.status).toBe("canceled");
  const post = sim.requests.find((r) => r.kind === "cancel" && r.offerId === offerId);
  expect(post?.headers.authorization).toBe(`Bearer ${CANARY}`);
  // The process exits by itself after its output: nothing (pools, timers, signal handlers) keeps it alive. An
  // open connection pool would hold it for its 30 s keep-alive; a bound of half that cannot flake on busy cores.
  expect(result.exitLagMs).toBeLessThan(15_000);
});

test.each([
  ["only in the body, under 'location'", { key: "location", withoutHeaders: true }],
  ["only in the body, under 'operationLocation'", { withoutHeaders: true }],
])(
  "cancel --wait: a 202 naming its operation %s is followed, exit 0",
  async (_name, cancelLocationInBody) => {
    const offerId = newOffer({
      goLive: { steps: [{ id: "live", stepName: "Live", durationSeconds: 10 ** 9 }] },
      cancelLocationInBody,
    });
    await fetch(`${sim.url}/api/publishers/contoso/offers/${offerId}/golive?api-version=2017-10-31`, {
      method: "POST",
      headers: { authorization: `Bearer ${CANARY}` },
    });
    const goLiveId = sim.offer("contoso", offerId)?.runningOperationId ?? "";
    const result = await cli(["cancel", "contoso", offerId, ...at(), "--wait", "--poll-interval", "0.01"]);
    expect({ code: result.code, stderr: result.stderr }).toMatchObject({
      code: 0,
      stderr: expect.stringMatching(/cancel accepted; following .*\/operations\//),
    });
    expect(result.stdout).toMatch(
      new RegExp(`^Cancel of contoso/${offerId} accepted: ${sim.url}/api/publishers/`),
    );
    expect(result.stdout).toMatch(/The cancel operation succeeded\.\n$/);
    expect(sim.operation(goLiveId)?.status).toBe("canceled");
  },
);

test("cancel --json with nothing running: exit 1, the API's message on stderr", async () => {
  const offerId = newOffer();
  const result = await cli([
    "cancel",
    "contoso",
    offerId,
    ...at(),
    "--notification-emails",
    "ops@contoso.com",
    "--json",
  ]);
  expect(result.code).toBe(1);
  expect(result.stdout).toBe("");
  expect(result.stderr).toMatch(/^error: .*HTTP 400.*No operation is running/);
});

test("API errors exit 1: unknown offer (404), wrong token (401); the token is never printed", async () => {
  const missing = await cli(["status", "contoso", "no-such-offer", ...at()]);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toMatch(/error: Offer contoso\/no-such-offer was not found \(HTTP 404/);

  const wrong = await cli(["status", "contoso", "contoso-offer", ...at()], {
    CLOUDPARTNER_ACCESS_TOKEN: TOKEN,
  });
  expect(wrong.code).toBe(1);
  expect(wrong.stderr).toMatch(/did not accept the token from CLOUDPARTNER_ACCESS_TOKEN \(HTTP 401/);
  for (const output of [missing.stdout, missing.stderr, wrong.stdout, wrong.stderr]) {
    expect(output).not.toContain(CANARY);
    expect(output).not.toContain(TOKEN);
  }
});

test("usage errors exit 2 before any request", async () => {
  const before = sim.requests.length;
  for (const args of [
    [],
    ["status", "contoso"],
    [
      "cancel",
      "contoso",
      "contoso-offer",
      ...at(),
      "--notification-emails",
      "ops@contoso.com;dev@contoso.com",
    ],
    ["status", "contoso", "contoso-offer", "--endpoint", "http://example.com"],
    ["status", "contoso", "contoso-offer", ...at(), "--access-token=s3cr3t"],
  ]) {
    const result = await cli(args);
    expect({ args, code: result.code }).toEqual({ args, code: 2 });
    expect(result.stderr).toMatch(/^error: .*\nRun 'pulumi-cloudpartner --help' for usage\.\n$/);
    expect(result.stderr).not.toContain("s3cr3t");
  }
  expect(sim.requests.length).toBe(before);
});

test("export: the offer's draft as OfferConfiguration inputs (JSON on stdout), reads only; --target live; a bad offer exits 1", async () => {
  const { defaultIngestionSeed } = await import("../../emulator/server");
  const template = structuredClone(defaultIngestionSeed().find((p) => p.externalId === "ing-vm-offer"));
  const offerId = `cli-export-${++counter}`;
  sim.ingestion.addProduct({
    ...template,
    externalId: offerId,
    guid: undefined,
    plans: template?.plans?.map((plan) => ({ ...plan, guid: undefined })),
  });
  sim.ingestion.editResource(offerId, { type: "listing" }, { set: { title: "Draft title" } });
  const endpoint = ["--endpoint", `${sim.url}/rp/product-ingestion`];
  const draft = await cli(["export", offerId, ...endpoint]);
  expect(draft.code).toBe(0);
  const inputs = JSON.parse(draft.stdout);
  expect(inputs).toMatchObject({ offerId, listing: { title: "Draft title" } });
  expect(Object.keys(inputs.plans).sort()).toEqual(["vm-gen1", "vm-gen2"]);
  const live = await cli(["export", offerId, "--target", "live", ...endpoint]);
  expect(live.code).toBe(0);
  expect(JSON.parse(live.stdout).listing.title).toBe("Contoso Linux");
  expect(sim.ingestion.counts(offerId).configurePosts).toBe(0);

  const missing = await cli(["export", "no-such-offer", ...endpoint]);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toMatch(/no product with the offer id \(external id\) "no-such-offer"/);
  for (const result of [draft, live, missing]) expect(result.stdout + result.stderr).not.toContain(CANARY);
});
