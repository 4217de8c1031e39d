/**
 * SAS hygiene: an API that quotes the SAS URI it refused (simulator switch `echoBlobUri`: a 400 on the offer PUT,
 * a failed certification step, a failed ingestion preview job) must not put the signature into anything the user
 * or a CI log sees. Through Pulumi's real dynamic provider host (errors, partial state, its output) and through
 * the CLI. The native provider maps the same errors and snapshots (tests/unit/redact.test.ts covers the mapping).
 */

import type { CppSimulator } from "../../emulator/server";
import { defaultIngestionSeed } from "../../emulator/server";
import { run } from "../../provider/cli";
import { PooledTransport } from "../../provider/core/http";
import { addOfferQuotingRefusedBlob, blobPath, sas as sasOf } from "../support/images";
import { decodeInitError, dynamicHostSuite, type ProviderHost } from "../support/provider-host";

const CANARY = "canary-token-sas-5d2e77";
const SIG = "SIGsecretZmFrZQ%3D%3D";
const sas = (blob: string) => sasOf(blob, decodeURIComponent(SIG));
/** What a signature looks like wherever it might leak: as sent, or percent-encoded once more. */
const LEAKS = [decodeURIComponent(SIG), SIG, "SIGsecret"];

let sim: CppSimulator;
let host: ProviderHost;
const text: Record<string, string> = {};
let counter = 0;

dynamicHostSuite(CANARY, ["VmImageVersionProvider", "OfferPublishProvider"], (suite) => {
  ({ sim, host } = suite);
  Object.assign(text, suite.text);
});

/** The host's responses from `from` on, but check's (its inputs carry the SAS URI the program gave, as secrets). */
const responsesSince = (from: number) =>
  host.responses.slice(from).filter((r) => !r.startsWith('{"method":"check"'));

function expectNoSignature(...texts: string[]) {
  const all = texts.join("\n");
  for (const leak of LEAKS) expect(all).not.toContain(leak);
}

/**
 * A deployment that failed (its partial state says `failed`) with a message quoting the blob as `quoted` (after
 * "Not able to download blob "), and no signature in the error, the partial state, the host's responses since
 * `responsesBefore` or its output. Returns the decoded partial state.
 */
function expectFailedQuotingBlob(error: unknown, quoted: string, responsesBefore: number) {
  const init = decodeInitError(error);
  expect(init?.properties.status).toBe("failed");
  expect(init?.message).toContain(`Not able to download blob ${quoted}`);
  expectNoSignature(
    (error as Error).message,
    JSON.stringify(init),
    ...responsesSince(responsesBefore),
    host.stdout,
    host.stderr,
  );
  return init;
}

async function createThroughHost(inputs: Record<string, unknown>) {
  const checked = await host.check({}, inputs);
  return host.create(checked.inputs).then(
    (created) => ({ created, error: undefined }),
    (error: unknown) => ({ created: undefined, error }),
  );
}

const cppImage = (offerId: string, blob: string) => ({
  publisherId: "contoso",
  offerId,
  planId: `${offerId}-plan`,
  version: "1.1.0",
  osVhdUrl: sas(blob),
  endpoint: sim.url,
  __provider: text.VmImageVersionProvider,
});

const publish = (offerId: string, extra: Record<string, unknown> = {}) => ({
  ...(extra.api === "ingestion" ? {} : { publisherId: "contoso" }),
  offerId,
  endpoint: sim.url,
  pollIntervalSeconds: 0.01,
  maxPollIntervalSeconds: 0.02,
  __provider: text.OfferPublishProvider,
  ...extra,
});

describe("through the dynamic provider host", () => {
  test("CPP: a 400 on the offer PUT quoting the SAS URI shows the blob path only", async () => {
    const offerId = `sas-put-${++counter}`;
    const blob = `os-put-${counter}`;
    addOfferQuotingRefusedBlob(sim, offerId, blob);
    const responsesBefore = host.responses.length;
    const { error } = await createThroughHost(cppImage(offerId, blob));
    const message = (error as Error).message;
    expect(message).toMatch(/rejected the request .*\(HTTP 400 \[InvalidImage\]\)/);
    expect(message).toContain(`Not able to download blob ${blobPath(blob)}?[SAS query redacted] of version`);
    // The simulator did quote it: the signature reached the API's answer, not the user.
    const put = sim.requests.find((r) => r.offerId === offerId && r.method === "PUT");
    expect(put?.status).toBe(400);
    expectNoSignature(message, ...responsesSince(responsesBefore), host.stdout, host.stderr);
  });

  test("CPP: a publish failing at certification with the SAS URI in the step message", async () => {
    const offerId = `sas-cert-${++counter}`;
    const blob = `os-cert-${counter}`;
    sim.addOffer({ publisherId: "contoso", offerId, state: "live" });
    // Written while the blob is readable; certification then cannot download it and says so, quoting the URI.
    expect((await createThroughHost(cppImage(offerId, blob))).created).toBeDefined();
    sim.configureOffer("contoso", offerId, { echoBlobUri: true, unreadableBlobs: [blobPath(blob)] });
    const responsesBefore = host.responses.length;
    const { error } = await createThroughHost(publish(offerId));
    const init = expectFailedQuotingBlob(
      error,
      `${blobPath(blob)}?[SAS query redacted] of version`,
      responsesBefore,
    );
    expect(JSON.stringify(init?.properties.messages)).toContain("[SAS query redacted]");
  });

  test("ingestion: a failed preview job quoting the SAS URI (error, partial state, progress lines)", async () => {
    const template = defaultIngestionSeed().find((p) => p.externalId === "ing-images-offer");
    const offerId = `sas-ing-${++counter}`;
    const blob = `ing-${counter}`;
    sim.ingestion.addProduct({
      ...template,
      externalId: offerId,
      guid: undefined,
      plans: [{ externalId: "main", technicalConfiguration: template?.plans?.[0]?.technicalConfiguration }],
      echoBlobUri: true,
      unreadableBlobs: [blobPath(blob)],
    });
    const endpoint = `${sim.url}/rp/product-ingestion`;
    const image = await createThroughHost({
      api: "ingestion",
      offerId,
      planId: "main",
      version: "9.2.0",
      images: [{ imageType: "x64Gen2", osDiskUri: sas(blob) }],
      endpoint,
      __provider: text.VmImageVersionProvider,
    });
    expect(image.created).toBeDefined();
    const responsesBefore = host.responses.length;
    const { error } = await createThroughHost(publish(offerId, { api: "ingestion", endpoint }));
    expectFailedQuotingBlob(error, `${blobPath(blob)}?[SAS query redacted]. Make sure`, responsesBefore);
  });
});

describe("through the CLI", () => {
  async function cli(...argv: string[]) {
    const transport = new PooledTransport();
    let stdout = "";
    let stderr = "";
    try {
      const code = await run([...argv, "--endpoint", sim.url], {
        stdout: (t) => {
          stdout += t;
        },
        stderr: (t) => {
          stderr += t;
        },
        env: { CLOUDPARTNER_ACCESS_TOKEN: CANARY },
        transport,
      });
      return { code, stdout, stderr };
    } finally {
      await transport.close();
    }
  }

  test("status of an offer whose step message quotes the SAS URI; an error quoting it", async () => {
    const offerId = `sas-cli-${++counter}`;
    const uri = sas(`os-cli-${counter}`);
    sim.addOffer({
      publisherId: "contoso",
      offerId,
      state: "live",
      publish: { failAt: { stepId: "displaycertify", messages: [`Not able to download blob ${uri}`] } },
    });
    await fetch(`${sim.url}/api/publishers/contoso/offers/${offerId}/publish?api-version=2017-10-31`, {
      method: "POST",
      headers: { authorization: `Bearer ${CANARY}` },
    });
    sim.advance(10 ** 9);
    const status = await cli("status", "contoso", offerId);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(
      `Not able to download blob ${blobPath(`os-cli-${counter}`)}?[SAS query redacted]`,
    );
    const json = await cli("status", "contoso", offerId, "--json");
    expect(json.stdout).toContain("[SAS query redacted]");

    sim.setFaults("contoso", offerId, [
      {
        type: "status",
        status: 400,
        body: JSON.stringify({ error: { code: "BadRequest", message: `Not able to download blob ${uri}` } }),
      },
    ]);
    const refused = await cli("status", "contoso", offerId);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${blobPath(`os-cli-${counter}`)}?[SAS query redacted].`);
    expectNoSignature(status.stdout, status.stderr, json.stdout, refused.stdout, refused.stderr);
  });
});

test("the host's output had progress lines with the redacted URI in them", () => {
  expect(host.stdout + host.stderr).toContain("[SAS query redacted]");
});
