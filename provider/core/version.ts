/** The package version, sent as `User-Agent: pulumi-cloudpartner/<version>`. */
export const VERSION: string = (() => {
  try {
    return (require("../../package.json") as { version: string }).version;
  } catch {
    try {
      return (require("../../../package.json") as { version: string }).version;
    } catch {
      return "0.0.0";
    }
  }
})();
