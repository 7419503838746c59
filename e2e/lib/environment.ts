/**
 * The whole local setup: shared pieces (webhook sink, PostgreSQL, its exporter,
 * node-exporter, blackbox exporter), one or more cells and any prod-topology
 * cells. A cell is one Prometheus with the dev stack's generated rules, one
 * Alertmanager with its generated routes, one Pushgateway and one synthetic API
 * instance; a prod cell (prod-cell.ts) is the prod stack's replicated topology.
 * The API's rules aggregate by namespace and job, as in the cluster, so
 * scenarios that must not see each other's faults run in separate cells at the
 * same time.
 */
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { StackConfig } from "../../configs/types";
import { blackboxModules } from "../../components/monitoring/probes";
import { stackArtifacts } from "../../components/artifacts";
import { stackConfig } from "../../scripts/lib/stack-config";
import { redirectReceivers } from "./alertmanager-config";
import { ProdCell } from "./prod-cell";
import { TICKET_RULE_FILE, ticketRuleFile } from "./ticket-rule";
import { cellPorts, CellPorts, HOST, SHARED_PORTS, url } from "./ports";
import { Postgres, startPostgres } from "./postgres";
import { prometheusConfig } from "./prometheus-config";
import { releaseReaper, removeOnExit, RunningProcess, Supervisor } from "./processes";
import { HEALTHY, SyntheticApi, Traffic } from "./synthetic-api";
import { request, waitFor } from "./wait";
import {
  AlertmanagerAlert,
  alertmanagerAlerts,
  PrometheusAlert,
  prometheusAlerts,
  query,
  QueryResult,
} from "./server-api";
import { WebhookSink } from "./webhook-sink";

export const BINARIES = {
  prometheus: "/usr/bin/prometheus",
  alertmanager: "/usr/bin/prometheus-alertmanager",
  pushgateway: "/usr/bin/prometheus-pushgateway",
  nodeExporter: "/usr/bin/prometheus-node-exporter",
  postgresExporter: "/usr/bin/prometheus-postgres-exporter",
  blackboxExporter: "/usr/bin/prometheus-blackbox-exporter",
} as const;

/** The kube-prometheus-stack chart's node-exporter arguments, so the same filesystems are watched. */
const NODE_EXPORTER_ARGS = [
  "--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|run/containerd/.+|var/lib/docker/.+|var/lib/kubelet/.+)($|/)",
  "--collector.filesystem.fs-types-exclude=^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs|erofs)$",
];

const STARTUP_TIMEOUT_MS = 60000;

export interface CellSpec {
  name: string;
  /** Traffic the API starts with. */
  traffic?: Traffic;
}

/**
 * Writes a stack's generated Prometheus and Alertmanager files (as `npm run generate` commits them)
 * below `dir`; returns the rule files and the parsed alertmanager.yaml.
 */
export function writeStackFiles(config: StackConfig, dir: string) {
  const ruleFiles: string[] = [];
  for (const [rel, content] of Object.entries(stackArtifacts(config))) {
    if (!rel.startsWith("prometheus/") && !rel.startsWith("alertmanager/")) continue;
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    if (/^prometheus\/rules\/.+\.ya?ml$/.test(rel)) ruleFiles.push(file);
  }
  const amFile = path.join(dir, "alertmanager", "alertmanager.yaml");
  if (ruleFiles.length === 0) throw new Error(`The ${config.environment} stack generates no Prometheus rule files`);
  if (!fs.existsSync(amFile)) throw new Error(`The ${config.environment} stack generates no alertmanager.yaml`);
  return { ruleFiles, alertmanagerYaml: yaml.load(fs.readFileSync(amFile, "utf8")) as Record<string, unknown> };
}

export class Cell {
  readonly ports: CellPorts;
  readonly api: SyntheticApi;
  readonly processes: RunningProcess[] = [];

  constructor(
    readonly name: string,
    readonly index: number,
    traffic: Traffic,
  ) {
    this.ports = cellPorts(index);
    this.api = new SyntheticApi(this.ports.api, traffic);
  }

  get prometheusUrl(): string {
    return url(this.ports.prometheus);
  }

  get alertmanagerUrl(): string {
    return url(this.ports.alertmanager);
  }

  get pushgatewayUrl(): string {
    return url(this.ports.pushgateway);
  }

  query(expr: string): Promise<QueryResult[]> {
    return query(this.prometheusUrl, expr);
  }

  prometheusAlerts(): Promise<PrometheusAlert[]> {
    return prometheusAlerts(this.prometheusUrl);
  }

  alertmanagerAlerts(): Promise<AlertmanagerAlert[]> {
    return alertmanagerAlerts(this.alertmanagerUrl);
  }
}

export class E2eEnvironment {
  readonly supervisor: Supervisor;
  readonly sink = new WebhookSink(SHARED_PORTS.webhookSink);
  readonly cells: Cell[];
  /** Cells of the prod topology (prod-cell.ts); they share PostgreSQL and the exporters with the dev cells. */
  readonly prodCells: ProdCell[];
  readonly prodConfig: StackConfig;
  postgres?: Postgres;
  readonly generatedDir: string;
  readonly ruleFiles: string[] = [];
  private alertmanagerYaml?: Record<string, unknown>;
  private stopped = false;

  private constructor(
    readonly config: StackConfig,
    readonly tmpDir: string,
    specs: CellSpec[],
    prodSpecs: CellSpec[],
    private readonly forgetTmpDir: () => void,
  ) {
    this.supervisor = new Supervisor(path.join(tmpDir, "logs"));
    this.generatedDir = path.join(tmpDir, "generated");
    this.cells = specs.map((spec, i) => new Cell(spec.name, i, spec.traffic ?? HEALTHY));
    this.prodConfig = stackConfig("prod");
    this.prodCells = prodSpecs.map((spec, i) => new ProdCell(spec.name, i, this.prodConfig, spec.traffic ?? HEALTHY));
  }

  /**
   * Starts everything: the cells with the given stack's files and the prod-topology cells with
   * prod's; on any failure stops what was started and rethrows.
   */
  static async start(specs: CellSpec[], stack = "dev", prodSpecs: CellSpec[] = []): Promise<E2eEnvironment> {
    for (const binary of Object.values(BINARIES)) {
      if (!fs.existsSync(binary)) throw new Error(`${binary} is missing: run scripts/install-tools.sh`);
    }
    const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "cryoprotect-e2e-"));
    // PostgreSQL runs as the postgres user and must reach its directories below.
    fs.chmodSync(tmpDir, 0o755);
    const forgetTmpDir = removeOnExit(tmpDir);
    const env = new E2eEnvironment(stackConfig(stack), tmpDir, specs, prodSpecs, forgetTmpDir);
    try {
      await env.boot();
      return env;
    } catch (error) {
      await env.stop();
      throw error;
    }
  }

  prodCell(name: string): ProdCell {
    const cell = this.prodCells.find((c) => c.name === name);
    if (!cell) throw new Error(`No prod cell ${name}`);
    return cell;
  }

  cell(name: string): Cell {
    const cell = this.cells.find((c) => c.name === name);
    if (!cell) throw new Error(`No cell ${name}`);
    return cell;
  }

  private writeGeneratedFiles(): void {
    const dev = writeStackFiles(this.config, this.generatedDir);
    this.ruleFiles.push(...dev.ruleFiles);
    this.alertmanagerYaml = dev.alertmanagerYaml;
  }

  private async boot(): Promise<void> {
    this.writeGeneratedFiles();
    await this.sink.start();
    this.postgres = await startPostgres(this.supervisor, this.tmpDir, SHARED_PORTS.postgres);
    const nodeExporter = this.supervisor.start({
      name: "node-exporter",
      command: BINARIES.nodeExporter,
      args: [`--web.listen-address=${HOST}:${SHARED_PORTS.nodeExporter}`, ...NODE_EXPORTER_ARGS],
    });
    const postgresExporter = this.supervisor.start({
      name: "postgres-exporter",
      command: BINARIES.postgresExporter,
      args: [`--web.listen-address=${HOST}:${SHARED_PORTS.postgresExporter}`],
      env: {
        DATA_SOURCE_NAME: `user=postgres host=${this.postgres.socketDir} port=${SHARED_PORTS.postgres} dbname=postgres sslmode=disable`,
      },
    });
    // The stack's own blackbox modules (components/monitoring/probes.ts), one exporter for every cell.
    const blackboxFile = path.join(this.tmpDir, "blackbox.yml");
    fs.writeFileSync(blackboxFile, yaml.dump({ modules: blackboxModules() }));
    const blackbox = this.supervisor.start({
      name: "blackbox-exporter",
      command: BINARIES.blackboxExporter,
      args: [`--config.file=${blackboxFile}`, `--web.listen-address=${HOST}:${SHARED_PORTS.blackboxExporter}`],
    });
    const prodRuleFiles = this.prodCells.length ? this.writeProdRuleFiles() : [];
    const prodCells = Promise.all(
      this.prodCells.map((cell) =>
        cell.start({
          supervisor: this.supervisor,
          binaries: BINARIES,
          dir: path.join(this.tmpDir, "prod-cells", cell.name),
          ruleFiles: prodRuleFiles,
          ready: (proc, readyUrl) => this.ready(proc, readyUrl),
        }),
      ),
    );
    // Awaited below with the rest; until then a failure must not count as unhandled.
    prodCells.catch(() => undefined);
    await Promise.all(this.cells.map((cell) => this.bootCell(cell)));
    await Promise.all([
      this.ready(nodeExporter, url(SHARED_PORTS.nodeExporter, "/metrics")),
      this.ready(blackbox, url(SHARED_PORTS.blackboxExporter, "/-/healthy")),
      this.ready(postgresExporter, url(SHARED_PORTS.postgresExporter, "/metrics")),
      ...this.cells.flatMap((cell) => [
        this.ready(cell.processes[0], `${cell.pushgatewayUrl}/-/ready`),
        this.ready(cell.processes[1], `${cell.alertmanagerUrl}/-/ready`),
        this.ready(cell.processes[2], `${cell.prometheusUrl}/-/ready`),
      ]),
      prodCells,
    ]);
  }

  /** The prod stack's generated rule files, unchanged, plus the e2e's info alert (ticket-rule.ts). */
  private writeProdRuleFiles(): string[] {
    const dir = path.join(this.tmpDir, "generated-prod");
    const { ruleFiles } = writeStackFiles(this.prodConfig, dir);
    const ticket = path.join(dir, "prometheus", "rules", TICKET_RULE_FILE);
    fs.writeFileSync(ticket, ticketRuleFile(this.prodConfig));
    return [...ruleFiles, ticket];
  }

  private async ready(proc: RunningProcess, readyUrl: string): Promise<void> {
    await waitFor(
      `${proc.spec.name} at ${readyUrl}`,
      async () => {
        if (!this.supervisor.isRunning(proc)) {
          throw new Error(`${proc.spec.name} exited:\n${this.supervisor.tail(proc)}`);
        }
        return (await request("GET", readyUrl, undefined, 2000)).status === 200 ? true : undefined;
      },
      STARTUP_TIMEOUT_MS,
      200,
    );
  }

  private async bootCell(cell: Cell): Promise<void> {
    const dir = path.join(this.tmpDir, "cells", cell.name);
    fs.mkdirSync(dir, { recursive: true });
    const amConfig = redirectReceivers(
      this.alertmanagerYaml!,
      (receiver) => this.sink.urlFor(cell.name, receiver),
      path.join(this.generatedDir, "alertmanager"),
    );
    const amFile = path.join(dir, "alertmanager.yaml");
    fs.writeFileSync(amFile, yaml.dump(amConfig, { lineWidth: -1 }));
    const promFile = path.join(dir, "prometheus.yml");
    const promConfig = prometheusConfig(
      this.config,
      {
        cell: cell.name,
        apiPort: cell.ports.api,
        nodeExporterPort: SHARED_PORTS.nodeExporter,
        postgresExporterPort: SHARED_PORTS.postgresExporter,
        pushgatewayPort: cell.ports.pushgateway,
        blackboxExporterPort: SHARED_PORTS.blackboxExporter,
        alertmanagerPorts: [cell.ports.alertmanager],
        replica: 0,
      },
      this.ruleFiles,
    );
    fs.writeFileSync(promFile, yaml.dump(promConfig, { lineWidth: -1 }));
    await cell.api.start();
    cell.processes.push(
      this.supervisor.start({
        name: `pushgateway-${cell.name}`,
        command: BINARIES.pushgateway,
        // Debian's build persists to a shared file by default; each run must start empty.
        args: [`--web.listen-address=${HOST}:${cell.ports.pushgateway}`, "--persistence.file="],
      }),
      this.supervisor.start({
        name: `alertmanager-${cell.name}`,
        command: BINARIES.alertmanager,
        args: [
          `--config.file=${amFile}`,
          `--storage.path=${path.join(dir, "alertmanager-data")}`,
          `--web.listen-address=${HOST}:${cell.ports.alertmanager}`,
          `--web.external-url=${cell.alertmanagerUrl}`,
          // No gossip port: each cell's Alertmanager is a single instance.
          "--cluster.listen-address=",
        ],
      }),
      this.supervisor.start({
        name: `prometheus-${cell.name}`,
        command: BINARIES.prometheus,
        args: [
          `--config.file=${promFile}`,
          `--storage.tsdb.path=${path.join(dir, "prometheus-data")}`,
          `--web.listen-address=${HOST}:${cell.ports.prometheus}`,
          `--web.external-url=${cell.prometheusUrl}`,
          "--web.enable-lifecycle",
          "--storage.tsdb.retention.time=1d",
        ],
      }),
    );
  }

  /** Stops every process and server and removes the temp dir; safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.all([...this.cells.map((cell) => cell.api.stop()), ...this.prodCells.map((cell) => cell.stop())]);
    await this.supervisor.stopAll();
    await this.sink.stop();
    fs.rmSync(this.tmpDir, { recursive: true, force: true });
    this.forgetTmpDir();
    releaseReaper();
  }
}
