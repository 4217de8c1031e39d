/**
 * The release pipeline of examples/image-release (image version → publish → review gate → go-live) as a list of
 * `pulumi up`s against the simulator, on the CPP API or the Product Ingestion API, each with the config it sets
 * and the requests it must send. Shared by `npm run demo -- --release [--api ingestion]` (which shows it) and
 * tests/e2e/image-release.e2e.ts (which asserts it).
 */

import { INGESTION_PREFIX, INGESTION_SCOPE, type IngestionProductSeed } from "../../emulator/ingestion/types";
import { defaultIngestionSeed } from "../../emulator/server";
import type { RequestLogEntry } from "../../emulator/types";

export type ReleaseApi = "cpp" | "ingestion";

/** What one `pulumi up` sent to one offer, from the simulator's request log. */
export interface ReleaseCounts {
  /**
   * Writes of the image: CPP, of the offer document (`PUT .../offers/{offerId}`); ingestion, configure POSTs of
   * the plan's technical configuration.
   */
  imageWrites: number;
  /** CPP: publish POSTs; ingestion: configure POSTs of a submission to preview. */
  publishes: number;
  /** CPP: go-live POSTs; ingestion: configure POSTs of a submission to live. */
  goLives: number;
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
 * The ingestion product a release runs on: live, with one plan whose technical configuration is the seeded
 * `ing-images-offer`'s (an x64Gen2 and an x64Gen1 SKU, a deprecated version and a live one, up to 9.1.20240101).
 */
export function releaseProduct(offerId: string): IngestionProductSeed {
  const template = defaultIngestionSeed().find((p) => p.externalId === "ing-images-offer");
  const technicalConfiguration = template?.plans?.[0]?.technicalConfiguration;
  if (!technicalConfiguration)
    throw new Error("seed.json lacks ing-images-offer and its technical configuration");
  return {
    ...template,
    externalId: offerId,
    guid: undefined,
    state: "live",
    plans: [{ externalId: releaseOffer(offerId).planId, technicalConfiguration }],
  };
}

/**
 * A SAS URI of a VHD as the docs ask for it (read and list only, started yesterday, valid far beyond the
 * simulated days a run takes). The signature is unique per blob so a test can look for it in outputs, or is
 * `sig` where given.
 */
export function sasUri(
  publisherId: string,
  blob: string,
  nowMs = Date.now(),
  sig = `sig-${blob}-c2VjcmV0`,
): string {
  const query = new URLSearchParams({
    sv: "2020-08-04",
    sr: "c",
    sp: "rl",
    st: new Date(nowMs - 86_400_000).toISOString(),
    se: "9999-12-31T23:59:59Z",
    sig,
  });
  return `https://${publisherId}.blob.core.windows.net/vhds/${blob}.vhd?${query}`;
}

/** The stack config a release starts from (everything but the version, image and gate). */
export function releaseConfig(
  offerId: string,
  simulatorUrl: string,
  api: ReleaseApi = "cpp",
): Record<string, string> {
  const offer = releaseOffer(offerId);
  if (api === "ingestion")
    return { api, offerId, planId: offer.planId, endpoint: `${simulatorUrl}${INGESTION_PREFIX}` };
  return {
    publisherId: offer.publisherId,
    offerId,
    planId: offer.planId,
    endpoint: simulatorUrl,
  };
}

/** The two versions a release takes live: each greater than every version of the plan it starts with. */
export function releaseVersions(api: ReleaseApi = "cpp"): [string, string] {
  return api === "ingestion" ? ["9.2.0", "9.3.0"] : ["1.1.0", "1.2.0"];
}

/**
 * Version A in, published, taken live after the review; version B the same way; then the same program once
 * more. Each step lists the config it changes and exactly the writes it must send (the same on both APIs).
 */
export function releaseSteps(api: ReleaseApi = "cpp") {
  const [a, b] = releaseVersions(api);
  const image = (version: string) => ({ osVhdUrl: sasUri("contoso", `os-${version}`) });
  const steps: ReleaseStep[] = [
    {
      title: `version ${a} + publish (stops when the preview is ready for review)`,
      config: { version: a, goLive: "false" },
      secrets: image(a),
      expected: { imageWrites: 1, publishes: 1, goLives: 0 },
    },
    {
      title: `review done: goLive=true (the go-live of ${a})`,
      config: { goLive: "true" },
      secrets: {},
      expected: { imageWrites: 0, publishes: 0, goLives: 1 },
    },
    {
      title: `bump to version ${b}, goLive=false (one write, one publish)`,
      config: { version: b, goLive: "false" },
      secrets: image(b),
      expected: { imageWrites: 1, publishes: 1, goLives: 0 },
    },
    {
      title: `review done: goLive=true (the go-live of ${b})`,
      config: { goLive: "true" },
      secrets: {},
      expected: { imageWrites: 0, publishes: 0, goLives: 1 },
    },
    {
      title: "the same program again (sends nothing)",
      config: {},
      secrets: {},
      expected: { imageWrites: 0, publishes: 0, goLives: 0, all: 0 },
    },
  ];
  return steps;
}

/**
 * The requests to one offer in a slice of the simulator's log. Ingestion configure POSTs are told apart by what
 * their body configures (the log's `configures`).
 */
export function releaseCounts(
  requests: readonly RequestLogEntry[],
  offerId: string,
  api: ReleaseApi = "cpp",
): ReleaseCounts {
  const ingestion = api === "ingestion";
  const mine = requests.filter(
    (r) => r.offerId === offerId && (r.publisherId === INGESTION_SCOPE) === ingestion,
  );
  const count = (method: string, kind: string, configures?: string) =>
    mine.filter((r) => r.method === method && r.kind === kind && r.configures === configures).length;
  if (ingestion)
    return {
      imageWrites: count("POST", "configure", "technicalConfiguration"),
      publishes: count("POST", "configure", "preview"),
      goLives: count("POST", "configure", "live"),
      all: mine.length,
    };
  return {
    imageWrites: count("PUT", "offer"),
    publishes: count("POST", "publish"),
    goLives: count("POST", "golive"),
    all: mine.length,
  };
}

/** One line of the demo's summary table. */
export function countsLine(counts: ReleaseCounts, api: ReleaseApi = "cpp"): string {
  const [image, publish, goLive] =
    api === "ingestion"
      ? ["image configure POST", "preview configure POST", "live configure POST"]
      : ["offer PUT", "publish POST", "go-live POST"];
  return `${counts.imageWrites} ${image}, ${counts.publishes} ${publish}, ${counts.goLives} ${goLive} (${counts.all} requests in all)`;
}
