import { VirtualTime } from "../../bench/lib/virtual-time";

const realSetImmediate = setImmediate;

/**
 * A clock for tests that wait days in microseconds. Every sleep is a timer in virtual time; whenever a sleep is
 * pending, the clock lets all pending promises settle (one real `setImmediate` turn), then jumps to the earliest
 * timer and fires it. Concurrent sleeps therefore end in time order, as real timers would: a 60 s request
 * (a read that sleeps 60 s) and a 5 min heartbeat timer racing it behave as they would in real time.
 * Only for code that waits on nothing but promises and this clock (no real I/O).
 */
export class FakeClock extends VirtualTime {
  /** The lengths of the sleeps that ran to the end (aborted ones are left out), in the order they ended. */
  readonly sleeps: number[] = [];
  #driving = false;

  constructor(startMs = Date.parse("2026-11-25T00:00:00Z")) {
    super(startMs);
  }

  override sleep(ms: number, signal?: AbortSignal): Promise<void> {
    const slept = super.sleep(ms, signal).then(() => {
      this.sleeps.push(ms);
    });
    this.#drive();
    return slept;
  }

  #drive(): void {
    if (this.#driving) return;
    this.#driving = true;
    realSetImmediate(() => {
      this.#driving = false;
      if (this.fireNext()) this.#drive();
    });
  }
}
