/**
 * Axis arithmetic for the job page's charts: pure, so the server renders the
 * same chart every time for the same points.
 */

export interface Axis {
  min: number;
  max: number;
  ticks: number[];
}

/** "Nice" ticks (1, 2 or 5 × 10^k apart) covering [lo, hi], about `count` of them. */
export function niceAxis(lo: number, hi: number, count = 5): Axis {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return { min: 0, max: 1, ticks: [0, 1] };
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) {
    const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
    lo -= pad;
    hi += pad;
  }
  const rough = (hi - lo) / Math.max(1, count - 1);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 5, 10].find((m) => m * power >= rough) ?? 10) * power;
  const min = Math.floor(lo / step) * step;
  const max = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let v = min; v <= max + step / 2; v += step) ticks.push(Number(v.toPrecision(12)));
  return { min, max, ticks };
}

/** A number for an axis label: short, without float noise (0.30000000000000004). */
export function formatTick(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-3) return v.toExponential(1).replace("e+", "e");
  if (a >= 1000) return Number.isInteger(v) ? v.toLocaleString("en-US") : v.toFixed(0);
  return String(Number(v.toPrecision(3)));
}

/** Position of `v` on an axis as a fraction 0..1 (clamped). */
export const fraction = (v: number, axis: Pick<Axis, "min" | "max">) =>
  axis.max === axis.min ? 0.5 : Math.min(1, Math.max(0, (v - axis.min) / (axis.max - axis.min)));
