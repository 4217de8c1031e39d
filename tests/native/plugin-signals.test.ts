/**
 * How the plugin process ends. The Pulumi CLI closes a plugin by closing its connection, sending SIGINT and, when
 * the process is still there 5 s later, SIGKILL (sdk/go/common/resource/plugin/plugin.go): a plugin that stays up
 * after SIGINT costs every `pulumi` command 5 s per plugin start (measured with the CLI's `-v=9` log: two such
 * waits in a one-resource YAML preview of 11 s). On SIGINT the plugin aborts what is in flight, lets those
 * answers (with their partial state) leave, and exits.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { type CppSimulator, startSimulator } from "../../emulator/server";
import { NativeHost, PLUGIN, secret } from "../support/native-host";

const TOKEN = "plugin-signals-token-41c9";

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

test("idle: SIGINT (the CLI closing the plugin) ends the process within a second, exit code 0", async () => {
  const child = spawn(PLUGIN, ["127.0.0.1:1"], { stdio: ["ignore", "pipe", "pipe"] });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout?.once("data", () => resolve());
      child.once("exit", (code) => reject(new Error(`the plugin exited (${code}) before printing its port`)));
    });
    const exited = exitOf(child);
    const interrupted = Date.now();
    child.kill("SIGINT");
    const outcome = await Promise.race([
      exited,
      new Promise<"still running">((resolve) => setTimeout(() => resolve("still running"), 3_000)),
    ]);
    expect(outcome).toEqual({ code: 0, signal: null });
    expect(Date.now() - interrupted).toBeLessThan(1_500);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
});

describe("busy", () => {
  let sim: CppSimulator;
  let host: NativeHost;
  beforeAll(async () => {
    sim = await startSimulator({ acceptedTokens: [TOKEN], quiet: true, timeScale: 1 });
    host = await NativeHost.start();
    await host.configure({ accessToken: secret(TOKEN), endpoint: sim.url, version: "0.1.0" });
  });
  afterAll(async () => {
    await host?.stop();
    await sim?.close();
  });

  test("SIGINT mid-wait: the wait answers with its operation saved (partial state), then the process exits", async () => {
    sim.addOffer({
      publisherId: "contoso",
      offerId: "signals-1",
      goLive: { steps: [{ id: "live", stepName: "Live", durationSeconds: 10 ** 9 }] },
    });
    const inputs = {
      publisherId: "contoso",
      offerId: "signals-1",
      pollIntervalSeconds: 0.05,
      maxPollIntervalSeconds: 0.1,
    };
    const checked = (await host.check("cloudpartner:index:OfferGoLive", {}, inputs)).inputs;
    const created = host.create("cloudpartner:index:OfferGoLive", checked).then(
      (result) => ({ result }),
      (error: Error) => ({ error }),
    );
    const deadline = Date.now() + 10_000;
    while (sim.count({ kind: "operation", offerId: "signals-1" }) < 2 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    const pid = host.host.pid;
    if (!pid) throw new Error("no plugin pid");
    process.kill(pid, "SIGINT");
    const answer = (await created) as {
      result?: unknown;
      error?: Error & { properties?: Record<string, unknown> };
    };
    // Aborted, with the operation kept: the engine saves it as a partially created resource.
    expect(answer.error?.message ?? "").toMatch(/operation|stopped|cancel/i);
    expect(sim.goLivePosts("contoso", "signals-1")).toBe(1);
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const gone = Date.now() + 3_000;
    while (alive() && Date.now() < gone) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(alive()).toBe(false);
  });
});
