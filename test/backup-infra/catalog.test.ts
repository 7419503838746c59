/** The backup concern's mixin: the alert group and the dashboard. */
import { StackConfig } from "../../configs/types";
import { backupMixin } from "../../components/backup/mixin";
import { BACKUP_METRIC_NAMES } from "../../components/backup/metrics";
import { CRONJOB_NAMES } from "../../components/backup/names";
import { readStackFile } from "../../scripts/lib/mock-runtime";
import { STACKS } from "../harness/stack";

const config = (stack: string) => readStackFile(stack).plain as unknown as StackConfig;
const metricsIn = (expr: string) => [...expr.matchAll(/\b(cryoprotect_backup_\w+)\{/g)].map((m) => m[1]);

describe.each(STACKS)("backup alerts of the %s stack", (stack) => {
  const c = config(stack);
  const [group] = backupMixin(c).ruleGroups;

  it("is one group of component backup with the five alerts (OffsiteCopyStale only with off-site targets)", () => {
    expect(backupMixin(c).ruleGroups).toHaveLength(1);
    expect(group.component).toBe("backup");
    const hasOffsite = c.backup.targets.some((t) => t.kind !== "s3" || !t.primary);
    const expected = ["BackupTooOld", "BackupJobFailed", "RestoreDrillFailed", "RepositoryCheckFailed"];
    expect(group.alerts.map((a) => a.name)).toEqual(hasOffsite ? [...expected, "OffsiteCopyStale"] : expected);
  });

  it("uses only the metrics the script pushes, of its Pushgateway job", () => {
    for (const alert of group.alerts) {
      const used = metricsIn(alert.expr);
      expect(used.length).toBeGreaterThan(0);
      for (const m of used) expect(BACKUP_METRIC_NAMES).toContain(m);
      expect(alert.expr).not.toMatch(/cryoprotect_backup_\w+\{(?![^}]*job="cryoprotect_backup")/);
    }
  });

  it("gives every alert a full runbook, kubectl commands for the backup namespace and the backups dashboard", () => {
    for (const alert of group.alerts) {
      const { runbook } = alert;
      for (const text of [runbook.meaning, runbook.impact, runbook.escalation]) expect(text.length).toBeGreaterThan(30);
      expect(runbook.diagnosis.length).toBeGreaterThanOrEqual(2);
      expect(runbook.mitigation.length).toBeGreaterThanOrEqual(2);
      expect(alert.dashboardUid).toBe("cryoprotect-backups");
      // kubectl in the backup namespace, or cryo-ops for this stack (with the kubectl line as its fallback).
      const commands = alert.commands.filter((cmd) => !cmd.startsWith("#"));
      const ops = commands.filter((cmd) => cmd.startsWith("cryo-ops "));
      expect(
        ops.every((cmd) =>
          new RegExp(`^cryo-ops --stack ${c.environment} backup run --mode (backup|full|drill) --follow$`).test(cmd),
        ),
      ).toBe(true);
      expect(ops.length).toBeGreaterThan(0);
      expect(
        commands
          .filter((cmd) => !ops.includes(cmd))
          .every((cmd) => cmd.startsWith(`kubectl -n ${c.namespaces.backup} `)),
      ).toBe(true);
      expect(alert.commands.some((cmd) => /create job --from=cronjob\/cryoprotect-/.test(cmd))).toBe(true);
      expect(alert.commands.some((cmd) => / logs /.test(cmd))).toBe(true);
      for (const cmd of alert.commands.filter((x) => x.includes("cronjob"))) {
        const names = [...cmd.matchAll(/cronjob[/ ](cryoprotect-[a-z-]+)/g)].map((m) => m[1]);
        for (const n of names) expect(Object.values(CRONJOB_NAMES)).toContain(n);
      }
    }
  });

  it("derives BackupTooOld's threshold from the schedules and maxAgeHours", () => {
    const tooOld = group.alerts.find((a) => a.name === "BackupTooOld")!;
    const threshold = Number(/> (\d+)/.exec(tooOld.expr)![1]);
    // Daily + weekly full: at most a day apart (25h across the autumn DST switch outside UTC).
    const day = c.backup.timeZone === "Etc/UTC" ? 24 : 25;
    expect(threshold).toBe((day + c.backup.maxAgeHours) * 3600);
    const looser = backupMixin({ ...c, backup: { ...c.backup, maxAgeHours: c.backup.maxAgeHours + 10 } }).ruleGroups[0];
    expect(looser.alerts[0].expr).toContain(`> ${threshold + 36000}`);
  });
});

describe("backups dashboard", () => {
  const [dashboard] = backupMixin(config("dev")).dashboards;
  const model = dashboard.model as {
    uid: string;
    panels: {
      type: string;
      title: string;
      fieldConfig?: { defaults?: { unit?: string } };
      targets?: { expr: string }[];
    }[];
  };
  const panels = model.panels.filter((p) => p.type !== "row");

  it("has the uid the alerts link to", () => {
    expect(dashboard.uid).toBe("cryoprotect-backups");
    expect(model.uid).toBe("cryoprotect-backups");
  });

  it("sets a unit on every panel and queries only pushed backup metrics", () => {
    expect(panels.length).toBeGreaterThanOrEqual(7);
    for (const panel of panels) {
      expect(panel.fieldConfig?.defaults?.unit).toBeTruthy();
      const used = panel.targets!.flatMap((t) => metricsIn(t.expr));
      expect(used.length).toBeGreaterThan(0);
      for (const m of used) expect(BACKUP_METRIC_NAMES).toContain(m);
    }
  });

  it.each([
    ["age of the last backup", "cryoprotect_backup_last_success_timestamp_seconds", "s"],
    ["duration", "cryoprotect_backup_duration_seconds", "s"],
    ["bytes added", "cryoprotect_backup_bytes_added", "bytes"],
    ["repository size", "cryoprotect_backup_repository_size_bytes", "bytes"],
    ["snapshot count", "cryoprotect_backup_snapshot_count", "short"],
    ["drill results", "cryoprotect_backup_drill_success", "bool_yes_no"],
    ["copy age", "cryoprotect_backup_copy_last_success_timestamp_seconds", "s"],
  ])("shows %s", (_, metric, unit) => {
    const panel = panels.find(
      (p) => p.targets!.some((t) => t.expr.includes(metric)) && p.fieldConfig?.defaults?.unit === unit,
    );
    expect(panel).toBeDefined();
  });
});
