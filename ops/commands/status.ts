/**
 * `cryo-ops status`: one screen, OK / WARN / FAIL per line, worst first. The backup thresholds are
 * the alerts' own (maxAgeSeconds of the stack's schedules), so status and pages never disagree.
 */
import { StackConfig } from "../../configs/types";
import { maxAgeSeconds } from "../../components/backup/alerts/backup";
import { BACKUP_PUSHGATEWAY_JOB } from "../../components/backup/metrics";
import { longestGapSeconds } from "../../components/backup/schedule";
import { secondaryTargets } from "../../components/backup/targets";
import { SLO_BUDGET_PERIOD, sloRecords } from "../../components/monitoring/alerts/slo";
import { Alertmanager, AmAlert, Silence } from "../alertmanager";
import { promQuery, PrometheusSample } from "../http";

export type Level = "OK" | "WARN" | "FAIL";

export interface StatusLine {
  level: Level;
  check: string;
  detail: string;
}

const RANK: Record<Level, number> = { FAIL: 0, WARN: 1, OK: 2 };

export function worstFirst(lines: StatusLine[]): StatusLine[] {
  return [...lines].sort((a, b) => RANK[a.level] - RANK[b.level]);
}

function hours(seconds: number): string {
  return seconds >= 86400 ? `${(seconds / 86400).toFixed(1)}d` : `${(seconds / 3600).toFixed(1)}h`;
}

/** Alerts being delivered (active, neither silenced nor inhibited), by severity; the Watchdog apart. */
export function alertLines(alerts: AmAlert[]): StatusLine[] {
  const active = alerts.filter((a) => a.status.state === "active");
  const watchdog = active.some((a) => a.labels.alertname === "Watchdog");
  const firing = active.filter((a) => a.labels.alertname !== "Watchdog");
  const names = (severity: string) => [
    ...new Set(firing.filter((a) => a.labels.severity === severity).map((a) => a.labels.alertname)),
  ];
  const [critical, warning, info] = [names("critical"), names("warning"), names("info")];
  const parts = [
    critical.length ? `critical: ${critical.join(", ")}` : "",
    warning.length ? `warning: ${warning.join(", ")}` : "",
    info.length ? `info: ${info.join(", ")}` : "",
  ].filter(Boolean);
  return [
    {
      level: critical.length ? "FAIL" : warning.length ? "WARN" : "OK",
      check: "alerts",
      detail: parts.length ? `firing ${parts.join("; ")}` : "no alert firing",
    },
    watchdog
      ? { level: "OK", check: "heartbeat", detail: "Watchdog is firing: the dead man's switch receiver is being fed" }
      : {
          level: "FAIL",
          check: "heartbeat",
          detail: "Watchdog is not in Alertmanager: rules are not evaluated or not delivered",
        },
  ];
}

export function silenceLine(silences: Silence[], now: Date): StatusLine {
  const active = silences.filter((s) => s.status.state === "active");
  if (!active.length) return { level: "OK", check: "silences", detail: "none active" };
  const described = active
    .map((s) => {
      const matchers = s.matchers
        .map((m) => `${m.name}${m.isEqual ? "" : "!"}${m.isRegex ? "=~" : "="}${m.value}`)
        .join(",");
      return `${matchers} until ${s.endsAt} (${hours((Date.parse(s.endsAt) - now.getTime()) / 1000)} left, ${s.createdBy})`;
    })
    .join("; ");
  return { level: "WARN", check: "silences", detail: `${active.length} active: ${described}` };
}

/** Age of a freshness metric against the alert's threshold; overdue (past the schedule's gap) warns. */
function ageLine(
  check: string,
  sample: PrometheusSample | undefined,
  now: number,
  overdue: number,
  limit: number,
): StatusLine {
  if (!sample) return { level: "FAIL", check, detail: "never succeeded (no metric in Prometheus)" };
  const age = now - Number(sample.value[1]);
  const detail = `last success ${hours(age)} ago (alert at ${hours(limit)})`;
  return { level: age >= limit ? "FAIL" : age >= overdue ? "WARN" : "OK", check, detail };
}

export async function backupLines(prometheusUrl: string, config: StackConfig, now: number): Promise<StatusLine[]> {
  const { schedules, timeZone } = config.backup;
  const job = `job="${BACKUP_PUSHGATEWAY_JOB}"`;
  // Independent queries, asked at once.
  const [last, [check], [drill], copies] = await Promise.all([
    promQuery(prometheusUrl, `cryoprotect_backup_last_success_timestamp_seconds{${job}}`),
    promQuery(prometheusUrl, `cryoprotect_backup_check_success{${job}, mode="full"}`),
    promQuery(prometheusUrl, `cryoprotect_backup_drill_success{${job}, mode="drill"}`),
    promQuery(prometheusUrl, `cryoprotect_backup_copy_last_success_timestamp_seconds{${job}}`),
  ]);
  const newest = (modes: string[]) =>
    last.filter((s) => modes.includes(s.metric.mode)).sort((a, b) => Number(b.value[1]) - Number(a.value[1]))[0];
  const gap = (s: string[]) => longestGapSeconds(s, timeZone);
  const lines = [
    ageLine(
      "backup",
      newest(["backup", "full"]),
      now,
      gap([schedules.backup, schedules.full]),
      maxAgeSeconds(config, [schedules.backup, schedules.full]),
    ),
    ageLine("full backup", newest(["full"]), now, gap([schedules.full]), maxAgeSeconds(config, [schedules.full])),
    ageLine("restore drill", newest(["drill"]), now, gap([schedules.drill]), maxAgeSeconds(config, [schedules.drill])),
  ];
  lines.push(
    !check
      ? { level: "FAIL", check: "repository check", detail: "no full run has reported a check" }
      : check.value[1] === "1"
        ? { level: "OK", check: "repository check", detail: "the last full run's restic check passed" }
        : { level: "FAIL", check: "repository check", detail: "the last full run's restic check FAILED" },
  );
  if (drill?.value[1] === "0") lines.push({ level: "FAIL", check: "restore drill", detail: "the last drill FAILED" });
  for (const target of secondaryTargets(config)) {
    const sample = copies.find((s) => s.metric.target === target.name);
    lines.push(
      ageLine(
        `off-site copy ${target.name}`,
        sample,
        now,
        gap([schedules.full]),
        maxAgeSeconds(config, [schedules.full]),
      ),
    );
  }
  return lines;
}

export async function elasticsearchLine(prometheusUrl: string): Promise<StatusLine> {
  const [health, [rate]] = await Promise.all([
    promQuery(prometheusUrl, "max by (color) (elasticsearch_cluster_health_status) == 1"),
    promQuery(prometheusUrl, "sum(rate(elasticsearch_indices_indexing_index_total[5m]))"),
  ]);
  const indexing = rate ? `, indexing ${Number(rate.value[1]).toFixed(1)} docs/s` : "";
  const color = health[0]?.metric.color;
  if (!color) return { level: "WARN", check: "elasticsearch", detail: "no health from the elasticsearch-exporter" };
  const level: Level = color === "green" ? "OK" : color === "yellow" ? "WARN" : "FAIL";
  return { level, check: "elasticsearch", detail: `cluster ${color}${indexing}` };
}

export async function sloLine(prometheusUrl: string, config: StackConfig): Promise<StatusLine> {
  const objective = config.monitoring.slo.availability;
  // The recording rule the SLO dashboard shows: one number for the budget left, wherever it is read.
  const [remaining] = await promQuery(prometheusUrl, `min(${sloRecords.budgetRemaining("availability")})`);
  if (!remaining || remaining.value[1] === "NaN")
    return { level: "WARN", check: "error budget", detail: "no request data for the SLO" };
  const left = Number(remaining.value[1]);
  const detail = `${(left * 100).toFixed(0)}% of the ${(objective * 100).toFixed(1)}% availability budget left (${SLO_BUDGET_PERIOD})`;
  return { level: left <= 0 ? "FAIL" : left < 0.25 ? "WARN" : "OK", check: "error budget", detail };
}

/** Every line; a source that cannot be reached becomes FAIL lines naming it, never a crash. */
export async function status(
  urls: { prometheus: string; alertmanager: string },
  config: StackConfig,
  now = new Date(),
): Promise<StatusLine[]> {
  const am = new Alertmanager(urls.alertmanager);
  const unreachable =
    (check: string) =>
    (e: unknown): StatusLine[] => [{ level: "FAIL", check, detail: (e as Error).message }];
  const seconds = now.getTime() / 1000;
  const parts = await Promise.all([
    am.alerts().then(alertLines, unreachable("alerts")),
    am.silences().then((s) => [silenceLine(s, now)], unreachable("silences")),
    backupLines(urls.prometheus, config, seconds).catch(unreachable("backup")),
    elasticsearchLine(urls.prometheus).then((l) => [l], unreachable("elasticsearch")),
    sloLine(urls.prometheus, config).then((l) => [l], unreachable("error budget")),
  ]);
  return worstFirst(parts.flat());
}

export function formatStatus(lines: StatusLine[]): string {
  const width = Math.max(...lines.map((l) => l.check.length));
  return lines.map((l) => `${l.level.padEnd(4)}  ${l.check.padEnd(width)}  ${l.detail}`).join("\n") + "\n";
}
