/**
 * What the platform should report, computed from the requests the synthetic API really served,
 * and the tolerance each recorded value may differ by: a count-based value by the windows'
 * edges, a latency quantile by the histogram bucket it falls in (Prometheus interpolates inside it).
 */
import { ServedRequest } from "./synthetic-api";

export interface Truth {
  requests: number;
  ratePerSecond: number;
  errorRatio: number;
  quantile: (q: number) => number;
}

/**
 * The requests a counter can show: rate() sees increments, and a label set's counter appears with its
 * first request already counted (client libraries create it on first use), so the first request of
 * each (method, endpoint, status) series is invisible to every rate, sum and ratio built on it.
 */
export function visibleToCounters(served: readonly ServedRequest[]): ServedRequest[] {
  const seen = new Set<string>();
  return served.filter((r) => {
    const key = `${r.method} ${r.endpoint} ${r.status}`;
    if (seen.has(key)) return true;
    seen.add(key);
    return false;
  });
}

/** The requests that ended in the window (end - seconds, end], as rate()[window] at `end` sees them. */
export function truthOver(served: readonly ServedRequest[], endMs: number, seconds: number): Truth {
  const inWindow = served.filter((r) => r.at > endMs - seconds * 1000 && r.at <= endMs);
  const durations = inWindow.map((r) => r.seconds).sort((a, b) => a - b);
  return {
    requests: inWindow.length,
    ratePerSecond: inWindow.length / seconds,
    errorRatio: inWindow.length ? inWindow.filter((r) => r.status >= 500).length / inWindow.length : NaN,
    // The nearest-rank quantile of what was served.
    quantile: (q) => durations[Math.max(0, Math.ceil(q * durations.length) - 1)],
  };
}

/** The bucket [lower, upper] of `value` among the histogram's upper bounds. */
export function bucketOf(value: number, bounds: readonly number[]): [number, number] {
  const i = bounds.findIndex((b) => value <= b);
  if (i < 0) return [bounds[bounds.length - 1], Infinity];
  return [i > 0 ? bounds[i - 1] : 0, bounds[i]];
}

/** Whether the recorded quantile and the true one lie in the same bucket (the histogram's resolution). */
export function sameBucket(recorded: number, truth: number, bounds: readonly number[]): boolean {
  const [lo, hi] = bucketOf(truth, bounds);
  // A value on a bucket's upper bound belongs to that bucket; interpolation may land exactly on either edge.
  return recorded >= lo && recorded <= hi;
}

/** The error budget left over the run, from the requests served: 1 - (bad / all) / (1 - objective). */
export function budgetRemaining(served: readonly ServedRequest[], objective: number, untilMs: number): number {
  const all = served.filter((r) => r.at <= untilMs);
  const bad = all.filter((r) => r.status >= 500).length;
  return 1 - bad / all.length / (1 - objective);
}

/**
 * The bad share a budget rule built as sum_over_time(rate5m[period]) / sum_over_time(rate5m[period]) reports:
 * every evaluation adds the requests of its trailing window, so a request weighs as many evaluations as its
 * window lasts before `untilMs`. Over a 30-day period that is the plain share; over a short run the last
 * window's requests weigh less (and errors that start later than the traffic weigh differently).
 */
export function windowWeightedBadShare(
  served: readonly ServedRequest[],
  untilMs: number,
  windowSeconds: number,
): number {
  let bad = 0;
  let all = 0;
  for (const r of served) {
    if (r.at > untilMs) continue;
    const weight = Math.min(r.at + windowSeconds * 1000, untilMs) - r.at;
    all += weight;
    if (r.status >= 500) bad += weight;
  }
  return bad / all;
}
