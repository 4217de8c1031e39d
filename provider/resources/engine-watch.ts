/** The provider process exits once the Pulumi engine that started it is gone. */

import * as net from "node:net";

/** The plugin entry points this watch runs in: the SDK's dynamic provider host and the native plugin. */
const PLUGIN_ENTRY = /[\\/](dynamic-provider[\\/]index|native[\\/]main)\.js$/;
const CHECK_INTERVAL_MS = 1000;

let engineWatch: (() => void) | undefined;

/**
 * A wait can outlive the engine that asked for it (`pulumi up` killed with SIGKILL leaves the plugin behind):
 * nobody could receive the result, yet the plugin would poll for days, and an idle one would stay up for good.
 * So the plugin exits once its engine is gone. The operation keeps running on the API side and the next
 * `pulumi up` attaches to it. Started once per process, and only in a plugin process (never in a program or a
 * test that loads this module): the caller says so (`fromPluginEntry`, the native plugin's main, whose single
 * executable has no script path in `process.argv[1]`), or the script path shows it.
 */
export function exitWithEngine(fromPluginEntry = false): void {
  if (engineWatch || (!fromPluginEntry && !PLUGIN_ENTRY.test(process.argv[1] ?? ""))) return;
  engineWatch = watchEngine({
    address: engineAddressOf(process.argv.slice(2)),
    onGone: (why) => {
      process.stderr.write(
        `pulumi-cloudpartner: the Pulumi engine that started this provider is gone (${why}); exiting. Operations keep ` +
          "running on the API side; the next `pulumi up` attaches to them.\n",
      );
      process.exit(1);
    },
  });
}

export interface EngineAddress {
  host: string;
  port: number;
}

/**
 * The engine's address among a plugin's arguments: the last `host:port` (the engine passes its own address
 * after any flags such as `--logtostderr`, `-v=9` or `--tracing <address>`).
 */
export function engineAddressOf(args: readonly string[]): EngineAddress | undefined {
  for (const arg of [...args].reverse()) {
    const match = /^(\[[0-9a-fA-F:.]+\]|[\w.-]+):(\d{1,5})$/.exec(arg);
    if (match?.[1] && match[2]) {
      const port = Number(match[2]);
      if (port > 0 && port < 65536) return { host: match[1].replace(/^\[|\]$/g, ""), port };
    }
  }
  return undefined;
}

export interface EngineWatchOptions {
  /** The engine's gRPC address, from the plugin's arguments. */
  address?: EngineAddress;
  /** Called once, with the reason, when the engine is gone. */
  onGone(why: string): void;
  intervalMs?: number;
  /** The parent's pid now (default `process.ppid`). */
  parentPid?: () => number;
}

/**
 * Two signs, checked every second, either of which means the engine is gone:
 * - the parent process changed: the engine started this process itself (the native plugin's launcher `exec`s
 *   Node, the repository's dynamic-host launcher runs the host in its own process) and exited;
 * - the engine's gRPC address, which accepted a connection before, now refuses one: the engine's server
 *   closed with the engine. This holds whatever sits between the engine and this process, e.g. Pulumi's
 *   official `pulumi-resource-pulumi-nodejs`, a shell script that runs Node as its child and so stays this
 *   process's parent after the engine died. A probe is one loopback TCP connect, closed at once (the gRPC
 *   server treats it as a TCP health check and logs nothing); an address that never answered (a plugin started
 *   by hand or by a test with a dummy address) is not taken as a sign.
 * Returns a function that stops the watch.
 */
export function watchEngine(options: EngineWatchOptions): () => void {
  const intervalMs = options.intervalMs ?? CHECK_INTERVAL_MS;
  const parentPid = options.parentPid ?? (() => process.ppid);
  const parent = parentPid();
  const { address } = options;
  let answered = false;
  let probing = false;
  let done = false;
  let timer: NodeJS.Timeout | undefined;
  const stop = () => {
    done = true;
    clearInterval(timer);
  };
  const gone = (why: string) => {
    if (done) return;
    stop();
    options.onGone(why);
  };
  const check = () => {
    if (done) return;
    if (parentPid() !== parent) return gone(`its process ${parent} exited`);
    if (!address || probing) return;
    probing = true;
    void probe(address, intervalMs).then((result) => {
      probing = false;
      if (result === "open") answered = true;
      else if (result === "refused" && answered)
        gone(`its address ${address.host}:${address.port} refuses connections`);
    });
  };
  timer = setInterval(check, intervalMs);
  timer.unref();
  check();
  return stop;
}

/** One TCP connect to the engine's address: `open`, `refused`, or `unknown` (a timeout or another error). */
function probe(address: EngineAddress, timeoutMs: number): Promise<"open" | "refused" | "unknown"> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address.host, port: address.port });
    socket.unref();
    socket.setTimeout(timeoutMs);
    const settle = (result: "open" | "refused" | "unknown") => {
      socket.destroy();
      resolve(result);
    };
    socket.once("connect", () => {
      socket.end();
      resolve("open");
    });
    socket.once("timeout", () => settle("unknown"));
    socket.once("error", (error: NodeJS.ErrnoException) =>
      settle(error.code === "ECONNREFUSED" ? "refused" : "unknown"),
    );
  });
}
