/**
 * Entry point of the plugin `pulumi-resource-cloudpartner` (bin/pulumi-resource-cloudpartner runs this file;
 * the release archives' single executable is this file bundled, scripts/lib/plugin-build.ts).
 * The engine starts it with its own address as the argument, reads the port from the first stdout line and
 * talks `pulumirpc.ResourceProvider` to it. Progress lines go back to the engine's Log service, attached to
 * their resource (engine-log.ts), so `pulumi up` shows them.
 *
 * Signals: SIGINT is how the CLI closes a plugin (it closes the connection, sends SIGINT, and SIGKILLs what is
 * still there 5 s later), and a Ctrl-C reaches this process too (same process group as the CLI). Either way the
 * first SIGINT, like SIGTERM, does what the engine's Cancel does, abort what is in flight so each wait saves its
 * operation as partial state, lets those answers leave (at most 2 s), and exits 0: an idle plugin at once, so no
 * `pulumi` command waits out the CLI's 5 s. A second SIGINT exits at once. When the engine is gone
 * (SIGKILLed), the plugin notices within a second and exits, idle or not (resources/engine-watch.ts).
 */

import * as sea from "node:sea";
import { closeDefaultTransport } from "../core/http";
import { exitWithEngine } from "../resources/engine-watch";
import { engineLogger } from "./engine-log";
import { NativeProvider, serve } from "./server";

async function main(): Promise<void> {
  const logger = engineLogger(process.argv[2]);
  // The single executable (scripts/lib/plugin-build.ts) carries schema.json as an asset; otherwise the
  // provider reads the file from the package.
  const schemaText = sea.isSea() ? sea.getAsset("schema.json", "utf8") : undefined;
  const provider = new NativeProvider({ log: logger.log }, schemaText);
  provider.logsFlushed = logger.flushed;
  const { server, port } = await serve(provider);

  let shuttingDown = false;
  const shutdown = (code: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    provider.cancel();
    const done = () => {
      void closeDefaultTransport().finally(() => process.exit(code));
    };
    // Let the aborted calls' answers (with their partial state) leave before the process goes.
    server.tryShutdown(done);
    setTimeout(() => {
      server.forceShutdown();
      done();
    }, 2_000).unref();
  };
  let interrupts = 0;
  process.on("SIGINT", () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    shutdown(0);
  });
  process.on("SIGTERM", () => shutdown(0));

  // The engine reads the port from the first line; it must be the first thing printed.
  process.stdout.write(`${port}\n`);
  // From start-up, not only while a call waits: an idle plugin must not outlive a killed engine either.
  // Explicit: in the single executable, process.argv[1] is the executable, not native/main.js.
  exitWithEngine(true);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `pulumi-resource-cloudpartner: could not start: ${(error as Error).message ?? String(error)}\n`,
  );
  process.exit(1);
});
