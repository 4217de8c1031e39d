import type { Clock } from "../../provider/core/options";

/** A clock whose sleeps return at once and move its time forward: tests wait days in microseconds. */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];

  constructor(public time = Date.parse("2026-11-25T00:00:00Z")) {}

  now(): number {
    return this.time;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    this.sleeps.push(ms);
    this.time += ms;
    await Promise.resolve();
  }
}
