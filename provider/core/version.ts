/** What this module needs of the package's own package.json. */
interface PackageJson {
  version: string;
  engines?: { node?: string };
}

/** The package's package.json, from `provider/core` or `dist/provider/core`; a placeholder when neither is there. */
export const PACKAGE_JSON: PackageJson = (() => {
  // String literals, so that a bundler (the plugin's single executable, scripts/lib/plugin-build.ts) embeds it.
  try {
    return require("../../package.json") as PackageJson;
  } catch {
    // try the next layout
  }
  try {
    return require("../../../package.json") as PackageJson;
  } catch {
    return { version: "0.0.0" };
  }
})();

/** The package version, sent as `User-Agent: pulumi-cloudpartner/<version>`. */
export const VERSION: string = PACKAGE_JSON.version;
