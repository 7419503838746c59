/**
 * promtool cases of the logging group: every alert fires, and each threshold (the disk
 * watermarks, the heap line, the API's minimum request rate) is pinned by a case a little above
 * and one a little below it. The numbers come from the alert definitions' own constants.
 */
import { StackConfig } from "../../../configs/types";
import { metrics } from "../../shared/app-metrics";
import { AlertCase, InputSeries, RuleTestSuite } from "../../shared/rule-tests/promtool";
import { counter, gauge, Labels, num } from "../../shared/rule-tests/series";
import { Dataset, dataStreams } from "../ecs-mapping";
import { DISK_WATERMARKS, HEAP_PERCENT, loggingRuleGroup, MIN_APP_REQUEST_RATE } from "../alerts/logging";
import { esMetrics } from "../es-metrics";

const MINUTES = 40;
const CLUSTER = { cluster: "cryoprotect" };
const NODE = { ...CLUSTER, name: "cryoprotect-es-default-0" };

export function loggingRuleTests(config: StackConfig): RuleTestSuite {
  const group = loggingRuleGroup(config);
  const health = (color: string, value: number) =>
    gauge(esMetrics.clusterHealthStatus, { ...CLUSTER, color }, value, MINUTES);
  const disk = (usedPercent: number): InputSeries[] => {
    const labels = { ...NODE, mount: "/usr/share/elasticsearch/data" };
    return [
      gauge(esMetrics.filesystemSizeBytes, labels, 1000, MINUTES),
      gauge(esMetrics.filesystemAvailableBytes, labels, 1000 - usedPercent * 10, MINUTES),
    ];
  };
  const diskLabels = { ...NODE, mount: "/usr/share/elasticsearch/data" };
  const heap = (usedPercent: number): InputSeries[] => [
    gauge(esMetrics.jvmMemoryMaxBytes, { ...NODE, area: "heap" }, 1000, MINUTES),
    gauge(esMetrics.jvmMemoryUsedBytes, { ...NODE, area: "heap" }, usedPercent * 10, MINUTES),
    // Non-heap memory near its maximum must not count.
    gauge(esMetrics.jvmMemoryUsedBytes, { ...NODE, area: "non-heap" }, 990, MINUTES),
  ];
  /** Documents indexed into a data stream's backing index, per minute (0: the counter stands still). */
  const indexed = (dataset: Dataset, perMinute: number): InputSeries => {
    const stream = dataStreams(config).find((d) => d.dataset === dataset)!.name;
    const labels: Labels = { ...CLUSTER, index: `.ds-${stream}-2026.11.27-000001` };
    return perMinute > 0
      ? counter(esMetrics.indexingTotal, labels, perMinute, MINUTES)
      : gauge(esMetrics.indexingTotal, labels, 500, MINUTES);
  };
  const apiRequests = (perSecond: number, endpoint = "/api/v1/molecules") =>
    counter(
      metrics.httpRequestsTotal.name,
      { job: config.app.name, namespace: config.app.namespace, endpoint, method: "GET", status: "200" },
      perSecond * 60,
      MINUTES,
    );
  const above = (percent: number) => percent + 1;
  const below = (percent: number) => percent - 1;

  const cases: AlertCase[] = [
    {
      alert: "ElasticsearchClusterRed",
      title: "red for 10 minutes fires",
      input: [health("red", 1), health("green", 0)],
      evalTime: "10m",
      firing: [{ severity: "critical", labels: CLUSTER }],
    },
    {
      alert: "ElasticsearchClusterRed",
      title: "green stays quiet",
      input: [health("red", 0), health("green", 1)],
      evalTime: "10m",
      firing: [],
    },
    {
      alert: "ElasticsearchClusterYellow",
      title: "yellow for 35 minutes fires",
      input: [health("yellow", 1)],
      evalTime: "35m",
      firing: [{ severity: "warning", labels: CLUSTER }],
    },
    {
      alert: "ElasticsearchClusterYellow",
      title: "not yellow stays quiet",
      input: [health("yellow", 0)],
      evalTime: "35m",
      firing: [],
    },
    {
      alert: "ElasticsearchDiskWatermark",
      title: `${above(DISK_WATERMARKS.low)}% used fires the warning only`,
      input: disk(above(DISK_WATERMARKS.low)),
      evalTime: "20m",
      firing: [{ severity: "warning", labels: diskLabels, value: num(above(DISK_WATERMARKS.low)) }],
    },
    {
      alert: "ElasticsearchDiskWatermark",
      title: `${above(DISK_WATERMARKS.high)}% used fires both`,
      input: disk(above(DISK_WATERMARKS.high)),
      evalTime: "20m",
      firing: [
        { severity: "warning", labels: diskLabels, value: num(above(DISK_WATERMARKS.high)) },
        { severity: "critical", labels: diskLabels, value: num(above(DISK_WATERMARKS.high)) },
      ],
    },
    {
      alert: "ElasticsearchDiskWatermark",
      title: `${below(DISK_WATERMARKS.high)}% used fires the warning, not the critical`,
      input: disk(below(DISK_WATERMARKS.high)),
      evalTime: "20m",
      firing: [{ severity: "warning", labels: diskLabels, value: num(below(DISK_WATERMARKS.high)) }],
    },
    {
      alert: "ElasticsearchDiskWatermark",
      title: `${below(DISK_WATERMARKS.low)}% used stays quiet`,
      input: disk(below(DISK_WATERMARKS.low)),
      evalTime: "20m",
      firing: [],
    },
    {
      alert: "ElasticsearchJvmHeapHigh",
      title: `${above(HEAP_PERCENT)}% of the heap for 20 minutes fires`,
      input: heap(above(HEAP_PERCENT)),
      evalTime: "20m",
      firing: [{ severity: "warning", labels: { ...NODE, area: "heap" }, value: num(above(HEAP_PERCENT)) }],
    },
    {
      alert: "ElasticsearchJvmHeapHigh",
      title: `${below(HEAP_PERCENT)}% of the heap stays quiet`,
      input: heap(below(HEAP_PERCENT)),
      evalTime: "20m",
      firing: [],
    },
    {
      alert: "LogstashNotShipping",
      title: "neither data stream indexes anything for 25 minutes",
      input: [indexed("cryoprotect", 0), indexed("kubernetes", 0)],
      evalTime: "30m",
      firing: [{ severity: "critical", labels: {} }],
    },
    {
      alert: "LogstashNotShipping",
      title: "other pods' lines still arrive: quiet",
      input: [indexed("cryoprotect", 0), indexed("kubernetes", 30)],
      evalTime: "30m",
      firing: [],
    },
    {
      alert: "FilebeatNotShipping",
      title: "the API serves a little above the minimum rate, its stream gets nothing",
      input: [apiRequests(MIN_APP_REQUEST_RATE * 1.05), indexed("cryoprotect", 0), indexed("kubernetes", 30)],
      evalTime: "30m",
      firing: [{ severity: "warning", labels: {} }],
    },
    {
      alert: "FilebeatNotShipping",
      title: "the API serves a little below the minimum rate: quiet",
      input: [apiRequests(MIN_APP_REQUEST_RATE * 0.95), indexed("cryoprotect", 0), indexed("kubernetes", 30)],
      evalTime: "30m",
      firing: [],
    },
    {
      alert: "FilebeatNotShipping",
      title: "only health checks (dropped by the pipeline) are served: quiet",
      input: [apiRequests(1, config.app.healthCheckPaths[0]), indexed("cryoprotect", 0), indexed("kubernetes", 30)],
      evalTime: "30m",
      firing: [],
    },
    {
      alert: "FilebeatNotShipping",
      title: "the API's lines arrive: quiet",
      input: [apiRequests(1), indexed("cryoprotect", 120), indexed("kubernetes", 30)],
      evalTime: "30m",
      firing: [],
    },
  ];
  return { group, cases };
}
