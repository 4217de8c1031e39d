/**
 * `npm run screenshot`: draws the README's picture of the emulator's page (docs/emulator.png) in headless
 * Chromium (Debian's `chromium`): a go-live running in Certification, one that failed there, a fault in the
 * request log. `-- --out FILE` writes elsewhere.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { startSimulator } from "../emulator/server";
import { launchChromium, looksDrawn, pngStats } from "../tests/support/chromium";

const TOKEN = "screenshot-token";
const API = "api-version=2017-10-31";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { out: { type: "string", default: path.join(__dirname, "..", "docs", "emulator.png") } },
  });
  const sim = await startSimulator({ acceptedTokens: [TOKEN] });
  const browser = await launchChromium({ width: 1280, height: 860 });
  try {
    const call = (method: string, route: string) =>
      fetch(`${sim.url}${route}`, { method, headers: { Authorization: `Bearer ${TOKEN}` } });
    // failing-offer's seed fails its go-live at Certification; it ran yesterday.
    await call("POST", `/api/publishers/contoso/offers/failing-offer/golive?${API}`);
    sim.advance(86400 + 20 * 60);
    const started = await call("POST", `/api/publishers/contoso/offers/contoso-offer/golive?${API}`);
    const location = started.headers.get("location") ?? "";
    sim.advance(9 * 3600);
    sim.setFaults("contoso", "contoso-offer", [
      { type: "status", status: 429, retryAfter: "60", match: { method: "GET" } },
    ]);
    for (let i = 0; i < 3; i++) await call("GET", location);

    const page = await browser.context.newPage();
    await page.goto(`${sim.url}/?token=${TOKEN}`);
    await page.locator('article.operation[data-status="running"]').waitFor();
    await page
      .locator("#connection")
      .filter({ hasText: /^live$/ })
      .waitFor();
    await page.waitForTimeout(300);
    const png = await page.screenshot({ type: "png" });
    const stats = pngStats(png);
    if (!looksDrawn(stats)) throw new Error(`The screenshot looks blank: ${JSON.stringify(stats)}`);
    writeFileSync(values.out, png);
    console.log(`wrote ${values.out} (${png.length} bytes, ${stats.colours} colours)`);
  } finally {
    await browser.close();
    await sim.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
