/** The backups dashboard: is there a recent, restorable, off-site-copied backup? */
import {
  DashboardBuilder,
  DashboardCursorSync,
  MappingType,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
} from "@grafana/grafana-foundation-sdk/dashboard";
import { BigValueColorMode } from "@grafana/grafana-foundation-sdk/common";
import { DataqueryBuilder } from "@grafana/grafana-foundation-sdk/prometheus";
import * as stat from "@grafana/grafana-foundation-sdk/stat";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";
import { StackConfig } from "../../configs/types";
import { GrafanaDashboard } from "../shared/dashboard";
import { maxAgeSeconds } from "./alerts";
import { longestGapSeconds } from "./schedule";
import { BACKUP_PUSHGATEWAY_JOB, BackupMetricName } from "./metrics";
import { BACKUP_DASHBOARD_UID } from "./names";

const datasource = { type: "prometheus", uid: "prometheus" };

function series(name: BackupMetricName, matchers = ""): string {
  return `${name}{job="${BACKUP_PUSHGATEWAY_JOB}"${matchers ? `, ${matchers}` : ""}}`;
}

function query(expr: string, legend: string) {
  return new DataqueryBuilder().expr(expr).legendFormat(legend);
}

function thresholds(steps: [number | null, string][]) {
  return new ThresholdsConfigBuilder()
    .mode(ThresholdsMode.Absolute)
    .steps(steps.map(([value, color]) => ({ value, color })));
}

/** 1 = passed, 0 = failed, shown as words rather than numbers. */
const passFail = [
  {
    type: MappingType.ValueToText as const,
    options: { "0": { text: "FAILED", color: "red" }, "1": { text: "passed", color: "green" } },
  },
];

/** Orange once a run is overdue (the longest schedule gap), red at the alert's own threshold. */
function ageStat(title: string, expr: string, legend: string, overdueSeconds: number, alertSeconds: number) {
  return new stat.PanelBuilder()
    .title(title)
    .datasource(datasource)
    .unit("s")
    .decimals(0)
    .colorMode(BigValueColorMode.Background)
    .thresholds(
      thresholds([
        [null, "green"],
        [overdueSeconds, "orange"],
        [alertSeconds, "red"],
      ]),
    )
    .withTarget(query(expr, legend).instant())
    .height(5)
    .span(6);
}

function resultStat(title: string, expr: string, legend: string) {
  return new stat.PanelBuilder()
    .title(title)
    .datasource(datasource)
    .unit("none")
    .mappings(passFail)
    .colorMode(BigValueColorMode.Background)
    .thresholds(
      thresholds([
        [null, "red"],
        [1, "green"],
      ]),
    )
    .withTarget(query(expr, legend).instant())
    .height(5)
    .span(6);
}

function graph(title: string, unit: string, expr: string, legend: string, points = true) {
  const panel = new timeseries.PanelBuilder()
    .title(title)
    .datasource(datasource)
    .unit(unit)
    .min(0)
    .withTarget(query(expr, legend))
    .height(8)
    .span(12);
  // Pushed gauges change once per run; points show the runs, lines would suggest a trend in between.
  return points ? panel.lineWidth(1).pointSize(5) : panel;
}

export function backupDashboard(config: StackConfig): GrafanaDashboard {
  const { schedules, timeZone } = config.backup;
  const snapshotSchedules = [schedules.backup, schedules.full];
  const builder = new DashboardBuilder("CryoProtect / Backups")
    .uid(BACKUP_DASHBOARD_UID)
    .tags(["cryoprotect", "backup", "restic"])
    .description("restic backups of the CryoProtect database: freshness, size, restore drills, off-site copies.")
    .refresh("5m")
    .time({ from: "now-30d", to: "now" })
    .timezone("browser")
    .tooltip(DashboardCursorSync.Crosshair)
    .withRow(new RowBuilder("Freshness and results"))
    .withPanel(
      ageStat(
        "Age of last successful backup",
        `time() - max(${series("cryoprotect_backup_last_success_timestamp_seconds", 'mode=~"backup|full"')})`,
        "any snapshot",
        longestGapSeconds(snapshotSchedules, timeZone),
        maxAgeSeconds(config, snapshotSchedules),
      ),
    )
    .withPanel(
      ageStat(
        "Age of last off-site copy",
        `time() - ${series("cryoprotect_backup_copy_last_success_timestamp_seconds")}`,
        "{{target}}",
        longestGapSeconds([schedules.full], timeZone),
        maxAgeSeconds(config, [schedules.full]),
      ),
    )
    .withPanel(
      resultStat("Last run per mode", series("cryoprotect_backup_success", 'mode=~"backup|full|drill"'), "{{mode}}"),
    )
    .withPanel(
      resultStat(
        "Restore drill / repository check",
        `${series("cryoprotect_backup_drill_success")} or ${series("cryoprotect_backup_check_success")}`,
        "{{mode}}",
      ),
    )
    .withRow(new RowBuilder("Runs"))
    .withPanel(
      graph("Duration per run", "s", series("cryoprotect_backup_duration_seconds", 'mode!="restore"'), "{{mode}}"),
    )
    .withPanel(graph("Bytes added per run", "bytes", series("cryoprotect_backup_bytes_added"), "{{mode}}"))
    .withPanel(
      graph("Restore drill results", "bool_yes_no", series("cryoprotect_backup_drill_success"), "drill passed").max(1),
    )
    .withRow(new RowBuilder("Repository"))
    .withPanel(
      graph(
        "Repository size",
        "bytes",
        `max(${series("cryoprotect_backup_repository_size_bytes")})`,
        "deduplicated size",
        false,
      ),
    )
    .withPanel(
      graph(
        "Snapshots in the repository",
        "short",
        `max(${series("cryoprotect_backup_snapshot_count")})`,
        "snapshots",
        false,
      ),
    );
  return { uid: BACKUP_DASHBOARD_UID, title: "CryoProtect / Backups", folder: "CryoProtect", model: builder.build() };
}
