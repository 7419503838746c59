/**
 * Every alert of every rule group (all modules, both stacks) has a promtool
 * case where it fires and one where it stays quiet, per severity, and every
 * firing case checks the labels and the annotations operators rely on.
 */
import * as path from "path";
import { ruleGroups } from "../../components/catalog";
import { runbookUrl, dashboardUrl } from "../../components/shared/alert";
import { stackConfig } from "../../scripts/lib/stack-config";
import { STACKS } from "../harness/stack";
import { promtoolTestFiles, readTestFile } from "./promtool-tools";

/** Alerts that fire by design all the time: a quiet case would test a broken alert. */
const ALWAYS_FIRING = new Set(["Watchdog"]);

interface Checked {
  alertname: string;
  /** Severities expected firing at the eval time. */
  firing: string[];
  file: string;
  expAlerts: { exp_labels?: Record<string, string>; exp_annotations?: Record<string, string> }[];
}

function checks(stack: string): Checked[] {
  return promtoolTestFiles(stack).flatMap((file) =>
    (readTestFile(file).tests ?? []).flatMap((t) =>
      (t.alert_rule_test ?? []).map((a) => ({
        alertname: a.alertname,
        firing: (a.exp_alerts ?? []).map((e) => e.exp_labels?.severity ?? "(none)"),
        file: path.basename(file),
        expAlerts: a.exp_alerts ?? [],
      })),
    ),
  );
}

describe.each(STACKS)("promtool cases of the %s stack", (stack) => {
  const config = stackConfig(stack);
  const all = checks(stack);
  const alerts = ruleGroups(config).flatMap((g) =>
    g.alerts.map((a) => ({ group: g.name, name: a.name, severity: a.severity, dashboardUid: a.dashboardUid })),
  );

  it.each(alerts.map((a) => [`${a.group}/${a.name}/${a.severity}`, a] as const))("%s fires in a case", (_, a) => {
    expect(all.some((c) => c.alertname === a.name && c.firing.includes(a.severity))).toBe(true);
  });

  it.each(
    alerts.filter((a) => !ALWAYS_FIRING.has(a.name)).map((a) => [`${a.group}/${a.name}/${a.severity}`, a] as const),
  )("%s stays quiet in a case", (_, a) => {
    expect(all.some((c) => c.alertname === a.name && !c.firing.includes(a.severity))).toBe(true);
  });

  it("checks severity, runbook_url and dashboard_url in every firing case of the monitoring groups", () => {
    const monitoring = new Set(alerts.filter((a) => a.group.startsWith("cryoprotect-")).map((a) => a.name));
    const firing = all.filter((c) => c.file.startsWith("cryoprotect-") && c.expAlerts.length > 0);
    expect(firing.length).toBeGreaterThan(0);
    for (const c of firing) {
      expect(monitoring.has(c.alertname)).toBe(true);
      for (const e of c.expAlerts) {
        const def = alerts.find((a) => a.name === c.alertname && a.severity === e.exp_labels?.severity);
        expect(def).toBeDefined();
        expect(e.exp_annotations?.runbook_url).toBe(runbookUrl(config, c.alertname));
        expect(e.exp_annotations?.dashboard_url).toBe(dashboardUrl(config, def!.dashboardUid));
        expect(e.exp_annotations?.summary).toBeTruthy();
        expect(e.exp_annotations?.description).toBeTruthy();
        expect(e.exp_annotations?.description).not.toContain("{{");
      }
    }
  });

  it("has no generated case for an alert the stack does not define (such a case would pass vacuously)", () => {
    const names = new Set(alerts.map((a) => a.name));
    const generated = all.filter((c) => c.file.startsWith("cryoprotect-"));
    expect(generated.filter((c) => !names.has(c.alertname)).map((c) => `${c.file}: ${c.alertname}`)).toEqual([]);
  });
});
