/**
 * Release archive names and checksums as Pulumi and `sha256sum -c` expect them (scripts/lib/plugin-build.ts).
 * Building the executable itself is tested by `npm run test:native:release` and tests/e2e/plugin-install.e2e.ts.
 */

import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  archiveName,
  checksumsName,
  platformOf,
  staticSdkRequiresOf,
  writeChecksums,
} from "../../scripts/lib/plugin-build";

test("archives are named pulumi-resource-cloudpartner-v<version>-<os>-<arch>.tar.gz, Node or Pulumi spelling alike", () => {
  const names = ["linux-x64", "linux-arm64", "darwin-x64", "darwin-arm64", "win-x64", "win-arm64"].map((p) =>
    archiveName("1.2.3", platformOf(p)),
  );
  expect(names).toEqual([
    "pulumi-resource-cloudpartner-v1.2.3-linux-amd64.tar.gz",
    "pulumi-resource-cloudpartner-v1.2.3-linux-arm64.tar.gz",
    "pulumi-resource-cloudpartner-v1.2.3-darwin-amd64.tar.gz",
    "pulumi-resource-cloudpartner-v1.2.3-darwin-arm64.tar.gz",
    "pulumi-resource-cloudpartner-v1.2.3-windows-amd64.tar.gz",
    "pulumi-resource-cloudpartner-v1.2.3-windows-arm64.tar.gz",
  ]);
  expect(platformOf("linux-amd64")).toEqual(platformOf("linux-x64"));
  expect(platformOf("windows-amd64").binaryName).toBe("pulumi-resource-cloudpartner.exe");
  expect(() => platformOf("linux-musl-x64")).toThrow(
    /Unknown platform "linux-musl-x64".*linux-x64 \(linux-amd64\)/,
  );
});

test("the checksums file lists every archive of the version, in sha256sum format", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cloudpartner-checksums-"));
  try {
    for (const [name, text] of [
      [archiveName("1.2.3", platformOf("linux-x64")), "linux"],
      [archiveName("1.2.3", platformOf("win-x64")), "windows"],
      [archiveName("1.0.0", platformOf("linux-x64")), "older version"],
      ["notes.txt", "not an archive"],
    ] as const) {
      fs.writeFileSync(path.join(dir, name), text);
    }
    const file = writeChecksums("1.2.3", dir);
    expect(path.basename(file)).toBe(checksumsName("1.2.3"));
    const lines = fs.readFileSync(file, "utf8").trimEnd().split("\n");
    expect(lines.map((l) => l.split("  ")[1])).toEqual([
      "pulumi-resource-cloudpartner-v1.2.3-linux-amd64.tar.gz",
      "pulumi-resource-cloudpartner-v1.2.3-windows-amd64.tar.gz",
    ]);
    // sha256sum itself accepts the file (and would reject a changed archive).
    expect(execFileSync("sha256sum", ["-c", path.basename(file)], { cwd: dir, encoding: "utf8" })).toMatch(
      /linux-amd64\.tar\.gz: OK\n.*windows-amd64\.tar\.gz: OK/,
    );
    fs.appendFileSync(path.join(dir, archiveName("1.2.3", platformOf("linux-x64"))), "changed");
    expect(() =>
      execFileSync("sha256sum", ["-c", path.basename(file)], { cwd: dir, stdio: "pipe" }),
    ).toThrow();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("the bundle's SDK requires become static in the provider's sources as formatted (one line or broken over several)", () => {
  const resolve = (spec: string) => `/sdk/node_modules/${spec}.js`;
  const oneLine = 'const grpc = require(require.resolve("@grpc/grpc-js", { paths: [sdkDir] }));';
  const broken = [
    "export const { Struct } = require(",
    '  require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [sdkDir] }),',
    ");",
  ].join("\n");
  expect(staticSdkRequiresOf(oneLine, resolve)).toBe(
    'const grpc = require("/sdk/node_modules/@grpc/grpc-js.js");',
  );
  expect(staticSdkRequiresOf(broken, resolve)).toBe(
    'export const { Struct } = require("/sdk/node_modules/google-protobuf/google/protobuf/struct_pb.js");',
  );
  // The provider's own source: no dynamic require is left (the bundle would refuse it).
  const source = fs.readFileSync(path.join(__dirname, "../../provider/native/protocol.ts"), "utf8");
  expect(source).toMatch(/require\.resolve\(/);
  expect(staticSdkRequiresOf(source, resolve)).not.toMatch(/require\.resolve\(/);
});
