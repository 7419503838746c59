/**
 * The API's request, latency and database alerts, with the recording rules
 * the alerts and the API and database dashboards read.
 */
import { StackConfig } from "../../../configs/types";
import { PrometheusAlert, RuleGroup } from "../../shared/alert";
import { dashboardUids } from "../dashboards/uids";
import { DATABASE_ERROR_TYPE, metrics } from "../../shared/app-metrics";
import { apiSelector, appLabelSelector } from "../../shared/app";
import { API_LABELS, apiPodCommands, percent } from "./common";

/** Names of the api group's recording rules; dashboards and other groups read them. */
export const apiRecords = {
  requestsRate5m: "cryoprotect:http_requests:rate5m",
  errorRatio5m: "cryoprotect:http_requests_errors:ratio_rate5m",
  endpointErrorRatio5m: "cryoprotect_endpoint:http_requests_errors:ratio_rate5m",
  latencyP50: "cryoprotect:http_request_duration_seconds:p50_5m",
  latencyP95: "cryoprotect:http_request_duration_seconds:p95_5m",
  latencyP99: "cryoprotect:http_request_duration_seconds:p99_5m",
  dbQueriesRate5m: "cryoprotect:db_queries:rate5m",
  dbLatencyP50: "cryoprotect:db_query_duration_seconds:p50_5m",
  dbLatencyP95: "cryoprotect:db_query_duration_seconds:p95_5m",
  dbLatencyP99: "cryoprotect:db_query_duration_seconds:p99_5m",
  errorsRate5m: "cryoprotect:errors:rate5m",
  inProgress: "cryoprotect:http_requests_in_progress:sum",
} as const;

/** The tunable part of the api group: its thresholds as typed in configs/types.ts, and the selector. */
export type ApiRulesConfig = Pick<
  StackConfig["monitoring"]["thresholds"],
  | "errorRatio"
  | "latencyP95Seconds"
  | "endpointErrorRatio"
  | "requestRatePerSecond"
  | "dbLatencyP95Seconds"
  | "dbErrorsPerSecond"
  | "inProgressRequests"
> &
  Pick<StackConfig["monitoring"]["slo"], "minRequestRate"> & { selector: string };

export function apiRulesConfig(config: StackConfig): ApiRulesConfig {
  const t = config.monitoring.thresholds;
  return {
    selector: apiSelector(config),
    errorRatio: t.errorRatio,
    latencyP95Seconds: t.latencyP95Seconds,
    endpointErrorRatio: t.endpointErrorRatio,
    requestRatePerSecond: t.requestRatePerSecond,
    dbLatencyP95Seconds: t.dbLatencyP95Seconds,
    dbErrorsPerSecond: t.dbErrorsPerSecond,
    inProgressRequests: t.inProgressRequests,
    minRequestRate: config.monitoring.slo.minRequestRate,
  };
}

function quantile(q: number, histogram: string, selector: string, by: string): string {
  return `histogram_quantile(${q}, sum by (le, ${by}) (rate(${histogram}_bucket{${selector}}[5m])))`;
}

/** What every alert of the group reads: the thresholds, metric names, dashboards and commands. */
function apiAlertContext(config: StackConfig) {
  const c = apiRulesConfig(config);
  const requests = metrics.httpRequestsTotal.name;
  const http = metrics.httpRequestDurationSeconds.name;
  const db = metrics.dbQueryDurationSeconds.name;
  const api = dashboardUids.api;
  const dbDashboard = dashboardUids.database;
  const endpointLabels = `${API_LABELS}, endpoint`;
  const dbLabels = `${API_LABELS}, operation, table`;
  const podCommands = apiPodCommands(config);
  const escalation =
    "Page the CryoProtect API on-call engineer if mitigation does not help within 30 minutes; " +
    "involve the database owner when the database is the cause.";

  return { config, c, requests, http, db, api, dbDashboard, endpointLabels, dbLabels, podCommands, escalation };
}

type ApiAlertContext = ReturnType<typeof apiAlertContext>;

function highErrorRate({ config, c, api, podCommands, escalation }: ApiAlertContext): PrometheusAlert {
  return {
    source: "prometheus",
    name: "HighErrorRate",
    severity: "critical",
    expr:
      `${apiRecords.errorRatio5m} > ${c.errorRatio}\n` +
      `and on (${API_LABELS})\nsum by (${API_LABELS}) (${apiRecords.requestsRate5m}) > ${c.minRequestRate}`,
    for: "2m",
    summary: `More than ${percent(c.errorRatio)} of API requests fail with 5xx`,
    description:
      "{{ $value | humanizePercentage }} of the requests of {{ $labels.job }} in {{ $labels.namespace }} " +
      `returned a 5xx status over the last 5 minutes (threshold ${percent(c.errorRatio)}).`,
    dashboardUid: api,
    runbook: {
      meaning: `More than ${percent(c.errorRatio)} of all API requests returned a 5xx status for 2 minutes.`,
      impact: "Users see failed requests across the API; data they submit may not be saved.",
      diagnosis: [
        "Open the API dashboard: which endpoints and status codes carry the errors?",
        "Check whether a deployment or configuration change happened just before the alert.",
        "Read the API logs of the failing pods for stack traces and database errors.",
        "Check the Database dashboard: pool exhaustion and slow queries show up as 5xx.",
      ],
      mitigation: [
        "If a recent rollout is the cause, roll it back: `kubectl rollout undo` on the API deployment.",
        "If single pods fail (crash loops, OOM), delete them so the deployment replaces them.",
        "If the database is saturated, scale the API down or shed load before touching the database.",
      ],
      escalation,
    },
    commands: [...podCommands, `kubectl -n ${config.app.namespace} rollout history deployment/${config.app.name}`],
  };
}

function highLatency({ config, c, api, podCommands, escalation }: ApiAlertContext): PrometheusAlert {
  return {
    source: "prometheus",
    name: "HighLatency",
    severity: "warning",
    expr: `${apiRecords.latencyP95} > ${c.latencyP95Seconds}`,
    for: "5m",
    summary: "API endpoint {{ $labels.endpoint }} is slow (p95 above " + `${c.latencyP95Seconds}s)`,
    description:
      "The 95th percentile latency of {{ $labels.endpoint }} in {{ $labels.namespace }} is " +
      `{{ $value | humanizeDuration }} (threshold ${c.latencyP95Seconds}s).`,
    dashboardUid: api,
    runbook: {
      meaning: `One endpoint answers 5% of its requests slower than ${c.latencyP95Seconds}s, for 5 minutes.`,
      impact: "Users of this endpoint wait; clients with short timeouts see failures.",
      diagnosis: [
        "Open the API dashboard and compare the endpoint's latency with its request rate.",
        "Open the Database dashboard: slow queries on the endpoint's tables explain most slowness.",
        "Check CPU throttling and memory of the API pods on the System dashboard.",
      ],
      mitigation: [
        "If load is the cause and nodes have room, scale the API deployment up.",
        "If a single slow query is the cause, ask the database owner to add an index or kill the query.",
        "Roll back a recent release that changed the endpoint.",
      ],
      escalation,
    },
    commands: [...podCommands, `kubectl -n ${config.app.namespace} top pods -l ${appLabelSelector(config)}`],
  };
}

function endpointDown({ c, api, podCommands, escalation }: ApiAlertContext): PrometheusAlert {
  return {
    source: "prometheus",
    name: "EndpointDown",
    severity: "critical",
    expr: `${apiRecords.endpointErrorRatio5m} > ${c.endpointErrorRatio}`,
    for: "5m",
    summary: "API endpoint {{ $labels.endpoint }} fails most requests",
    description:
      "{{ $value | humanizePercentage }} of the requests to {{ $labels.endpoint }} in {{ $labels.namespace }} " +
      `returned a 5xx status over the last 5 minutes (threshold ${percent(c.endpointErrorRatio)}).`,
    dashboardUid: api,
    runbook: {
      meaning: `More than ${percent(c.endpointErrorRatio)} of one endpoint's requests fail with 5xx.`,
      impact: "The feature behind this endpoint is unusable for everyone.",
      diagnosis: [
        "Open the API dashboard filtered to the endpoint: since when does it fail?",
        "Search the API logs for the endpoint's path and read the stack traces.",
        "Check the tables the endpoint uses on the Database dashboard.",
      ],
      mitigation: [
        "Roll back the release that changed the endpoint.",
        "If a dependency (database table, external service) is down, restore it first.",
      ],
      escalation,
    },
    commands: podCommands,
  };
}

function highRequestRate({ config, c, api, podCommands }: ApiAlertContext): PrometheusAlert {
  return {
    source: "prometheus",
    name: "HighRequestRate",
    severity: "warning",
    expr: `sum by (${API_LABELS}) (${apiRecords.requestsRate5m}) > ${c.requestRatePerSecond}`,
    for: "10m",
    summary: `The API serves more than ${c.requestRatePerSecond} requests per second`,
    description:
      "{{ $labels.job }} in {{ $labels.namespace }} serves {{ $value | humanize }} requests per second " +
      `(threshold ${c.requestRatePerSecond}).`,
    dashboardUid: api,
    runbook: {
      meaning: `The API has served more than ${c.requestRatePerSecond} requests per second for 10 minutes.`,
      impact: "No harm yet; latency and errors follow if capacity runs out.",
      diagnosis: [
        "Open the API dashboard: which endpoints and clients make the traffic?",
        "Decide whether it is legitimate growth, a batch job or abuse (one client, one endpoint).",
      ],
      mitigation: [
        "Legitimate growth: scale the API deployment up and raise the threshold in the stack settings.",
        "Abuse: rate-limit or block the client at the ingress.",
      ],
      escalation: "Tell the API team during working hours; page only if latency or errors alert too.",
    },
    commands: [...podCommands, `kubectl -n ${config.app.namespace} get hpa`],
  };
}

function highDatabaseLatency({ config, c, dbDashboard, podCommands }: ApiAlertContext): PrometheusAlert {
  return {
    source: "prometheus",
    name: "HighDatabaseLatency",
    severity: "warning",
    expr: `${apiRecords.dbLatencyP95} > ${c.dbLatencyP95Seconds}`,
    for: "5m",
    summary: "Slow {{ $labels.operation }} queries on {{ $labels.table }}",
    description:
      "The 95th percentile latency of {{ $labels.operation }} on {{ $labels.table }} is " +
      `{{ $value | humanizeDuration }} (threshold ${c.dbLatencyP95Seconds}s).`,
    dashboardUid: dbDashboard,
    runbook: {
      meaning: `5% of one kind of query (operation, table) take longer than ${c.dbLatencyP95Seconds}s.`,
      impact: "Endpoints that run these queries are slow and may time out.",
      diagnosis: [
        "Open the Database dashboard: is it one table or all of them?",
        "All tables: check database connections, CPU and locks (pg_stat_activity).",
        "One table: look for missing indexes, table bloat or a new query pattern.",
      ],
      mitigation: [
        "Cancel runaway queries with pg_cancel_backend (never pg_terminate_backend first).",
        "Ask the database owner to add the index or to VACUUM ANALYZE the table.",
      ],
      escalation: "Involve the database owner; page the API on-call if HighLatency fires too.",
    },
    commands: [
      ...podCommands,
      `kubectl -n ${config.namespaces.monitoring} logs -l app.kubernetes.io/name=prometheus-postgres-exporter --tail=50`,
    ],
  };
}

function databaseErrors({ c, dbDashboard, podCommands }: ApiAlertContext): PrometheusAlert {
  return {
    source: "prometheus",
    name: "DatabaseErrors",
    severity: "warning",
    expr:
      `sum by (${API_LABELS}) (${apiRecords.errorsRate5m}{type="${DATABASE_ERROR_TYPE}"})` +
      ` > ${c.dbErrorsPerSecond}`,
    for: "5m",
    summary: "The API reports database errors",
    description:
      "{{ $labels.job }} in {{ $labels.namespace }} reports {{ $value | humanize }} database errors per " +
      `second (threshold ${c.dbErrorsPerSecond}).`,
    dashboardUid: dbDashboard,
    runbook: {
      meaning: `The API reports more than ${c.dbErrorsPerSecond} database errors per second.`,
      impact: "Requests that need the database fail or return incomplete data.",
      diagnosis: [
        "Read the API logs for the database error messages (connection refused, timeouts, constraint errors).",
        "Check the connection pool and postgres-exporter panels on the Database dashboard.",
        "Check whether the database is reachable and accepting connections.",
      ],
      mitigation: [
        "Connection errors: check the database host and credentials Secret; restart API pods only afterwards.",
        "Constraint or query errors after a release: roll the release back.",
      ],
      escalation: "Involve the database owner at once when the database is unreachable.",
    },
    commands: podCommands,
  };
}

function tooManyInProgressRequests({ c, api, podCommands, escalation }: ApiAlertContext): PrometheusAlert {
  return {
    source: "prometheus",
    name: "TooManyInProgressRequests",
    severity: "warning",
    expr: `${apiRecords.inProgress} > ${c.inProgressRequests}`,
    for: "5m",
    summary: "Requests pile up in the API",
    description:
      "{{ $labels.job }} in {{ $labels.namespace }} has {{ $value | humanize }} requests in progress " +
      `(threshold ${c.inProgressRequests}).`,
    dashboardUid: api,
    runbook: {
      meaning: `More than ${c.inProgressRequests} requests have been in progress at once for 5 minutes.`,
      impact: "Workers are saturated; new requests queue and time out.",
      diagnosis: [
        "Open the API dashboard: which endpoints hold requests in progress?",
        "Check database latency and pool usage: blocked queries keep requests open.",
      ],
      mitigation: [
        "Scale the API deployment up if the database has headroom.",
        "Otherwise fix the slow dependency first; more workers only add load to it.",
      ],
      escalation,
    },
    commands: podCommands,
  };
}

export function apiRuleGroup(config: StackConfig): RuleGroup {
  const context = apiAlertContext(config);
  const { c, requests, http, db, endpointLabels, dbLabels } = context;
  return {
    name: "cryoprotect-api",
    component: "api",
    recordingRules: [
      {
        record: apiRecords.requestsRate5m,
        expr: `sum by (${API_LABELS}, method, endpoint, status) (rate(${requests}{${c.selector}}[5m]))`,
      },
      {
        record: apiRecords.errorRatio5m,
        expr:
          `sum by (${API_LABELS}) (${apiRecords.requestsRate5m}{status=~"5.."})\n` +
          `/\nsum by (${API_LABELS}) (${apiRecords.requestsRate5m})`,
      },
      {
        record: apiRecords.endpointErrorRatio5m,
        expr:
          `sum by (${endpointLabels}) (${apiRecords.requestsRate5m}{status=~"5.."})\n` +
          `/\nsum by (${endpointLabels}) (${apiRecords.requestsRate5m})`,
      },
      { record: apiRecords.latencyP50, expr: quantile(0.5, http, c.selector, endpointLabels) },
      { record: apiRecords.latencyP95, expr: quantile(0.95, http, c.selector, endpointLabels) },
      { record: apiRecords.latencyP99, expr: quantile(0.99, http, c.selector, endpointLabels) },
      {
        record: apiRecords.dbQueriesRate5m,
        expr: `sum by (${dbLabels}) (rate(${metrics.dbQueriesTotal.name}{${c.selector}}[5m]))`,
      },
      { record: apiRecords.dbLatencyP50, expr: quantile(0.5, db, c.selector, dbLabels) },
      { record: apiRecords.dbLatencyP95, expr: quantile(0.95, db, c.selector, dbLabels) },
      { record: apiRecords.dbLatencyP99, expr: quantile(0.99, db, c.selector, dbLabels) },
      {
        record: apiRecords.errorsRate5m,
        expr: `sum by (${API_LABELS}, type, endpoint) (rate(${metrics.errorsTotal.name}{${c.selector}}[5m]))`,
      },
      {
        record: apiRecords.inProgress,
        expr: `sum by (${API_LABELS}) (${metrics.httpRequestsInProgress.name}{${c.selector}})`,
      },
    ],
    alerts: [
      highErrorRate(context),
      highLatency(context),
      endpointDown(context),
      highRequestRate(context),
      highDatabaseLatency(context),
      databaseErrors(context),
      tooManyInProgressRequests(context),
    ],
  };
}
