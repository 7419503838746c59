/**
 * Input-series helpers for promtool cases (1-minute sample interval), and the
 * Go template functions' number formats so cases can state what `$value`
 * renders to.
 */
import { InputSeries } from "./promtool";

export type Labels = Record<string, string>;

export function selector(name: string, labels: Labels): string {
  const matchers = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return `${name}{${matchers.join(", ")}}`;
}

/** Plain decimal notation promtool's series parser reads, without float noise. */
export function num(value: number): string {
  return String(+value.toPrecision(12));
}

/** A counter growing by `perMinute` every minute for `minutes` minutes. */
export function counter(name: string, labels: Labels, perMinute: number, minutes: number): InputSeries {
  return { series: selector(name, labels), values: `0+${num(perMinute)}x${minutes}` };
}

/** A gauge holding `value` for `minutes` minutes. */
export function gauge(name: string, labels: Labels, value: number, minutes: number): InputSeries {
  return { series: selector(name, labels), values: `${num(value)}x${minutes}` };
}

/** Go's `%.4g` for the magnitudes our templates show. */
export function g4(value: number): string {
  if (Math.abs(value) >= 1e4 || (value !== 0 && Math.abs(value) < 1e-4))
    throw new Error(`g4(${value}): exponent notation is not modelled`);
  return String(+value.toPrecision(4));
}

/** Prometheus' `humanize`: SI prefixes around `%.4g`. */
export function humanize(value: number): string {
  if (value === 0) return g4(value);
  const big = ["k", "M", "G", "T"];
  const small = ["m", "u", "n", "p"];
  let v = value;
  let prefix = "";
  if (Math.abs(v) >= 1) {
    for (const p of big) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
  } else {
    for (const p of small) {
      if (Math.abs(v) >= 1) break;
      prefix = p;
      v *= 1000;
    }
  }
  return `${g4(v)}${prefix}`;
}

/** Prometheus' `humanizePercentage`: `%.4g%%` of the ratio times 100. */
export function humanizePercentage(ratio: number): string {
  return `${g4(ratio * 100)}%`;
}

/** Prometheus' `humanizeDuration` for durations under a minute. */
export function humanizeDuration(seconds: number): string {
  if (seconds >= 60) throw new Error(`humanizeDuration(${seconds}): minutes are not modelled`);
  if (seconds >= 1) return `${g4(seconds)}s`;
  return `${humanize(seconds)}s`;
}

/** `le` label text: Go clients write 1 as "1", Python clients as "1.0". */
export function leLabel(bound: number, style: "go" | "python"): string {
  if (bound === Infinity) return "+Inf";
  return style === "python" && Number.isInteger(bound) ? `${bound}.0` : String(bound);
}

/**
 * A histogram observing, every minute, `count` requests of each given
 * duration: the cumulative `_bucket` series for every bound and +Inf, and `_count`.
 */
export function histogram(
  name: string,
  buckets: readonly number[],
  labels: Labels,
  observationsPerMinute: [seconds: number, count: number][],
  minutes: number,
  style: "go" | "python" = "go",
): InputSeries[] {
  const total = observationsPerMinute.reduce((sum, [, n]) => sum + n, 0);
  const bounds = [...buckets, Infinity];
  return [
    ...bounds.map((bound) => {
      const cumulative = observationsPerMinute.filter(([s]) => s <= bound).reduce((sum, [, n]) => sum + n, 0);
      return counter(`${name}_bucket`, { ...labels, le: leLabel(bound, style) }, cumulative, minutes);
    }),
    counter(`${name}_count`, labels, total, minutes),
  ];
}

/** Linear interpolation of histogram_quantile inside the bucket (lower, upper] holding the rank. */
export function interpolatedQuantile(
  q: number,
  lower: number,
  upper: number,
  belowLower: number,
  inBucket: number,
  total: number,
): number {
  return lower + ((upper - lower) * (q * total - belowLower)) / inBucket;
}
