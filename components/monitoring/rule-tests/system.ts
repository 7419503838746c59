/**
 * promtool cases of the system group. Resource alerts have a warning and a
 * critical rule under one name: above critical both fire, between the two only
 * the warning, below the warning neither.
 */
import { StackConfig } from "../../../configs/types";
import { metrics } from "../../shared/app-metrics";
import { exporterJobs, systemRuleGroup, systemRulesConfig } from "../alerts/system";
import { AlertCase, ExpectedAlert, InputSeries, RuleTestSuite } from "../../shared/rule-tests/promtool";
import { counter, gauge, humanizePercentage, Labels } from "../../shared/rule-tests/series";
import { apiLabels, apiTarget } from "./api";

const MINUTES = 40;
const NODE = "ip-10-0-1-10.eu-central-1.compute.internal";
const node: Labels = { job: exporterJobs.nodeExporter, instance: NODE };
const root: Labels = { ...node, device: "/dev/nvme0n1p1", fstype: "ext4", mountpoint: "/" };

/** Three cases of one resource alert around both thresholds, from a function making the input for a usage percent. */
function resourceCases(
  alert: string,
  t: { warning: number; critical: number },
  input: (usagePercent: number) => InputSeries[],
  labels: Labels,
  evalTime: string,
): AlertCase[] {
  const levels: [number, string, ExpectedAlert["severity"][]][] = [
    [Math.min(t.critical + 1, 99.5), "just above critical fires warning and critical", ["warning", "critical"]],
    [t.critical - 1, "just below critical fires the warning only", ["warning"]],
    [t.warning + 1, "just above warning fires the warning only", ["warning"]],
    [t.warning - 1, "just below warning stays quiet", []],
  ];
  return levels.map(([usage, title, severities]) => ({
    alert,
    title: `${usage}%: ${title}`,
    input: input(usage),
    evalTime,
    firing: severities.map((severity) => ({ severity, labels, value: usage.toFixed(1) })),
  }));
}

const GB = 1e9;

function filesystem(availBytes: string, sizeBytes: number): InputSeries[] {
  return [
    { series: gaugeSeries("node_filesystem_avail_bytes", root), values: availBytes },
    gauge("node_filesystem_size_bytes", root, sizeBytes, 8 * 60),
  ];
}

function gaugeSeries(name: string, labels: Labels): string {
  return gauge(name, labels, 0, 0).series;
}

export function systemRuleTests(config: StackConfig): RuleTestSuite {
  const c = systemRulesConfig(config);
  const group = systemRuleGroup(config);
  const api = apiLabels(config);
  const target = apiTarget(config);
  const pool = (active: number, max: number) => [
    gauge(metrics.dbConnectionPoolSize.name, { ...target, state: "active" }, active, MINUTES),
    gauge(metrics.dbConnectionPoolSize.name, { ...target, state: "idle" }, max - active, MINUTES),
    gauge(metrics.dbConnectionPoolSize.name, { ...target, state: "max" }, max, MINUTES),
  ];
  const poolBusy = Math.round(c.connectionPoolUsage * 100) + 1;
  const network = (errorsPerMinute: number) =>
    [
      ["node_network_receive_errs_total", errorsPerMinute],
      ["node_network_transmit_errs_total", errorsPerMinute],
      ["node_network_receive_packets_total", 1000],
      ["node_network_transmit_packets_total", 1000],
    ].map(([name, perMinute]) => counter(name as string, { ...node, device: "eth0" }, perMinute as number, MINUTES));
  const networkAbove = c.networkErrorRatio * 1.05;
  // Filesystem 100 GB with 40 GB free (60% used, above half the warning level), shrinking per minute.
  const shrinking = (bytesPerMinute: number, freeGB = 40) =>
    filesystem(`${freeGB * GB}-${bytesPerMinute}x${8 * 60}`, 100 * GB);
  // DiskFillingUp needs the disk fuller than this (percent) as well as the prediction.
  const fullLine = c.disk.warning / 2;
  // At 3h with a 24h horizon: 40 GB - 5.4 GB - 43.2 GB < 0 fires; 40 GB - 3.6 GB - 28.8 GB > 0 does not.
  const fast = 30e6;
  const slow = 20e6;

  const cases: AlertCase[] = [
    ...resourceCases(
      "HighCpuUsage",
      c.cpu,
      // Idle CPU seconds per minute of one CPU at this usage.
      (usage) => [counter("node_cpu_seconds_total", { ...node, cpu: "0", mode: "idle" }, 0.6 * (100 - usage), MINUTES)],
      { instance: NODE },
      "25m",
    ),
    ...resourceCases(
      "HighMemoryUsage",
      c.memory,
      (usage) => [
        gauge("node_memory_MemTotal_bytes", node, 16 * GB, MINUTES),
        gauge("node_memory_MemAvailable_bytes", node, (16 * GB * (100 - usage)) / 100, MINUTES),
      ],
      { instance: NODE },
      "25m",
    ),
    ...resourceCases(
      "HighDiskUsage",
      c.disk,
      (usage) => [
        gauge("node_filesystem_size_bytes", root, 100 * GB, MINUTES),
        gauge("node_filesystem_avail_bytes", root, (100 * GB * (100 - usage)) / 100, MINUTES),
        // tmpfs is not a disk: full, and never alerting.
        gauge(
          "node_filesystem_size_bytes",
          { ...root, fstype: "tmpfs", mountpoint: "/run", device: "tmpfs" },
          GB,
          MINUTES,
        ),
        gauge(
          "node_filesystem_avail_bytes",
          { ...root, fstype: "tmpfs", mountpoint: "/run", device: "tmpfs" },
          0,
          MINUTES,
        ),
      ],
      { instance: NODE, device: root.device, mountpoint: root.mountpoint },
      "25m",
    ),
    {
      alert: "DiskFillingUp",
      title: `losing ${(fast * 60) / GB} GB/h, full within ${c.diskFillHorizonHours}h, fires`,
      input: shrinking(fast),
      evalTime: "3h",
      firing: [{ severity: "warning", labels: root }],
    },
    {
      alert: "DiskFillingUp",
      title: `losing ${(slow * 60) / GB} GB/h, not full within ${c.diskFillHorizonHours}h, stays quiet`,
      input: shrinking(slow),
      evalTime: "3h",
      firing: [],
    },
    {
      alert: "DiskFillingUp",
      title: `losing 3 GB/h, ${fullLine + 0.5}% to ${fullLine + 3.5}% used in the last hour, fires`,
      input: shrinking(50e6, 100 - fullLine + 5.5),
      evalTime: "3h",
      firing: [{ severity: "warning", labels: root }],
    },
    {
      alert: "DiskFillingUp",
      title: `losing 3 GB/h but only ${fullLine - 0.5}% used: no emergency yet, stays quiet`,
      input: shrinking(50e6, 100 - fullLine + 9.5),
      evalTime: "3h",
      firing: [],
    },
    {
      alert: "NodeDown",
      title: "node-exporter down for 10 minutes fires",
      input: [{ series: gaugeSeries("up", node), values: "1x5 0x20" }],
      evalTime: "16m",
      firing: [{ severity: "critical", labels: node }],
    },
    {
      alert: "NodeDown",
      title: "node-exporter down for 4 minutes (less than for:) stays quiet",
      input: [{ series: gaugeSeries("up", node), values: "1x5 0x20" }],
      evalTime: "9m",
      firing: [],
    },
    {
      alert: "ApiServiceDown",
      title: "every API target down fires",
      input: [
        gauge("up", target, 0, MINUTES),
        gauge("up", { ...target, instance: "10.0.1.11:5000", pod: "api-1" }, 0, MINUTES),
      ],
      evalTime: "5m",
      firing: [{ severity: "critical", labels: api }],
    },
    {
      alert: "ApiServiceDown",
      title: "no API target at all (absent) fires",
      input: [gauge("up", node, 1, MINUTES)],
      evalTime: "5m",
      firing: [{ severity: "critical", labels: api }],
    },
    {
      alert: "ApiServiceDown",
      title: "one of two API targets up stays quiet",
      input: [
        gauge("up", target, 0, MINUTES),
        gauge("up", { ...target, instance: "10.0.1.11:5000", pod: "api-1" }, 1, MINUTES),
      ],
      evalTime: "5m",
      firing: [],
    },
    {
      alert: "ConnectionPoolExhaustion",
      title: `${poolBusy} of 100 connections in use fires`,
      input: pool(poolBusy, 100),
      evalTime: "10m",
      firing: [
        {
          severity: "warning",
          labels: { ...api, instance: target.instance },
          value: humanizePercentage(poolBusy / 100),
        },
      ],
    },
    {
      alert: "ConnectionPoolExhaustion",
      title: `${poolBusy - 1} of 100 connections (exactly the threshold) stays quiet`,
      input: pool(poolBusy - 1, 100),
      evalTime: "10m",
      firing: [],
    },
    {
      alert: "NodeNetworkErrors",
      title: `${humanizePercentage(networkAbove)} packet errors fire`,
      input: network(1000 * networkAbove),
      evalTime: "25m",
      firing: [
        {
          severity: "warning",
          labels: { instance: NODE, device: "eth0" },
          value: humanizePercentage(networkAbove),
        },
      ],
    },
    {
      alert: "NodeNetworkErrors",
      title: `${humanizePercentage(c.networkErrorRatio * 0.95)} packet errors stay quiet`,
      input: network(1000 * c.networkErrorRatio * 0.95),
      evalTime: "25m",
      firing: [],
    },
  ];
  return { group, cases };
}
