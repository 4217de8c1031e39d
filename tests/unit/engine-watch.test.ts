/** How a plugin tells that its engine is gone: its parent changed, or the engine's address stopped answering. */

import * as net from "node:net";
import { engineAddressOf, watchEngine } from "../../provider/resources/engine-watch";

test("the engine's address is the last host:port of the plugin's arguments, after any flags", () => {
  expect(engineAddressOf(["127.0.0.1:4242"])).toEqual({ host: "127.0.0.1", port: 4242 });
  expect(engineAddressOf(["--logtostderr", "-v=9", "--tracing", "127.0.0.1:9", "127.0.0.1:4242"])).toEqual({
    host: "127.0.0.1",
    port: 4242,
  });
  expect(engineAddressOf(["[::1]:4242"])).toEqual({ host: "::1", port: 4242 });
  expect(engineAddressOf([])).toBeUndefined();
  expect(engineAddressOf(["--logtostderr", "127.0.0.1:0"])).toBeUndefined();
});

function listen(): Promise<{ server: net.Server; port: number }> {
  const server = net.createServer((socket) => socket.end());
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ server, port: (server.address() as net.AddressInfo).port }),
    ),
  );
}

async function until(predicate: () => boolean, timeoutMs: number): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !predicate(); ) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test("an address that answered and now refuses means the engine is gone; the parent's pid need not change", async () => {
  const { server, port } = await listen();
  const gone: string[] = [];
  let accepted = 0;
  server.on("connection", () => accepted++);
  const stop = watchEngine({
    address: { host: "127.0.0.1", port },
    intervalMs: 20,
    parentPid: () => 1234,
    onGone: (why) => gone.push(why),
  });
  try {
    await until(() => accepted >= 2, 2_000);
    expect(gone).toEqual([]);
    await new Promise((resolve) => server.close(resolve));
    await until(() => gone.length > 0, 2_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(gone).toEqual([`its address 127.0.0.1:${port} refuses connections`]);
  } finally {
    stop();
  }
});

test("an address that never answered is no sign; a changed parent is", async () => {
  const { server, port } = await listen();
  await new Promise((resolve) => server.close(resolve));
  let parent = 1234;
  const gone: string[] = [];
  const stop = watchEngine({
    address: { host: "127.0.0.1", port },
    intervalMs: 20,
    parentPid: () => parent,
    onGone: (why) => gone.push(why),
  });
  try {
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(gone).toEqual([]);
    parent = 1;
    await until(() => gone.length > 0, 2_000);
    expect(gone).toEqual(["its process 1234 exited"]);
  } finally {
    stop();
  }
});
