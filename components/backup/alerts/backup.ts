/**
 * Alerts on the metrics the backup script pushes (components/backup/metrics.ts),
 * with thresholds derived from the stack's schedules.
 */
import { StackConfig } from "../../../configs/types";
import { PrometheusAlert, RuleGroup } from "../../shared/alert";
import { BACKUP_PUSHGATEWAY_JOB, BackupMetricName } from "../metrics";
import { BACKUP_DASHBOARD_UID, CRONJOB_NAMES, ScheduledMode } from "../names";
import { longestGapSeconds } from "../schedule";
import { secondaryTargets } from "../targets";

function metric(name: BackupMetricName, matchers: Record<string, string>): string {
  const all = { job: BACKUP_PUSHGATEWAY_JOB, ...matchers };
  const text = Object.entries(all)
    .map(([k, v]) => (v.includes("|") ? `${k}=~"${v}"` : `${k}="${v}"`))
    .join(", ");
  return `${name}{${text}}`;
}

/** Seconds a mode may go without success: its longest schedule gap plus the configured slack. */
export function maxAgeSeconds(config: StackConfig, schedules: string[]): number {
  return longestGapSeconds(schedules, config.backup.timeZone) + config.backup.maxAgeHours * 3600;
}

function hours(seconds: number): string {
  return `${Math.round((seconds / 3600) * 10) / 10}h`;
}

/** Commands an operator runs first for any backup alert of one mode. */
function jobCommands(config: StackConfig, mode: ScheduledMode): string[] {
  const ns = config.namespaces.backup;
  const cronJob = CRONJOB_NAMES[mode];
  return [
    `kubectl -n ${ns} get cronjob ${cronJob} -o wide`,
    `kubectl -n ${ns} get jobs -l app.kubernetes.io/component=${mode} --sort-by=.metadata.creationTimestamp`,
    `kubectl -n ${ns} logs -l app.kubernetes.io/component=${mode} -c backup --tail=200`,
    `kubectl -n ${ns} get events --sort-by=.lastTimestamp`,
    `# run one now and follow it (exit status = the Job's result); fallback: the kubectl create job line below`,
    `cryo-ops --stack ${config.environment} backup run --mode ${mode} --follow`,
    `kubectl -n ${ns} create job --from=cronjob/${cronJob} ${cronJob}-manual-$(date +%s)`,
  ];
}

const escalation =
  "If the cause is not found within an hour, or the database itself is unhealthy, page the database owner " +
  "(CryoProtect platform on-call); a gap in backups longer than a day is an incident, open one.";

/** No backup (daily or full) has succeeded within the longest schedule gap plus the slack. */
function backupTooOld(config: StackConfig): PrometheusAlert {
  const { schedules } = config.backup;
  const ns = config.namespaces.backup;
  const backupAge = maxAgeSeconds(config, [schedules.backup, schedules.full]);
  const lastSnapshot = `max(${metric("cryoprotect_backup_last_success_timestamp_seconds", { mode: "backup|full" })})`;
  return {
    source: "prometheus",
    name: "BackupTooOld",
    severity: "critical",
    expr:
      `time() - ${lastSnapshot} > ${backupAge}` +
      ` or absent(${metric("cryoprotect_backup_last_success_timestamp_seconds", { mode: "backup|full" })})`,
    for: "15m",
    summary: "No successful database backup for more than " + hours(backupAge),
    description:
      `The newest successful backup (daily or weekly full) is older than the longest gap of the schedules ` +
      `plus ${config.backup.maxAgeHours}h (${hours(backupAge)}), or no backup has ever reported success.`,
    dashboardUid: BACKUP_DASHBOARD_UID,
    runbook: {
      meaning:
        "No backup run has pushed a success to the Pushgateway for longer than the schedule allows, or none ever did. " +
        "The CronJob may not be starting at all (suspended, missed its starting deadline, image pull failure, " +
        "pod cannot be scheduled) or every run fails.",
      impact:
        "A restore now would lose every change since the last good snapshot. The longer this lasts, the more data " +
        "is at risk if the database is lost.",
      diagnosis: [
        "Check on the dashboard when the last success was and whether runs are failing (BackupJobFailed) or not running.",
        "List the CronJob and its recent Jobs: is it suspended, are Jobs created at the scheduled time, did they fail?",
        "Read the logs of the newest backup pod: database connection, restic repository access (IAM/IRSA, KMS), lock errors.",
        "If no Job appears, check events for FailedCreate, image pull errors or a missed schedule (startingDeadlineSeconds).",
        "If this fired right after the first deployment, no scheduled run has happened yet: run one by hand.",
      ],
      mitigation: [
        "Start a backup by hand from the CronJob (command below) and watch its logs; it is safe to run at any time.",
        "If restic reports a stale lock from a killed run, check that no backup pod is running, then run `restic unlock` " +
          "from an operator pod of the backup image (see the restore runbook for how to start one).",
        "Fix the cause (credentials Secret, IAM role, database reachability, resources) and run a manual backup again.",
        "Keep the alert open until a scheduled run has succeeded as well.",
      ],
      escalation,
    },
    commands: [
      ...jobCommands(config, "backup"),
      `kubectl -n ${ns} get cronjob ${CRONJOB_NAMES.full} -o wide`,
      `kubectl -n ${ns} get pods -l app.kubernetes.io/name=cryoprotect-backup`,
    ],
  };
}

/** The latest daily or weekly run failed. */
function backupJobFailed(config: StackConfig): PrometheusAlert {
  return {
    source: "prometheus",
    name: "BackupJobFailed",
    severity: "warning",
    expr: `${metric("cryoprotect_backup_success", { mode: "backup|full" })} == 0`,
    for: "5m",
    summary: "The last {{ $labels.mode }} backup run failed",
    description:
      "The latest run of the backup script in mode {{ $labels.mode }} pushed success=0. " +
      "No snapshot was left behind by the failed run; the previous snapshots are unaffected.",
    dashboardUid: BACKUP_DASHBOARD_UID,
    runbook: {
      meaning:
        "The most recent backup run (daily incremental or weekly full) ended with an error. A failed run leaves no " +
        "partial snapshot; the repository keeps the earlier ones.",
      impact:
        "One backup is missing. Nothing is lost yet, but if the next run fails too BackupTooOld will follow. " +
        "For a failed full run, retention, the repository check or the off-site copy may not have happened.",
      diagnosis: [
        "Read the failed pod's logs: the script prints which step failed (pg_dump, restic backup, check, forget/prune, copy).",
        "pg_dump errors: database reachable, password Secret current, server major version equals the image's client.",
        "restic errors: repository access (IRSA role annotation, bucket policy, KMS key), repository locked, out of memory.",
        "Check whether the pod was OOMKilled or hit activeDeadlineSeconds (`kubectl describe job`).",
      ],
      mitigation: [
        "Re-run the failed mode by hand from its CronJob (command below); runs are idempotent.",
        "If the pod was OOMKilled or timed out, raise backup.resources in the stack config and deploy.",
        "If the database password changed, update the dbPassword secret (`pulumi config set --secret`) and deploy.",
      ],
      escalation,
    },
    commands: [...jobCommands(config, "backup"), ...jobCommands(config, "full").slice(1, 3)],
  };
}

/** The latest restore drill failed, or none passed within a week plus DST plus the slack. */
function restoreDrillFailed(config: StackConfig): PrometheusAlert {
  const ns = config.namespaces.backup;
  const drillAge = maxAgeSeconds(config, [config.backup.schedules.drill]);
  return {
    source: "prometheus",
    name: "RestoreDrillFailed",
    severity: "critical",
    expr:
      `${metric("cryoprotect_backup_drill_success", { mode: "drill" })} == 0` +
      ` or time() - ${metric("cryoprotect_backup_last_success_timestamp_seconds", { mode: "drill" })} > ${drillAge}`,
    for: "5m",
    summary: "The weekly restore drill failed or has not succeeded for " + hours(drillAge),
    description:
      "The latest restore drill could not restore the newest snapshot into a scratch PostgreSQL, or its tables " +
      "and row counts differ from those recorded at backup time, or no drill has succeeded within " +
      hours(drillAge) +
      ".",
    dashboardUid: BACKUP_DASHBOARD_UID,
    runbook: {
      meaning:
        "The weekly proof that the backups can be restored did not pass: the restore failed, or the restored " +
        "database does not match what was recorded when the snapshot was taken.",
      impact:
        "The backups may not be restorable. Until a drill passes, assume a real restore could fail or be incomplete.",
      diagnosis: [
        "Read the drill pod's logs: the script names the failing step and lists the tables whose row counts differ.",
        "A restore error (SQL error, missing role or extension) points at a dump/server version mismatch or a schema feature.",
        "Row-count differences point at an inconsistent dump or a damaged snapshot: run the full mode's check.",
        "Check the postgres sidecar's logs (`-c postgres`) for startup or disk-space problems of the scratch database.",
      ],
      mitigation: [
        "Re-run the drill by hand (command below); it only reads the repository and writes to its own scratch database.",
        "If the restore itself fails, run a weekly full by hand to check the repository, then restore the previous snapshot " +
          "into a scratch database following the restore runbook.",
        "If the scratch database runs out of space or memory, raise backup.resources.",
      ],
      escalation:
        "A drill that still fails after a re-run means backups are not proven restorable: open an incident and involve " +
        "the database owner the same day.",
    },
    commands: [
      ...jobCommands(config, "drill"),
      `kubectl -n ${ns} logs -l app.kubernetes.io/component=drill -c postgres --tail=100`,
    ],
  };
}

/** The weekly check (or read-back) of the repository failed. */
function repositoryCheckFailed(config: StackConfig): PrometheusAlert {
  const ns = config.namespaces.backup;
  return {
    source: "prometheus",
    name: "RepositoryCheckFailed",
    severity: "critical",
    expr: `${metric("cryoprotect_backup_check_success", { mode: "full" })} == 0`,
    for: "5m",
    summary: "restic check of the backup repository failed",
    description:
      `The weekly full run's \`restic check --read-data-subset=n/${config.backup.checkRotationWeeks}\` (or the read-back of the newest snapshot) reported ` +
      "errors, or the full run stopped before it could check.",
    dashboardUid: BACKUP_DASHBOARD_UID,
    runbook: {
      meaning:
        "restic found damaged or missing data in the primary repository, or the weekly full run failed before the check " +
        "(then BackupJobFailed fires as well).",
      impact: "Some snapshots may not be restorable. New backups may reference damaged data.",
      diagnosis: [
        "Read the full run's logs: distinguish a failed check (`Fatal: repository contains errors`) from an earlier failure.",
        "Check whether a prune was interrupted (killed pod, activeDeadlineSeconds) just before.",
        "Look at the bucket for recently deleted or overwritten objects (versioning keeps them).",
      ],
      mitigation: [
        "Re-run the weekly full by hand; a transient network error during the check passes on the second try.",
        "If the check fails again, stop pruning (suspend the weekly CronJob). The failed run's log names the newest " +
          "snapshot that reads back whole: restore from that one, not from `latest`.",
        "Until the damaged data is removed, new backups deduplicate onto it. With restic 0.16 or newer run " +
          "`restic repair packs <ids from the check>` then `restic repair snapshots --forget` from a manual pod. " +
          "restic 0.14 has no repair commands: copy the damaged pack files the check names out of the bucket, delete " +
          "them, run `restic rebuild-index`, and the next backup uploads that data again.",
        "Object versions deleted by mistake can be restored from the bucket's noncurrent versions.",
      ],
      escalation,
    },
    commands: [
      ...jobCommands(config, "full"),
      `kubectl -n ${ns} patch cronjob ${CRONJOB_NAMES.full} -p '{"spec":{"suspend":true}}'`,
    ],
  };
}

export function backupAlerts(config: StackConfig): PrometheusAlert[] {
  const alerts = [
    backupTooOld(config),
    backupJobFailed(config),
    restoreDrillFailed(config),
    repositoryCheckFailed(config),
  ];
  const copies = secondaryTargets(config);
  // Only stacks with off-site targets get the alert: elsewhere it could never fire.
  if (copies.length > 0)
    alerts.push(
      offsiteCopyStale(
        config,
        copies.map((t) => t.name),
      ),
    );
  return alerts;
}

function offsiteCopyStale(config: StackConfig, targets: string[]): PrometheusAlert {
  const ns = config.namespaces.backup;
  const copyAge = maxAgeSeconds(config, [config.backup.schedules.full]);
  const copied = metric("cryoprotect_backup_copy_last_success_timestamp_seconds", {
    mode: "copy",
    target: targets.join("|"),
  });
  // A target that never received a copy although a full run has succeeded is just as stale.
  const neverCopied = targets.map(
    (t) =>
      `(absent(${metric("cryoprotect_backup_copy_last_success_timestamp_seconds", { mode: "copy", target: t })})` +
      ` and on() ${metric("cryoprotect_backup_last_success_timestamp_seconds", { mode: "full" })})`,
  );
  return {
    source: "prometheus",
    name: "OffsiteCopyStale",
    severity: "warning",
    expr: [`time() - ${copied} > ${copyAge}`, ...neverCopied].join(" or "),
    for: "1h",
    summary: "Off-site backup copy {{ $labels.target }} is older than " + hours(copyAge),
    description:
      "The weekly `restic copy` to the secondary repository {{ $labels.target }} has not succeeded within the longest " +
      `gap of the full schedule plus ${config.backup.maxAgeHours}h, or never succeeded although full runs did.`,
    dashboardUid: BACKUP_DASHBOARD_UID,
    runbook: {
      meaning:
        "Snapshots are no longer reaching the off-site repository. The primary repository may be fine; the copy that " +
        "protects against losing the primary region or bucket is out of date.",
      impact:
        "If the primary bucket or region were lost now, the newest restorable snapshot is the last one copied off-site.",
      diagnosis: [
        "Read the weekly full run's logs for the `restic copy` step of this target.",
        "For an S3 target: the role policy must name the off-site bucket and its region's KMS key; the bucket must exist.",
        "For another restic target: check its credentials Secret and that the repository URL is reachable from the cluster.",
      ],
      mitigation: [
        "Re-run the weekly full by hand; copy only transfers snapshots the target does not have yet.",
        "Fix credentials or the policy, deploy, and re-run.",
      ],
      escalation,
    },
    commands: [
      ...jobCommands(config, "full"),
      `kubectl -n ${ns} get secrets -l app.kubernetes.io/name=cryoprotect-backup`,
    ],
  };
}

export function backupRuleGroup(config: StackConfig): RuleGroup {
  return { name: "cryoprotect-backup", component: "backup", recordingRules: [], alerts: backupAlerts(config) };
}
