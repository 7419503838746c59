/** System resources: CPU, memory, disk and network per node and per API pod. */
import * as units from "@grafana/grafana-foundation-sdk/units";
import { GrafanaDashboard } from "../../shared/dashboard";
import { metrics } from "../../shared/app-metrics";
import { exporterJobs, systemRecords } from "../alerts/system";
import { buildDashboard, graph, NS, NS_INSTANCE } from "../../shared/dashboard-toolkit";
import { dashboardUids } from "./uids";

const NODE = `instance=~"$instance"`;

export function systemDashboard(): GrafanaDashboard {
  return buildDashboard({
    uid: dashboardUids.system,
    title: "CryoProtect / System resources",
    description: "Nodes (node-exporter), the API's pods (cAdvisor) and the host gauges the API reports.",
    variables: {
      namespaceSource: metrics.httpRequestsTotal.name,
      instanceSource: `node_uname_info{job="${exporterJobs.nodeExporter}"}`,
    },
    rows: [
      {
        title: "Nodes",
        panels: [
          graph({
            title: "CPU usage per node",
            unit: units.Percent,
            targets: [{ expr: `${systemRecords.nodeCpuPercent}{${NODE}}`, legend: "{{instance}}" }],
          }),
          graph({
            title: "Memory usage per node",
            unit: units.Percent,
            targets: [{ expr: `${systemRecords.nodeMemoryPercent}{${NODE}}`, legend: "{{instance}}" }],
          }),
          graph({
            title: "Disk usage per node and mountpoint",
            unit: units.Percent,
            targets: [
              { expr: `${systemRecords.nodeFilesystemPercent}{${NODE}}`, legend: "{{instance}} {{mountpoint}}" },
            ],
          }),
          graph({
            title: "Network traffic per node",
            unit: units.BytesPerSecondSI,
            targets: [
              { expr: `${systemRecords.nodeNetworkReceive}{${NODE}}`, legend: "{{instance}} received" },
              { expr: `${systemRecords.nodeNetworkTransmit}{${NODE}}`, legend: "{{instance}} sent" },
            ],
          }),
          graph({
            title: "Network errors per node and interface",
            unit: units.PercentUnit,
            targets: [{ expr: `${systemRecords.nodeNetworkErrorRatio}{${NODE}}`, legend: "{{instance}} {{device}}" }],
          }),
        ],
      },
      {
        title: "API pods",
        panels: [
          graph({
            title: "CPU per pod (cores)",
            unit: units.Short,
            targets: [{ expr: `${systemRecords.podCpuCores}{${NS}}`, legend: "{{pod}}" }],
          }),
          graph({
            title: "Memory working set per pod",
            unit: units.BytesIEC,
            targets: [{ expr: `${systemRecords.podMemoryBytes}{${NS}}`, legend: "{{pod}}" }],
          }),
          graph({
            title: "Network traffic per pod",
            unit: units.BytesPerSecondSI,
            targets: [
              { expr: `${systemRecords.podNetworkReceive}{${NS}}`, legend: "{{pod}} received" },
              { expr: `${systemRecords.podNetworkTransmit}{${NS}}`, legend: "{{pod}} sent" },
            ],
          }),
        ],
      },
      {
        title: "Host gauges reported by the API",
        panels: [
          graph({
            title: "API host CPU",
            unit: units.Percent,
            width: 8,
            targets: [{ expr: `${metrics.cpuUsagePercent.name}{${NS_INSTANCE}}`, legend: "{{instance}}" }],
          }),
          graph({
            title: "API host memory",
            unit: units.BytesIEC,
            width: 8,
            targets: [{ expr: `${metrics.memoryUsageBytes.name}{${NS_INSTANCE}}`, legend: "{{instance}} {{type}}" }],
          }),
          graph({
            title: "API host disk",
            unit: units.BytesIEC,
            width: 8,
            targets: [{ expr: `${metrics.diskUsageBytes.name}{${NS_INSTANCE}}`, legend: "{{instance}} {{type}}" }],
          }),
        ],
      },
    ],
  });
}
