/**
 * The node-exporter allowlist is real: the Debian node exporter (the same
 * project kube-prometheus-stack runs) serves every listed metric. Listens on
 * 127.0.0.1:29310 only, waits with a deadline and is stopped on every path.
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as http from "http";
import { exporterMetrics } from "../../components/monitoring/exporter-metrics";

const BINARY = "prometheus-node-exporter";
const ADDRESS = "127.0.0.1:29310";

/** One GET without keep-alive, so no socket outlives the test. */
function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: 2000 }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}

async function scrape(url: string, deadlineMs: number): Promise<string> {
  const deadline = Date.now() + deadlineMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      return await get(url);
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no metrics from ${url} within ${deadlineMs} ms: ${String(last)}`);
}

describe("node-exporter metrics the rules and dashboards read", () => {
  let exporter: ChildProcess | undefined;

  beforeAll(() => {
    if (spawnSync("sh", ["-c", `command -v ${BINARY}`]).status !== 0)
      throw new Error(
        `${BINARY} is not installed: run scripts/install-tools.sh (Debian package prometheus-node-exporter)`,
      );
    exporter = spawn(BINARY, [`--web.listen-address=${ADDRESS}`], { stdio: "ignore" });
  });

  afterAll(async () => {
    if (exporter && exporter.exitCode === null) {
      const exited = new Promise((r) => exporter!.once("exit", r));
      exporter.kill("SIGTERM");
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 5000)))]);
      clearTimeout(timer);
      if (exporter.exitCode === null) exporter.kill("SIGKILL");
    }
  });

  it("serves every allowlisted node_* metric", async () => {
    const text = await scrape(`http://${ADDRESS}/metrics`, 15_000);
    const served = new Set(
      text
        .split("\n")
        .filter((l) => l && !l.startsWith("#"))
        .map((l) => /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(l)![0]),
    );
    expect(exporterMetrics.nodeExporter.filter((m) => !served.has(m))).toEqual([]);
  });
});
