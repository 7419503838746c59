/**
 * A silence made through cryo-ops on one Alertmanager reaches every peer of the cluster: two real
 * Alertmanagers (Debian's) gossiping on loopback, as the chart runs them; the silence is added on
 * the first and seen muting the alert on the second, then expired from the first and lifted on both.
 * Ports 19170-19179 are this test's.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { cryoOps } from "./cli";
import { tmpDir } from "./fake-kube";
import { waitFor } from "../../e2e/lib/wait";

const BINARY = "/usr/bin/prometheus-alertmanager";
const PEERS = [
  { web: 19170, cluster: 19171 },
  { web: 19172, cluster: 19173 },
];
const url = (port: number) => `http://127.0.0.1:${port}`;

let dir: string;
const children: ChildProcess[] = [];

const until = <T>(what: string, probe: () => Promise<T | undefined>) => waitFor(what, probe, 30_000, 250);

type AmAlert = { labels: Record<string, string>; status: { state: string; silencedBy: string[] } };
const alertsOf = async (port: number) => (await (await fetch(`${url(port)}/api/v2/alerts`)).json()) as AmAlert[];

beforeAll(async () => {
  if (!fs.existsSync(BINARY)) throw new Error(`${BINARY} is missing: run scripts/install-tools.sh`);
  dir = tmpDir();
  const config = path.join(dir, "alertmanager.yml");
  fs.writeFileSync(config, "route: { receiver: none, group_wait: 1s }\nreceivers: [{ name: none }]\n");
  for (const [i, p] of PEERS.entries()) {
    const other = PEERS[1 - i];
    children.push(
      spawn(
        BINARY,
        [
          `--config.file=${config}`,
          `--storage.path=${path.join(dir, `data-${i}`)}`,
          `--web.listen-address=127.0.0.1:${p.web}`,
          `--cluster.listen-address=127.0.0.1:${p.cluster}`,
          `--cluster.advertise-address=127.0.0.1:${p.cluster}`,
          `--cluster.peer=127.0.0.1:${other.cluster}`,
          "--cluster.settle-timeout=2s",
        ],
        { stdio: "ignore" },
      ),
    );
  }
  for (const p of PEERS) {
    await until(`peer ${p.web} sees the cluster`, async () => {
      const status = (await (await fetch(`${url(p.web)}/api/v2/status`)).json()) as { cluster: { peers: unknown[] } };
      return status.cluster.peers.length === 2 ? true : undefined;
    });
  }
  // The same alert on both peers, as both Prometheus replicas send it.
  const alert = [{ labels: { alertname: "HighErrorRate", severity: "critical", namespace: "cryoprotect" } }];
  for (const p of PEERS) {
    await fetch(`${url(p.web)}/api/v2/alerts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(alert),
    });
  }
}, 60_000);

afterAll(() => {
  for (const c of children) c.kill("SIGTERM");
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("cryo-ops silences on a clustered Alertmanager", () => {
  it("a silence added on one peer mutes the alert on the other; expiring it there lifts it everywhere", async () => {
    const [first, second] = PEERS.map((p) => p.web);
    const added = await cryoOps([
      "--stack", "prod", "--alertmanager-url", url(first), "--json",
      "silence", "add", "--matcher", "alertname=HighErrorRate", "--duration", "1h", "--reason", "cluster test",
    ]); // prettier-ignore
    expect(added.status).toBe(0);
    const { id } = JSON.parse(added.stdout) as { id: string };
    for (const port of [first, second]) {
      const [alert] = await until(`the alert silenced on ${port}`, async () => {
        const alerts = (await alertsOf(port)).filter((a) => a.labels.alertname === "HighErrorRate");
        return alerts.length && alerts.every((a) => a.status.silencedBy.includes(id)) ? alerts : undefined;
      });
      expect(alert.status.state).toBe("suppressed");
    }
    const listed = await cryoOps(["--stack", "prod", "--alertmanager-url", url(second), "silence", "list"]);
    expect(listed.stdout).toContain(id);
    expect((await cryoOps(["--stack", "prod", "--alertmanager-url", url(first), "silence", "expire", id])).status).toBe(
      0,
    );
    for (const port of [first, second]) {
      await until(`the alert active again on ${port}`, async () =>
        (await alertsOf(port)).some((a) => a.labels.alertname === "HighErrorRate" && a.status.state === "active")
          ? true
          : undefined,
      );
    }
  });
});
