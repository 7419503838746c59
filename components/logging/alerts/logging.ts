/**
 * Prometheus alerts of the logging stack, from elasticsearch-exporter metrics.
 *
 * Logstash and Filebeat expose no Prometheus metrics here (Logstash's API and
 * Filebeat's HTTP endpoint speak JSON, and no exporter for them is deployed),
 * so "not shipping" is judged where the lines must arrive: the indexing rate
 * of the log data streams in Elasticsearch. Every line passes Filebeat, then
 * Logstash; all streams silent points at Logstash (or everything upstream),
 * the app's stream silent while the app serves requests and other pods' lines
 * still arrive points at Filebeat on the app's nodes.
 */
import { StackConfig } from "../../../configs/types";
import { PrometheusAlert, RuleGroup } from "../../shared/alert";
import { metrics } from "../../shared/app-metrics";
import { apiSelector, appLabelSelector } from "../../shared/app";
import { LOGGING_DASHBOARD_UID } from "../dashboards/logging";
import { dataStreams } from "../ecs-mapping";
import { dataStreamIngestRate, esExpr, esMetrics } from "../es-metrics";
import { elasticsearchName, filebeatName, logstashName } from "../names";

/** Elasticsearch's default disk watermarks (cluster.routing.allocation.disk.watermark.*). */
export const DISK_WATERMARKS = { low: 85, high: 90 } as const;
export const HEAP_PERCENT = 85;
/** Requests per second of the API above which it must be writing request logs. */
export const MIN_APP_REQUEST_RATE = 0.05;

function esCommands(config: StackConfig): string[] {
  const ns = config.namespaces.logging;
  return [
    `kubectl -n ${ns} get elasticsearch ${elasticsearchName}`,
    `kubectl -n ${ns} get pods -l elasticsearch.k8s.elastic.co/cluster-name=${elasticsearchName} -o wide`,
    `kubectl -n ${ns} port-forward svc/${elasticsearchName}-es-http 9200 &`,
    `PW=$(kubectl -n ${ns} get secret ${elasticsearchName}-es-elastic-user -o jsonpath='{.data.elastic}' | base64 -d)`,
    `curl -sk -u "elastic:$PW" "https://localhost:9200/_cluster/health?pretty"`,
    `curl -sk -u "elastic:$PW" "https://localhost:9200/_cluster/allocation/explain?pretty"`,
    `curl -sk -u "elastic:$PW" "https://localhost:9200/_cat/allocation?v"`,
  ];
}

function pipelineCommands(config: StackConfig): string[] {
  const ns = config.namespaces.logging;
  return [
    `kubectl -n ${ns} get logstash ${logstashName} && kubectl -n ${ns} get pods -l logstash.k8s.elastic.co/name=${logstashName}`,
    `kubectl -n ${ns} logs -l logstash.k8s.elastic.co/name=${logstashName} --tail=200 | grep -Ei "error|warn|retry"`,
    `kubectl -n ${ns} exec ${logstashName}-ls-0 -- curl -s localhost:9600/_node/stats/pipelines?pretty`,
    `kubectl -n ${ns} get beat ${filebeatName} && kubectl -n ${ns} get pods -l beat.k8s.elastic.co/name=${filebeatName} -o wide`,
    `kubectl -n ${ns} logs -l beat.k8s.elastic.co/name=${filebeatName} --tail=100 | grep -Ei "error|logstash"`,
  ];
}

/** What every logging alert reads: the stack's names, commands and the API's request rate. */
interface LoggingAlertContext {
  config: StackConfig;
  env: string;
  es: string[];
  pipeline: string[];
  appStream: DataStreamRef;
  k8sStream: DataStreamRef;
  appRequests: string;
  base: { source: "prometheus"; dashboardUid: string };
}

type DataStreamRef = ReturnType<typeof dataStreams>[number];

function loggingAlertContext(config: StackConfig): LoggingAlertContext {
  const env = config.environment;
  const es = esCommands(config);
  const pipeline = pipelineCommands(config);
  const [appStream, k8sStream] = dataStreams(config);
  const healthPaths = config.app.healthCheckPaths.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\\\$&")).join("|");
  const appRequests = `sum(rate(${metrics.httpRequestsTotal.name}{${apiSelector(config)}, endpoint!~"${healthPaths}"}[15m]))`;
  const base = { source: "prometheus" as const, dashboardUid: LOGGING_DASHBOARD_UID };
  return { config, env, es, pipeline, appStream, k8sStream, appRequests, base };
}

/** An Elasticsearch disk watermark: warning at the low one, critical at the high one. */
function diskWatermark(
  { env, es, base }: LoggingAlertContext,
  severity: "warning" | "critical",
  percent: number,
  what: string,
): PrometheusAlert {
  return {
    ...base,
    name: "ElasticsearchDiskWatermark",
    severity,
    expr: `${esExpr.diskUsedPercent} > ${percent}`,
    for: "15m",
    summary: `Elasticsearch node {{ $labels.name }} data disk is {{ $value | printf "%.0f" }}% full (${env})`,
    description: `Above the ${what} watermark (${percent}%).`,
    runbook: {
      meaning:
        `An Elasticsearch node's data volume is more than ${DISK_WATERMARKS.low}% (warning: low watermark, no new ` +
        `shards go there) or ${DISK_WATERMARKS.high}% (critical: high watermark, shards are moved away) full. ` +
        "At 95% (flood stage) Elasticsearch makes the indices read-only and log lines are rejected.",
      impact:
        "Warning: new backing indices cannot be placed on the node. Critical: shards relocate, and soon writes stop, " +
        "Logstash queues fill and lines end up in the dead-letter queue.",
      diagnosis: [
        "Look at _cat/allocation: which node, how much is used, how many shards.",
        "Check that ILM deletes old backing indices: GET _ilm/explain/.ds-logs-*?only_errors=true.",
        "Check for a sudden ingest increase on the Logging dashboard (a pod logging in a loop).",
      ],
      mitigation: [
        "Fix ILM errors (POST _ilm/retry on the failed indices) so retention deletes old data.",
        "Delete the oldest backing index of the largest stream if retention cannot catch up: DELETE .ds-logs-...-000001.",
        "Grow the volume: raise logging.elasticsearch.storageSize (the storage class must allow expansion) and deploy.",
        "Stop a pod that floods the logs, or lower the retention (logging.retention.*.deleteAfterDays).",
      ],
      escalation: "If the flood stage (95%) is near, call the platform on-call engineer at once.",
    },
    commands: es,
  };
}

function elasticsearchClusterRed({ env, es, base }: LoggingAlertContext): PrometheusAlert {
  return {
    ...base,
    name: "ElasticsearchClusterRed",
    severity: "critical",
    expr: `max by (cluster) (${esMetrics.clusterHealthStatus}{color="red"}) == 1`,
    for: "5m",
    summary: `Elasticsearch cluster {{ $labels.cluster }} is red (${env})`,
    description: "At least one primary shard is unassigned: some log data is unavailable and writes to it fail.",
    runbook: {
      meaning: "Cluster health is red: one or more primary shards are not allocated to any node.",
      impact:
        "Searches over the affected indices fail or are partial; log lines for them are rejected and go to the " +
        "dead-letter queue; ElastAlert2 log alerts may not evaluate.",
      diagnosis: [
        "Run _cluster/allocation/explain to see why the primary is unassigned.",
        "Check that every Elasticsearch pod is running and its volume is bound.",
        "Check the node disks (ElasticsearchDiskWatermark) and the ECK operator's logs.",
      ],
      mitigation: [
        "Bring back the missing node (restart a crashed pod, fix the volume).",
        "If a disk watermark blocks allocation, free disk space first (see ElasticsearchDiskWatermark).",
        "As a last resort for a lost primary of a log index, delete that backing index (its lines are lost).",
      ],
      escalation: "Call the platform on-call engineer now if it lasts more than 15 minutes.",
    },
    commands: es,
  };
}

function elasticsearchClusterYellow({ env, es, base }: LoggingAlertContext): PrometheusAlert {
  return {
    ...base,
    name: "ElasticsearchClusterYellow",
    severity: "warning",
    expr: `max by (cluster) (${esMetrics.clusterHealthStatus}{color="yellow"}) == 1`,
    for: "30m",
    summary: `Elasticsearch cluster {{ $labels.cluster }} is yellow (${env})`,
    description: "All primaries are allocated but some replicas are not; losing another node could lose data.",
    runbook: {
      meaning: "Cluster health is yellow: some replica shards are unassigned.",
      impact: "No data is unavailable yet, but the cluster has lost its redundancy for those shards.",
      diagnosis: [
        "Run _cluster/allocation/explain for the unassigned replica.",
        "Check whether a node is missing or restarting (rolling upgrade by ECK).",
        "Check the disk watermarks: replicas are not allocated to nodes above the low watermark.",
      ],
      mitigation: [
        "Wait for a rolling restart to finish; ECK restarts one node at a time.",
        "Bring back the missing node or free disk space.",
        "A single-node stack must not ask for replicas: the index templates set number_of_replicas from nodeCount.",
      ],
      escalation: "If it lasts more than two hours, hand it to the platform team during working hours.",
    },
    commands: es,
  };
}

function elasticsearchJvmHeapHigh({ env, es, base }: LoggingAlertContext): PrometheusAlert {
  return {
    ...base,
    name: "ElasticsearchJvmHeapHigh",
    severity: "warning",
    expr: `${esExpr.heapUsedPercent} > ${HEAP_PERCENT}`,
    for: "15m",
    summary: `Elasticsearch node {{ $labels.name }} uses {{ $value | printf "%.0f" }}% of its JVM heap (${env})`,
    description: `JVM heap above ${HEAP_PERCENT}% for 15 minutes: long GC pauses, slow searches, rejected writes.`,
    runbook: {
      meaning: `An Elasticsearch node has used more than ${HEAP_PERCENT}% of its heap for 15 minutes.`,
      impact: "Garbage collection pauses slow indexing and searches; circuit breakers reject requests.",
      diagnosis: [
        "Check _nodes/stats/jvm,breaker on that node: old-gen usage and breaker trips.",
        "Look for expensive searches (large aggregations in Kibana, a broad ElastAlert2 query).",
        "Check the shard count per node (_cat/allocation): too many small shards cost heap.",
      ],
      mitigation: [
        "Cancel runaway searches: POST _tasks/_cancel?actions=*search*.",
        "Raise logging.elasticsearch.memory (the heap follows the memory limit) and deploy.",
        "Roll over less often (bigger rolloverMaxPrimaryShardSize) to reduce the shard count.",
      ],
      escalation: "If nodes restart with OutOfMemoryError, call the platform on-call engineer.",
    },
    commands: es,
  };
}

function logstashNotShipping({
  config,
  env,
  es,
  pipeline,
  appStream,
  k8sStream,
  base,
}: LoggingAlertContext): PrometheusAlert {
  return {
    ...base,
    name: "LogstashNotShipping",
    severity: "critical",
    expr: `${dataStreamIngestRate(config, "cryoprotect", "15m")} + ${dataStreamIngestRate(config, "kubernetes", "15m")} == 0`,
    for: "10m",
    summary: `No log lines reached Elasticsearch for 25 minutes (${env})`,
    description:
      `Neither ${appStream.name} nor ${k8sStream.name} indexed a document: Logstash is not delivering, or ` +
      "nothing reaches it.",
    runbook: {
      meaning:
        "Elasticsearch indexed no document into either log data stream for 25 minutes. Every pod's lines pass " +
        "through Filebeat and then Logstash, and the cluster always has pods that log, so the shared path is broken.",
      impact:
        "Logs are not searchable and the log alerts (ElastAlert2) are blind. Lines wait in Logstash's persisted queue and Filebeat's registry until the queue is full.",
      diagnosis: [
        "Check the Logstash pods and their logs: output errors (401, TLS, 429), pipeline start errors.",
        "Check the pipeline stats (events in/out, queue size) on port 9600.",
        "Check that Elasticsearch accepts writes (ElasticsearchClusterRed, disk flood stage: index read-only).",
        "Check the Filebeat pods: do they reach the Logstash beats Service on 5044 (NetworkPolicy, DNS)?",
        "If the exporter is down, this alert fires too: check that elasticsearch-exporter is scraped (up == 1).",
      ],
      mitigation: [
        'Fix the cause in Elasticsearch first (red cluster, read-only indices: PUT _all/_settings {"index.blocks.read_only_allow_delete": null}).',
        "Restart a stuck Logstash pod (kubectl delete pod); its persisted queue survives on the volume.",
        "Roll back a pipeline change (components/logging/pipeline.ts) that broke the pipeline start.",
      ],
      escalation: "Call the platform on-call engineer if lines have not arrived for an hour.",
    },
    commands: [...pipeline, ...es.slice(0, 1)],
  };
}

function filebeatNotShipping({
  config,
  env,
  pipeline,
  appStream,
  k8sStream,
  appRequests,
  base,
}: LoggingAlertContext): PrometheusAlert {
  return {
    ...base,
    name: "FilebeatNotShipping",
    severity: "warning",
    expr:
      `(${appRequests} > ${MIN_APP_REQUEST_RATE})` +
      ` and on() (${dataStreamIngestRate(config, "cryoprotect", "15m")} == 0)` +
      ` and on() (${dataStreamIngestRate(config, "kubernetes", "15m")} > 0)`,
    for: "10m",
    summary: `${config.app.name} serves requests but none of its log lines arrive (${env})`,
    description:
      `The API served requests for 25 minutes, ${appStream.name} indexed nothing, while other pods' lines ` +
      `still reach ${k8sStream.name}: Filebeat on the API's nodes is not shipping its lines.`,
    runbook: {
      meaning:
        "The API handles requests (and so writes request logs), other pods' logs still arrive, yet nothing reaches " +
        "the app's data stream. The Filebeat pods on the API's nodes, or the recognition of the API's lines, fail.",
      impact: "The API's logs are missing from Kibana and the log alerts on them cannot fire.",
      diagnosis: [
        "Find the API's nodes (kubectl get pods -o wide) and the Filebeat pod on each of them.",
        "Read that Filebeat pod's logs: harvester errors, registry errors, output errors to Logstash.",
        "Check the API's labels and namespace still match logging's app selector (config.app.serviceSelector): otherwise its lines land in the kubernetes stream.",
        "Check Logstash's logs for _cryoprotect_pipeline_failure tags and the dead-letter queue.",
      ],
      mitigation: [
        "Restart the Filebeat pod on the API's node; the registry on the hostPath lets it resume without re-shipping.",
        "Fix the app's labels or the stack's app.serviceSelector so the pipeline recognizes the API again.",
      ],
      escalation: "Hand it to the platform team during working hours; page if LogstashNotShipping fires too.",
    },
    commands: [`kubectl -n ${config.app.namespace} get pods -o wide -l ${appLabelSelector(config)}`, ...pipeline],
  };
}

export function loggingAlerts(config: StackConfig): PrometheusAlert[] {
  const c = loggingAlertContext(config);
  return [
    elasticsearchClusterRed(c),
    elasticsearchClusterYellow(c),
    diskWatermark(c, "warning", DISK_WATERMARKS.low, "low"),
    diskWatermark(c, "critical", DISK_WATERMARKS.high, "high"),
    elasticsearchJvmHeapHigh(c),
    logstashNotShipping(c),
    filebeatNotShipping(c),
  ];
}

export function loggingRuleGroup(config: StackConfig): RuleGroup {
  return { name: "cryoprotect-logging", component: "logging", recordingRules: [], alerts: loggingAlerts(config) };
}
