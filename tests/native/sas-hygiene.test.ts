/**
 * The native plugin over gRPC gets the SAS redaction of the shared core (tests/reliability/sas-hygiene.test.ts
 * does the dynamic host and the CLI): an API that quotes the SAS URI it refused, in a 400 on the offer PUT and
 * in a failed certification step, puts no signature into errors, partial state or the plugin's output.
 */

import type { CppSimulator } from "../../emulator/server";
import { sasUri } from "../../scripts/lib/release";
import { addOfferQuotingRefusedBlob, blobPath } from "../support/images";
import { IMAGE, type NativeHost, nativeHostSuite, PUBLISH, secret } from "../support/native-host";
import { decodeInitError } from "../support/provider-host";

const CANARY = "canary-native-sas-token-7a31";
const SIG = "SIGnativeSecret";
const T0 = Date.now();
let sim: CppSimulator;
let host: NativeHost;
let counter = 0;

nativeHostSuite(CANARY, (suite) => {
  ({ sim, host } = suite);
});

/** What the plugin said since `from` responses, check answers left out (they hand the SAS inputs back). */
function saidSince(from: number): string {
  const answers = host.host.responses.slice(from).filter((r) => !r.startsWith('{"method":"check"'));
  return [host.host.stdout, host.host.stderr, ...answers].join("\n");
}

const image = (offerId: string, blob: string) => ({
  publisherId: "contoso",
  offerId,
  planId: `${offerId}-plan`,
  version: "1.1.0",
  osVhdUrl: secret(sasUri("contoso", blob, T0, SIG)),
  dataDisks: [],
});

test("a 400 on the offer PUT quoting the SAS URI: the blob path, never the signature", async () => {
  const offerId = `native-sas-${++counter}`;
  const blob = `os-${offerId}`;
  addOfferQuotingRefusedBlob(sim, offerId, blob);
  const news = (await host.check(IMAGE, {}, image(offerId, blob))).inputs;
  const from = host.host.responses.length;
  const error = await host.create(IMAGE, news).catch((e: unknown) => e);
  expect((error as Error).message).toContain(
    `Not able to download blob ${blobPath(blob)}?[SAS query redacted]`,
  );
  expect(saidSince(from)).not.toContain(SIG);
});

test("a publish failing at certification with the SAS URI in its step message", async () => {
  const offerId = `native-sas-${++counter}`;
  const blob = `os-${offerId}`;
  sim.addOffer({ publisherId: "contoso", offerId, state: "live" });
  await host.create(IMAGE, (await host.check(IMAGE, {}, image(offerId, blob))).inputs);
  sim.configureOffer("contoso", offerId, { echoBlobUri: true, unreadableBlobs: [blobPath(blob)] });
  const news = (
    await host.check(
      PUBLISH,
      {},
      { publisherId: "contoso", offerId, pollIntervalSeconds: 0.01, maxPollIntervalSeconds: 0.02 },
    )
  ).inputs;
  const from = host.host.responses.length;
  const error = await host.create(PUBLISH, news).catch((e: unknown) => e);
  const init = decodeInitError(error);
  expect(init?.properties.status).toBe("failed");
  expect(init?.message).toContain(`${blobPath(blob)}?[SAS query redacted]`);
  expect(saidSince(from)).not.toContain(SIG);
});
