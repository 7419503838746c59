/**
 * A prod-topology cell: the prod stack as it runs in the cluster, on loopback. Two Prometheus
 * replicas with prod's rules and the operator's external labels scrape the same targets and send
 * to all three Alertmanagers, which gossip as the operator runs them (every replica named as a
 * peer) and notify through prod's real integrations (PagerDuty Events v2, Slack, e-mail, the
 * heartbeat webhook), pointed at this cell's own sinks. One Pushgateway and one synthetic API.
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { StackConfig } from "../../configs/types";
import {
  alertmanagerSecretData,
  apiAlertNamesOf,
  CONFIG_FILE,
  SecretLookup,
} from "../../components/monitoring/alertmanager-config";
import { monitoringMixin } from "../../components/monitoring/mixin";
import { TEMPLATE_FILE } from "../../components/monitoring/alertmanager-template";
import {
  E2E_CLUSTER_GROUP_INTERVAL,
  E2E_PEER_TIMEOUT,
  intervalsTooShortForCluster,
  localIntegrations,
} from "./alertmanager-config";
import { IntegrationSinks } from "./integration-sinks";
import { HOST, ProdCellPorts, prodCellPorts, SHARED_PORTS, url } from "./ports";
import { prometheusConfig } from "./prometheus-config";
import { RunningProcess, Supervisor } from "./processes";
import { alertmanagerStatus } from "./server-api";
import { HEALTHY, SyntheticApi, Traffic } from "./synthetic-api";
import { waitFor } from "./wait";
import { durationSeconds } from "./rules";

/** One server of a replicated set; `process` is undefined while it is stopped. */
export interface Replica {
  name: string;
  url: string;
  process?: RunningProcess;
}

export interface ProdCellContext {
  supervisor: Supervisor;
  binaries: { prometheus: string; alertmanager: string; pushgateway: string };
  /** The cell's working directory. */
  dir: string;
  /** The prod stack's generated rule files (and the e2e's own, see prod-scenarios). */
  ruleFiles: string[];
  /** Waits until the process answers its readiness URL (fails at once if it exits). */
  ready(proc: RunningProcess, readyUrl: string): Promise<void>;
}

/** What Alertmanager's `/api/v2/status` must show before the cluster counts as formed. */
const CLUSTER_TIMEOUT_MS = 60_000;

export class ProdCell {
  readonly ports: ProdCellPorts;
  readonly api: SyntheticApi;
  readonly sinks: IntegrationSinks;
  readonly prometheus: Replica[];
  readonly alertmanagers: Replica[];
  /** The receivers' secrets, as `pulumi config set --secret` would hold them for this run. */
  readonly secrets: Record<string, string>;
  /** The Alertmanager configuration the cell's peers run (prod's, with local endpoints and timers). */
  alertmanagerConfig?: Record<string, unknown>;
  private context?: ProdCellContext;
  /** How often each Alertmanager replica has been started: names its log and its fresh storage. */
  private readonly starts: number[];

  constructor(
    readonly name: string,
    readonly index: number,
    readonly config: StackConfig,
    traffic: Traffic = HEALTHY,
  ) {
    this.ports = prodCellPorts(index);
    this.api = new SyntheticApi(this.ports.api, traffic);
    const receivers = config.monitoring.alertmanager.receivers;
    this.secrets = Object.fromEntries(receivers.map((r) => [r.secret, `e2e-${name}-${r.secret}`]));
    const mail = receivers.find((r) => r.type === "email");
    this.sinks = new IntegrationSinks(this.ports.sinkHttp, this.ports.smtp, {
      user: mail?.type === "email" ? mail.authUsername : "",
      password: mail ? this.secrets[mail.secret] : "",
    });
    this.prometheus = this.ports.prometheus.map((port, i) => ({ name: `prometheus-${name}-${i}`, url: url(port) }));
    this.alertmanagers = this.ports.alertmanagers.map((p, i) => ({
      name: `alertmanager-${name}-${i}`,
      url: url(p.web),
    }));
    this.starts = this.alertmanagers.map(() => 0);
  }

  get pushgatewayUrl(): string {
    return url(this.ports.pushgateway);
  }

  /** Slack and webhook URLs are secrets themselves: here they name the cell's sink. */
  secretLookup(): SecretLookup {
    const slackKeys = new Set(
      this.config.monitoring.alertmanager.receivers.filter((r) => r.type === "slack").map((r) => r.secret),
    );
    return (key, use) => {
      if (use === "token") return this.secrets[key];
      return `${this.sinks.baseUrl}/${slackKeys.has(key) ? "slack" : "hook"}/${key}`;
    };
  }

  /** The root route's group_interval, as the peers run it. */
  groupIntervalS(): number {
    return durationSeconds(E2E_CLUSTER_GROUP_INTERVAL);
  }

  /** The heartbeat route's timers, as the peers run them. */
  heartbeatTimers(): { groupIntervalS: number; repeatIntervalS: number } {
    type Route = { matchers?: string[]; group_interval?: string; repeat_interval?: string; routes?: Route[] };
    const root = (this.alertmanagerConfig as { route: Route } | undefined)?.route;
    const route = root?.routes?.find((r) => r.matchers?.includes('alertname="Watchdog"'));
    if (!route?.group_interval || !route.repeat_interval) throw new Error("No heartbeat route with its timers");
    return {
      groupIntervalS: durationSeconds(route.group_interval),
      repeatIntervalS: durationSeconds(route.repeat_interval),
    };
  }

  /** Writes the cell's files and starts its servers; resolves when all are ready and the cluster has formed. */
  async start(context: ProdCellContext): Promise<void> {
    this.context = context;
    const { dir, supervisor, binaries } = context;
    fs.mkdirSync(dir, { recursive: true });
    this.writeAlertmanagerFiles();
    await this.sinks.start();
    await this.api.start();
    const pushgateway = supervisor.start({
      name: `pushgateway-${this.name}`,
      command: binaries.pushgateway,
      args: [`--web.listen-address=${HOST}:${this.ports.pushgateway}`, "--persistence.file="],
    });
    const alertmanagers = this.alertmanagers.map((_, i) => this.startAlertmanager(i));
    const prometheus = this.prometheus.map((_, i) => this.startPrometheus(i));
    await Promise.all([
      context.ready(pushgateway, `${this.pushgatewayUrl}/-/ready`),
      ...alertmanagers.map((p, i) => context.ready(p, `${this.alertmanagers[i].url}/-/ready`)),
      ...prometheus.map((p, i) => context.ready(p, `${this.prometheus[i].url}/-/ready`)),
    ]);
    await this.clusterFormed();
  }

  private writeAlertmanagerFiles(): void {
    const dir = this.context!.dir;
    const data = alertmanagerSecretData(
      this.config,
      this.secretLookup(),
      apiAlertNamesOf(monitoringMixin(this.config).ruleGroups),
    );
    const generated = yaml.load(data[CONFIG_FILE]) as Record<string, unknown>;
    const local = localIntegrations(
      generated,
      { pagerdutyUrl: `${this.sinks.baseUrl}/v2/enqueue`, smarthost: `${HOST}:${this.ports.smtp}` },
      dir,
      E2E_CLUSTER_GROUP_INTERVAL,
    );
    const tooShort = intervalsTooShortForCluster(local.route as never, this.alertmanagers.length, E2E_PEER_TIMEOUT);
    if (tooShort.length) throw new Error(`group_interval ${tooShort.join(", ")} would let the peers notify twice`);
    this.alertmanagerConfig = local;
    fs.writeFileSync(path.join(dir, "alertmanager.yaml"), yaml.dump(local, { lineWidth: -1 }));
    fs.writeFileSync(path.join(dir, TEMPLATE_FILE), data[TEMPLATE_FILE]);
  }

  /**
   * Starts Alertmanager replica i with the operator's cluster flags: every replica as a peer and a
   * 5m reconnect timeout. A restart gets an empty storage dir, as a recreated pod's emptyDir.
   */
  startAlertmanager(i: number): RunningProcess {
    const { supervisor, binaries, dir } = this.context!;
    const replica = this.alertmanagers[i];
    if (replica.process && supervisor.isRunning(replica.process)) throw new Error(`${replica.name} already runs`);
    const start = this.starts[i]++;
    const suffix = start === 0 ? "" : `-restart-${start}`;
    const own = this.ports.alertmanagers[i];
    replica.process = supervisor.start({
      name: `${replica.name}${suffix}`,
      command: binaries.alertmanager,
      args: [
        `--config.file=${path.join(dir, "alertmanager.yaml")}`,
        `--storage.path=${path.join(dir, `alertmanager-${i}-data${suffix}`)}`,
        `--web.listen-address=${HOST}:${own.web}`,
        `--web.external-url=${replica.url}`,
        "--web.route-prefix=/",
        `--cluster.listen-address=${HOST}:${own.cluster}`,
        `--cluster.advertise-address=${HOST}:${own.cluster}`,
        ...this.ports.alertmanagers.map((p) => `--cluster.peer=${HOST}:${p.cluster}`),
        "--cluster.reconnect-timeout=5m",
        // Shortened with group_interval, keeping the margin the generated config has (alertmanager-config.ts).
        `--cluster.peer-timeout=${E2E_PEER_TIMEOUT}`,
      ],
    });
    return replica.process;
  }

  private startPrometheus(i: number): RunningProcess {
    const { supervisor, binaries, dir, ruleFiles } = this.context!;
    const replica = this.prometheus[i];
    const file = path.join(dir, `prometheus-${i}.yml`);
    const promConfig = prometheusConfig(
      this.config,
      {
        cell: this.name,
        apiPort: this.ports.api,
        nodeExporterPort: SHARED_PORTS.nodeExporter,
        postgresExporterPort: SHARED_PORTS.postgresExporter,
        pushgatewayPort: this.ports.pushgateway,
        blackboxExporterPort: SHARED_PORTS.blackboxExporter,
        alertmanagerPorts: this.ports.alertmanagers.map((p) => p.web),
        replica: i,
      },
      ruleFiles,
    );
    fs.writeFileSync(file, yaml.dump(promConfig, { lineWidth: -1 }));
    replica.process = supervisor.start({
      name: replica.name,
      command: binaries.prometheus,
      args: [
        `--config.file=${file}`,
        `--storage.tsdb.path=${path.join(dir, `prometheus-${i}-data`)}`,
        `--web.listen-address=${HOST}:${this.ports.prometheus[i]}`,
        `--web.external-url=${replica.url}`,
        "--storage.tsdb.retention.time=1d",
      ],
    });
    return replica.process;
  }

  /** Restarts a stopped Alertmanager replica and waits until it is ready and back in the cluster. */
  async restartAlertmanager(i: number): Promise<void> {
    const proc = this.startAlertmanager(i);
    await this.context!.ready(proc, `${this.alertmanagers[i].url}/-/ready`);
    await this.clusterFormed();
  }

  /** Kills a replica hard (SIGKILL: a crashed pod says no goodbye to its peers). */
  async kill(replica: Replica): Promise<void> {
    if (!replica.process) throw new Error(`${replica.name} is not running`);
    const proc = replica.process;
    replica.process = undefined;
    await this.context!.supervisor.kill(proc);
  }

  live(replicas: Replica[]): Replica[] {
    return replicas.filter((r) => r.process && this.context!.supervisor.isRunning(r.process));
  }

  /** Waits until every running Alertmanager sees exactly the running peers. */
  async clusterFormed(): Promise<void> {
    const live = this.live(this.alertmanagers);
    await waitFor(
      `the ${live.length} Alertmanagers of ${this.name} to see each other`,
      async () => {
        const statuses = await Promise.all(live.map((r) => alertmanagerStatus(r.url)));
        return statuses.every((s) => s.cluster.peers.length === live.length && s.cluster.status === "ready")
          ? true
          : undefined;
      },
      CLUSTER_TIMEOUT_MS,
      250,
    );
  }

  /**
   * The running Alertmanagers in the order they would notify: a peer waits `position x peer_timeout`
   * before sending and then checks the gossiped notification log; position 0 sends first.
   */
  async notifyingOrder(): Promise<Replica[]> {
    const live = this.live(this.alertmanagers);
    const statuses = await Promise.all(live.map((r) => alertmanagerStatus(r.url)));
    const names = statuses[0].cluster.peers.map((p) => p.name).sort();
    return live
      .map((replica, i) => ({ replica, position: names.indexOf(statuses[i].cluster.name) }))
      .sort((a, b) => a.position - b.position)
      .map((x) => x.replica);
  }

  async stop(): Promise<void> {
    await this.api.stop();
    await this.sinks.stop();
  }
}
