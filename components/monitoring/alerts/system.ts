/**
 * Nodes, the API's pods and its connection pool: resource alerts at a warning
 * and a critical threshold (same alert name, so Alertmanager's inhibition lets
 * the critical one silence the warning), plus the recording rules the System
 * dashboard reads.
 */
import { StackConfig } from "../../../configs/types";
import { PrometheusAlert, RuleGroup, RunbookText } from "../../shared/alert";
import { dashboardUids } from "../dashboards/uids";
import { metrics } from "../../shared/app-metrics";
import { apiSelector } from "../../shared/app";
import { API_LABELS, apiPodCommands, prometheusCommands } from "./common";

/** Scrape jobs of the kube-prometheus-stack exporters. */
export const exporterJobs = {
  nodeExporter: "node-exporter",
  kubelet: "kubelet",
} as const;

/** Filesystems that are not real disks (container layers, tmpfs, ...). */
const REAL_FILESYSTEMS = `fstype!~"tmpfs|overlay|squashfs|ramfs|nsfs|fuse.lxcfs", fstype!=""`;

export const systemRecords = {
  nodeCpuPercent: "instance:node_cpu_usage:percent_rate5m",
  nodeMemoryPercent: "instance:node_memory_usage:percent",
  nodeFilesystemPercent: "instance_mountpoint:node_filesystem_usage:percent",
  nodeNetworkReceive: "instance:node_network_receive_bytes:rate5m",
  nodeNetworkTransmit: "instance:node_network_transmit_bytes:rate5m",
  nodeNetworkErrorRatio: "instance_device:node_network_errors:ratio_rate5m",
  podCpuCores: "cryoprotect_pod:container_cpu_usage:cores_rate5m",
  podMemoryBytes: "cryoprotect_pod:container_memory_working_set_bytes:sum",
  podNetworkReceive: "cryoprotect_pod:container_network_receive_bytes:rate5m",
  podNetworkTransmit: "cryoprotect_pod:container_network_transmit_bytes:rate5m",
  poolUsage: "cryoprotect:db_connection_pool:usage_ratio",
} as const;

export interface SystemRulesConfig {
  apiSelector: string;
  appNamespace: string;
  cpu: { warning: number; critical: number };
  memory: { warning: number; critical: number };
  disk: { warning: number; critical: number };
  connectionPoolUsage: number;
  /** Share of packets with errors that counts as a faulty interface. */
  networkErrorRatio: number;
  /** DiskFillingUp looks this far ahead. */
  diskFillHorizonHours: number;
}

export function systemRulesConfig(config: StackConfig): SystemRulesConfig {
  const t = config.monitoring.thresholds;
  return {
    apiSelector: apiSelector(config),
    appNamespace: config.app.namespace,
    cpu: { warning: t.cpuWarningPercent, critical: t.cpuCriticalPercent },
    memory: { warning: t.memoryWarningPercent, critical: t.memoryCriticalPercent },
    disk: { warning: t.diskWarningPercent, critical: t.diskCriticalPercent },
    connectionPoolUsage: t.connectionPoolUsage,
    networkErrorRatio: 0.01,
    diskFillHorizonHours: 24,
  };
}

interface ResourceAlert {
  name: string;
  record: string;
  thresholds: { warning: number; critical: number };
  what: string;
  labelsText: string;
  /** Shared by both severities: one alert name has one runbook page. */
  runbook: (thresholds: string) => RunbookText;
  commands: string[];
  for: { warning: string; critical: string };
}

/** The warning and the critical rule of one resource, both under one alert name. */
function resourceAlerts(a: ResourceAlert): PrometheusAlert[] {
  return (["warning", "critical"] as const).map((severity) => ({
    source: "prometheus",
    name: a.name,
    severity,
    expr: `${a.record} > ${a.thresholds[severity]}`,
    for: a.for[severity],
    summary: `${a.what} above ${a.thresholds[severity]}% on {{ $labels.instance }}`,
    description:
      `${a.what} of ${a.labelsText} is {{ $value | printf "%.1f" }}% ` +
      `(${severity} threshold ${a.thresholds[severity]}%).`,
    dashboardUid: dashboardUids.system,
    runbook: a.runbook(`${a.thresholds.warning}% (warning) or ${a.thresholds.critical}% (critical)`),
    commands: a.commands,
  }));
}

/** What every alert of the group reads: the thresholds, metric names, dashboards and commands. */
function systemAlertContext(config: StackConfig) {
  const c = systemRulesConfig(config);
  const node = `job="${exporterJobs.nodeExporter}"`;
  const cadvisor = `job="${exporterJobs.kubelet}", metrics_path="/metrics/cadvisor", namespace="${c.appNamespace}"`;
  const nodeCommands = ["kubectl get nodes -o wide", "kubectl top nodes", "kubectl describe node <instance node>"];
  const nodeEscalation =
    "Call the platform (cluster) on-call when a node stays unhealthy after mitigation or several nodes are affected.";
  const pool = metrics.dbConnectionPoolSize.name;

  return { config, c, node, cadvisor, nodeCommands, nodeEscalation, pool };
}

type SystemAlertContext = ReturnType<typeof systemAlertContext>;

function diskFillingUp({ c, node, nodeCommands, nodeEscalation }: SystemAlertContext): PrometheusAlert {
  return {
    source: "prometheus",
    name: "DiskFillingUp",
    severity: "warning",
    expr:
      `predict_linear(node_filesystem_avail_bytes{${node}, ${REAL_FILESYSTEMS}}[6h], ${c.diskFillHorizonHours} * 3600) < 0\n` +
      `and on (instance, device, mountpoint)\n${systemRecords.nodeFilesystemPercent} > ${c.disk.warning / 2}`,
    for: "1h",
    summary: `{{ $labels.mountpoint }} on {{ $labels.instance }} fills up within ${c.diskFillHorizonHours}h`,
    description:
      `At the rate of the last 6 hours, {{ $labels.mountpoint }} on {{ $labels.instance }} is full within ` +
      `${c.diskFillHorizonHours} hours.`,
    dashboardUid: dashboardUids.system,
    runbook: {
      meaning: `A filesystem more than half full will run out of space within ${c.diskFillHorizonHours} hours at its current rate.`,
      impact: "Nothing yet; when it is full, pods are evicted and writes fail.",
      diagnosis: [
        "Open the System dashboard and find what writes to the mountpoint.",
        "Check for runaway logs or a growing emptyDir volume of one pod.",
      ],
      mitigation: [
        "Stop or fix the writer first (log level, retention).",
        "Expand the volume before it reaches the HighDiskUsage critical threshold.",
      ],
      escalation: nodeEscalation,
    },
    commands: nodeCommands,
  };
}

function nodeDown({ config, node, nodeCommands, nodeEscalation }: SystemAlertContext): PrometheusAlert {
  return {
    source: "prometheus",
    name: "NodeDown",
    severity: "critical",
    expr: `up{${node}} == 0`,
    for: "5m",
    summary: "Node exporter on {{ $labels.instance }} is down",
    description: "Prometheus has not scraped node-exporter on {{ $labels.instance }} for 5 minutes.",
    dashboardUid: dashboardUids.system,
    runbook: {
      meaning: "Prometheus cannot reach the node-exporter of a node: the node or its exporter pod is down.",
      impact: "Pods on a dead node are unavailable until rescheduled; the node is unmonitored.",
      diagnosis: [
        "Check the node's Ready condition and recent events.",
        "Check the node-exporter DaemonSet pod on that node.",
      ],
      mitigation: [
        "If only the exporter pod is broken, delete it so the DaemonSet recreates it.",
        "If the node is NotReady, cordon and drain it; the autoscaling group replaces it.",
      ],
      escalation: nodeEscalation,
    },
    commands: [
      ...nodeCommands,
      `kubectl -n ${config.namespaces.monitoring} get pods -l app.kubernetes.io/name=prometheus-node-exporter -o wide`,
    ],
  };
}

function apiServiceDown({ config, c }: SystemAlertContext): PrometheusAlert {
  return {
    source: "prometheus",
    name: "ApiServiceDown",
    severity: "critical",
    expr: `max by (${API_LABELS}) (up{${c.apiSelector}}) == 0\nor\nabsent(up{${c.apiSelector}})`,
    for: "2m",
    summary: "The CryoProtect API is down",
    description: "No target of {{ $labels.job }} in {{ $labels.namespace }} has answered Prometheus for 2 minutes.",
    dashboardUid: dashboardUids.api,
    runbook: {
      meaning: "Every API pod failed its scrape, or Prometheus finds no API target at all.",
      impact: "The API is unavailable to every user. Other API alerts are inhibited while this fires.",
      diagnosis: [
        "Check the API pods: running, ready, restarting?",
        "Check the Service's endpoints and the ServiceMonitor (a label change hides the targets).",
        "Check Prometheus' targets page for the scrape error.",
      ],
      mitigation: [
        "If pods crash after a rollout, roll it back.",
        "If pods run but are not scraped, fix the Service labels or the ServiceMonitor selector.",
      ],
      escalation: "Page the CryoProtect API on-call engineer immediately.",
    },
    commands: [
      ...apiPodCommands(config),
      `kubectl -n ${config.app.namespace} get endpoints ${config.app.name}`,
      `kubectl -n ${config.namespaces.monitoring} get servicemonitors`,
      ...prometheusCommands(config),
    ],
  };
}

function connectionPoolExhaustion({ config, c }: SystemAlertContext): PrometheusAlert {
  return {
    source: "prometheus",
    name: "ConnectionPoolExhaustion",
    severity: "warning",
    expr: `${systemRecords.poolUsage} > ${c.connectionPoolUsage}`,
    for: "5m",
    summary: "Database connection pool of {{ $labels.instance }} is nearly exhausted",
    description:
      "{{ $value | humanizePercentage }} of the database connections of {{ $labels.instance }} are in use " +
      `(threshold ${c.connectionPoolUsage * 100}%).`,
    dashboardUid: dashboardUids.database,
    runbook: {
      meaning: `More than ${c.connectionPoolUsage * 100}% of an API pod's database connections are in use.`,
      impact: "Requests wait for a connection; when the pool is empty they fail.",
      diagnosis: [
        "Open the Database dashboard: slow queries hold connections longer.",
        "Check the database's own connection count (pg_stat_activity) and its limit.",
      ],
      mitigation: [
        "Fix slow queries first; a bigger pool only moves the queue to the database.",
        "Scale the API out if the database has connection headroom.",
      ],
      escalation: "Involve the database owner when the database's connection limit is near.",
    },
    commands: apiPodCommands(config),
  };
}

function nodeNetworkErrors({ c, nodeCommands, nodeEscalation }: SystemAlertContext): PrometheusAlert {
  return {
    source: "prometheus",
    name: "NodeNetworkErrors",
    severity: "warning",
    expr: `${systemRecords.nodeNetworkErrorRatio} > ${c.networkErrorRatio}`,
    for: "15m",
    summary: "Network errors on {{ $labels.device }} of {{ $labels.instance }}",
    description:
      "{{ $value | humanizePercentage }} of the packets on {{ $labels.device }} of {{ $labels.instance }} " +
      `have errors (threshold ${c.networkErrorRatio * 100}%).`,
    dashboardUid: dashboardUids.system,
    runbook: {
      meaning: `More than ${c.networkErrorRatio * 100}% of a network interface's packets fail.`,
      impact: "Connections on the node are slow or reset; pods on it see timeouts.",
      diagnosis: [
        "Open the System dashboard's network panels for the node.",
        "Check whether other nodes of the same zone show errors too (infrastructure problem).",
      ],
      mitigation: ["Cordon and drain the node; replace it if errors persist."],
      escalation: nodeEscalation,
    },
    commands: nodeCommands,
  };
}

export function systemRuleGroup(config: StackConfig): RuleGroup {
  const context = systemAlertContext(config);
  const { c, node, cadvisor, nodeCommands, nodeEscalation, pool } = context;
  return {
    name: "cryoprotect-system",
    component: "system",
    recordingRules: [
      {
        record: systemRecords.nodeCpuPercent,
        expr: `100 * (1 - avg by (instance) (rate(node_cpu_seconds_total{${node}, mode="idle"}[5m])))`,
      },
      {
        record: systemRecords.nodeMemoryPercent,
        expr:
          `100 * (1 - max by (instance) (node_memory_MemAvailable_bytes{${node}})\n` +
          `/ max by (instance) (node_memory_MemTotal_bytes{${node}}))`,
      },
      {
        record: systemRecords.nodeFilesystemPercent,
        expr:
          `100 * (1 - max by (instance, device, mountpoint) (node_filesystem_avail_bytes{${node}, ${REAL_FILESYSTEMS}})\n` +
          `/ max by (instance, device, mountpoint) (node_filesystem_size_bytes{${node}, ${REAL_FILESYSTEMS}}))`,
      },
      {
        record: systemRecords.nodeNetworkReceive,
        expr: `sum by (instance) (rate(node_network_receive_bytes_total{${node}, device!="lo"}[5m]))`,
      },
      {
        record: systemRecords.nodeNetworkTransmit,
        expr: `sum by (instance) (rate(node_network_transmit_bytes_total{${node}, device!="lo"}[5m]))`,
      },
      {
        record: systemRecords.nodeNetworkErrorRatio,
        expr:
          `sum by (instance, device) (rate(node_network_receive_errs_total{${node}}[5m]) + rate(node_network_transmit_errs_total{${node}}[5m]))\n` +
          `/\nsum by (instance, device) (rate(node_network_receive_packets_total{${node}}[5m]) + rate(node_network_transmit_packets_total{${node}}[5m]))`,
      },
      {
        record: systemRecords.podCpuCores,
        expr: `sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{${cadvisor}, container!=""}[5m]))`,
      },
      {
        record: systemRecords.podMemoryBytes,
        expr: `sum by (namespace, pod) (container_memory_working_set_bytes{${cadvisor}, container!=""})`,
      },
      {
        record: systemRecords.podNetworkReceive,
        expr: `sum by (namespace, pod) (rate(container_network_receive_bytes_total{${cadvisor}}[5m]))`,
      },
      {
        record: systemRecords.podNetworkTransmit,
        expr: `sum by (namespace, pod) (rate(container_network_transmit_bytes_total{${cadvisor}}[5m]))`,
      },
      {
        record: systemRecords.poolUsage,
        expr:
          `max by (${API_LABELS}, instance) (${pool}{${c.apiSelector}, state="active"})\n` +
          `/\nmax by (${API_LABELS}, instance) (${pool}{${c.apiSelector}, state="max"})`,
      },
    ],
    alerts: [
      ...resourceAlerts({
        name: "HighCpuUsage",
        record: systemRecords.nodeCpuPercent,
        thresholds: c.cpu,
        what: "CPU usage",
        labelsText: "node {{ $labels.instance }}",
        for: { warning: "15m", critical: "5m" },
        runbook: (threshold) => ({
          meaning: `The node's CPUs have been busy more than ${threshold} of the time.`,
          impact: "Pods on the node get throttled; API latency rises.",
          diagnosis: [
            "Open the System dashboard: which pods on the node use the CPU?",
            "Check whether a batch job (backup, reindex) runs on the node right now.",
          ],
          mitigation: [
            "Wait for a known batch job to finish if it ends soon.",
            "Cordon the node so no new pods land on it, then drain it if it stays saturated.",
            "Add nodes or lower CPU limits of noisy workloads.",
          ],
          escalation: nodeEscalation,
        }),
        commands: nodeCommands,
      }),
      ...resourceAlerts({
        name: "HighMemoryUsage",
        record: systemRecords.nodeMemoryPercent,
        thresholds: c.memory,
        what: "Memory usage",
        labelsText: "node {{ $labels.instance }}",
        for: { warning: "15m", critical: "5m" },
        runbook: (threshold) => ({
          meaning: `More than ${threshold} of the node's memory is in use.`,
          impact: "The kernel starts killing processes (OOM); pods get evicted.",
          diagnosis: [
            "Open the System dashboard: which pods on the node grow?",
            "Look for OOMKilled containers and evictions in the node's events.",
          ],
          mitigation: [
            "Restart a pod that leaks memory (delete it; its controller recreates it).",
            "Cordon and drain the node if memory stays high.",
            "Set memory limits on workloads that have none.",
          ],
          escalation: nodeEscalation,
        }),
        commands: [...nodeCommands, "kubectl get events -A --field-selector reason=Evicted"],
      }),
      ...resourceAlerts({
        name: "HighDiskUsage",
        record: systemRecords.nodeFilesystemPercent,
        thresholds: c.disk,
        what: "Disk usage",
        labelsText: "{{ $labels.mountpoint }} on {{ $labels.instance }}",
        for: { warning: "15m", critical: "5m" },
        runbook: (threshold) => ({
          meaning: `A filesystem of the node is more than ${threshold} full.`,
          impact: "When full, the kubelet evicts pods and images cannot be pulled; databases stop writing.",
          diagnosis: [
            "Open the System dashboard: which mountpoint fills and how fast?",
            "Find large directories (container logs, images, emptyDir volumes) on the node.",
          ],
          mitigation: [
            "Remove unused images (the kubelet's image GC does this when triggered) and rotated logs.",
            "Expand the volume if it is an EBS volume; drain the node otherwise.",
          ],
          escalation: nodeEscalation,
        }),
        commands: [...nodeCommands, "kubectl get --raw /api/v1/nodes/<instance node>/proxy/stats/summary"],
      }),
      diskFillingUp(context),
      nodeDown(context),
      apiServiceDown(context),
      connectionPoolExhaustion(context),
      nodeNetworkErrors(context),
    ],
  };
}
