/**
 * Log alerts reach the same receivers as metric alerts: the labels each
 * ElastAlert2 rule posts, routed by the real amtool through the stack's
 * committed Alertmanager config, end at the receivers configured for their severity.
 */
import { spawnSync } from "child_process";
import * as path from "path";
import * as yaml from "js-yaml";
import { elastalertRules } from "../../components/logging/elastalert";
import { loggingAlerts } from "../../components/logging/alerts/logging";
import { alertmanagerUrl } from "../../components/shared/platform";
import { PROJECT_ROOT } from "../../scripts/lib/mock-runtime";
import { stackConfig } from "../../scripts/lib/stack-config";
import { STACKS } from "../harness/stack";

function amtool(): string {
  const found = spawnSync("sh", ["-c", "command -v amtool"], { encoding: "utf8" });
  if (found.status !== 0)
    throw new Error("amtool is not installed: run scripts/install-tools.sh (prometheus-alertmanager)");
  return found.stdout.trim();
}

function receivers(configFile: string, labels: Record<string, string>): string[] {
  const args = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  const r = spawnSync(amtool(), ["config", "routes", "test", `--config.file=${configFile}`, ...args], {
    encoding: "utf8",
    timeout: 30_000,
  });
  expect(r.stderr).not.toMatch(/error/i);
  expect(r.status).toBe(0);
  return r.stdout.trim().split(",");
}

describe.each(STACKS)("%s", (stack) => {
  const config = stackConfig(stack);
  const configFile = path.join(PROJECT_ROOT, "configs/generated", stack, "alertmanager/alertmanager.yaml");
  const { routing } = config.monitoring.alertmanager;
  const expected = (severity: string) =>
    severity === "info" ? [routing.info ?? "null"] : routing[severity as "critical" | "warning"];

  test("each ElastAlert2 rule's labels route to its severity's receivers", () => {
    for (const [name, text] of Object.entries(elastalertRules(config, alertmanagerUrl(config)))) {
      const rule = yaml.load(text) as { alertmanager_labels: Record<string, string> };
      // ElastAlert2 adds alertname and elastalert_rule to the configured labels.
      const labels: Record<string, string> = { ...rule.alertmanager_labels, alertname: name, elastalert_rule: name };
      expect([name, receivers(configFile, labels)]).toEqual([name, expected(labels.severity)]);
    }
  });

  test("the logging stack's Prometheus alerts route the same way", () => {
    for (const a of loggingAlerts(config)) {
      const labels = { alertname: a.name, severity: a.severity, namespace: config.namespaces.logging };
      expect([a.name, a.severity, receivers(configFile, labels)]).toEqual([a.name, a.severity, expected(a.severity)]);
    }
  });
});
