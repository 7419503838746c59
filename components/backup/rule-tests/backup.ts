/**
 * promtool cases of the backup group: every alert fires, and each age threshold is pinned by a
 * case just past it (firing once `for` has passed) and one a minute short of it (quiet). The
 * thresholds are the alerts' own (maxAgeSeconds of the stack's schedules plus backup.maxAgeHours).
 */
import { StackConfig } from "../../../configs/types";
import { AlertCase, RuleTestSuite } from "../../shared/rule-tests/promtool";
import { gauge, Labels } from "../../shared/rule-tests/series";
import { backupRuleGroup, maxAgeSeconds } from "../alerts/backup";
import { BACKUP_PUSHGATEWAY_JOB, BackupMetricName } from "../metrics";
import { secondaryTargets } from "../targets";

/** promtool durations from seconds (whole minutes). */
function at(seconds: number): string {
  return `${Math.round(seconds / 60)}m`;
}

export function backupRuleTests(config: StackConfig): RuleTestSuite {
  const group = backupRuleGroup(config);
  const { schedules } = config.backup;
  const backupAge = maxAgeSeconds(config, [schedules.backup, schedules.full]);
  const drillAge = maxAgeSeconds(config, [schedules.drill]);
  const copyAge = maxAgeSeconds(config, [schedules.full]);
  const pushed = (mode: string, extra: Labels = {}): Labels => ({
    job: BACKUP_PUSHGATEWAY_JOB,
    mode,
    environment: config.environment,
    ...extra,
  });
  /** A gauge pushed once at time 0 with `value`, still there `seconds` later. */
  const held = (name: BackupMetricName, labels: Labels, value: number, seconds: number) =>
    gauge(name, labels, value, Math.ceil(seconds / 60) + 1);
  const lastSuccess = "cryoprotect_backup_last_success_timestamp_seconds";

  const cases: AlertCase[] = [
    {
      alert: "BackupTooOld",
      title: `the last success ${at(backupAge)} + 20m ago fires`,
      input: [held(lastSuccess, pushed("backup"), 0, backupAge + 1200)],
      evalTime: at(backupAge + 1200),
      firing: [{ severity: "critical", labels: {} }],
    },
    {
      alert: "BackupTooOld",
      title: "the last success a minute short of the threshold stays quiet",
      input: [held(lastSuccess, pushed("full"), 0, backupAge - 60)],
      evalTime: at(backupAge - 60),
      firing: [],
    },
    {
      alert: "BackupTooOld",
      title: "no backup has ever succeeded (only a drill reported): absent() fires",
      input: [held(lastSuccess, pushed("drill"), 0, 1200)],
      evalTime: "20m",
      firing: [{ severity: "critical", labels: { job: BACKUP_PUSHGATEWAY_JOB } }],
    },
    {
      alert: "BackupJobFailed",
      title: "a failed daily run fires",
      input: [held("cryoprotect_backup_success", pushed("backup"), 0, 900)],
      evalTime: "10m",
      firing: [{ severity: "warning", labels: pushed("backup") }],
    },
    {
      alert: "BackupJobFailed",
      title: "a successful run, and a failed operator restore, stay quiet",
      input: [
        held("cryoprotect_backup_success", pushed("full"), 1, 900),
        held("cryoprotect_backup_success", pushed("restore"), 0, 900),
      ],
      evalTime: "10m",
      firing: [],
    },
    {
      alert: "RestoreDrillFailed",
      title: "a failed drill fires",
      input: [
        held("cryoprotect_backup_drill_success", pushed("drill"), 0, 900),
        held(lastSuccess, pushed("drill"), 0, 900),
      ],
      evalTime: "10m",
      firing: [{ severity: "critical", labels: pushed("drill") }],
    },
    {
      alert: "RestoreDrillFailed",
      title: `the last passing drill ${at(drillAge)} + 10m ago fires`,
      input: [
        held("cryoprotect_backup_drill_success", pushed("drill"), 1, drillAge + 600),
        held(lastSuccess, pushed("drill"), 0, drillAge + 600),
      ],
      evalTime: at(drillAge + 600),
      firing: [{ severity: "critical", labels: pushed("drill") }],
    },
    {
      alert: "RestoreDrillFailed",
      title: "the last passing drill a minute short of the threshold stays quiet",
      input: [
        held("cryoprotect_backup_drill_success", pushed("drill"), 1, drillAge - 60),
        held(lastSuccess, pushed("drill"), 0, drillAge - 60),
      ],
      evalTime: at(drillAge - 60),
      firing: [],
    },
    {
      alert: "RepositoryCheckFailed",
      title: "a failed check fires",
      input: [held("cryoprotect_backup_check_success", pushed("full"), 0, 900)],
      evalTime: "10m",
      firing: [{ severity: "critical", labels: pushed("full") }],
    },
    {
      alert: "RepositoryCheckFailed",
      title: "a passed check stays quiet",
      input: [held("cryoprotect_backup_check_success", pushed("full"), 1, 900)],
      evalTime: "10m",
      firing: [],
    },
  ];
  for (const target of secondaryTargets(config)) {
    const copy = pushed("copy", { target: target.name });
    const copied = "cryoprotect_backup_copy_last_success_timestamp_seconds";
    cases.push(
      {
        alert: "OffsiteCopyStale",
        title: `the last copy to ${target.name} ${at(copyAge)} + 1h10m ago fires`,
        input: [held(copied, copy, 0, copyAge + 4200)],
        evalTime: at(copyAge + 4200),
        firing: [{ severity: "warning", labels: copy }],
      },
      {
        alert: "OffsiteCopyStale",
        title: `the last copy to ${target.name} a minute short of the threshold stays quiet`,
        input: [held(copied, copy, 0, copyAge - 60)],
        evalTime: at(copyAge - 60),
        firing: [],
      },
      {
        alert: "OffsiteCopyStale",
        title: `no copy to ${target.name} ever, although a full run succeeded, fires`,
        input: [held(lastSuccess, pushed("full"), 0, 4500)],
        evalTime: "75m",
        // absent() keeps the selector's equality matchers: job, mode and target.
        firing: [{ severity: "warning", labels: { job: BACKUP_PUSHGATEWAY_JOB, mode: "copy", target: target.name } }],
      },
    );
  }
  return { group, cases };
}
