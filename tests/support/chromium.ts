/**
 * Headless Chromium for the browser tests and the README's screenshot: Debian's package (`apt-get install -y
 * chromium`), driven by playwright-core, never a browser download. Each launch gets a fresh profile.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type BrowserContext, chromium } from "playwright-core";
import { PNG } from "pngjs";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(viewport = { width: 1280, height: 900 }): Promise<Browser> {
  if (!chromiumAvailable())
    throw new Error(`Chromium was not found at ${CHROMIUM}: install it with 'apt-get install -y chromium'.`);
  const profile = mkdtempSync(path.join(tmpdir(), "cloudpartner-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    deviceScaleFactor: 1,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface PngStats {
  width: number;
  height: number;
  /** Distinct RGB colours. */
  colours: number;
  /** Share of pixels having the most common colour (1: a blank image). */
  dominantShare: number;
  /** Rows that are not a single colour. */
  busyRows: number;
}

/** Decodes a PNG and measures how much is drawn on it. */
export function pngStats(buffer: Buffer): PngStats {
  const png = PNG.sync.read(buffer);
  const counts = new Map<number, number>();
  let busyRows = 0;
  for (let y = 0; y < png.height; y++) {
    let first = -1;
    let busy = false;
    for (let x = 0; x < png.width; x++) {
      const i = (y * png.width + x) * 4;
      const rgb = ((png.data[i] ?? 0) << 16) | ((png.data[i + 1] ?? 0) << 8) | (png.data[i + 2] ?? 0);
      counts.set(rgb, (counts.get(rgb) ?? 0) + 1);
      if (first < 0) first = rgb;
      else if (rgb !== first) busy = true;
    }
    if (busy) busyRows += 1;
  }
  const dominant = Math.max(...counts.values());
  return {
    width: png.width,
    height: png.height,
    colours: counts.size,
    dominantShare: dominant / (png.width * png.height),
    busyRows,
  };
}

/** A screenshot that shows a page, not a blank or single-colour frame. */
export function looksDrawn(stats: PngStats): boolean {
  return stats.colours >= 64 && stats.dominantShare < 0.9 && stats.busyRows >= stats.height / 4;
}
