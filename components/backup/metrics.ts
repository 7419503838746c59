/**
 * The metrics `components/backup/image/cryo-backup.sh` pushes to the Pushgateway.
 * Alerts, the backups dashboard and the PromQL allowlist use these names; the
 * script tests check that the script pushes exactly this list.
 *
 * Push layout: every run POSTs to
 *   <PUSHGATEWAY_URL>/metrics/job/cryoprotect_backup/mode/<mode>
 * and every sample also carries the `environment` label (the stack's environment).
 * POST replaces only the metric names it sends, so a failed run sends
 * `success`/`last_run`/`duration` (and `drill_success`/`check_success` where they
 * apply) but never `last_success_timestamp`: the last success survives a failure.
 * Off-site copies push per target to their own group
 *   <PUSHGATEWAY_URL>/metrics/job/cryoprotect_backup/mode/copy/target/<target>
 * so that one failing target never removes another target's last success.
 */

export const BACKUP_PUSHGATEWAY_JOB = "cryoprotect_backup";

export const BACKUP_MODES = ["backup", "full", "restore", "drill"] as const;
export type BackupMode = (typeof BACKUP_MODES)[number];

/** Pushgateway groups: one per script mode, plus one per off-site copy target. */
export type BackupPushGroup = BackupMode | "copy";

export interface BackupMetric {
  name: string;
  /** All are gauges: the Pushgateway keeps the last pushed value. */
  type: "gauge";
  help: string;
  /** Labels besides `job`, `environment` and `instance` (added by the Pushgateway). */
  labels: readonly string[];
  /** The groups (`mode` label) that carry it. */
  groups: readonly BackupPushGroup[];
  /** "success": pushed only by a successful run; "always": by every run. */
  pushedOn: "success" | "always";
}

const allModes: readonly BackupMode[] = BACKUP_MODES;
const snapshotModes: readonly BackupMode[] = ["backup", "full"];

export const BACKUP_METRICS = [
  {
    name: "cryoprotect_backup_last_success_timestamp_seconds",
    type: "gauge",
    help: "Unix time the last successful run of this mode ended.",
    labels: [],
    groups: allModes,
    pushedOn: "success",
  },
  {
    name: "cryoprotect_backup_last_run_timestamp_seconds",
    type: "gauge",
    help: "Unix time the last run of this mode ended, successful or not.",
    labels: [],
    groups: allModes,
    pushedOn: "always",
  },
  {
    name: "cryoprotect_backup_success",
    type: "gauge",
    help: "1 if the last run of this mode succeeded, 0 if it failed.",
    labels: [],
    groups: allModes,
    pushedOn: "always",
  },
  {
    name: "cryoprotect_backup_duration_seconds",
    type: "gauge",
    help: "Wall-clock duration of the last run of this mode.",
    labels: [],
    groups: allModes,
    pushedOn: "always",
  },
  {
    name: "cryoprotect_backup_bytes_added",
    type: "gauge",
    help: "Bytes the last successful backup added to the repository (restic data_added).",
    labels: [],
    groups: snapshotModes,
    pushedOn: "success",
  },
  {
    name: "cryoprotect_backup_repository_size_bytes",
    type: "gauge",
    help: "Size of the deduplicated repository (restic stats --mode raw-data) after the last successful run.",
    labels: [],
    groups: snapshotModes,
    pushedOn: "success",
  },
  {
    name: "cryoprotect_backup_snapshot_count",
    type: "gauge",
    help: "Number of database dump snapshots in the repository after the last successful run.",
    labels: [],
    groups: snapshotModes,
    pushedOn: "success",
  },
  {
    name: "cryoprotect_backup_check_success",
    type: "gauge",
    help: "1 if the last `restic check` of the full run passed, 0 if it failed or did not run.",
    labels: [],
    groups: ["full"],
    pushedOn: "always",
  },
  {
    name: "cryoprotect_backup_drill_success",
    type: "gauge",
    help: "1 if the last restore drill matched the recorded tables and row counts, 0 otherwise.",
    labels: [],
    groups: ["drill"],
    pushedOn: "always",
  },
  {
    name: "cryoprotect_backup_copy_last_success_timestamp_seconds",
    type: "gauge",
    help: "Unix time the last `restic copy` to this secondary repository succeeded.",
    labels: ["target"],
    groups: ["copy"],
    pushedOn: "success",
  },
] as const satisfies readonly BackupMetric[];

export type BackupMetricName = (typeof BACKUP_METRICS)[number]["name"];

export const BACKUP_METRIC_NAMES: readonly BackupMetricName[] = BACKUP_METRICS.map((m) => m.name);
