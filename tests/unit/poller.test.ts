import {
  AbortedError,
  OperationFailedError,
  PollTimeoutError,
  TransientError,
} from "../../provider/core/errors";
import { formatDuration, type ProgressEvent, pollOperation } from "../../provider/core/poller";
import type { PolledOperation } from "../../provider/cpp/client";
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
    expect(events.filter((e) => e.heartbeat).length).toBe(6);
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
