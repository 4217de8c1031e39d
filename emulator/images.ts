/**
 * VM image versions in the simulated CPP offer document: the version rules a PUT must obey (X.Y.Z, greater than
 * every earlier version of the plan, the same number of data disks) and the certification a publish runs on the
 * draft's new images (an unreadable VHD fails it with the real message).
 */

import { SimError } from "./store";
import type { PortalEdit } from "./types";

type Json = Record<string, unknown>;

export const IMAGE_KEYS = [
  "microsoft-azure-virtualmachines.vmImages",
  "microsoft-azure-corevm.vmImagesPublicAzure",
];

/** Every plan and generation sub-plan of a definition, by plan id. */
export function plansById(definition: Json | undefined): Map<string, Json> {
  const out = new Map<string, Json>();
  const plans = Array.isArray(definition?.plans) ? (definition.plans as unknown[]) : [];
  for (const plan of plans) {
    if (typeof plan !== "object" || plan === null) continue;
    const p = plan as Json;
    if (typeof p.planId === "string") out.set(p.planId, p);
    for (const sub of Array.isArray(p.diskGenerations) ? p.diskGenerations : []) {
      const s = sub as Json;
      if (typeof s?.planId === "string") out.set(s.planId, s);
    }
  }
  return out;
}

/** A plan's versions: key → entry, across both image map spellings. */
export function versionsOf(plan: Json | undefined): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const key of IMAGE_KEYS) {
    const map = plan?.[key];
    if (typeof map !== "object" || map === null) continue;
    for (const [version, entry] of Object.entries(map as Json)) out.set(version, (entry ?? {}) as Json);
  }
  return out;
}

function parts(version: string): bigint[] | undefined {
  const p = version.split(".");
  if (p.length !== 3 || p.some((x) => !/^\d{1,10}$/.test(x))) return undefined;
  return p.map((x) => BigInt(x));
}

function greater(a: bigint[], b: bigint[]): boolean {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return (a[i] ?? 0n) > (b[i] ?? 0n);
  return false;
}

const diskCount = (entry: Json) => (Array.isArray(entry.lunVhdDetails) ? entry.lunVhdDetails.length : 0);

/** Throws the 400 the API gives when a PUT adds a version that breaks the rules. */
export function checkVersionRules(before: Json, after: Json): void {
  const old = plansById(before);
  for (const [planId, plan] of plansById(after)) {
    const earlier = versionsOf(old.get(planId));
    for (const [version, entry] of versionsOf(plan)) {
      if (earlier.has(version)) continue;
      const mine = parts(version);
      if (!mine) {
        throw new SimError(
          400,
          "InvalidVersion",
          `Invalid version '${version}' for plan '${planId}'. The version must be in the format X.Y.Z, where X, Y and Z are integers of at most 10 digits.`,
        );
      }
      const highest = [...earlier.keys()]
        .map((v) => ({ v, p: parts(v) }))
        .filter((x): x is { v: string; p: bigint[] } => x.p !== undefined)
        .reduce<{ v: string; p: bigint[] } | undefined>(
          (best, x) => (!best || greater(x.p, best.p) ? x : best),
          undefined,
        );
      if (highest && !greater(mine, highest.p)) {
        throw new SimError(
          400,
          "InvalidVersion",
          `The version '${version}' of plan '${planId}' must be greater than the previous versions; the latest version is '${highest.v}'.`,
        );
      }
      const counts = new Set([...earlier.values()].map(diskCount));
      if (counts.size > 0 && !counts.has(diskCount(entry))) {
        throw new SimError(
          400,
          "InvalidDataDisks",
          `The number of data disks of version '${version}' of plan '${planId}' (${diskCount(entry)}) must match the earlier versions (${[...counts].join(", ")}).`,
        );
      }
    }
  }
}

/** The blob URL of an image without its query, as the API's messages show it. */
export function blobOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return url.split("?")[0] ?? "";
  }
}

/**
 * Why the VHD at `url` cannot be copied at `nowMs`, or undefined: not https, no signature, no read permission,
 * expired or not yet valid, or a blob the test marked unreadable.
 */
export function unreadable(url: unknown, nowMs: number, unreadableBlobs: string[]): boolean {
  if (typeof url !== "string") return true;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return true;
  }
  const q = u.searchParams;
  const se = Date.parse(q.get("se") ?? "");
  const st = Date.parse(q.get("st") ?? "");
  return (
    u.protocol !== "https:" ||
    !q.get("sig") ||
    !(q.get("sp") ?? "").includes("r") ||
    Number.isNaN(se) ||
    se < nowMs ||
    (!Number.isNaN(st) && st > nowMs) ||
    unreadableBlobs.includes(blobOf(url))
  );
}

/**
 * Certification of a publish: every image of the draft that the preview does not already carry is copied; the
 * first one that cannot be read fails the publish with the portal's words. Also what an offer PUT with
 * `echoBlobUri` refuses (`preview` is then the offer as it was before the write).
 */
export function certificationFailure(
  draft: Json,
  preview: Json | undefined,
  nowMs: number,
  unreadableBlobs: string[],
  /** Quote the whole SAS URI (an API echoing what it refused), not only the blob path. */
  echoBlobUri = false,
): string[] | undefined {
  const published = plansById(preview);
  for (const [planId, plan] of plansById(draft)) {
    const before = versionsOf(published.get(planId));
    for (const [version, entry] of versionsOf(plan)) {
      const same = before.get(version);
      const urls = [
        entry.osVhdUrl,
        ...(Array.isArray(entry.lunVhdDetails)
          ? // Whatever the item's keys (its shape is undocumented): every https string in it is a VHD to copy.
            entry.lunVhdDetails.flatMap((d) =>
              Object.values((d ?? {}) as Json).filter(
                (v) => typeof v === "string" && v.startsWith("https://"),
              ),
            )
          : []),
      ];
      if (same && JSON.stringify(same) === JSON.stringify(entry)) continue;
      const bad = urls.find((url) => unreadable(url, nowMs, unreadableBlobs));
      if (bad !== undefined) {
        return [
          `Failure: Copying Images. Not able to download blob ${echoBlobUri ? String(bad) : blobOf(String(bad))} of version '${version}' of plan '${planId}'. Make sure the SAS URI is valid, has read and list permissions and has not expired.`,
        ];
      }
    }
  }
  return undefined;
}

export function applyPortalEdit(definition: Json, edit: PortalEdit): void {
  if (edit.displayText !== undefined) definition.displayText = edit.displayText;
  if (edit.removePlan !== undefined && Array.isArray(definition.plans))
    definition.plans = definition.plans.filter((p) => (p as Json | null)?.planId !== edit.removePlan);
  if (edit.planId === undefined || edit.version === undefined || edit.image === undefined) return;
  const plan = plansById(definition).get(edit.planId);
  if (!plan) throw new SimError(404, "NotFound", `Plan '${edit.planId}' was not found.`);
  const key = IMAGE_KEYS.find((k) => k in plan) ?? IMAGE_KEYS[0] ?? "";
  const map = ((plan[key] as Json | undefined) ?? {}) as Json;
  plan[key] = map;
  if (edit.image === null) delete map[edit.version];
  else map[edit.version] = edit.image;
}
