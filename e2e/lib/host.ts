/**
 * The machine's own CPU use, read from /proc/stat as node-exporter reads it.
 * node-exporter reports the real machine, so a machine busy with other work
 * fires HighCpuUsage correctly; the healthy scenario needs to tell that apart
 * from a false alarm.
 */
import * as fs from "fs";

export interface CpuTimes {
  idle: number;
  total: number;
}

export function cpuTimes(stat = fs.readFileSync("/proc/stat", "utf8")): CpuTimes {
  const line = stat.split("\n").find((l) => l.startsWith("cpu "));
  if (!line) throw new Error("/proc/stat has no cpu line");
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already in user).
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  return { idle: fields[3], total };
}

/** Share of CPU time not idle between two readings, in percent (node-exporter's mode="idle"). */
export function busyPercent(from: CpuTimes, to: CpuTimes): number {
  const total = to.total - from.total;
  return total > 0 ? 100 * (1 - (to.idle - from.idle) / total) : 0;
}
