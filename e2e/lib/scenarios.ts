/**
 * The e2e scenarios, run at the same time in separate cells so the whole run
 * takes about as long as the slowest alert's `for` plus its rate window:
 *   healthy        normal traffic and a successful backup: only Watchdog may fire
 *   errors         20% of requests fail with 5xx
 *   latency        10% of requests take 1.5 s (p95 above 1 s, below the SLO page's burn)
 *   down           the same slow requests, then the API stops
 *   backup-failure a backup with a wrong database password
 * Each scenario resolves with what reached the webhook sink for its cell. The prod topology's
 * scenarios (prod-scenarios.ts) start at the same moment in their own cells.
 */
import * as path from "path";
import { E2E_GROUP_INTERVAL } from "./alertmanager-config";
import { runBackup, BackupRun } from "./backup";
import { Cell, E2eEnvironment } from "./environment";
import { AlertmanagerAlert, PrometheusAlert } from "./server-api";
import { alertCatalog, AlertInfo, durationSeconds, findAlert } from "./rules";
import { busyPercent, cpuTimes } from "./host";
import { HEALTHY, Traffic } from "./synthetic-api";
import { getJson, sleep, waitFor } from "./wait";
import { WebhookAlert } from "./webhook-sink";
import { PROD_CELLS, PROD_TRAFFIC, ProdResult, ProdScenario, startProdScenarios } from "./prod-scenarios";

/** Every wait of the run ends by then: the whole e2e stays within 10 minutes. */
export const RUN_BUDGET_MS = 9 * 60 * 1000;
/** The down cell serves slow requests this long before the API stops. */
export const STOP_API_AFTER_MS = 60 * 1000;
/** Margin over an alert's `for` for rate windows, evaluation, and delivery. */
const DETECTION_MARGIN_S = 120;

export const ERRORS: Traffic = { ...HEALTHY, errorRatio: 0.2 };
export const SLOW: Traffic = { ...HEALTHY, slowRatio: 0.1, slowSeconds: 1.5 };
export const WRONG_DATABASE_PASSWORD = "not-the-backup-password";

export const CELLS = {
  healthy: "healthy",
  errors: "errors",
  latency: "latency",
  down: "down",
  backupFailure: "backup-failure",
} as const;
export type Scenario = keyof typeof CELLS;

export interface Delivery {
  receiver: string;
  alert: WebhookAlert;
  receivedAt: number;
}

export interface ScenarioResult {
  /** Firing alerts delivered for the scenario's cell, up to the end of the scenario. */
  delivered: Delivery[];
  /** Pending and firing alerts in the cell's Prometheus at the end of the scenario. */
  prometheusAlerts: PrometheusAlert[];
  /** Alerts that ApiServiceDown should mute, as Alertmanager shows them (down scenario). */
  inhibitedInAlertmanager: AlertmanagerAlert[];
  backup?: BackupRun;
  /** The restore drill after the backup (healthy scenario). */
  drill?: BackupRun;
  /** The machine's CPU use over the scenario, in percent (healthy scenario). */
  hostCpuBusyPercent?: number;
}

export interface Detection {
  alert: string;
  severity: string;
  cell: string;
  receivers: string[];
  fault: string;
  injectedAt: number;
  arrivedAt: number;
}

export interface ScenarioRun {
  env: E2eEnvironment;
  startedAt: number;
  faultAt: number;
  results: Record<Scenario, Promise<ScenarioResult>>;
  /** The prod topology's scenarios (prod-scenarios.ts). */
  prod: Record<ProdScenario, Promise<ProdResult>>;
  /** Resolves when every scenario has ended, successfully or not. */
  settled: Promise<void>;
  detections: Detection[];
  alertCatalog: AlertInfo[];
  /** Alerts the ApiServiceDown inhibition covers: the api and slo groups' alerts. */
  apiAlertNames: string[];
  producedMetricNames(): Promise<Set<string>>;
  anyCellReturnsData(expr: string): Promise<boolean>;
  stop(): Promise<void>;
}

export function backupRun(result: ScenarioResult): BackupRun {
  if (!result.backup) throw new Error("The scenario ran no backup");
  return result.backup;
}

export async function startScenarios(): Promise<ScenarioRun> {
  const startedAt = Date.now();
  const budget = (ms: number) => Math.max(1000, Math.min(ms, startedAt + RUN_BUDGET_MS - Date.now()));
  const env = await E2eEnvironment.start(
    Object.values(CELLS).map((name) => ({ name, traffic: HEALTHY })),
    "dev",
    Object.values(PROD_CELLS).map((name) => ({ name, traffic: PROD_TRAFFIC })),
  );
  const config = env.config;
  const catalog = alertCatalog(config);
  const apiAlertNames = catalog
    .filter((a) => (a.component === "api" || a.component === "slo") && a.name !== "ApiServiceDown")
    .map((a) => a.name);
  const routing = config.monitoring.alertmanager.routing;
  const detections: Detection[] = [];
  const info = (name: string, severity?: string) => findAlert(catalog, name, severity);

  /** Waits until the alert (optionally of one severity) reached every receiver; records the detection latency. */
  async function arrival(cell: Cell, name: string, severity: string, fault: string, injectedAt: number) {
    const receivers = severity === "critical" ? routing.critical : routing.warning;
    const { forSeconds } = info(name, severity);
    const arrivals = await waitFor(
      `${name} (${severity}) from cell ${cell.name} at ${receivers.join(", ")}`,
      () => {
        const times = receivers.map((receiver) =>
          env.sink.firstArrival(cell.name, name, receiver, (a) => a.labels.severity === severity),
        );
        return times.every((t) => t !== undefined) ? (times as number[]) : undefined;
      },
      budget((forSeconds + DETECTION_MARGIN_S) * 1000),
      250,
    );
    detections.push({
      alert: name,
      severity,
      cell: cell.name,
      receivers,
      fault,
      injectedAt,
      arrivedAt: Math.max(...arrivals),
    });
  }

  async function snapshot(cell: Cell, extra: Partial<ScenarioResult> = {}): Promise<ScenarioResult> {
    return {
      delivered: env.sink.firing(cell.name),
      prometheusAlerts: await cell.prometheusAlerts(),
      inhibitedInAlertmanager: [],
      ...extra,
    };
  }

  // Faults start together, once every server is up and scraping.
  const faultAt = Date.now();
  const cpuAtStart = cpuTimes();
  env.cell(CELLS.errors).api.setTraffic(ERRORS);
  env.cell(CELLS.latency).api.setTraffic(SLOW);
  env.cell(CELLS.down).api.setTraffic(SLOW);
  const prodCells = { delivery: env.prodCell(PROD_CELLS.delivery), failover: env.prodCell(PROD_CELLS.failover) };
  const prod = startProdScenarios(prodCells, faultAt, budget);

  const backupOptions = (cell: Cell) => ({
    config,
    postgres: env.postgres!,
    repository: path.join(env.tmpDir, "restic", cell.name),
    pushgatewayUrl: cell.pushgatewayUrl,
    scratchDir: path.join(env.tmpDir, "backup-scratch", cell.name),
    timeoutMs: budget(120000),
  });
  // The weekly full backup (backup, check, retention) and then the restore drill, as the CronJobs run them.
  const healthyBackups = (async () => {
    const options = backupOptions(env.cell(CELLS.healthy));
    const full = await runBackup({ ...options, mode: "full" });
    const drill = await runBackup({ ...options, mode: "drill" });
    return { full, drill };
  })();

  const errors = (async () => {
    const cell = env.cell(CELLS.errors);
    await Promise.all([
      arrival(cell, "HighErrorRate", "critical", "20% 5xx", faultAt),
      arrival(cell, "ApiAvailabilityBudgetBurn", "critical", "20% 5xx", faultAt),
    ]);
    return snapshot(cell);
  })();

  const latency = (async () => {
    const cell = env.cell(CELLS.latency);
    await arrival(cell, "HighLatency", "warning", "10% of requests take 1.5s", faultAt);
    return snapshot(cell);
  })();

  const down = (async () => {
    const cell = env.cell(CELLS.down);
    await sleep(Math.max(0, faultAt + STOP_API_AFTER_MS - Date.now()));
    const stoppedAt = Date.now();
    await cell.api.stop();
    await arrival(cell, "ApiServiceDown", info("ApiServiceDown").severity, "API stopped", stoppedAt);
    // HighLatency's 5m `for` ends after ApiServiceDown fired, while the slow samples are still in its window.
    const muted = await waitFor(
      "HighLatency to fire in the down cell while ApiServiceDown fires",
      async () => {
        const alerts = (await cell.alertmanagerAlerts()).filter((a) => apiAlertNames.includes(a.labels.alertname));
        return alerts.some((a) => a.labels.alertname === "HighLatency") ? alerts : undefined;
      },
      budget((info("HighLatency").forSeconds + DETECTION_MARGIN_S) * 1000),
      500,
    );
    // Long enough for a notification of the muted alerts to have been sent, were they not muted.
    await sleep(2 * durationSeconds(E2E_GROUP_INTERVAL) * 1000 + 2000);
    return snapshot(cell, { inhibitedInAlertmanager: muted });
  })();

  const backupFailure = (async () => {
    const options = backupOptions(env.cell(CELLS.backupFailure));
    const cell = env.cell(CELLS.backupFailure);
    const backup = await runBackup({ ...options, databasePassword: WRONG_DATABASE_PASSWORD });
    await arrival(cell, "BackupJobFailed", "warning", "backup with a wrong database password", backup.startedAt);
    return snapshot(cell, { backup });
  })();

  const others = [errors, latency, down, backupFailure];
  const healthy = (async () => {
    const cell = env.cell(CELLS.healthy);
    const { full, drill } = await healthyBackups;
    // The healthy cell is watched for as long as the fault scenarios run.
    await Promise.allSettled(others);
    await waitFor(
      "Watchdog at the heartbeat receiver",
      () => env.sink.firstArrival(cell.name, "Watchdog", routing.heartbeat),
      budget(60000),
    );
    return snapshot(cell, { backup: full, drill, hostCpuBusyPercent: busyPercent(cpuAtStart, cpuTimes()) });
  })();

  const results: Record<Scenario, Promise<ScenarioResult>> = { healthy, errors, latency, down, backupFailure };
  // Tests await these later; a rejection is theirs to report, not an unhandled one.
  for (const p of Object.values(results)) p.catch(() => undefined);
  const everything = [...Object.values(results), ...Object.values(prod.results)];

  return {
    env,
    startedAt,
    faultAt,
    results,
    prod: prod.results,
    settled: Promise.allSettled(everything).then(() => undefined),
    detections,
    alertCatalog: catalog,
    apiAlertNames,
    async producedMetricNames() {
      const names = new Set<string>();
      for (const cell of env.cells) {
        const body = await getJson<{ data: string[] }>(`${cell.prometheusUrl}/api/v1/label/__name__/values`);
        for (const name of body.data) names.add(name);
      }
      return names;
    },
    async anyCellReturnsData(expr: string) {
      for (const cell of env.cells) if ((await cell.query(expr)).length > 0) return true;
      return false;
    },
    stop: () => env.stop(),
  };
}
