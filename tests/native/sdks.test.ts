/**
 * What can be checked of the generated SDKs without their toolchains. The .NET SDK (sdk/dotnet) and the Java
 * SDK (sdk/java) cannot be compiled on these machines: no .NET SDK (Debian has only Mono 6.8, which knows
 * neither SDK-style projects nor C# 8), no NuGet for the Pulumi package, and no Maven Central for
 * com.pulumi:pulumi (javac is there, the jars are not). So: every C# and Java file parses with a real grammar,
 * the project files are well-formed, each SDK declares every resource of the schema under the package names
 * the schema gives, and every SDK carries the plugin's name, version and pluginDownloadURL. `npm run
 * check-sdk` checks the SDKs are what schema.json generates; sdk/python byte-compiles (sdk-python.test.ts);
 * sdk/go builds alone (tests/e2e/sdk-go.e2e.ts) and runs (tests/e2e/languages.e2e.ts).
 */

import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import * as yaml from "js-yaml";
import * as ts from "typescript";
import { parseSources, type SourceLanguage } from "../support/source-parse";

const ROOT = path.resolve(__dirname, "../..");
const SDK = path.join(ROOT, "sdk");
const schema = JSON.parse(fs.readFileSync(path.join(ROOT, "schema.json"), "utf8")) as {
  name: string;
  displayName: string;
  config: { variables: Record<string, unknown> };
  version: string;
  pluginDownloadURL: string;
  resources: Record<string, unknown>;
  language: {
    csharp: { rootNamespace: string; namespaces: Record<string, string> };
    java: { basePackage: string };
    nodejs: { packageName: string };
    python: { packageName: string };
    go: { importBasePath: string; modulePath: string };
  };
};
const resourceTokens = Object.keys(schema.resources);
const plugin = {
  resource: true,
  name: schema.name,
  version: schema.version,
  server: schema.pluginDownloadURL,
};

function filesUnder(dir: string, ext: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(ext))
    .map((f) => path.join(dir, f))
    .sort();
}

function parseFiles(language: SourceLanguage, files: string[]) {
  return parseSources(files.map((f) => ({ language, text: fs.readFileSync(f, "utf8") })));
}

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

describe("the checks can fail", () => {
  test("a C# or Java file cut short or with a broken member, or an unclosed XML tag, is reported", () => {
    const cs = fs.readFileSync(path.join(SDK, "dotnet/OfferGoLive.cs"), "utf8");
    const java = fs.readFileSync(
      path.join(SDK, "java/src/main/java/io/github/pulumicloudpartner/cloudpartner/OfferGoLive.java"),
      "utf8",
    );
    const cut = (text: string) => text.slice(0, text.lastIndexOf("}"));
    const parsed = parseSources([
      { language: "c-sharp", text: cs },
      { language: "c-sharp", text: cut(cs) },
      { language: "c-sharp", text: cs.replace("public Output<bool> Attached", "public Output<bool> =") },
      { language: "java", text: java },
      { language: "java", text: cut(java) },
      { language: "java", text: java.replace("public class OfferGoLive", "public class OfferGoLive (") },
    ]).map((p) => p.errors.length > 0);
    expect(parsed).toEqual([false, true, true, false, true, true]);
    expect(XMLValidator.validate("<Project><PropertyGroup></Project>")).not.toBe(true);
  });
});

describe("sdk/dotnet (C#)", () => {
  const dir = path.join(SDK, "dotnet");
  const namespace = `${schema.language.csharp.rootNamespace}.${schema.language.csharp.namespaces[schema.name]}`;

  test("every .cs file parses, in the schema's namespace", () => {
    const files = filesUnder(dir, ".cs");
    expect(files.length).toBeGreaterThanOrEqual(resourceTokens.length + 2);
    const problems: Record<string, string[]> = {};
    parseFiles("c-sharp", files).forEach(({ errors, namespaces, types }, i) => {
      const wrong = namespaces.filter((n) => n !== namespace && !n.startsWith(`${namespace}.`));
      if (namespaces.length === 0) wrong.push("(no namespace)");
      const found = [...errors, ...wrong.map((n) => `namespace ${n}, expected ${namespace}[.*]`)];
      if (types.length === 0) found.push("declares no type");
      if (found.length > 0) problems[path.relative(dir, files[i] as string)] = found;
    });
    expect(problems).toEqual({});
  });

  test("declares every resource of the schema as a CustomResource class", () => {
    for (const token of resourceTokens) {
      const name = token.split(":").at(-1) as string;
      const source = fs.readFileSync(path.join(dir, `${name}.cs`), "utf8");
      expect(source).toContain(`[CloudpartnerResourceType("${token}")]`);
      expect(source).toMatch(new RegExp(`public partial class ${name} : global::Pulumi\\.CustomResource\\b`));
    }
  });

  test("the .csproj is well-formed XML naming the package, its version, the Pulumi SDK and the logo", () => {
    const projects = fs.readdirSync(dir).filter((f) => f.endsWith(".csproj"));
    expect(projects).toEqual([`${namespace}.csproj`]);
    const xml = fs.readFileSync(path.join(dir, projects[0] as string), "utf8");
    expect(XMLValidator.validate(xml)).toBe(true);
    const project = new XMLParser({ ignoreAttributes: false }).parse(xml).Project;
    const props = Object.assign({}, ...[project.PropertyGroup].flat());
    expect(props.Version).toBe(schema.version);
    expect(props.PackageIcon).toBe("logo.png");
    const refs = [project.ItemGroup]
      .flat()
      .flatMap(
        (g: { PackageReference?: unknown }) =>
          [g?.PackageReference ?? []].flat() as Array<Record<string, string>>,
      )
      .map((r) => r["@_Include"]);
    expect(refs).toContain("Pulumi");
    expect(fs.readFileSync(path.join(dir, "logo.png"))).toEqual(
      fs.readFileSync(path.join(ROOT, "docs/logo.png")),
    );
    expect(readJson(path.join(dir, "pulumi-plugin.json"))).toEqual(plugin);
  });
});

describe("sdk/java", () => {
  const dir = path.join(SDK, "java");
  const sources = path.join(dir, "src/main/java");
  const javaPackage = `${schema.language.java.basePackage}.${schema.name}`;

  test("every .java file parses, its package matches its folder and its type its file name", () => {
    const files = filesUnder(sources, ".java");
    expect(files.length).toBeGreaterThanOrEqual(resourceTokens.length * 2);
    const problems: Record<string, string[]> = {};
    parseFiles("java", files).forEach(({ errors, package: pkg, types }, i) => {
      const rel = path.relative(sources, files[i] as string);
      const found = [...errors];
      const expected = path.dirname(rel).split(path.sep).join(".");
      if (pkg !== expected) found.push(`package ${pkg}, expected ${expected}`);
      if (!expected.startsWith(javaPackage)) found.push(`outside ${javaPackage}`);
      if (!types.includes(path.basename(rel, ".java"))) found.push(`declares ${types.join(", ")}`);
      if (found.length > 0) problems[rel] = found;
    });
    expect(problems).toEqual({});
  });

  // javac's own parser, stopped before attribution (which needs the com.pulumi:pulumi jars, not to be had here).
  const hasJavac = spawnSync("javac", ["-version"]).status === 0;
  (hasJavac ? test : test.skip)(
    "javac parses every .java file and the docs' Java example (and refuses a broken one)",
    () => {
      const out = fs.mkdtempSync(path.join(os.tmpdir(), "cloudpartner-javac-"));
      const parseOnly = (files: string[]) =>
        spawnSync(
          "javac",
          [
            "-XDshould-stop.ifNoError=PARSE",
            "-XDshould-stop.ifError=PARSE",
            "-proc:none",
            "-d",
            out,
            ...files,
          ],
          { encoding: "utf8" },
        );
      try {
        const files = filesUnder(sources, ".java");
        const index = fs.readFileSync(path.join(ROOT, "docs/_index.md"), "utf8");
        const example = path.join(out, "App.java");
        fs.writeFileSync(
          example,
          /\{\{% choosable language java %\}\}\s*```java\n([\s\S]*?)```/.exec(index)?.[1] ?? "",
        );
        const all = parseOnly([...files, example]);
        expect({ status: all.status, output: `${all.stdout}${all.stderr}` }).toEqual({
          status: 0,
          output: "",
        });
        const broken = path.join(out, "OfferGoLive.java");
        fs.writeFileSync(broken, fs.readFileSync(files[0] as string, "utf8").replace(/;\s*$/m, ""));
        expect(parseOnly([broken]).status).not.toBe(0);
      } finally {
        fs.rmSync(out, { recursive: true, force: true });
      }
    },
  );

  test("declares every resource of the schema; the Gradle build names the plugin's server", () => {
    for (const token of resourceTokens) {
      const name = token.split(":").at(-1) as string;
      const source = fs.readFileSync(path.join(sources, ...javaPackage.split("."), `${name}.java`), "utf8");
      expect(source).toContain(`@ResourceType(type="${token}")`);
      expect(source).toContain(`public class ${name} extends com.pulumi.resources.CustomResource`);
    }
    const gradle = fs.readFileSync(path.join(dir, "build.gradle"), "utf8");
    expect(gradle).toContain(`group = "${schema.language.java.basePackage}"`);
    expect(gradle).toContain(`server "${schema.pluginDownloadURL}"`);
    expect(gradle).toMatch(/implementation\("com\.pulumi:pulumi:\d+\.\d+\.\d+"\)/);
  });
});

describe("every SDK carries the package names and the plugin download URL", () => {
  test("Node.js, Python and Go", () => {
    const nodePackage = readJson(path.join(SDK, "nodejs/package.json")) as { name: string; pulumi: unknown };
    expect(nodePackage.name).toBe(schema.language.nodejs.packageName);
    expect(nodePackage.pulumi).toEqual(plugin);
    expect(fs.readFileSync(path.join(SDK, "python/pyproject.toml"), "utf8")).toContain(
      `name = "${schema.language.python.packageName}"`,
    );
    expect(
      readJson(path.join(SDK, `python/${schema.language.python.packageName}/pulumi-plugin.json`)),
    ).toEqual(plugin);
    const goPackageDir = path.join(
      SDK,
      "go",
      path.relative(schema.language.go.modulePath, schema.language.go.importBasePath),
    );
    expect(fs.readFileSync(path.join(SDK, "go/go.mod"), "utf8")).toContain(
      `module ${schema.language.go.modulePath}\n`,
    );
    expect(readJson(path.join(goPackageDir, "pulumi-plugin.json"))).toEqual(plugin);
    // Resources registered through the SDKs carry the download URL, so the engine can fetch the plugin.
    expect(fs.readFileSync(path.join(SDK, "nodejs/utilities.ts"), "utf8")).toContain(
      `pluginDownloadURL: "${schema.pluginDownloadURL}"`,
    );
    expect(fs.readFileSync(path.join(goPackageDir, "internal/pulumiUtilities.go"), "utf8")).toContain(
      `pulumi.PluginDownloadURL("${schema.pluginDownloadURL}")`,
    );
    expect(schema.pluginDownloadURL).toMatch(/^github:\/\/api\.github\.com\/[\w.-]+\/pulumi-cloudpartner$/);
  });
});

describe("docs/ (the Pulumi Registry's shape)", () => {
  const docs = path.join(ROOT, "docs");
  const index = fs.readFileSync(path.join(docs, "_index.md"), "utf8");
  // The language of each generated SDK in the registry's chooser.
  const chooserLanguage: Record<string, string> = {
    nodejs: "typescript",
    python: "python",
    go: "go",
    dotnet: "csharp",
    java: "java",
  };
  const examples = new Map(
    [...index.matchAll(/\{\{% choosable language (\w+) %\}\}([\s\S]*?)\{\{% \/choosable %\}\}/g)].map((m) => [
      m[1] as string,
      /```\w+\n([\s\S]*?)```/.exec(m[2] as string)?.[1] ?? "",
    ]),
  );

  test("both pages have the registry's front matter", () => {
    for (const page of ["_index.md", "installation-configuration.md"]) {
      const text = fs.readFileSync(path.join(docs, page), "utf8");
      const front = /^---\n([\s\S]*?)\n---\n/.exec(text)?.[1];
      expect(front).toBeDefined();
      const meta = yaml.load(front as string) as Record<string, string>;
      expect(meta.layout).toBe("package");
      expect(meta.title).toContain(schema.displayName);
      expect(meta.meta_desc?.length).toBeGreaterThan(20);
    }
    const install = fs.readFileSync(path.join(docs, "installation-configuration.md"), "utf8");
    for (const name of [
      schema.language.nodejs.packageName,
      schema.language.python.packageName,
      schema.language.go.importBasePath,
      `${schema.language.csharp.rootNamespace}.${schema.language.csharp.namespaces[schema.name]}`,
      `${schema.language.java.basePackage}:${schema.name}`,
      schema.pluginDownloadURL,
      ...Object.keys(schema.config.variables).map((k) => `${schema.name}:${k}`),
    ]) {
      expect(install).toContain(name);
    }
  });

  test("_index.md has an example for every generated SDK and YAML, in one chooser", () => {
    const sdks = fs.readdirSync(SDK).filter((d) => fs.statSync(path.join(SDK, d)).isDirectory());
    const wanted = [...sdks.map((d) => chooserLanguage[d] ?? `(no chooser language for sdk/${d})`), "yaml"];
    expect([...examples.keys()].sort()).toEqual(wanted.sort());
    const chooser = /\{\{< chooser language "([^"]+)" >\}\}/.exec(index)?.[1]?.split(",");
    expect(chooser?.sort()).toEqual(wanted.sort());
    for (const [language, code] of examples)
      expect({ language, empty: code.trim() === "" }).toEqual({ language, empty: false });
  });

  test("the C# and Java examples parse; the YAML one names only the schema's types", () => {
    const parsed = parseSources([
      { language: "c-sharp", text: examples.get("csharp") ?? "" },
      { language: "java", text: examples.get("java") ?? "" },
    ]);
    expect(parsed.map((p) => p.errors)).toEqual([[], []]);
    const program = yaml.load(examples.get("yaml") ?? "") as { resources: Record<string, { type: string }> };
    const types = Object.values(program.resources).map((r) => r.type);
    expect(types.length).toBeGreaterThan(0);
    for (const type of types) expect(resourceTokens).toContain(type);
  });

  test("the TypeScript example type-checks against sdk/nodejs", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cloudpartner-docs-ts-"));
    try {
      const file = path.join(dir, "index.ts");
      fs.writeFileSync(file, examples.get("typescript") ?? "");
      const program = ts.createProgram([file], {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.CommonJS,
        moduleResolution: ts.ModuleResolutionKind.Node10,
        esModuleInterop: true,
        skipLibCheck: true,
        types: [],
        typeRoots: [path.join(ROOT, "node_modules/@types")],
        baseUrl: ROOT,
        paths: {
          [schema.language.nodejs.packageName]: ["sdk/nodejs/index.ts"],
          "@pulumi/pulumi": ["node_modules/@pulumi/pulumi"],
          "@pulumi/pulumi/*": ["node_modules/@pulumi/pulumi/*"],
        },
      });
      const diagnostics = ts
        .getPreEmitDiagnostics(program)
        .map(
          (d) =>
            `${d.file ? path.basename(d.file.fileName) : ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`,
        );
      expect(diagnostics).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  const python = ["python3", "python"].find((cmd) => spawnSync(cmd, ["--version"]).status === 0);
  (python ? test : test.skip)("the Python example parses (python3 ast)", () => {
    const result = spawnSync(python as string, ["-c", "import ast, sys; ast.parse(sys.stdin.read())"], {
      input: examples.get("python") ?? "",
      encoding: "utf8",
    });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: "" });
  });

  const hasGofmt = spawnSync("gofmt", ["-h"]).error === undefined;
  (hasGofmt ? test : test.skip)("the Go example parses and is gofmt-formatted", () => {
    const result = spawnSync("gofmt", ["-l", "-e"], { input: examples.get("go") ?? "", encoding: "utf8" });
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({
      status: 0,
      stdout: "",
      stderr: "",
    });
  });
});
