/**
 * A panel that shows an alert's quantity turns red at the alert's own threshold, taken from the
 * same config value: moving the threshold in the stack config moves the line.
 */
import { backupDashboard } from "../../components/backup/dashboards/backup";
import { maxAgeSeconds } from "../../components/backup/alerts/backup";
import { apiDashboard } from "../../components/monitoring/dashboards/api";
import { StackConfig } from "../../configs/types";
import { stackConfig } from "../../scripts/lib/stack-config";
import { STACKS } from "../harness/stack";

interface PanelModel {
  title: string;
  fieldConfig?: { defaults?: { thresholds?: { steps: { value: number | null; color: string }[] } } };
}

function redAt(model: object, title: string): number | null | undefined {
  const panel = ((model as { panels: PanelModel[] }).panels ?? []).find((p) => p.title === title);
  return panel?.fieldConfig?.defaults?.thresholds?.steps.find((s) => s.color === "red")?.value;
}

describe.each(STACKS)("the %s stack's dashboards", (stack) => {
  const config = stackConfig(stack);

  it("draw HighErrorRate's and HighLatency's lines from the alerts' thresholds", () => {
    const model = apiDashboard(config).model;
    expect(redAt(model, "5xx error ratio")).toBe(config.monitoring.thresholds.errorRatio);
    expect(redAt(model, "Slowest endpoint p95")).toBe(config.monitoring.thresholds.latencyP95Seconds);
    const moved: StackConfig = {
      ...config,
      monitoring: { ...config.monitoring, thresholds: { ...config.monitoring.thresholds, errorRatio: 0.2 } },
    };
    expect(redAt(apiDashboard(moved).model, "5xx error ratio")).toBe(0.2);
  });

  it("turn the backup age red where BackupTooOld fires", () => {
    const { schedules } = config.backup;
    const threshold = maxAgeSeconds(config, [schedules.backup, schedules.full]);
    expect(redAt(backupDashboard(config).model, "Age of last successful backup")).toBe(threshold);
    const looser: StackConfig = { ...config, backup: { ...config.backup, maxAgeHours: config.backup.maxAgeHours + 4 } };
    expect(redAt(backupDashboard(looser).model, "Age of last successful backup")).toBe(threshold + 4 * 3600);
  });
});
