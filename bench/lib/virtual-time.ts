/**
 * A deterministic virtual-time scheduler: days of polling run in a second, with no real sleeping and no
 * timing noise. It is a `Clock` for our poller, and it can stand in for the global `setTimeout` /
 * `clearTimeout` while a third-party poller (core-lro waits with a plain `setTimeout`) runs.
 *
 * The loop: let every pending promise settle (one real `setImmediate` turn drains the microtask queue),
 * then jump to the earliest timer and fire it. Work that only ever awaits promises and timers therefore
 * runs exactly as it would in real time, minus the waiting.
 */

import type { Clock } from "../../provider/core/options";

interface Timer {
  at: number;
  seq: number;
  fire: () => void;
  cancelled: boolean;
}

const realSetImmediate = setImmediate;
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;

export class VirtualTime implements Clock {
  #now: number;
  #seq = 0;
  readonly #heap: Timer[] = [];
  /** Timers fired so far (a measure of the work the run did). */
  events = 0;

  constructor(readonly startMs = Date.parse("2026-01-05T00:00:00Z")) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        timer.cancelled = true;
        reject(signal?.reason);
      };
      const timer = this.schedule(ms, () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      });
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  schedule(ms: number, fire: () => void): Timer {
    const timer: Timer = { at: this.#now + Math.max(0, ms), seq: this.#seq++, fire, cancelled: false };
    this.#push(timer);
    return timer;
  }

  /**
   * Replaces the global setTimeout/clearTimeout with virtual ones until the returned function is called.
   * Only for code that takes no clock parameter; nothing else may run while installed.
   */
  installGlobalTimers(): () => void {
    const handles = new WeakSet<object>();
    const fakeSetTimeout = (fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
      const timer = this.schedule(ms ?? 0, () => fn(...args));
      handles.add(timer);
      return timer;
    };
    const fakeClearTimeout = (handle: unknown) => {
      if (typeof handle === "object" && handle !== null && handles.has(handle)) {
        (handle as Timer).cancelled = true;
      } else {
        realClearTimeout(handle as NodeJS.Timeout);
      }
    };
    const g = globalThis as unknown as Record<string, unknown>;
    g.setTimeout = fakeSetTimeout;
    g.clearTimeout = fakeClearTimeout;
    return () => {
      g.setTimeout = realSetTimeout;
      g.clearTimeout = realClearTimeout;
    };
  }

  /** Runs timers in time order until `done()` is true. Throws if work is pending but nothing is scheduled. */
  async run(done: () => boolean): Promise<void> {
    let idle = 0;
    while (!done()) {
      await new Promise<void>((resolve) => realSetImmediate(resolve));
      if (done()) break;
      if (!this.fireNext()) {
        // Give promise chains that hop through real I/O callbacks a few turns before calling it a deadlock.
        if (++idle > 50) throw new Error("virtual time: work is pending but no timer is scheduled");
        continue;
      }
      idle = 0;
    }
  }

  /** Jumps to the earliest pending timer and fires it; false when none is pending. */
  fireNext(): boolean {
    const timer = this.#pop();
    if (!timer) return false;
    this.#now = Math.max(this.#now, timer.at);
    this.events++;
    timer.fire();
    return true;
  }

  #less(a: Timer, b: Timer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  #push(timer: Timer): void {
    const heap = this.#heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as Timer;
      if (!this.#less(timer, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = timer;
  }

  #pop(): Timer | undefined {
    const heap = this.#heap;
    for (;;) {
      const top = heap[0];
      if (!top) return undefined;
      const last = heap.pop() as Timer;
      if (heap.length > 0) {
        let i = 0;
        for (;;) {
          const left = 2 * i + 1;
          const right = left + 1;
          let smallest = i;
          let candidate = last;
          const l = heap[left];
          const r = heap[right];
          if (l && this.#less(l, candidate)) {
            smallest = left;
            candidate = l;
          }
          if (r && this.#less(r, candidate)) smallest = right;
          if (smallest === i) break;
          heap[i] = heap[smallest] as Timer;
          i = smallest;
        }
        heap[i] = last;
      }
      if (!top.cancelled) return top;
    }
  }
}

/** A real-time sleep that ignores any installed virtual timers. */
export function realSleep(ms: number): Promise<void> {
  return new Promise((resolve) => realSetTimeout(resolve, ms));
}
