/** Small statistics and formatting helpers shared by the benchmarks. */

import { mulberry32 } from "../../emulator/faults";

/** Nearest-rank percentile (p in 0..100) of the values; NaN for none. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export function mean(values: number[]): number {
  return values.length ? values.reduce((sum, v) => sum + v, 0) / values.length : Number.NaN;
}

export function sum(values: number[]): number {
  return values.reduce((total, v) => total + v, 0);
}

/** A duration in seconds as a short human figure: 42 s, 12.5 min, 3.2 h, 1.4 d. */
export function human(seconds: number): string {
  if (!Number.isFinite(seconds)) return "—";
  const abs = Math.abs(seconds);
  const sign = seconds < 0 ? "−" : "";
  if (abs < 1) return `${sign}${(abs * 1000).toFixed(0)} ms`;
  if (abs < 120) return `${sign}${abs.toFixed(abs < 10 ? 1 : 0)} s`;
  if (abs < 7200) return `${sign}${(abs / 60).toFixed(1)} min`;
  if (abs < 172_800) return `${sign}${(abs / 3600).toFixed(1)} h`;
  return `${sign}${(abs / 86_400).toFixed(1)} d`;
}

export function pct(fraction: number, digits = 1): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(digits)}%` : "—";
}

export function fixed(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "—";
}

/** Thousands separators for counts. */
export function count(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString("en-US") : "—";
}

/** Deterministic PRNG: the same seed gives the same operation set on every machine. */
export const prng = mulberry32;

export function max(values: number[]): number {
  return values.reduce((top, v) => Math.max(top, v), Number.NEGATIVE_INFINITY);
}
