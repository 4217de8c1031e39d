import {
  type CliIo,
  formatCancel,
  formatOperations,
  formatStatus,
  parseCommand,
  run,
  table,
  USAGE,
  UsageError,
} from "../../provider/cli";
import type { HttpRequest, HttpResponse, HttpTransport } from "../../provider/core/http";
import { classifySubmission } from "../../provider/cpp/submissions";
import { describeOfferStatus } from "../../provider/status-api";

describe("parseCommand", () => {
  test("status with global flags", () => {
    expect(
      parseCommand(["status", "contoso", "contoso-offer", "--endpoint", "http://127.0.0.1:8080", "--json"]),
    ).toEqual({
      command: "status",
      publisherId: "contoso",
      offerId: "contoso-offer",
      options: { endpoint: "http://127.0.0.1:8080", json: true },
    });
  });

  test("flags may come before the command; --api-version", () => {
    expect(parseCommand(["--api-version=2018-01-01", "operations", "p", "o", "--status", "running"])).toEqual(
      {
        command: "operations",
        publisherId: "p",
        offerId: "o",
        filteredStatus: "running",
        options: { apiVersion: "2018-01-01", json: false },
      },
    );
  });

  test("cancel: e-mails split and checked; --wait, --timeout and --poll-interval", () => {
    expect(
      parseCommand([
        "cancel",
        "p",
        "o",
        "--notification-emails",
        "a@x.com, b@y.com",
        "--wait",
        "--timeout",
        "90",
        "--poll-interval",
        "0.5",
      ]),
    ).toMatchObject({
      command: "cancel",
      notificationEmails: ["a@x.com", "b@y.com"],
      wait: true,
      timeoutSeconds: 90,
      pollIntervalSeconds: 0.5,
    });
    expect(parseCommand(["cancel", "p", "o", "--notification-emails=a@x.com"])).toMatchObject({
      wait: false,
      timeoutSeconds: 3600,
      pollIntervalSeconds: 10,
    });
  });

  test("export <offerId> [--target]: the Product Ingestion API only; a bad target or --api cpp is a usage error", () => {
    expect(parseCommand(["export", "contoso-offer"])).toEqual({
      command: "export",
      offerId: "contoso-offer",
      target: "draft",
      options: { api: "ingestion", json: true },
    });
    expect(
      parseCommand(["export", "contoso-offer", "--target", "live", "--endpoint", "http://127.0.0.1:9/rp/x"]),
    ).toMatchObject({ target: "live", options: { endpoint: "http://127.0.0.1:9/rp/x" } });
    expect(() => parseCommand(["export", "o", "--target", "prod"])).toThrow(
      /--target must be draft, preview or live/,
    );
    expect(() => parseCommand(["export", "o", "--api", "cpp"])).toThrow(/Cloud Partner Portal API has none/);
    expect(() => parseCommand(["export"])).toThrow(/'export' needs <offerId>/);
    expect(() => parseCommand(["export", "o", "x"])).toThrow(/unexpected argument 'x'/);
    expect(() => parseCommand(["status", "p", "o", "--target", "live"])).toThrow(
      /--target applies only to 'export'/,
    );
    expect(() => parseCommand(["export", "o", "--wait"])).toThrow(/--wait applies only to 'cancel'/);
  });

  test("help and version", () => {
    expect(parseCommand(["--help"])).toEqual({ command: "help" });
    expect(parseCommand(["-h"])).toEqual({ command: "help" });
    expect(parseCommand(["help"])).toEqual({ command: "help" });
    expect(parseCommand(["cancel", "--help"])).toEqual({ command: "help" });
    expect(parseCommand(["--version"])).toEqual({ command: "version" });
  });

  test.each([
    [[], /a command is required/],
    [["golive", "p", "o"], /unknown command 'golive'/],
    [["status", "p"], /'status' needs <publisherId> <offerId>/],
    [["status", "p", "o", "x"], /unexpected argument 'x'/],
    [["status", "p/x", "o"], /publisherId must not contain '\/'/],
    [["status", "p", "o", "--endpoint", "http://example.com"], /--endpoint must use https/],
    [["status", "p", "o", "--endpoint"], /option '--endpoint' needs a value/],
    [["status", "p", "o", "--json=yes"], /option '--json' does not take a value/],
    [["status", "p", "o", "--api-version", "latest"], /--api-version must be a date/],
    [["status", "p", "o", "--wait"], /--wait applies only to 'cancel'/],
    [["cancel", "p", "o", "--status", "running"], /--status applies only to 'operations'/],
    [["operations", "p", "o", "--status", "run;ning"], /--status must be a state/],
    [["cancel", "p", "o", "--notification-emails", "ops"], /\[0\] "ops" is not an e-mail address/],
    [
      ["cancel", "p", "o", "--notification-emails", "a@x.com", "--timeout", "0"],
      /--timeout must be a positive/,
    ],
    [["status", "p", "o", "-x"], /unknown option '-x'/],
    [
      ["cancel", "o", "--api", "ingestion", "--job", "a b"],
      /--job must be a configure job id or the resource's operationLocation/,
    ],
    [["cancel", "o", "--api", "ingestion", "--job", "ftp://h/configure/j/status"], /--job must be/],
  ])("%j → usage error %p", (argv, message) => {
    expect(() => parseCommand(argv)).toThrow(UsageError);
    expect(() => parseCommand(argv)).toThrow(message);
  });

  test("a token flag is refused without echoing its value", () => {
    for (const argv of [
      ["status", "p", "o", "--access-token=s3cr3t-value"],
      ["--token", "s3cr3t-value", "status", "p", "o"],
    ]) {
      const error = (() => {
        try {
          parseCommand(argv);
        } catch (e) {
          return e as Error;
        }
      })();
      expect(error).toBeInstanceOf(UsageError);
      expect(error?.message).toMatch(/never taken as a flag; set CLOUDPARTNER_ACCESS_TOKEN/);
      expect(error?.message).not.toContain("s3cr3t");
    }
  });
});

const waitingStatus = {
  status: "waitingForPublisherReview",
  steps: [
    {
      id: "displaycertify",
      name: "Certification",
      status: "complete",
      progressPercentage: 100,
      estimatedTimeFrame: "< 5 day",
      messages: [],
    },
    {
      id: "publisher-signoff",
      name: "Publisher signoff",
      status: "waitingForPublisherReview",
      progressPercentage: 0,
      messages: ["Review the preview.", "Links were sent."],
    },
  ],
  previewLinks: ["https://portal.azure.com/#create/contoso.offer-preview"],
  liveLinks: [],
};

describe("formatting", () => {
  test("table pads every column but the last", () => {
    expect(
      table(
        ["A", "LONG HEADER", "C"],
        [
          ["xyz", "1", ""],
          ["", "22", "last"],
        ],
      ),
    ).toBe(["A    LONG HEADER  C", "xyz  1", "     22           last"].join("\n"));
  });

  test("status: headline, sign-off hint, current step, a table of steps, links", () => {
    const text = formatStatus(describeOfferStatus("contoso", "offer", waitingStatus));
    expect(text).toBe(
      [
        "Offer contoso/offer: waitingForPublisherReview",
        "The preview is ready: review the preview links, then go live (the go-live is the sign-off).",
        "Current step: Publisher signoff (waitingForPublisherReview, 0%)",
        "",
        "STEP               STATUS                     PROGRESS  ESTIMATE  MESSAGES",
        "Certification      complete                   100%      < 5 day",
        "Publisher signoff  waitingForPublisherReview  0%                  Review the preview. | Links were sent.",
        "",
        "Preview: https://portal.azure.com/#create/contoso.offer-preview",
        "",
      ].join("\n"),
    );
  });

  test("status of a never published offer", () => {
    const text = formatStatus(
      describeOfferStatus("p", "o", { status: "neverPublished", steps: [], previewLinks: [], liveLinks: [] }),
    );
    expect(text).toBe("Offer p/o: neverPublished\nNo steps reported.\n");
  });

  test("operations: a row per submission, or a sentence when there are none", () => {
    const text = formatOperations(
      "p",
      "o",
      [
        {
          id: "5b8f",
          submissionType: "GoLive",
          submissionState: "InProgress",
          slot: "production",
          version: 2,
          changedTime: "2026-11-25T00:00:00Z",
        },
        { id: "77aa", submissionType: "", submissionState: "succeeded", slot: "staging" },
      ].map(classifySubmission),
    );
    expect(text.split("\n")).toEqual([
      "ID    KIND     STATE                 TYPE    SLOT        VERSION  CHANGED",
      "5b8f  golive   InProgress (running)  GoLive  production  2        2026-11-25T00:00:00.000Z",
      "77aa  publish  succeeded             -       staging",
      "",
    ]);
    expect(formatOperations("p", "o", [], "running")).toBe("No running operations for p/o.\n");
  });

  test("cancel: synchronous, accepted, followed", () => {
    expect(formatCancel({ publisherId: "p", offerId: "o", completed: true })).toBe(
      "Canceled the running operation of p/o.\n",
    );
    expect(
      formatCancel({ publisherId: "p", offerId: "o", completed: false, operationLocation: "http://h/op" }),
    ).toMatch(/^Cancel of p\/o accepted: http:\/\/h\/op\nIt continues .*--wait\.\n$/);
    expect(
      formatCancel({
        publisherId: "p",
        offerId: "o",
        completed: false,
        operationLocation: "http://h/op",
        status: "succeeded",
      }),
    ).toMatch(/The cancel operation succeeded\.\n$/);
  });
});

/** Answers every request with one canned response and records what was sent. */
class CannedTransport implements HttpTransport {
  readonly sent: HttpRequest[] = [];
  constructor(private readonly response: HttpResponse) {}
  async send(request: HttpRequest): Promise<HttpResponse> {
    this.sent.push(request);
    return this.response;
  }
}

function capture(transport: HttpTransport): CliIo & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    env: { CLOUDPARTNER_ACCESS_TOKEN: "unit-token" },
    transport,
    stdout: (text: string) => {
      io.out += text;
    },
    stderr: (text: string) => {
      io.err += text;
    },
  };
  return io;
}

describe("run: exit codes and streams", () => {
  const endpoint = ["--endpoint", "http://127.0.0.1:9"];

  test("0 and the report on stdout; the token goes only into the Authorization header", async () => {
    const transport = new CannedTransport({ status: 200, headers: {}, body: JSON.stringify(waitingStatus) });
    const io = capture(transport);
    expect(await run(["status", "contoso", "offer", ...endpoint, "--json"], io)).toBe(0);
    expect(JSON.parse(io.out)).toMatchObject({ status: "waitingForPublisherReview", awaitingSignoff: true });
    expect(io.err).toBe("");
    expect(transport.sent[0]?.url).toBe(
      "http://127.0.0.1:9/api/publishers/contoso/offers/offer/status?api-version=2017-10-31",
    );
    expect(transport.sent[0]?.headers.authorization).toBe("Bearer unit-token");
    expect(io.out).not.toContain("unit-token");
  });

  test("1 and the API's message on stderr", async () => {
    const body = JSON.stringify({ error: { code: "NotFound", message: "Offer 'x' was not found." } });
    const io = capture(new CannedTransport({ status: 404, headers: {}, body }));
    expect(await run(["operations", "contoso", "x", ...endpoint], io)).toBe(1);
    expect(io.out).toBe("");
    expect(io.err).toMatch(
      /^error: Offer contoso\/x was not found \(HTTP 404 \[NotFound\]\): Offer 'x' was not found\./,
    );
  });

  test("2 for usage errors, nothing sent; help goes to stdout", async () => {
    const transport = new CannedTransport({ status: 200, headers: {}, body: "{}" });
    const io = capture(transport);
    expect(await run(["cancel", "p", "o", "--notification-emails", "ops"], io)).toBe(2);
    expect(io.err).toMatch(/"ops" is not an e-mail address[\s\S]*Run 'pulumi-cloudpartner --help'/);
    expect(transport.sent).toHaveLength(0);
    const help = capture(transport);
    expect(await run(["--help"], help)).toBe(0);
    expect(help.out).toBe(USAGE);
  });

  test("cancel sends the e-mails comma-separated", async () => {
    const transport = new CannedTransport({ status: 200, headers: {}, body: "" });
    const io = capture(transport);
    expect(await run(["cancel", "p", "o", ...endpoint, "--notification-emails", "a@x.com,b@y.com"], io)).toBe(
      0,
    );
    expect(transport.sent[0]?.method).toBe("POST");
    expect(JSON.parse(transport.sent[0]?.body ?? "")).toEqual({
      metadata: { "notification-emails": "a@x.com,b@y.com" },
    });
    expect(io.out).toBe("Canceled the running operation of p/o.\n");
  });

  test("cancel: a 202 naming its operation only in the body is accepted (exit 0), not an error", async () => {
    const location =
      "/api/publishers/p/offers/o/operations/5661a2b3-0000-4000-8000-000000000001?api-version=2017-10-31";
    const io = capture(
      new CannedTransport({
        status: 202,
        headers: {},
        body: JSON.stringify({ operationLocation: location }),
      }),
    );
    expect(await run(["cancel", "p", "o", ...endpoint], io)).toBe(0);
    expect(io.out).toBe(
      `Cancel of p/o accepted: http://127.0.0.1:9${location}\nIt continues on the Cloud Partner Portal; follow it with 'pulumi-cloudpartner status' or --wait.\n`,
    );
    expect(io.err).toBe("");
  });

  test("cancel: a 202 that names no operation at all is accepted and says where to look", async () => {
    const io = capture(new CannedTransport({ status: 202, headers: {}, body: "" }));
    expect(await run(["cancel", "p", "o", ...endpoint, "--wait"], io)).toBe(0);
    expect(io.out).toBe(
      "Cancel of p/o accepted; the API named no operation to follow. Check the offer with 'pulumi-cloudpartner status p o'.\n",
    );
    expect(io.err).toMatch(/named no cancel operation to follow; not waiting/);
  });

  test("cancel without --notification-emails sends no body", async () => {
    const transport = new CannedTransport({ status: 200, headers: {}, body: "" });
    const io = capture(transport);
    expect(parseCommand(["cancel", "p", "o"])).not.toHaveProperty("notificationEmails");
    expect(await run(["cancel", "p", "o", ...endpoint], io)).toBe(0);
    expect(transport.sent[0]?.method).toBe("POST");
    expect(transport.sent[0]?.body).toBe("");
  });

  test("operations: a list answer that is not a list is an error, not 'no operations'", async () => {
    const io = capture(new CannedTransport({ status: 200, headers: {}, body: '{"items":[]}' }));
    expect(await run(["operations", "contoso", "x", ...endpoint], io)).toBe(1);
    expect(io.err).toMatch(/submissions list of offer contoso\/x is not a list/);
  });

  test("Ctrl-C during a retry backoff: 130 and 'interrupted', nothing more sent", async () => {
    // The API is busy for 30 s; Ctrl-C comes as soon as the client says it will retry (mid-backoff).
    const transport = new CannedTransport({ status: 503, headers: { "retry-after": "30" }, body: "busy" });
    const controller = new AbortController();
    const io = capture(transport);
    const stderr = io.stderr;
    io.stderr = (text) => {
      stderr(text);
      if (/retrying in 30000 ms/.test(text)) setImmediate(() => controller.abort());
    };
    const code = await run(["status", "contoso", "offer", ...endpoint], { ...io, signal: controller.signal });
    expect(io.err).toMatch(/retrying in 30000 ms\.\ninterrupted/);
    expect(io.err).not.toMatch(/This operation was aborted/);
    expect(code).toBe(130);
    expect(transport.sent).toHaveLength(1);
  });
});
