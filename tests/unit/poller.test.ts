import {
  AbortedError,
  OperationFailedError,
  PollTimeoutError,
  TransientError,
} from "../../provider/core/errors";
import { formatDuration, type ProgressEvent, pollOperation, progressLine } from "../../provider/core/poller";
import { CloudPartnerClient, type PolledOperation } from "../../provider/cpp/client";
import { parseOperation } from "../../provider/cpp/operation";
import { FakeClock } from "../support/fake-clock";

/** A scripted operation: each poll returns the next entry (the last one repeats). */
function scripted(entries: Array<Record<string, unknown> | Error>, retryAfterMs?: number) {
  let i = 0;
  const calls: number[] = [];
  return {
    calls,
    async getOperation(): Promise<PolledOperation> {
      const entry = entries[Math.min(i++, entries.length - 1)];
      calls.push(i);
      if (entry instanceof Error) throw entry;
      const snapshot = parseOperation(entry);
      if (!snapshot) throw new Error("bad script");
      return { snapshot, retryAfterMs };
    },
  };
}

const step = (name: string, status: string, progressPercentage?: number, messages: string[] = []) => ({
  stepName: name,
  status,
  progressPercentage,
  messages,
});

describe("pollOperation", () => {
  test("polls until succeeded, with growing waits; progress only on change", async () => {
    const clock = new FakeClock();
    const running = { status: "running", steps: [step("Certification", "inProgress", 10)] };
    const client = scripted([
      running,
      running,
      running,
      { status: "running", steps: [step("Live", "inProgress", 50)] },
      { status: "Completed", steps: [step("Live", "complete", 100)] },
    ]);
    const events: ProgressEvent[] = [];
    const result = await pollOperation(client, "http://x/op", {
      clock,
      pollIntervalMs: 1000,
      maxPollIntervalMs: 10_000,
      onProgress: (e) => events.push(e),
    });
    expect(result.status).toBe("succeeded");
    expect(client.calls).toHaveLength(5);
    expect(events.filter((e) => !e.heartbeat).map((e) => e.stepName)).toEqual([
      "Certification",
      "Live",
      "Live",
    ]);
    expect(clock.sleeps.every((s) => s >= 1000 && s <= 10_000)).toBe(true);
  });

  test("a days-long operation is polled far less than once a minute", async () => {
    const clock = new FakeClock();
    const start = clock.now();
    const twoDaysMs = 2 * 24 * 3_600_000;
    const client = {
      async getOperation(): Promise<PolledOperation> {
        const done = clock.now() - start >= twoDaysMs;
        return { snapshot: parseOperation({ status: done ? "succeeded" : "running", steps: [] })! };
      },
    };
    let polls = 0;
    const counted = {
      getOperation: () => {
        polls++;
        return client.getOperation();
      },
    };
    await pollOperation(counted, "http://x/op", {
      clock,
      pollIntervalMs: 60_000,
      maxPollIntervalMs: 900_000,
    });
    const lagMs = clock.now() - start - twoDaysMs;
    expect(polls).toBeLessThan(250); // a fixed 60 s interval would need 2 880
    expect(lagMs).toBeLessThanOrEqual(900_000);
  });

  test("never polls sooner than the server's Retry-After; a shorter one does not speed polling up", async () => {
    const longHint = new FakeClock();
    const states = [{ status: "running" }, { status: "running" }, { status: "succeeded" }];
    await pollOperation(scripted(states, 4321), "http://x/op", {
      clock: longHint,
      pollIntervalMs: 1_000,
      heartbeatIntervalMs: 10 ** 9,
    });
    expect(longHint.sleeps).toEqual([4321, 4321]);
    const shortHint = new FakeClock();
    await pollOperation(scripted(states, 50), "http://x/op", {
      clock: shortHint,
      pollIntervalMs: 60_000,
      heartbeatIntervalMs: 10 ** 9,
    });
    expect(shortHint.sleeps).toEqual([60_000, 60_000]);
  });

  test("failed operation → OperationFailedError with step and messages", async () => {
    const client = scripted([
      {
        status: "failed",
        steps: [
          step("Validate", "complete"),
          step("Certification", "blocked", 0, ["No VM image for plan contoso."]),
        ],
      },
    ]);
    const error = await pollOperation(client, "http://x/op", {
      clock: new FakeClock(),
      publisherId: "p",
      offerId: "o",
    }).catch((e) => e);
    expect(error).toBeInstanceOf(OperationFailedError);
    expect(error.code).toBe("CPP_OPERATION_FAILED");
    expect(error.failedStep).toMatchObject({
      name: "Certification",
      messages: ["No VM image for plan contoso."],
    });
    expect(error.message).toMatch(/p\/o failed at step "Certification".*No VM image/);
  });

  test("canceled operation", async () => {
    const error = await pollOperation(scripted([{ status: "cancelled" }]), "u", {
      clock: new FakeClock(),
    }).catch((e) => e);
    expect(error.code).toBe("CPP_OPERATION_CANCELED");
  });

  test("unknown status keeps polling and is reported as unrecognized", async () => {
    const events: ProgressEvent[] = [];
    const client = scripted([{ status: "weird" }, { status: "succeeded" }]);
    await pollOperation(client, "u", { clock: new FakeClock(), onProgress: (e) => events.push(e) });
    expect(events[0]).toMatchObject({ status: "running", rawStatus: "weird", statusRecognized: false });
  });

  test("transient errors are tolerated up to the bound", async () => {
    const blip = new TransientError("HTTP 503", { status: 503 });
    const ok = await pollOperation(scripted([blip, blip, { status: "succeeded" }]), "u", {
      clock: new FakeClock(),
      maxConsecutiveErrors: 2,
    });
    expect(ok.status).toBe("succeeded");
    const error = await pollOperation(scripted([blip, blip, blip, { status: "succeeded" }]), "u", {
      clock: new FakeClock(),
      maxConsecutiveErrors: 2,
    }).catch((e) => e);
    expect(error).toBe(blip);
  });

  test("non-transient errors end the wait at once", async () => {
    const boom = new Error("boom");
    await expect(pollOperation(scripted([boom]), "u", { clock: new FakeClock() })).rejects.toBe(boom);
  });

  test("timeout → PollTimeoutError naming the step and how to resume", async () => {
    const clock = new FakeClock();
    const client = scripted([{ status: "running", steps: [step("Live", "inProgress", 30)] }]);
    const error = await pollOperation(client, "u", {
      clock,
      pollIntervalMs: 1000,
      timeoutMs: 10_000,
      publisherId: "p",
      offerId: "o",
    }).catch((e) => e);
    expect(error).toBeInstanceOf(PollTimeoutError);
    expect(error.message).toMatch(/after 10s.*still running.*Live \(inProgress, 30%\).*pulumi up/);
  });

  test("heartbeats during long quiet waits", async () => {
    const events: ProgressEvent[] = [];
    const client = scripted([{ status: "running" }, { status: "succeeded" }]);
    await pollOperation(client, "u", {
      clock: new FakeClock(),
      pollIntervalMs: 60_000,
      heartbeatIntervalMs: 10_000,
      onProgress: (e) => events.push(e),
    });
    // A line at 0 s (running), heartbeats at 10..50 s, the result at 60 s.
    expect(events.map((e) => [e.elapsedMs, e.heartbeat])).toEqual([
      [0, false],
      ...[10_000, 20_000, 30_000, 40_000, 50_000].map((ms) => [ms, true]),
      [60_000, false],
    ]);
  });

  test("a progress callback that throws on a heartbeat fails the wait with its error, once", async () => {
    const clock = new FakeClock();
    const thrown = new Error("the log pipe is closed");
    const heartbeats: number[] = [];
    const client = scripted([{ status: "running" }]);
    const error = await pollOperation(client, "u", {
      clock,
      pollIntervalMs: 60_000,
      maxPollIntervalMs: 60_000,
      heartbeatIntervalMs: 10_000,
      onProgress: (e) => {
        if (!e.heartbeat) return;
        heartbeats.push(clock.now());
        throw thrown;
      },
    }).catch((e: unknown) => e);
    expect(error).toBe(thrown);
    // Reported once: one heartbeat ran, the wait stopped during its first sleep, no poll followed.
    expect(heartbeats).toHaveLength(1);
    expect(client.calls).toHaveLength(1);
  });

  test("a callback that throws on a heartbeat during a slow request ends that request and the wait", async () => {
    const clock = new FakeClock();
    const thrown = new Error("progress sink failed");
    let readAborted = false;
    const source = async (signal?: AbortSignal) => {
      await clock.sleep(60_000, signal).catch((e: unknown) => {
        readAborted = true;
        throw e;
      });
      return { snapshot: parseOperation({ status: "succeeded", steps: [] })! };
    };
    const error = await pollOperation(source, "u", {
      clock,
      heartbeatIntervalMs: 10_000,
      onProgress: (e) => {
        if (e.heartbeat) throw thrown;
      },
    }).catch((e: unknown) => e);
    expect(error).toBe(thrown);
    expect(readAborted).toBe(true);
  });

  test("a failed operation's API message without a full stop is ended before the advice", async () => {
    const client = scripted([
      {
        status: "failed",
        steps: [step("Certification", "blocked", 0, ["The VHD could not be downloaded from its SAS URI"])],
      },
    ]);
    const error = await pollOperation(client, "u", { clock: new FakeClock(), offerId: "o" }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OperationFailedError);
    expect((error as Error).message).toContain("from its SAS URI. Fix the offer in");
  });

  test("progress lines, the failure and the result carry no SAS signature, whatever the source sends", async () => {
    const uri =
      "https://acct.blob.core.windows.net/vhds/os.vhd?sv=2020-08-04&sr=b&sp=rl&sig=SECRETsig%2B1%3D";
    const said = `Not able to download blob ${uri}.`;
    const events: ProgressEvent[] = [];
    // A source that does not redact (a backend of its own): the poller still does.
    const raw = (status: string) => ({
      snapshot: {
        status: status as "running" | "failed",
        rawStatus: status,
        statusRecognized: true,
        steps: [{ name: "Certification", status: "blocked", messages: [said] }],
        currentStep: { name: "Certification", status: "blocked", messages: [said] },
        messages: [said],
        error: said,
      },
    });
    let reads = 0;
    const error = await pollOperation(async () => raw(++reads < 2 ? "running" : "failed"), "u", {
      clock: new FakeClock(),
      onProgress: (e) => events.push(e),
    }).catch((e: unknown) => e);
    const seen = JSON.stringify([
      events,
      (error as Error).message,
      (error as OperationFailedError).failedStep,
    ]);
    expect(seen).toContain("https://acct.blob.core.windows.net/vhds/os.vhd?[SAS query redacted]");
    expect(seen).not.toContain("SECRETsig");
    expect(progressLine("o", "publish", events[0] as ProgressEvent)).not.toContain("SECRETsig");
  });

  test("a line at least every heartbeat interval, also while slow requests are in flight", async () => {
    const clock = new FakeClock();
    const start = clock.now();
    const lines: number[] = [start];
    const hours = 3;
    // Every request takes 60 s (the default request timeout) and, for three hours, says nothing new.
    const slow = async (signal?: AbortSignal) => {
      await clock.sleep(60_000, signal);
      const done = clock.now() - start >= hours * 3_600_000;
      return { snapshot: parseOperation({ status: done ? "succeeded" : "running", steps: [] })! };
    };
    // One request stuck for 12 minutes (e.g. retrying inside the client) in the middle of it.
    let reads = 0;
    const source = async (signal?: AbortSignal) => {
      if (++reads === 5) await clock.sleep(12 * 60_000, signal);
      return slow(signal);
    };
    await pollOperation(source, "u", {
      clock,
      pollIntervalMs: 60_000,
      maxPollIntervalMs: 15 * 60_000,
      heartbeatIntervalMs: 5 * 60_000,
      onProgress: () => lines.push(clock.now()),
    });
    const gaps = lines.slice(1).map((at, i) => at - (lines[i] as number));
    expect(clock.now() - start).toBeGreaterThanOrEqual(hours * 3_600_000);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(5 * 60_000);
    // Heartbeats, not a flood: about one per 5 minutes.
    expect(lines.length).toBeLessThan((hours * 60) / 5 + 10);
  });

  test("Retry-After is capped at the longest poll interval (a poll never sleeps for days)", async () => {
    const clock = new FakeClock();
    const states = [{ status: "running" }, { status: "running" }, { status: "succeeded" }];
    await pollOperation(scripted(states, 259_200_000), "u", {
      clock,
      pollIntervalMs: 60_000,
      maxPollIntervalMs: 15 * 60_000,
      heartbeatIntervalMs: 10 ** 9,
    });
    expect(clock.sleeps).toEqual([15 * 60_000, 15 * 60_000]);
    const blip = new TransientError("HTTP 503", { status: 503, retryAfterMs: 259_200_000 });
    const afterError = new FakeClock();
    await pollOperation(scripted([blip, { status: "succeeded" }]), "u", {
      clock: afterError,
      maxPollIntervalMs: 15 * 60_000,
      heartbeatIntervalMs: 10 ** 9,
    });
    expect(afterError.sleeps).toEqual([15 * 60_000]);
  });

  describe("with the client's own retries inside one poll", () => {
    /** A CPP client whose every answer is 503 with `Retry-After: 600`, on the fake clock. */
    function alwaysBusy(clock: FakeClock) {
      const sent: number[] = [];
      const client = new CloudPartnerClient({
        endpoint: "https://cpp.example",
        accessToken: "t",
        clock,
        transport: {
          async send() {
            sent.push(clock.now());
            return { status: 503, headers: { "retry-after": "600" }, body: "busy" };
          },
        },
      });
      return { client, sent };
    }

    test("timeoutMs bounds the whole wait, retries and their backoff included", async () => {
      const clock = new FakeClock();
      const start = clock.now();
      const { client } = alwaysBusy(clock);
      const error = await pollOperation(client, "https://cpp.example/api/operations/x", {
        clock,
        timeoutMs: 60_000,
        heartbeatIntervalMs: 10 ** 9,
        publisherId: "p",
        offerId: "o",
        label: "go-live",
      }).catch((e) => e);
      expect(error).toBeInstanceOf(PollTimeoutError);
      expect(error.message).toMatch(
        /^Stopped waiting for p\/o after 1m; .*pulumi up.*go-live is not sent again/,
      );
      expect(clock.now() - start).toBe(60_000);
    });

    test("a Retry-After inside a poll's retries is capped at the longest poll interval", async () => {
      const clock = new FakeClock();
      const { client, sent } = alwaysBusy(clock);
      await pollOperation(client, "https://cpp.example/api/operations/x", {
        clock,
        pollIntervalMs: 30_000,
        maxPollIntervalMs: 60_000,
        maxConsecutiveErrors: 0,
        heartbeatIntervalMs: 10 ** 9,
      }).catch((e) => e);
      // 1 + 5 retries, 60 s apart (not 600 s).
      expect(sent.map((at) => at - (sent[0] as number))).toEqual([0, 1, 2, 3, 4, 5].map((i) => i * 60_000));
    });
  });

  test("a resumed wait keeps the schedule of the operation's age; the timeout counts from this run", async () => {
    const twoDaysMs = 2 * 24 * 3_600_000;
    const states = [{ status: "running" }, { status: "running" }, { status: "succeeded" }];
    const resumed = new FakeClock();
    await pollOperation(scripted(states), "u", {
      clock: resumed,
      startedAtMs: resumed.now() - twoDaysMs,
      pollIntervalMs: 60_000,
      maxPollIntervalMs: 15 * 60_000,
      timeoutMs: 3_600_000,
      heartbeatIntervalMs: 10 ** 9,
    });
    expect(resumed.sleeps).toEqual([15 * 60_000, 15 * 60_000]);

    // The API's createdDateTime says the same without a saved start.
    const fromApi = new FakeClock();
    const created = new Date(fromApi.now() - 100 * 60_000).toISOString();
    const events: ProgressEvent[] = [];
    await pollOperation(scripted(states.map((st) => ({ ...st, createdDateTime: created }))), "u", {
      clock: fromApi,
      pollIntervalMs: 60_000,
      maxPollIntervalMs: 15 * 60_000,
      heartbeatIntervalMs: 10 ** 9,
      onProgress: (e) => events.push(e),
    });
    expect(fromApi.sleeps).toEqual([10 * 60_000, 11 * 60_000]);
    expect(events[0]?.elapsedMs).toBe(100 * 60_000);
  });

  test("abort stops the wait", async () => {
    const controller = new AbortController();
    const client = {
      async getOperation(): Promise<PolledOperation> {
        controller.abort(new Error("stop"));
        return { snapshot: parseOperation({ status: "running" })! };
      },
    };
    await expect(
      pollOperation(client, "u", { clock: new FakeClock(), signal: controller.signal }),
    ).rejects.toBeInstanceOf(AbortedError);
  });

  test("until stops early", async () => {
    const client = scripted([
      { status: "running", steps: [step("Publisher signoff", "waitingForPublisherReview")] },
    ]);
    const result = await pollOperation(client, "u", {
      clock: new FakeClock(),
      until: (s) => s.currentStep?.status === "waitingForPublisherReview",
    });
    expect(result.status).toBe("running");
  });

  test("formatDuration", () => {
    expect(formatDuration(1500)).toBe("1.5s");
    expect(formatDuration(90_000)).toBe("1m 30s");
    expect(formatDuration(26 * 3_600_000 + 60_000)).toBe("1d 2h 1m");
  });
});
