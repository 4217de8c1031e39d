/**
 * SAS signatures never leave through what the shared core makes: `redactSecrets` on its own, every error of the
 * hierarchy (so every door, the native provider's included, shows the same text), the HTTP error mapping of a
 * 400 that quotes the URI it refused, and the snapshots each API's parser makes of operations and jobs.
 */

import { inspect } from "node:util";
import { StaticTokenProvider } from "../../provider/core/auth";
import {
  AbortedError,
  ConcurrentEditError,
  endSentence,
  OperationFailedError,
  RejectedError,
  redactSecrets,
} from "../../provider/core/errors";
import type { HttpRequest, HttpResponse } from "../../provider/core/http";
import { CloudPartnerClient } from "../../provider/cpp/client";
import { parseOperation } from "../../provider/cpp/operation";
import { snapshotOf } from "../../provider/ingestion/backend";
import { parseConfigureStatus } from "../../provider/ingestion/parse";

const SIG = "SECRETsig%2Babc%3D";
const BLOB = "https://contoso.blob.core.windows.net/vhds/os-1.vhd";
const URI = `${BLOB}?sv=2020-08-04&sr=b&sp=rl&se=2027-01-31T00%3A00%3A00Z&sig=${SIG}`;
const REDACTED = `${BLOB}?[SAS query redacted]`;
const REFUSAL = `Not able to download blob ${URI}. Make sure the SAS URI is valid`;

describe("redactSecrets", () => {
  test.each([
    [
      "a URL in a sentence keeps its blob path and the sentence's full stop",
      `blob ${URI}.`,
      `blob ${REDACTED}.`,
    ],
    ["quoted", `'${URI}'`, `'${REDACTED}'`],
    ["in parentheses", `(${URI})`, `(${REDACTED})`],
    ["in JSON", JSON.stringify({ uri: URI }), JSON.stringify({ uri: REDACTED })],
    ["the signature first", `${BLOB}?sig=${SIG}&sp=rl`, REDACTED],
    ["capitalized", `${BLOB}?SIG=${SIG}`, REDACTED],
    [
      "JSON-escaped ampersands",
      `${BLOB}?sp=rl\\u0026sig=${SIG}\\u0026se=x`,
      `${BLOB}?sp=rl\\u0026sig=[redacted]\\u0026se=x`,
    ],
    [
      "percent-encoded URL",
      encodeURIComponent(URI),
      encodeURIComponent(`${BLOB}?sv=2020-08-04&sr=b&sp=rl&se=2027-01-31T00%3A00%3A00Z&sig=`).concat(
        "[redacted]",
      ),
    ],
    ["a bare query", `query sv=1&sig=${SIG}&sp=rl`, "query sv=1&sig=[redacted]&sp=rl"],
  ])("%s", (_name, text, expected) => {
    expect(redactSecrets(text)).toBe(expected);
    expect(redactSecrets(expected)).toBe(expected);
  });

  test("leaves what is no SAS alone: operation locations, words such as 'signature'", () => {
    for (const text of [
      "operation https://cloudpartner.azure.com/api/publishers/p/offers/o/operations/1?api-version=2017-10-31",
      "The signature of the package is missing.",
      "design=sig-1",
    ])
      expect(redactSecrets(text)).toBe(text);
  });
});

describe("the error hierarchy redacts what it is given", () => {
  test("message, API message, stack, failed step, operation error, concurrent-edit changes", () => {
    const rejected = new RejectedError(`Refused: ${REFUSAL}`, { status: 400, apiMessage: REFUSAL });
    const failed = new OperationFailedError(`Failed: ${REFUSAL}`, {
      failedStep: { name: "Certification", status: "blocked", messages: [REFUSAL] },
      operationError: REFUSAL,
    });
    const edit = new ConcurrentEditError("changed", { changes: [`osVhdUrl: ${URI}`] });
    const seen = JSON.stringify([
      rejected.message,
      rejected.apiMessage,
      rejected.stack,
      failed.message,
      failed.failedStep,
      failed.operationError,
      edit.changes,
    ]);
    expect(seen).not.toContain("SECRETsig");
    expect(rejected.message).toBe(
      `Refused: Not able to download blob ${REDACTED}. Make sure the SAS URI is valid`,
    );
  });
});

describe("the shared HTTP error mapping (every door: dynamic, native, CLI)", () => {
  function client(answer: HttpResponse) {
    const requests: HttpRequest[] = [];
    return {
      requests,
      client: new CloudPartnerClient({
        endpoint: "https://cpp.example",
        tokenProvider: new StaticTokenProvider("opaque-token"),
        transport: {
          async send(request) {
            requests.push(request);
            return answer;
          },
        },
        retry: { maxRetries: 0 },
      }),
    };
  }

  test("a 400 on the offer PUT quoting the SAS URI: RejectedError with the blob path, never the signature", async () => {
    const { client: cpp, requests } = client({
      status: 400,
      headers: {},
      body: JSON.stringify({ error: { code: "InvalidImage", message: REFUSAL } }),
    });
    const error = await cpp
      .putOfferDocument("contoso", "o", { definition: { osVhdUrl: URI } }, '"etag"')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RejectedError);
    const rejected = error as RejectedError;
    // What was sent still carries the SAS: only what is shown is redacted.
    expect(requests[0]?.body).toContain(SIG);
    expect(rejected.message).toContain(
      `Not able to download blob ${REDACTED}. Make sure the SAS URI is valid.`,
    );
    expect(JSON.stringify([rejected.message, rejected.apiMessage, rejected.stack])).not.toContain(
      "SECRETsig",
    );
  });

  test("a plain-text 400 body is redacted the same way", async () => {
    const { client: cpp } = client({ status: 400, headers: {}, body: REFUSAL });
    const error = (await cpp.getOfferStatus("contoso", "o").catch((e: unknown) => e)) as RejectedError;
    expect(error.apiMessage).toContain(REDACTED);
    expect(error.message).not.toContain("SECRETsig");
  });
  test("a 200 answer that is not JSON: the parse error kept as the cause quotes no signature", async () => {
    // JSON.parse's message quotes the text around where it stopped (`…"s":SECRETsig%2"… is not valid JSON`):
    // a fragment of a signature without its `sig=` key, which no redaction can recognize, so it is left out.
    const body = `{"definition":{"osVhdUrl":"${BLOB}","s":${SIG}}}`;
    const { client: cpp } = client({ status: 200, headers: {}, body });
    const error = (await cpp.getOfferStatus("contoso", "o").catch((e: unknown) => e)) as Error;
    expect(error.cause).toBeInstanceOf(Error);
    expect((error.cause as Error).message).not.toContain("SECRETsig");
    expect(inspect(error, { depth: 10 })).not.toContain("SECRETsig");
  });
});

describe("causes are redacted too", () => {
  test("an Error cause (message, stack, its own cause) and a string cause", () => {
    const inner = new Error(`inner: ${URI}`);
    const outer = new SyntaxError(`Unexpected end of JSON input at "${URI}`, { cause: inner });
    const rejected = new RejectedError("Refused.", { status: 400, cause: outer });
    const text = new RejectedError("Refused.", { status: 400, cause: `text: ${URI}` });
    expect(inspect([rejected, text], { depth: 10 })).not.toContain("SECRETsig");
    expect((rejected.cause as Error).message).toContain(BLOB);
    expect(text.cause).toBe(`text: ${REDACTED}`);
  });

  test("a cause with nothing to redact is kept as it is, a read-only one too (an abort reason)", () => {
    const reason = new DOMException("This operation was aborted", "AbortError");
    const aborted = new AbortedError("Stopped waiting.", { cause: reason });
    expect(aborted.cause).toBe(reason);
    // A read-only one that would show a signature is dropped rather than shown.
    const quoting = new DOMException(`Refused ${URI}`, "AbortError");
    expect(new AbortedError("Stopped waiting.", { cause: quoting }).cause).toBeUndefined();
  });
});

describe("operation and job parsing", () => {
  test("CPP: step messages (strings and messageHtml), operation messages and error", () => {
    const snapshot = parseOperation({
      status: "failed",
      error: { message: REFUSAL },
      messages: [REFUSAL],
      steps: [
        { stepName: "Certification", status: "blocked", messages: [{ messageHtml: `<p>${REFUSAL}</p>` }] },
      ],
    });
    expect(JSON.stringify(snapshot)).not.toContain("SECRETsig");
    expect(snapshot?.currentStep?.messages[0]).toContain(REDACTED);
  });

  test("ingestion: a failed configure job's errors, nested details included", () => {
    const job = parseConfigureStatus({
      jobId: "j1",
      jobStatus: "completed",
      jobResult: "failed",
      errors: [
        {
          code: "invalidState",
          message: "Not published.",
          details: [{ code: "invalidResource", message: REFUSAL }],
        },
      ],
    });
    const snapshot = snapshotOf("publish", job, undefined, undefined);
    expect(snapshot.status).toBe("failed");
    expect(JSON.stringify(snapshot)).not.toContain("SECRETsig");
    expect(snapshot.messages).toContain(
      `invalidResource: Not able to download blob ${REDACTED}. Make sure the SAS URI is valid`,
    );
  });
});

test("endSentence ends a text that has no full stop, and only that", () => {
  expect(endSentence("from its SAS URI")).toBe("from its SAS URI.");
  expect(endSentence("done.")).toBe("done.");
  expect(endSentence('he said "done."')).toBe('he said "done."');
  expect(endSentence("(assumed wording)")).toBe("(assumed wording).");
  expect(endSentence("really?  ")).toBe("really?");
});
