/** `pulumi-cloudpartner emulator`: through the package's CLI entry (`run`), in process, stopped by its signal. */
import { run } from "../../provider/cli";

interface Session {
  done: Promise<number>;
  stop(): Promise<number>;
  out(): string;
  err(): string;
}

function start(args: string[]): Session {
  const controller = new AbortController();
  let stdout = "";
  let stderr = "";
  const done = run(["emulator", ...args], {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    signal: controller.signal,
  });
  return {
    done,
    stop: () => {
      controller.abort();
      return done;
    },
    out: () => stdout,
    err: () => stderr,
  };
}

async function info(
  session: Session,
): Promise<{ cppEndpoint: string; ingestionEndpoint: string; token: string }> {
  const deadline = Date.now() + 10_000;
  while (!session.out().includes("\n")) {
    if (Date.now() > deadline) throw new Error(`no output: ${session.err()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return JSON.parse(session.out().split("\n")[0] ?? "");
}

test("prints both endpoints and a random token; only that token is accepted, by the APIs and the control API", async () => {
  const session = start(["--port", "0", "--json", "--quiet"]);
  const { cppEndpoint, ingestionEndpoint, token } = await info(session);
  expect(ingestionEndpoint).toBe(`${cppEndpoint}/rp/product-ingestion`);
  expect(token).toMatch(/^emu-[0-9a-f]{32}$/);
  expect(session.out()).toContain(`CPP endpoint        ${cppEndpoint}`);
  expect(session.out()).toContain(`export CLOUDPARTNER_ACCESS_TOKEN=${token}`);
  const status = (bearer: string) =>
    fetch(`${cppEndpoint}/api/publishers/contoso/offers/contoso-offer/status?api-version=2017-10-31`, {
      headers: { Authorization: `Bearer ${bearer}` },
    }).then((res) => res.status);
  expect(await status(token)).toBe(200);
  expect(await status("test-token")).toBe(401);
  const product = await fetch(`${ingestionEndpoint}/product?externalId=ing-live-offer`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  expect(product.status).toBe(200);
  expect((await fetch(`${cppEndpoint}/_emulator/v1/stats`)).status).toBe(401);
  expect(
    (await fetch(`${cppEndpoint}/_emulator/v1/stats`, { headers: { Authorization: `Bearer ${token}` } }))
      .status,
  ).toBe(200);
  expect(await session.stop()).toBe(0);
  expect(session.out()).toContain("emulator stopped");
});

test("binds loopback by default; another address needs --allow-remote and prints a warning", async () => {
  const refused = start(["--host", "0.0.0.0", "--port", "0"]);
  expect(await refused.done).toBe(2);
  expect(refused.err()).toMatch(/not a loopback address: pass --allow-remote/);

  const remote = start([
    "--host",
    "0.0.0.0",
    "--allow-remote",
    "--port",
    "0",
    "--json",
    "--quiet",
    "--token",
    "t1",
  ]);
  const { token } = await info(remote);
  expect(token).toBe("t1");
  expect(remote.err()).toMatch(/warning: the emulator listens on 0\.0\.0\.0/);
  expect(await remote.stop()).toBe(0);

  const local = start(["--port", "0", "--json", "--quiet", "--token", "t2"]);
  expect((await info(local)).cppEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(local.err()).toBe("");
  expect(await local.stop()).toBe(0);
});

test.each([
  [["--port", "99999"], /--port must be a port number/],
  [["--time-scale", "0"], /--time-scale must be a positive number/],
  [["--no-auth", "--token", "t"], /exclude each other/],
  [["--token", ""], /--token needs a value/],
  [["--frobnicate"], /Unknown option/],
])("usage error %j", async (args, message) => {
  const session = start(args);
  expect(await session.done).toBe(2);
  expect(session.err()).toMatch(message);
});

test("--help, and an unreadable seed is exit 1 with a message", async () => {
  const help = start(["--help"]);
  expect(await help.done).toBe(0);
  expect(help.out()).toContain("--state <file>");
  const seed = start(["--port", "0", "--seed", "/nonexistent/seed.json"]);
  expect(await seed.done).toBe(1);
  expect(seed.err()).toMatch(/could not start \(seed \/nonexistent\/seed.json\)/);
});

test("the CLI loads the emulator only for its command (the other commands stay light)", () => {
  const { execFileSync } = require("node:child_process") as typeof import("node:child_process");
  const path = require("node:path") as typeof import("node:path");
  const cli = path.resolve(__dirname, "../../dist/provider/cli.js");
  const marker = JSON.stringify(path.join(path.sep, "dist", "emulator", ""));
  const script = `require(${JSON.stringify(cli)}); console.log(Object.keys(require.cache).filter((k) => k.includes(${marker})).length)`;
  expect(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" }).trim()).toBe("0");
  // And the emulator command does load it.
  const help = execFileSync(process.execPath, [cli, "emulator", "--help"], { encoding: "utf8" });
  expect(help).toContain("Usage: pulumi-cloudpartner emulator");
});
