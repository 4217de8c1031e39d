/**
 * A user's flow: the packed npm tarball installed in a fresh folder (no ts-node, no checkout), `npx
 * pulumi-cloudpartner emulator` started from there, examples/golive's `pulumi up` pointed at it: the go-live
 * succeeds and the emulator's request log shows exactly one. Then the README's rehearsal: the next go-live is
 * made to fail at Certification through the control route the page's "Fail next go-live at Certification"
 * button calls (tests/browser presses the button itself), and `pulumi up` reports that failure.
 */
import { type ChildProcess, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { emulatorArgs, spawnEmulator } from "../../scripts/lib/emulator-process";
import { ensurePulumiCli, LocalStack, linkSelfPackage, REPO_ROOT } from "../../scripts/lib/pulumi-cli";

const TOKEN = "package-e2e-token";
let work = "";
let emulator: ChildProcess | undefined;
let stack: LocalStack | undefined;

let emulatorPid: number | undefined;

afterAll(() => {
  if (emulatorPid !== undefined) {
    try {
      process.kill(emulatorPid, "SIGTERM");
    } catch {
      // stopped already
    }
  }
  if (emulator && emulator.exitCode === null) emulator.kill("SIGTERM");
  stack?.dispose();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test("npm pack → npm install in a fresh folder → npx pulumi-cloudpartner emulator → pulumi up: one go-live", async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "emulator-package-"));
  // Node 24 first on PATH (the CLI refuses older ones), nothing of the checkout.
  const env = {
    ...process.env,
    PATH: [path.dirname(process.execPath), process.env.PATH ?? ""].join(path.delimiter),
  };
  const npm = (args: string[], cwd: string) =>
    execFileSync("npm", args, {
      cwd,
      env,
      encoding: "utf8",
      timeout: 600_000,
      stdio: ["ignore", "pipe", "pipe"],
    });
  const tarball =
    npm(["pack", "--pack-destination", work, "--silent"], REPO_ROOT).trim().split("\n").at(-1) ?? "";
  const app = path.join(work, "app");
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, "package.json"), '{"name": "app", "version": "1.0.0", "private": true}\n');
  npm(["install", "--no-audit", "--no-fund", "--prefer-offline", path.join(work, tarball)], app);
  expect(fs.existsSync(path.join(app, "node_modules/pulumi-cloudpartner/dist/emulator/cli.js"))).toBe(true);
  expect(fs.existsSync(path.join(app, "node_modules/ts-node"))).toBe(false);
  expect(fs.existsSync(path.join(app, "node_modules/typescript"))).toBe(false);

  const started = await spawnEmulator(
    "npx",
    ["--no", "pulumi-cloudpartner", ...emulatorArgs(TOKEN), "--time-scale", "200000"],
    { cwd: app, env, timeoutMs: 60_000 },
  );
  const child = started.child;
  emulator = child;
  const { cppEndpoint: url, pid } = started.info;

  emulatorPid = pid;
  linkSelfPackage();
  stack = new LocalStack({
    projectDir: path.join(REPO_ROOT, "examples/golive"),
    stackName: "package",
    cliBinDir: await ensurePulumiCli(),
    env: { CLOUDPARTNER_ACCESS_TOKEN: TOKEN },
  });
  await stack.init({ endpoint: url, pollIntervalSeconds: "0.2", maxPollIntervalSeconds: "0.5" });
  await stack.ok(["up", "--yes"]);
  expect(await stack.outputs()).toMatchObject({ status: "succeeded" });

  const count = await fetch(`${url}/_emulator/v1/requests?kind=golive&processed=true&count=true`, {
    headers: { Authorization: `Bearer ${TOKEN}` },
  });
  expect(await count.json()).toEqual({ count: 1 });

  const failNext = await fetch(`${url}/_emulator/v1/offers/contoso/legacy-offer/fail-next`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({
      kind: "golive",
      stepId: "displaycertify",
      message: "Certification failed: the image could not be validated.",
    }),
  });
  expect(failNext.status).toBeLessThan(300);
  await stack.ok(["config", "set", "offerId", "legacy-offer"]);
  const failed = await stack.run(["up", "--yes"]);
  const said = failed.stdout + failed.stderr;
  expect(failed.code).not.toBe(0);
  expect(said).toMatch(/contoso\/legacy-offer failed at step "Certification"/);
  expect(said).toContain("Certification failed: the image could not be validated.");
  // SIGTERM to the emulator itself (npx runs it through a shell and does not pass signals on): a clean stop,
  // and npx exits 0 with it.
  expect(pid).not.toBe(child.pid);
  process.kill(pid, "SIGTERM");
  expect(await started.exited).toBe(0);
}, 900_000);
