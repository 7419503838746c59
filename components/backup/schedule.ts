/** How long the backup schedules leave between runs, for alert thresholds. */
import { CronExpressionParser } from "cron-parser";

/** A fixed year, so thresholds do not change with the day the program runs; it spans both DST switches. */
const FROM = new Date("2025-01-01T00:00:00Z");
const TO = new Date("2026-01-01T00:00:00Z");
/** Enough runs to see the whole pattern of any daily or weekly schedule; frequent ones stop early. */
const MAX_RUNS = 2000;

/**
 * The longest wait, in seconds, between two consecutive runs of any of the
 * given schedules (evaluated in the CronJobs' time zone, so a DST day counts
 * as 23 or 25 hours).
 */
export function longestGapSeconds(schedules: string[], timeZone: string): number {
  // Iterating a year of runs in a time zone takes a fraction of a second; the catalog asks often.
  const key = JSON.stringify([schedules, timeZone]);
  if (!gaps.has(key)) gaps.set(key, computeLongestGap(schedules, timeZone));
  return gaps.get(key)!;
}

const gaps = new Map<string, number>();

function computeLongestGap(schedules: string[], timeZone: string): number {
  const runs = schedules
    .flatMap((cron) => {
      const it = CronExpressionParser.parse(cron, { currentDate: FROM, endDate: TO, tz: timeZone });
      const times: number[] = [];
      while (times.length < MAX_RUNS && it.hasNext()) times.push(it.next().getTime());
      return times;
    })
    .sort((a, b) => a - b);
  let longest = 0;
  for (let i = 1; i < runs.length; i++) longest = Math.max(longest, runs[i] - runs[i - 1]);
  return longest / 1000;
}
