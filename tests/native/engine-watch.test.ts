/**
 * The native plugin exits once the engine that started it is gone, even with nothing in flight: started by a
 * stand-in engine (its own process, serving the engine's Log service at the address the plugin is given),
 * which is then SIGKILLed as a killed `pulumi up` is.
 */

import { PLUGIN } from "../support/native-host";
import { alive, killLeftovers, pluginPidOf, STAND_IN_ENGINE, untilGone } from "../support/processes";
import { ProviderHost } from "../support/provider-host";

const { Empty } = require("google-protobuf/google/protobuf/empty_pb");
const leftovers: number[] = [];

afterAll(() => killLeftovers(leftovers));

test("an idle plugin exits within a second or two of its engine's SIGKILL", async () => {
  const engine = await ProviderHost.start({}, { command: process.execPath, args: [STAND_IN_ENGINE, PLUGIN] });
  const plugin = pluginPidOf(engine.stderr);
  leftovers.push(plugin);
  // Answering, then idle: nothing in flight when the engine goes.
  await engine.call("getPluginInfo", new Empty());
  await new Promise((resolve) => setTimeout(resolve, 1_200));
  expect(alive(plugin)).toBe(true);

  await engine.stop(); // SIGKILL, the stand-in engine only
  const tookMs = await untilGone([plugin], 2_500);
  expect(tookMs).toBeLessThan(2_500);
});
