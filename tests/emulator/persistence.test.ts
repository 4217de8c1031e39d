/**
 * The state file across restarts of the compiled emulator (`pulumi-cloudpartner emulator`, dist/; `npm test`
 * builds first): kill -9 during a write leaves a whole file, a restart resumes a running go-live on its
 * simulated schedule and it completes; SIGTERM writes the state before exiting.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { emulatorArgs, spawnEmulator } from "../../scripts/lib/emulator-process";

const ROOT = path.resolve(__dirname, "../..");
const CLI = path.join(ROOT, "dist/provider/cli.js");
const TOKEN = "persist-token";
const API = "api-version=2017-10-31";

interface Running {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

let dir: string;
const children: ChildProcess[] = [];

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first (npm test does).`);
});
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "emulator-state-"));
});
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

async function start(extra: string[] = []): Promise<Running> {
  const { child, info, exited } = await spawnEmulator(process.execPath, [
    CLI,
    ...emulatorArgs(TOKEN),
    "--state",
    path.join(dir, "state.json"),
    ...extra,
  ]);
  children.push(child);
  return { child, url: info.cppEndpoint, exited };
}

const headers = { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" };

async function goLive(url: string): Promise<string> {
  const res = await fetch(`${url}/api/publishers/contoso/offers/contoso-offer/golive?${API}`, {
    method: "POST",
    headers,
    body: "{}",
  });
  expect(res.status).toBe(202);
  return (res.headers.get("location") ?? "").split("/operations/")[1]?.split("?")[0] ?? "";
}

async function operation(url: string, id: string): Promise<{ status: string; createdDateTime: string }> {
  const res = await fetch(`${url}/api/publishers/contoso/offers/contoso-offer/operations/${id}?${API}`, {
    headers,
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { status: string; createdDateTime: string };
}

const stateFile = () => path.join(dir, "state.json");
const readState = () =>
  JSON.parse(readFileSync(stateFile(), "utf8")) as {
    cpp: { offers: Array<{ offerId: string; operations: Array<{ guid: string }> }> };
    requests: unknown[];
  };
const hasOperation = (id: string) =>
  readState().cpp.offers.some((offer) => offer.operations.some((op) => op.guid === id));
const tempFiles = () => readdirSync(dir).filter((name) => name.endsWith(".tmp"));

async function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test("kill -9 in the middle of a write: the file parses, holds the last whole write; a restart resumes the go-live, which completes", async () => {
  // Go-live takes ~2.8 simulated days: 3 real seconds at this scale.
  const first = await start(["--time-scale", "100000", "--write-delay-ms", "400"]);
  const id = await goLive(first.url);
  const created = (await operation(first.url, id)).createdDateTime;
  await until(() => hasOperation(id), "the go-live in the state file");
  // A request makes another write; it is held half-written: kill the process then.
  await fetch(`${first.url}/_emulator/v1/offers`, {
    method: "POST",
    headers,
    body: JSON.stringify({ publisherId: "p", offerId: "late" }),
  });
  await until(() => tempFiles().length > 0, "a write in progress");
  first.child.kill("SIGKILL");
  await first.exited;
  expect(tempFiles().length).toBe(1);
  const state = readState();
  expect(state.cpp.offers.map((o) => o.offerId)).toContain("contoso-offer");
  expect(state.cpp.offers.map((o) => o.offerId)).not.toContain("late");

  const second = await start(["--time-scale", "100000"]);
  // The half-written temporary file is gone; the operation is there with its simulated start.
  expect(tempFiles()).toEqual([]);
  const resumed = await operation(second.url, id);
  expect(resumed.createdDateTime).toBe(created);
  expect(resumed.status).toBe("running");
  const deadline = Date.now() + 15_000;
  while ((await operation(second.url, id)).status === "running" && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 200));
  expect((await operation(second.url, id)).status).toBe("succeeded");
  // The request log survived too: one go-live, sent before the restart.
  const count = await fetch(`${second.url}/_emulator/v1/requests?kind=golive&count=true`, { headers });
  expect(await count.json()).toEqual({ count: 1 });
}, 60_000);

test("killed in a loop while writes happen: every restart finds a whole state file", async () => {
  for (let round = 0; round < 4; round++) {
    const running = await start(["--write-delay-ms", String(5 + round * 7)]);
    const writes = Array.from({ length: 20 }, (_, i) =>
      fetch(`${running.url}/_emulator/v1/advance`, {
        method: "POST",
        headers,
        body: JSON.stringify({ seconds: i }),
      }).catch(() => undefined),
    );
    await new Promise((resolve) => setTimeout(resolve, 20 + round * 15));
    running.child.kill("SIGKILL");
    await running.exited;
    await Promise.all(writes);
    expect(() => readState()).not.toThrow();
    expect(readState().cpp.offers.length).toBeGreaterThanOrEqual(4);
  }
  const last = await start();
  const offers = await fetch(`${last.url}/_emulator/v1/offers`, { headers });
  expect(offers.status).toBe(200);
  expect(tempFiles()).toEqual([]);
}, 60_000);

test("SIGTERM: the emulator writes the state and exits 0; a restart shows the changes (operation, armed failure)", async () => {
  const running = await start(["--write-delay-ms", "200"]);
  const id = await goLive(running.url);
  const armed = await fetch(`${running.url}/_emulator/v1/fail-next`, {
    method: "POST",
    headers,
    body: JSON.stringify({ kind: "golive", stepId: "displaycertify", message: "Kept across the restart." }),
  });
  expect(armed.status).toBe(204);
  running.child.kill("SIGTERM");
  expect(await running.exited).toBe(0);
  expect(hasOperation(id)).toBe(true);
  const again = await start();
  expect((await operation(again.url, id)).status).toBe("running");
  const legacy = await fetch(`${again.url}/api/publishers/contoso/offers/legacy-offer/golive?${API}`, {
    method: "POST",
    headers,
    body: "{}",
  });
  const next = (legacy.headers.get("location") ?? "").split("/operations/")[1]?.split("?")[0] ?? "";
  const finished = await fetch(`${again.url}/_emulator/v1/operations/${next}/finish`, {
    method: "POST",
    headers,
  });
  expect(await finished.json()).toMatchObject({ status: "failed", error: "Kept across the restart." });
}, 60_000);

test("a state file that is not the emulator's is refused with a clear message, and left alone", async () => {
  const { writeFileSync } = await import("node:fs");
  writeFileSync(stateFile(), '{"hello": "world"}\n');
  await expect(start()).rejects.toThrow(/not an emulator state file/);
  expect(readFileSync(stateFile(), "utf8")).toBe('{"hello": "world"}\n');
}, 30_000);
