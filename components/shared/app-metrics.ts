/**
 * The CryoProtect API's metrics contract: every metric the app serves on its
 * metrics endpoint, with its type, labels and histogram buckets. Rules,
 * dashboards and the e2e synthetic API refer to metrics only through this
 * module, so a renamed metric breaks the compiler or the tests, not production.
 */

export type MetricType = "counter" | "gauge" | "histogram";

export interface MetricDefinition<L extends string = string> {
  /** Full Prometheus metric name (counters keep their `_total` suffix). */
  name: string;
  type: MetricType;
  help: string;
  labels: readonly L[];
  /** Histogram bucket upper bounds in seconds (without +Inf). */
  buckets?: readonly number[];
  /** Values a label takes when the contract fixes them (e.g. pool state). */
  labelValues?: Partial<Record<L, readonly string[]>>;
}

const HTTP_BUCKETS = [0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] as const;
const DB_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5] as const;

/** Checks a definition against MetricDefinition while keeping its literal type (so histograms have buckets). */
function metric<L extends string, D extends MetricDefinition<L>>(definition: D & MetricDefinition<L>): D {
  return definition;
}

export const metrics = {
  httpRequestsTotal: metric({
    name: "cryoprotect_http_requests_total",
    type: "counter",
    help: "HTTP requests served, by method, endpoint and status code.",
    labels: ["method", "endpoint", "status"],
  }),
  httpRequestDurationSeconds: metric({
    name: "cryoprotect_http_request_duration_seconds",
    type: "histogram",
    help: "HTTP request latency in seconds, by method and endpoint.",
    labels: ["method", "endpoint"],
    buckets: HTTP_BUCKETS,
  }),
  httpRequestsInProgress: metric({
    name: "cryoprotect_http_requests_in_progress",
    type: "gauge",
    help: "HTTP requests being served right now, by method and endpoint.",
    labels: ["method", "endpoint"],
  }),
  dbQueriesTotal: metric({
    name: "cryoprotect_db_queries_total",
    type: "counter",
    help: "Database queries run, by operation and table.",
    labels: ["operation", "table"],
  }),
  dbQueryDurationSeconds: metric({
    name: "cryoprotect_db_query_duration_seconds",
    type: "histogram",
    help: "Database query latency in seconds, by operation and table.",
    labels: ["operation", "table"],
    buckets: DB_BUCKETS,
  }),
  errorsTotal: metric({
    name: "cryoprotect_errors_total",
    type: "counter",
    help: "Application errors, by error type and endpoint.",
    labels: ["type", "endpoint"],
  }),
  dbConnectionPoolSize: metric({
    name: "cryoprotect_db_connection_pool_size",
    type: "gauge",
    help: "Database connection pool connections, by state (active, idle, max).",
    labels: ["state"],
    labelValues: { state: ["active", "idle", "max"] },
  }),
  cpuUsagePercent: metric({
    name: "cryoprotect_cpu_usage_percent",
    type: "gauge",
    help: "CPU usage of the API host in percent.",
    labels: [],
  }),
  memoryUsageBytes: metric({
    name: "cryoprotect_memory_usage_bytes",
    type: "gauge",
    help: "Memory of the API host in bytes, by type (used, total).",
    labels: ["type"],
    labelValues: { type: ["used", "total"] },
  }),
  diskUsageBytes: metric({
    name: "cryoprotect_disk_usage_bytes",
    type: "gauge",
    help: "Disk of the API host in bytes, by type (used, total).",
    labels: ["type"],
    labelValues: { type: ["used", "total"] },
  }),
  moleculesTotal: metric({
    name: "cryoprotect_molecules_total",
    type: "gauge",
    help: "Molecules stored.",
    labels: [],
  }),
  mixturesTotal: metric({
    name: "cryoprotect_mixtures_total",
    type: "gauge",
    help: "Mixtures stored.",
    labels: [],
  }),
  predictionsTotal: metric({
    name: "cryoprotect_predictions_total",
    type: "gauge",
    help: "Predictions stored.",
    labels: [],
  }),
  experimentsTotal: metric({
    name: "cryoprotect_experiments_total",
    type: "gauge",
    help: "Experiments stored.",
    labels: [],
  }),
} as const;

/** `type` label of cryoprotect_errors_total that the API uses for database errors. */
export const DATABASE_ERROR_TYPE = "database";

/** Series names a metric exposes: histograms expose _bucket, _sum and _count. */
export function seriesNames(definition: MetricDefinition): string[] {
  if (definition.type === "histogram")
    return ["_bucket", "_sum", "_count"].map((suffix) => `${definition.name}${suffix}`);
  return [definition.name];
}

/** Every series name of the contract. */
export function contractSeriesNames(): string[] {
  return Object.values(metrics).flatMap((m) => seriesNames(m));
}
