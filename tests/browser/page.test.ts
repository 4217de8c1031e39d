/**
 * The emulator's page in a real browser (headless Chromium from Debian, driven by playwright-core): load it,
 * see a running go-live, press "Fail at Certification", see the failure on the page and in the API, and take
 * screenshots that are checked not to be blank. Skips locally when Chromium is missing; fails in CI (CI=true),
 * whose .ci/run installs it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PNG } from "pngjs";
import { type CppSimulator, startSimulator } from "../../emulator/server";
import {
  type Browser,
  CHROMIUM,
  chromiumAvailable,
  launchChromium,
  looksDrawn,
  pngStats,
} from "../support/chromium";

const TOKEN = "test-token";
const API_VERSION = "2017-10-31";
const inCi = process.env.CI === "true";
jest.setTimeout(60_000);
const MESSAGE = "Certification failed: the OS disk VHD could not be read.";

test("the not-blank check tells a drawn screenshot from a blank or two-colour one", () => {
  const blank = new PNG({ width: 200, height: 100 });
  blank.data.fill(255);
  expect(looksDrawn(pngStats(PNG.sync.write(blank)))).toBe(false);
  const striped = new PNG({ width: 200, height: 100 });
  for (let i = 0; i < striped.data.length; i += 4) striped.data.set([i % 8 ? 0 : 255, 0, 0, 255], i);
  expect(looksDrawn(pngStats(PNG.sync.write(striped)))).toBe(false);
});

if (!chromiumAvailable() && !inCi) {
  test.skip(`browser test skipped: ${CHROMIUM} is missing (install it: apt-get install -y chromium)`, () => {});
} else {
  describe("the emulator's page in headless Chromium", () => {
    let sim: CppSimulator;
    let browser: Browser;
    let shots: string;

    beforeAll(async () => {
      // Fails, not skips, in CI: .ci/run installs Chromium before npm test.
      if (!chromiumAvailable())
        throw new Error(`CI=true and ${CHROMIUM} is missing: .ci/run must install chromium.`);
      shots = mkdtempSync(path.join(tmpdir(), "cloudpartner-shots-"));
      [sim, browser] = await Promise.all([startSimulator({ acceptedTokens: [TOKEN] }), launchChromium()]);
    });

    afterAll(async () => {
      await browser?.close();
      await sim?.close();
      if (shots) rmSync(shots, { recursive: true, force: true });
    });

    test("a running go-live, failed at Certification from the page: failed on the page and in the API", async () => {
      const posted = await fetch(
        `${sim.url}/api/publishers/contoso/offers/contoso-offer/golive?api-version=${API_VERSION}`,
        { method: "POST", headers: { Authorization: `Bearer ${TOKEN}` } },
      );
      expect(posted.status).toBe(202);
      const location = posted.headers.get("location") ?? "";
      const id = decodeURIComponent(location.split("/operations/")[1]?.split("?")[0] ?? "");
      sim.advance(20 * 60); // past the 15 minutes of validation: in Certification

      const page = await browser.context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      await page.goto(`${sim.url}/?token=${TOKEN}`);
      const card = page.locator(`article.operation[data-operation-id="${id}"]`);
      await card.locator("text=running").first().waitFor();
      expect(await card.getAttribute("data-status")).toBe("running");
      expect(await card.locator(".current-step").textContent()).toBe("Certification");
      expect(await page.locator("#connection").textContent()).toBe("live");
      // The token left the address bar (kept for this tab only).
      expect(page.url()).toBe(`${sim.url}/`);
      await card.locator('g.step-inProgress[data-step="Certification"]').waitFor();

      const running = await page.screenshot({ path: path.join(shots, "running.png") });
      expect(looksDrawn(pngStats(running))).toBe(true);

      await card.locator('select[name="step"]').selectOption("Certification");
      await card.locator('input[name="message"]').fill(MESSAGE);
      await card.getByRole("button", { name: "Fail at Certification" }).click();

      // On the page: pushed by the event stream, no reload.
      await page.locator(`article.operation[data-operation-id="${id}"][data-status="failed"]`).waitFor();
      expect(await card.locator(".error-text").textContent()).toBe(MESSAGE);
      await card.locator('g.step-blocked[data-step="Certification"]').waitFor();
      expect(await card.locator(".op-controls").isHidden()).toBe(true);

      // In the API: the operation's GET shows it failed at Certification with the message.
      const get = await fetch(`${sim.url}${location}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      const op = (await get.json()) as {
        status: string;
        steps: Array<{ stepName: string; status: string; messages: Array<{ messageHtml: string }> }>;
      };
      expect(op.status).toBe("failed");
      const certification = op.steps.find((step) => step.stepName === "Certification");
      expect(certification?.status).toBe("blocked");
      expect(certification?.messages.map((m) => m.messageHtml)).toEqual([MESSAGE]);

      const failed = await page.screenshot({ path: path.join(shots, "failed.png") });
      expect(looksDrawn(pngStats(failed))).toBe(true);

      // A reload keeps working from the token kept in sessionStorage.
      await page.reload();
      await page.locator(`article.operation[data-operation-id="${id}"][data-status="failed"]`).waitFor();
      expect(errors).toEqual([]);
      // The page's own requests (files, state, events, controls) stay out of the API's request log.
      expect(sim.requests.map((entry) => `${entry.method} ${entry.kind}`)).toEqual([
        "POST golive",
        "GET operation",
      ]);
      await page.close();
    });

    test("offer buttons, the fault form and the clock reach the emulator", async () => {
      const page = await browser.context.newPage();
      await page.goto(`${sim.url}/?token=${TOKEN}`);
      const offer = page.locator('article.offer[data-offer="contoso/legacy-offer"]');
      await offer.getByRole("button", { name: "Fail next go-live at Certification" }).click();
      await offer.locator(".pending", { hasText: "the next golive fails at Certification" }).waitFor();

      await page.locator("#fault-target").selectOption("contoso/legacy-offer");
      await page.locator("#fault-kind").selectOption("429");
      await page.locator('input[name="retryAfter"]').fill("7");
      await page.locator("#fault-form").getByRole("button", { name: "Inject" }).click();
      await page.locator(".toast.ok").waitFor();
      const faulted = await fetch(
        `${sim.url}/api/publishers/contoso/offers/legacy-offer?api-version=${API_VERSION}`,
        {
          headers: { Authorization: `Bearer ${TOKEN}` },
        },
      );
      expect([faulted.status, faulted.headers.get("retry-after")]).toEqual([429, "7"]);
      await page.locator("#requests-body tr", { hasText: "status" }).filter({ hasText: "429" }).waitFor();

      const before = sim.now().getTime();
      await page.getByRole("button", { name: "+1 day" }).click();
      await page.locator(".toast.ok", { hasText: "Advance the clock 1 d" }).waitFor();
      expect(sim.now().getTime() - before).toBeGreaterThanOrEqual(86400 * 1000);
      await page.close();
    });

    test("without the token the page asks for it, then loads", async () => {
      const page = await browser.context.newPage();
      await page.goto(`${sim.url}/`);
      await page.locator("#login").waitFor();
      expect(await page.locator("#connection").textContent()).toBe("token needed");
      await page.locator("#token-input").fill(TOKEN);
      await page.getByRole("button", { name: "Use token" }).click();
      await page.locator("body[data-ready]").waitFor();
      await page
        .locator("#connection")
        .filter({ hasText: /^live$/ })
        .waitFor();
      expect(await page.locator("#offers-list article").count()).toBeGreaterThan(0);
      await page.close();
    });
  });
}
