/**
 * The dynamic provider host exits once its engine is gone, also under Pulumi's official launcher
 * `pulumi-resource-pulumi-nodejs` (shipped in @pulumi/pulumi and in the CLI archive): a shell script that runs
 * Node as its child, so the host's parent, the shell, outlives a killed engine. A stand-in engine (its own
 * process) starts the launcher as the engine does, a go-live wait is in flight, then the engine is SIGKILLed.
 */

import * as path from "node:path";
import type { CppSimulator } from "../../emulator/server";
import { goLiveInputs, withSimulator } from "../support/harness";
import {
  alive,
  childrenOf,
  commandOf,
  killLeftovers,
  pluginPidOf,
  STAND_IN_ENGINE,
  untilGone,
} from "../support/processes";
import { ProviderHost, serializedProvider } from "../support/provider-host";

const CANARY = "canary-engine-watch-3b8e51d0";
const OFFICIAL_LAUNCHER = path.join(
  path.dirname(require.resolve("@pulumi/pulumi/package.json")),
  "pulumi-resource-pulumi-nodejs",
);
let sim: CppSimulator;
const leftovers: number[] = [];

beforeAll(async () => {
  sim = await withSimulator({ acceptedTokens: [CANARY] });
});

afterAll(async () => {
  killLeftovers(leftovers);
  await sim?.close();
});

test("under the official launcher, a host waiting on a go-live exits within a second or two of its engine's SIGKILL", async () => {
  // The launcher runs the `node` on PATH: the pinned one, as under `npm test`.
  const env = { PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}` };
  const engine = await ProviderHost.start(env, {
    command: process.execPath,
    args: [STAND_IN_ENGINE, OFFICIAL_LAUNCHER],
  });
  const shell = pluginPidOf(engine.stderr);
  const [host] = childrenOf(shell);
  leftovers.push(shell, ...(host ? [host] : []));
  expect(commandOf(shell)).toContain("pulumi-resource-pulumi-nodejs");
  expect(commandOf(host ?? 0)).toMatch(/dynamic-provider/);

  await engine.configure({ "cloudpartner:accessToken": CANARY });
  sim.addOffer({
    publisherId: "contoso",
    offerId: "watch-1",
    goLive: { steps: [{ id: "live", stepName: "Live", durationSeconds: 10 ** 9 }] },
  });
  // A slow poll: the host prints nothing while the engine is away, so no write to a dead pipe ends it.
  const checked = await engine.check(
    {},
    goLiveInputs(sim.url, await serializedProvider(), "watch-1", {
      pollIntervalSeconds: 3600,
      maxPollIntervalSeconds: 3600,
    }),
  );
  const waiting = engine.create(checked.inputs).catch((error: unknown) => error);
  for (const deadline = Date.now() + 10_000; sim.count({ kind: "operation", offerId: "watch-1" }) < 1; ) {
    if (Date.now() > deadline) throw new Error("the go-live was not polled");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(alive(host ?? 0)).toBe(true);

  await engine.stop(); // SIGKILL, the stand-in engine only
  const tookMs = await untilGone([host ?? 0, shell], 2_500);
  expect(tookMs).toBeLessThan(2_500);
  expect(await waiting).toBeInstanceOf(Error);
  expect(sim.goLivePosts("contoso", "watch-1")).toBe(1);
});
