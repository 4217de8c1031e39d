/**
 * The release pipeline of examples/image-release (image version → publish → review gate → go-live) as a list of
 * `pulumi up`s against the CPP simulator, each with the config it sets and the requests it must send. Shared by
 * `npm run demo -- --release` (which shows it) and tests/e2e/image-release.e2e.ts (which asserts it).
 */

import type { RequestLogEntry } from "../../tests/simulator/types";

/** What one `pulumi up` sent to one offer, from the simulator's request log. */
export interface ReleaseCounts {
  /** Writes of the offer document (`PUT .../offers/{offerId}`). */
  offerPuts: number;
  publishPosts: number;
  goLivePosts: number;
  /** Every API request to the offer, reads included. */
  all: number;
}

export interface ReleaseStep {
  title: string;
  /** Plain config set before the `pulumi up`. */
  config: Record<string, string>;
  /** Secret config (`pulumi config set --secret`) set before the `pulumi up`. */
  secrets: Record<string, string>;
  /** The writes the `pulumi up` must send (`all` only where nothing at all may be sent). */
  expected: Omit<ReleaseCounts, "all"> & { all?: number };
}

/** The offer a release runs on: live already (so the first publish is a new one), with its seeded plan. */
export function releaseOffer(offerId: string) {
  return { publisherId: "contoso", offerId, planId: `${offerId}-plan`, state: "live" as const };
}

/**
 * A SAS URI of a VHD as the docs ask for it (read and list only, started yesterday, valid far beyond the
 * simulated days a run takes). The signature is unique per blob so a test can look for it in outputs.
 */
export function sasUri(publisherId: string, blob: string, nowMs = Date.now()): string {
  const query = new URLSearchParams({
    sv: "2020-08-04",
    sr: "c",
    sp: "rl",
    st: new Date(nowMs - 86_400_000).toISOString(),
    se: "9999-12-31T23:59:59Z",
    sig: `sig-${blob}-c2VjcmV0`,
  });
  return `https://${publisherId}.blob.core.windows.net/vhds/${blob}.vhd?${query}`;
}

/** The stack config a release starts from (everything but the version, image and gate). */
export function releaseConfig(offerId: string, endpoint: string): Record<string, string> {
  const offer = releaseOffer(offerId);
  return {
    publisherId: offer.publisherId,
    offerId,
    planId: offer.planId,
    endpoint,
  };
}

/**
 * Version A in, published, taken live after the review; version B the same way; then the same program once
 * more. Each step lists the config it changes and exactly the writes it must send.
 */
export function releaseSteps(publisherId: string, versions: [string, string] = ["1.1.0", "1.2.0"]) {
  const [a, b] = versions;
  const image = (version: string) => ({ osVhdUrl: sasUri(publisherId, `os-${version}`) });
  const steps: ReleaseStep[] = [
    {
      title: `version ${a} + publish (stops when the preview is ready for review)`,
      config: { version: a, goLive: "false" },
      secrets: image(a),
      expected: { offerPuts: 1, publishPosts: 1, goLivePosts: 0 },
    },
    {
      title: `review done: goLive=true (the go-live of ${a})`,
      config: { goLive: "true" },
      secrets: {},
      expected: { offerPuts: 0, publishPosts: 0, goLivePosts: 1 },
    },
    {
      title: `bump to version ${b}, goLive=false (one write, one publish)`,
      config: { version: b, goLive: "false" },
      secrets: image(b),
      expected: { offerPuts: 1, publishPosts: 1, goLivePosts: 0 },
    },
    {
      title: `review done: goLive=true (the go-live of ${b})`,
      config: { goLive: "true" },
      secrets: {},
      expected: { offerPuts: 0, publishPosts: 0, goLivePosts: 1 },
    },
    {
      title: "the same program again (sends nothing)",
      config: {},
      secrets: {},
      expected: { offerPuts: 0, publishPosts: 0, goLivePosts: 0, all: 0 },
    },
  ];
  return steps;
}

/** The requests to one offer in a slice of the simulator's log. */
export function releaseCounts(requests: readonly RequestLogEntry[], offerId: string): ReleaseCounts {
  const mine = requests.filter((r) => r.offerId === offerId);
  const count = (method: string, kind: string) =>
    mine.filter((r) => r.method === method && r.kind === kind).length;
  return {
    offerPuts: count("PUT", "offer"),
    publishPosts: count("POST", "publish"),
    goLivePosts: count("POST", "golive"),
    all: mine.length,
  };
}

/** One line of the demo's summary table. */
export function countsLine(counts: ReleaseCounts): string {
  return `${counts.offerPuts} offer PUT, ${counts.publishPosts} publish POST, ${counts.goLivePosts} go-live POST (${counts.all} requests in all)`;
}
