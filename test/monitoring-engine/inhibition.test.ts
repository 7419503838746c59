/**
 * Inhibitions proven on a real Alertmanager (Debian prometheus-alertmanager)
 * running the generated prod config on 127.0.0.1: alerts are posted to its API
 * and its own view of which alert is inhibited by which is checked.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ruleGroups } from "../../components/catalog";
import { stackConfig } from "../../scripts/lib/stack-config";
import { requireTool, writeLocalConfig } from "./tools";

const binary = requireTool("prometheus-alertmanager");
const PORT = 19300;
const BASE = `http://127.0.0.1:${PORT}`;
const config = stackConfig("prod");
const local = writeLocalConfig(config);
/** An SLO burn-rate alert of the catalog. */
const sloAlert = ruleGroups(config).find((g) => g.component === "slo")!.alerts[0].name;
let server: ChildProcess | undefined;
let log = "";

async function waitReady(deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    if (server?.exitCode !== null) throw new Error(`alertmanager exited: ${log}`);
    try {
      if ((await fetch(`${BASE}/-/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`alertmanager not ready within ${deadlineMs} ms: ${log}`);
}

beforeAll(async () => {
  server = spawn(
    binary,
    [
      `--config.file=${local.configFile}`,
      `--storage.path=${path.join(local.dir, "data")}`,
      `--web.listen-address=127.0.0.1:${PORT}`,
      "--cluster.listen-address=",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  server.stdout!.on("data", (d) => (log += d));
  server.stderr!.on("data", (d) => (log += d));
  await waitReady(15_000);
});

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server!.once("exit", r));
    server.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    if (server.exitCode === null) server.kill("SIGKILL");
  }
  fs.rmSync(local.dir, { recursive: true, force: true });
});

type Labels = Record<string, string>;

async function post(alerts: Labels[]): Promise<void> {
  const res = await fetch(`${BASE}/api/v2/alerts`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(alerts.map((labels) => ({ labels, annotations: { summary: "test" } }))),
  });
  expect(res.status).toBe(200);
}

/** alertname/namespace/severity -> whether Alertmanager reports it inhibited. */
async function inhibitedState(): Promise<Record<string, boolean>> {
  const res = await fetch(`${BASE}/api/v2/alerts`);
  const alerts = (await res.json()) as { labels: Labels; status: { inhibitedBy: string[] } }[];
  return Object.fromEntries(
    alerts.map((a) => [
      `${a.labels.alertname}/${a.labels.namespace ?? ""}/${a.labels.severity}`,
      a.status.inhibitedBy.length > 0,
    ]),
  );
}

describe("inhibitions on a running Alertmanager (prod config)", () => {
  beforeAll(async () => {
    await post([
      { alertname: "HighCpuUsage", namespace: "a", severity: "critical" },
      { alertname: "HighCpuUsage", namespace: "a", severity: "warning" },
      { alertname: "HighCpuUsage", namespace: "b", severity: "warning" },
      { alertname: "HighMemoryUsage", namespace: "a", severity: "warning" },
      { alertname: "ApiServiceDown", namespace: "cryoprotect", severity: "critical" },
      { alertname: "HighErrorRate", namespace: "cryoprotect", severity: "critical" },
      { alertname: "HighLatency", namespace: "cryoprotect", severity: "warning" },
      { alertname: sloAlert, namespace: "cryoprotect", severity: "critical" },
      { alertname: "NodeDown", namespace: "cryoprotect", severity: "critical" },
      // The Watchdog has no namespace; nothing may ever silence it.
      { alertname: "Watchdog", severity: "info" },
      { alertname: "SomethingToKnow", severity: "info" },
      { alertname: "SomethingToKnow", severity: "critical" },
    ]);
  });

  it("a critical alert silences the same alert's warning in the same namespace only", async () => {
    const s = await inhibitedState();
    expect(s["HighCpuUsage/a/warning"]).toBe(true);
    expect(s["HighCpuUsage/a/critical"]).toBe(false);
    expect(s["HighCpuUsage/b/warning"]).toBe(false);
    expect(s["HighMemoryUsage/a/warning"]).toBe(false);
  });

  it("ApiServiceDown silences the other API and SLO alerts, not itself and not system alerts", async () => {
    const s = await inhibitedState();
    expect(s["HighErrorRate/cryoprotect/critical"]).toBe(true);
    expect(s["HighLatency/cryoprotect/warning"]).toBe(true);
    expect(s[`${sloAlert}/cryoprotect/critical`]).toBe(true);
    expect(s["ApiServiceDown/cryoprotect/critical"]).toBe(false);
    expect(s["NodeDown/cryoprotect/critical"]).toBe(false);
  });

  it("nothing silences the Watchdog or an info alert (info alerts are tickets, not context)", async () => {
    const s = await inhibitedState();
    expect(s["Watchdog//info"]).toBe(false);
    expect(s["SomethingToKnow//info"]).toBe(false);
  });
});
