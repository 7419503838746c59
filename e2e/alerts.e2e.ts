/**
 * The local end-to-end proof: real Prometheus, Alertmanager, exporters,
 * PostgreSQL and the backup script, loaded with the dev stack's generated
 * rules and routes. Faults are injected into separate cells at the same time;
 * every assertion is on what reaches the webhook sink (or, for inhibition, on
 * Alertmanager's own view). Prints the detection latency of every alert.
 */
import * as path from "path";
import { PROJECT_ROOT } from "../scripts/lib/mock-runtime";
import { backupRun, Scenario, ScenarioRun, startScenarios } from "./lib/scenarios";
import { formatDetections } from "./lib/report";
import { panelQueries, metricNames } from "./lib/dashboards";

let run: ScenarioRun;

beforeAll(async () => {
  run = await startScenarios();
});

afterAll(async () => {
  if (!run) return;
  process.stdout.write(formatDetections(run));
  await run.stop();
});

function scenario(name: Scenario) {
  return run.results[name];
}

const expectedReceivers = (severity: "critical" | "warning") =>
  new Set(run.env.config.monitoring.alertmanager.routing[severity]);

describe("alerts from the dev stack's generated rules reach the right receivers", () => {
  test("20% 5xx: HighErrorRate and the SLO fast-burn page reach the critical receiver with runbook and dashboard links", async () => {
    const result = await scenario("errors");
    for (const alertname of ["HighErrorRate", "ApiAvailabilityBudgetBurn"]) {
      const delivered = result.delivered.filter(
        (d) => d.alert.labels.alertname === alertname && d.alert.labels.severity === "critical",
      );
      expect(delivered.length).toBeGreaterThan(0);
      expect(new Set(delivered.map((d) => d.receiver))).toEqual(expectedReceivers("critical"));
      for (const { alert } of delivered) {
        expect(alert.annotations.runbook_url).toBe(`${run.env.config.runbookBaseUrl}/${alertname}.md`);
        expect(alert.annotations.dashboard_url).toMatch(
          new RegExp(`^${run.env.config.monitoring.grafana.url}/d/[a-z0-9-]+`),
        );
      }
    }
  });

  test("slow requests: HighLatency reaches the warning receiver", async () => {
    const result = await scenario("latency");
    const delivered = result.delivered.filter((d) => d.alert.labels.alertname === "HighLatency");
    expect(delivered.length).toBeGreaterThan(0);
    expect(new Set(delivered.map((d) => d.receiver))).toEqual(expectedReceivers("warning"));
    expect(delivered[0].alert.annotations.runbook_url).toBe(`${run.env.config.runbookBaseUrl}/HighLatency.md`);
  });

  test("the API stops: ApiServiceDown arrives and the other API alerts are inhibited, not delivered", async () => {
    const result = await scenario("down");
    const down = result.delivered.filter((d) => d.alert.labels.alertname === "ApiServiceDown");
    expect(down.length).toBeGreaterThan(0);
    expect(new Set(down.map((d) => d.receiver))).toEqual(expectedReceivers("critical"));
    // The slow requests before the stop make HighLatency fire after ApiServiceDown: Alertmanager must mute it.
    expect(result.inhibitedInAlertmanager.map((a) => a.labels.alertname)).toContain("HighLatency");
    for (const alert of result.inhibitedInAlertmanager) {
      expect(alert.status.state).toBe("suppressed");
      expect(alert.status.inhibitedBy.length).toBeGreaterThan(0);
    }
    const deliveredNames = new Set(result.delivered.map((d) => d.alert.labels.alertname));
    for (const name of run.apiAlertNames) expect(deliveredNames).not.toContain(name);
  });

  test("a backup with a wrong password: BackupJobFailed reaches the warning receiver", async () => {
    const result = await scenario("backupFailure");
    expect(result.backup?.exitCode).not.toBe(0);
    const delivered = result.delivered.filter((d) => d.alert.labels.alertname === "BackupJobFailed");
    expect(delivered.length).toBeGreaterThan(0);
    expect(new Set(delivered.map((d) => d.receiver))).toEqual(expectedReceivers("warning"));
  });

  test("a successful backup into a local restic repository pushes its metrics and raises no backup alert", async () => {
    const result = await scenario("healthy");
    const backup = backupRun(result);
    expect({ exitCode: backup.exitCode, output: backup.exitCode === 0 ? "" : backup.output }).toEqual({
      exitCode: 0,
      output: "",
    });
    const success = await run.env.cell("healthy").query('cryoprotect_backup_success{mode="backup"}');
    expect(success.map((s) => s.value[1])).toEqual(["1"]);
    const backupAlerts = run.alertCatalog.filter((a) => a.component === "backup").map((a) => a.name);
    expect(backupAlerts).toEqual(expect.arrayContaining(["BackupTooOld", "BackupJobFailed"]));
    const seen = [
      ...result.prometheusAlerts.map((a) => a.labels.alertname),
      ...result.delivered.map((d) => d.alert.labels.alertname),
    ];
    expect(seen.filter((name) => backupAlerts.includes(name))).toEqual([]);
  });

  test("healthy traffic: only Watchdog fires, at the heartbeat receiver", async () => {
    const result = await scenario("healthy");
    const heartbeat = run.env.config.monitoring.alertmanager.routing.heartbeat;
    expect(new Set(result.delivered.map((d) => `${d.alert.labels.alertname} -> ${d.receiver}`))).toEqual(
      new Set([`Watchdog -> ${heartbeat}`]),
    );
    expect(result.prometheusAlerts.map((a) => `${a.labels.alertname} ${a.state}`)).toEqual(["Watchdog firing"]);
  });
});

describe("dashboards", () => {
  test("every panel query whose metrics the local setup produces returns data", async () => {
    await run.settled;
    const queries = panelQueries(path.join(PROJECT_ROOT, "dashboards"));
    expect(queries.length).toBeGreaterThan(0);
    const produced = await run.producedMetricNames();
    const notProduced: string[] = [];
    const empty: string[] = [];
    for (const q of queries) {
      const missing = metricNames(q.expr).filter((name) => !produced.has(name));
      const where = `${q.dashboard} / ${q.panel} [${q.refId}]`;
      if (missing.length > 0) {
        notProduced.push(`${where}: ${missing.join(", ")}`);
        continue;
      }
      if (!(await run.anyCellReturnsData(q.expr))) empty.push(`${where}: ${q.expr}`);
    }
    process.stdout.write(
      `\nDashboard panels whose metrics the local setup does not produce (${notProduced.length} of ${queries.length}):\n` +
        notProduced.map((p) => `  - ${p}\n`).join(""),
    );
    expect(empty).toEqual([]);
  });
});
