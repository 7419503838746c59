/**
 * The backups dashboard: is there a recent, restorable, off-site-copied backup? The age panels turn
 * orange once a run is overdue (the longest schedule gap) and red at the alerts' own thresholds.
 */
import * as units from "@grafana/grafana-foundation-sdk/units";
import { MappingType } from "@grafana/grafana-foundation-sdk/dashboard";
import { StackConfig } from "../../../configs/types";
import { GrafanaDashboard } from "../../shared/dashboard";
import { buildDashboard, graph, singleStat } from "../../shared/dashboard-toolkit";
import { maxAgeSeconds } from "../alerts/backup";
import { BACKUP_PUSHGATEWAY_JOB, BackupMetricName } from "../metrics";
import { BACKUP_DASHBOARD_UID } from "../names";
import { longestGapSeconds } from "../schedule";

function series(name: BackupMetricName, matchers = ""): string {
  return `${name}{job="${BACKUP_PUSHGATEWAY_JOB}"${matchers ? `, ${matchers}` : ""}}`;
}

/** 1 = passed, 0 = failed, shown as words rather than numbers. */
const passFail = [
  {
    type: MappingType.ValueToText as const,
    options: { "0": { text: "FAILED", color: "red" }, "1": { text: "passed", color: "green" } },
  },
];

function ageStat(title: string, expr: string, legend: string, overdueSeconds: number, alertSeconds: number) {
  return singleStat({
    title,
    unit: units.Seconds,
    targets: [{ expr, legend }],
    steps: [
      [null, "green"],
      [overdueSeconds, "orange"],
      [alertSeconds, "red"],
    ],
  });
}

function resultStat(title: string, expr: string, legend: string) {
  return singleStat({
    title,
    unit: units.NoUnit,
    targets: [{ expr, legend }],
    steps: [
      [null, "red"],
      [1, "green"],
    ],
    mappings: passFail,
  });
}

export function backupDashboard(config: StackConfig): GrafanaDashboard {
  const { schedules, timeZone } = config.backup;
  const snapshotSchedules = [schedules.backup, schedules.full];
  // Pushed gauges change once per run: points show the runs, lines would suggest a trend in between.
  const perRun = { points: true };
  return buildDashboard({
    uid: BACKUP_DASHBOARD_UID,
    title: "CryoProtect / Backups",
    description: "restic backups of the CryoProtect database: freshness, size, restore drills, off-site copies.",
    tags: ["backup", "restic"],
    from: "now-30d",
    refresh: "5m",
    rows: [
      {
        title: "Freshness and results",
        panels: [
          ageStat(
            "Age of last successful backup",
            `time() - max(${series("cryoprotect_backup_last_success_timestamp_seconds", 'mode=~"backup|full"')})`,
            "any snapshot",
            longestGapSeconds(snapshotSchedules, timeZone),
            maxAgeSeconds(config, snapshotSchedules),
          ),
          ageStat(
            "Age of last off-site copy",
            `time() - ${series("cryoprotect_backup_copy_last_success_timestamp_seconds")}`,
            "{{target}}",
            longestGapSeconds([schedules.full], timeZone),
            maxAgeSeconds(config, [schedules.full]),
          ),
          resultStat(
            "Last run per mode",
            series("cryoprotect_backup_success", 'mode=~"backup|full|drill"'),
            "{{mode}}",
          ),
          resultStat(
            "Restore drill / repository check",
            `${series("cryoprotect_backup_drill_success")} or ${series("cryoprotect_backup_check_success")}`,
            "{{mode}}",
          ),
        ],
      },
      {
        title: "Runs",
        panels: [
          graph({
            ...perRun,
            title: "Duration per run",
            unit: units.Seconds,
            targets: [{ expr: series("cryoprotect_backup_duration_seconds", 'mode!="restore"'), legend: "{{mode}}" }],
          }),
          graph({
            ...perRun,
            title: "Bytes added per run",
            unit: units.BytesIEC,
            targets: [{ expr: series("cryoprotect_backup_bytes_added"), legend: "{{mode}}" }],
          }),
          graph({
            ...perRun,
            title: "Restore drill results",
            unit: units.BoolYesNo,
            max: 1,
            targets: [{ expr: series("cryoprotect_backup_drill_success"), legend: "drill passed" }],
          }),
        ],
      },
      {
        title: "Repository",
        panels: [
          graph({
            title: "Repository size",
            unit: units.BytesIEC,
            targets: [
              { expr: `max(${series("cryoprotect_backup_repository_size_bytes")})`, legend: "deduplicated size" },
            ],
          }),
          graph({
            title: "Snapshots in the repository",
            unit: units.Short,
            targets: [{ expr: `max(${series("cryoprotect_backup_snapshot_count")})`, legend: "snapshots" }],
          }),
        ],
      },
    ],
  });
}
