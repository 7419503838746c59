/**
 * `npm run demo`: the e2e setup (one cell) left running for a person, with
 * its URLs printed and a control endpoint to inject each fault. Stops
 * everything on Ctrl-C.
 *
 * `npm run demo -- fault <name> [key=value ...]` talks to a running demo:
 *   errors [ratio=0.2] | latency [ratio=0.1 seconds=1.5] | down | up | backup-failure | backup | reset | status
 */
import * as http from "http";
import * as path from "path";
import { runBackup } from "./lib/backup";
import { E2eEnvironment } from "./lib/environment";
import { HOST, SHARED_PORTS, url } from "./lib/ports";
import { ERRORS, SLOW, WRONG_DATABASE_PASSWORD } from "./lib/scenarios";
import { HEALTHY } from "./lib/synthetic-api";
import { request } from "./lib/wait";
import { Notification } from "./lib/webhook-sink";

const CONTROL = url(SHARED_PORTS.control);
const FAULTS = ["errors", "latency", "down", "up", "backup-failure", "backup", "reset", "status"];

function number(params: URLSearchParams, key: string, fallback: number): number {
  const value = params.get(key);
  if (value === null) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new Error(`${key} must be a number, got ${value}`);
  return parsed;
}

function printNotification(n: Notification): void {
  const time = new Date(n.receivedAt).toISOString().slice(11, 19);
  for (const a of n.alerts) {
    const links =
      a.status === "firing" ? ` runbook=${a.annotations.runbook_url} dashboard=${a.annotations.dashboard_url}` : "";
    console.log(`[${time}] ${n.receiver} <- ${a.labels.alertname} (${a.labels.severity}) ${a.status}${links}`);
  }
}

async function serve(): Promise<void> {
  console.log("Starting PostgreSQL, exporters, Pushgateway, Prometheus, Alertmanager and the synthetic API ...");
  const env = await E2eEnvironment.start([{ name: "demo", traffic: HEALTHY }]);
  const cell = env.cells[0];
  const repository = path.join(env.tmpDir, "restic-repository");
  const backup = (databasePassword?: string) =>
    runBackup({
      config: env.config,
      postgres: env.postgres!,
      repository,
      pushgatewayUrl: cell.pushgatewayUrl,
      scratchDir: path.join(env.tmpDir, "backup-scratch"),
      databasePassword,
      timeoutMs: 120000,
    });

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log("\nStopping everything ...");
    control.close();
    await env.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown());
  process.on("SIGTERM", () => void shutdown());

  const actions: Record<string, (params: URLSearchParams) => Promise<unknown>> = {
    errors: async (p) => cell.api.setTraffic({ errorRatio: number(p, "ratio", ERRORS.errorRatio) }),
    latency: async (p) =>
      cell.api.setTraffic({
        slowRatio: number(p, "ratio", SLOW.slowRatio),
        slowSeconds: number(p, "seconds", SLOW.slowSeconds),
      }),
    down: async () => {
      await cell.api.stop();
      return { api: "stopped" };
    },
    up: async () => {
      await cell.api.start();
      return { api: "running" };
    },
    "backup-failure": async () => {
      const run = await backup(WRONG_DATABASE_PASSWORD);
      return { exitCode: run.exitCode, output: run.output.split("\n").slice(-5) };
    },
    backup: async () => {
      const run = await backup();
      return { exitCode: run.exitCode, output: run.output.split("\n").slice(-5) };
    },
    reset: async () => {
      if (!cell.api.running) await cell.api.start();
      return cell.api.setTraffic(HEALTHY);
    },
    status: async () => ({ api: cell.api.running ? "running" : "stopped", traffic: cell.api.getTraffic() }),
  };

  const control = http.createServer((req, res) => {
    const { pathname, searchParams } = new URL(req.url ?? "/", CONTROL);
    const name = pathname.replace(/^\/fault\//, "").replace(/^\//, "");
    const action = actions[name];
    if (!action) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end(`Faults: ${FAULTS.join(", ")}\n`);
      return;
    }
    action(searchParams)
      .then((result) => {
        console.log(`fault ${name} ${searchParams.toString()} -> ${JSON.stringify(result)}`);
        res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(result) + "\n");
      })
      .catch((error: Error) => res.writeHead(400, { "Content-Type": "text/plain" }).end(`${error.message}\n`));
  });
  await new Promise<void>((resolve) => control.listen(SHARED_PORTS.control, HOST, () => resolve()));

  env.sink.onNotification = printNotification;
  const first = await backup();
  console.log(`
CryoProtect observability demo (dev stack's generated rules and routes), all on ${HOST}:
  Prometheus     ${cell.prometheusUrl}  (alerts: ${cell.prometheusUrl}/alerts)
  Alertmanager   ${cell.alertmanagerUrl}
  Pushgateway    ${cell.pushgatewayUrl}  (first backup: exit ${first.exitCode})
  API metrics    ${cell.api.url}/metrics
  node-exporter  ${url(SHARED_PORTS.nodeExporter, "/metrics")}
  pg-exporter    ${url(SHARED_PORTS.postgresExporter, "/metrics")}
  PostgreSQL     ${HOST}:${SHARED_PORTS.postgres} (database cryoprotect)
  Webhook sink   ${url(SHARED_PORTS.webhookSink)}/demo/<receiver> (notifications are printed below)
  Logs           ${path.join(env.tmpDir, "logs")}

Inject a fault (or: npm run demo -- fault <name>):
  curl -X POST '${CONTROL}/fault/errors?ratio=0.2'           # 20% 5xx -> HighErrorRate, SLO page (~2 min)
  curl -X POST '${CONTROL}/fault/latency?ratio=0.1&seconds=1.5' # slow requests -> HighLatency (~5 min)
  curl -X POST '${CONTROL}/fault/down'                       # API stops -> ApiServiceDown (~2 min)
  curl -X POST '${CONTROL}/fault/up'                         # API starts again
  curl -X POST '${CONTROL}/fault/backup-failure'             # wrong DB password -> BackupJobFailed (~5 min)
  curl -X POST '${CONTROL}/fault/backup'                     # a successful backup
  curl -X POST '${CONTROL}/fault/reset'                      # healthy traffic again
  curl '${CONTROL}/fault/status'
Ctrl-C stops everything and removes the temp dir.
`);
}

async function sendFault(args: string[]): Promise<void> {
  const [name, ...params] = args;
  if (!name || !FAULTS.includes(name))
    throw new Error(`Usage: npm run demo -- fault <${FAULTS.join("|")}> [key=value ...]`);
  const query = params.length ? `?${params.join("&")}` : "";
  const res = await request(name === "status" ? "GET" : "POST", `${CONTROL}/fault/${name}${query}`, undefined, 150000);
  process.stdout.write(res.body);
  if (res.status !== 200) process.exitCode = 1;
}

const [command, ...rest] = process.argv.slice(2);
(command === "fault" ? sendFault(rest) : serve()).catch((error: Error) => {
  console.error(error.message);
  if (error.message.includes("EADDRINUSE")) console.error("Ports 19000-19099 are in use: is a demo or e2e run active?");
  process.exit(1);
});
