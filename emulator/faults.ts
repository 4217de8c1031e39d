import { offerKey } from "./store";
import type { Fault, FaultSpec, FaultType, RandomFaultOptions, RequestKind } from "./types";

export interface FaultTarget {
  method: string;
  kind: RequestKind;
  publisherId?: string;
  offerId?: string;
}

/** Faults that answer (or drop) without running the handler, so a retried POST cannot act twice. */
const UNPROCESSED: FaultType[] = ["status", "reset", "unauthorized", "forbidden"];

const DEFAULT_RANDOM: FaultSpec[] = [
  { type: "status", status: 503 },
  { type: "status", status: 500 },
  { type: "reset" },
  { type: "malformedJson" },
];

/** Small deterministic PRNG (mulberry32) so random fault runs (and benchmark sets) are repeatable from a seed. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function template(type: FaultType | FaultSpec): FaultSpec {
  if (typeof type !== "string") return type;
  switch (type) {
    case "status":
      return { type, status: 503 };
    case "hang":
      return { type, ms: 200 };
    case "statusSpelling":
      return { type, status: "weird" };
    default:
      return { type } as FaultSpec;
  }
}

function matches(fault: Fault, target: FaultTarget): boolean {
  const match = fault.match;
  if (!match) return true;
  return (!match.method || match.method === target.method) && (!match.kind || match.kind === target.kind);
}

export class FaultInjector {
  /** Keyed by `p/o`; `*\/*` applies to all requests. Each list is consumed in order. */
  private readonly lists = new Map<string, Array<Fault & { remaining: number }>>();
  private random?: { rate: number; next: () => number; types: FaultSpec[] };

  set(publisherId: string, offerId: string, faults: Fault[]): void {
    const list = faults.map((fault) => ({ ...fault, remaining: fault.times ?? 1 }));
    this.lists.set(offerKey(publisherId, offerId), list);
  }

  setRandom(options: RandomFaultOptions | undefined): void {
    this.random = options && {
      rate: options.rate,
      next: mulberry32(options.seed ?? 1),
      types: (options.types ?? DEFAULT_RANDOM).map(template),
    };
  }

  clear(): void {
    this.lists.clear();
    this.random = undefined;
  }

  /** The fault for this request, consuming one use; offer-specific lists first, then global, then random. */
  take(target: FaultTarget): FaultSpec | undefined {
    const keys = [offerKey("*", "*")];
    if (target.publisherId && target.offerId) keys.unshift(offerKey(target.publisherId, target.offerId));
    for (const key of keys) {
      const list = this.lists.get(key);
      const index = list?.findIndex((fault) => matches(fault, target)) ?? -1;
      const fault = list?.[index];
      if (!list || !fault) continue;
      fault.remaining -= 1;
      if (fault.remaining <= 0) list.splice(index, 1);
      return fault;
    }
    return this.takeRandom(target);
  }

  private takeRandom(target: FaultTarget): FaultSpec | undefined {
    const random = this.random;
    if (!random || random.next() >= random.rate) return undefined;
    const allowed =
      target.method === "GET"
        ? random.types
        : random.types.filter((fault) => UNPROCESSED.includes(fault.type));
    if (allowed.length === 0) return undefined;
    return allowed[Math.floor(random.next() * allowed.length)];
  }
}
