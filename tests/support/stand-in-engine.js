// A stand-in for the Pulumi engine, as a process of its own so a test can SIGKILL it: it serves the engine's
// gRPC Log service on 127.0.0.1 (an ephemeral port), starts the plugin given as its arguments with that
// address appended (as the engine starts a resource plugin), passes the plugin's stdout through (so the port
// is the first line) and says on stderr `stand-in-engine: plugin pid <pid>`.
//
//   node stand-in-engine.js <command> [args...]

const { spawn } = require("node:child_process");
const path = require("node:path");

const sdkDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
const grpc = require(require.resolve("@grpc/grpc-js", { paths: [sdkDir] }));
const enginerpc = require("@pulumi/pulumi/proto/engine_grpc_pb");
const { Empty } = require(require.resolve("google-protobuf/google/protobuf/empty_pb", { paths: [sdkDir] }));

const [command, ...args] = process.argv.slice(2);
const server = new grpc.Server();
const unimplemented = (_call, callback) =>
  callback(Object.assign(new Error("not implemented"), { code: grpc.status.UNIMPLEMENTED }));
server.addService(enginerpc.EngineService, {
  log: (_call, callback) => callback(null, new Empty()),
  getRootResource: unimplemented,
  setRootResource: unimplemented,
  startDebugging: unimplemented,
});
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) {
    process.stderr.write(`stand-in-engine: cannot listen: ${error.message}\n`);
    process.exit(1);
  }
  const plugin = spawn(command, [...args, `127.0.0.1:${port}`], { stdio: ["ignore", "pipe", "pipe"] });
  process.stderr.write(`stand-in-engine: plugin pid ${plugin.pid}\n`);
  plugin.stdout.pipe(process.stdout);
  plugin.stderr.pipe(process.stderr);
  plugin.on("exit", (code, signal) => {
    process.stderr.write(`stand-in-engine: plugin exited (${signal ?? code})\n`);
    process.exit(code ?? 1);
  });
});
