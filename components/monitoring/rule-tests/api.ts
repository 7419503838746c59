/** promtool cases of the api group: each alert just above and just below its stack's threshold. */
import { StackConfig } from "../../../configs/types";
import { DATABASE_ERROR_TYPE, metrics } from "../../shared/app-metrics";
import { apiRuleGroup, apiRulesConfig } from "../alerts/api";
import { AlertCase, RuleTestSuite } from "../../shared/rule-tests/promtool";
import {
  counter,
  gauge,
  histogram,
  humanize,
  humanizeDuration,
  humanizePercentage,
  interpolatedQuantile,
  Labels,
  num,
} from "../../shared/rule-tests/series";

const MINUTES = 30;
const ENDPOINT = "/api/molecules";

export function apiTarget(config: StackConfig): Labels {
  return { job: config.app.name, namespace: config.app.namespace, instance: "10.0.1.10:5000", pod: "api-0" };
}

export function apiLabels(config: StackConfig): Labels {
  return { job: config.app.name, namespace: config.app.namespace };
}

/** Requests per minute split into 200s and 500s at the given error ratio. */
function requests(config: StackConfig, perMinute: number, errorRatio: number, endpoint = ENDPOINT) {
  const labels = { ...apiTarget(config), method: "GET", endpoint };
  const errors = perMinute * errorRatio;
  return [
    counter(metrics.httpRequestsTotal.name, { ...labels, status: "200" }, perMinute - errors, MINUTES),
    counter(metrics.httpRequestsTotal.name, { ...labels, status: "500" }, errors, MINUTES),
  ];
}

/**
 * Latency cases around a threshold that is a bucket bound, 1000 requests a
 * minute: all in the bucket ending at the threshold (p95 at 95% of that
 * bucket, just below the threshold), or 52 of them in the next bucket (p95
 * 2/52 into that bucket, just above the threshold).
 */
function latencyCases(
  buckets: readonly number[],
  threshold: number,
): { slow: [number, number][]; fast: [number, number][]; p95: number } {
  const i = buckets.indexOf(threshold);
  if (i < 1 || i === buckets.length - 1) throw new Error(`latency threshold ${threshold} needs buckets on both sides`);
  const inBucket = (buckets[i - 1] + threshold) / 2;
  const above = (threshold + buckets[i + 1]) / 2;
  return {
    fast: [[inBucket, 1000]],
    slow: [
      [inBucket, 948],
      [above, 52],
    ],
    p95: interpolatedQuantile(0.95, threshold, buckets[i + 1], 948, 52, 1000),
  };
}

export function apiRuleTests(config: StackConfig): RuleTestSuite {
  const c = apiRulesConfig(config);
  const group = apiRuleGroup(config);
  const api = apiLabels(config);
  const target = apiTarget(config);
  const busy = 600; // requests per minute: 10/s, above every stack's minRequestRate
  const http = metrics.httpRequestDurationSeconds;
  const db = metrics.dbQueryDurationSeconds;
  const httpLatency = latencyCases(http.buckets, c.latencyP95Seconds);
  const dbLatency = latencyCases(db.buckets, c.dbLatencyP95Seconds);
  const query = { operation: "select", table: "molecules" };
  const errorsAbove = c.errorRatio * 1.05;
  const endpointAbove = Math.min(1, c.endpointErrorRatio * 1.05);
  const dbErrorsAbove = c.dbErrorsPerSecond * 1.05;
  const databaseErrors = (perSecond: number) =>
    counter(
      metrics.errorsTotal.name,
      { ...target, type: DATABASE_ERROR_TYPE, endpoint: ENDPOINT },
      perSecond * 60,
      MINUTES,
    );
  const inProgress = (value: number) =>
    gauge(metrics.httpRequestsInProgress.name, { ...target, method: "POST", endpoint: ENDPOINT }, value, MINUTES);

  const cases: AlertCase[] = [
    {
      alert: "HighErrorRate",
      title: `${humanizePercentage(errorsAbove)} 5xx at 10 req/s fires`,
      input: requests(config, busy, errorsAbove),
      evalTime: "10m",
      firing: [{ severity: "critical", labels: api, value: humanizePercentage(errorsAbove) }],
    },
    {
      alert: "HighErrorRate",
      title: `${humanizePercentage(c.errorRatio * 0.95)} 5xx stays quiet`,
      input: requests(config, busy, c.errorRatio * 0.95),
      evalTime: "10m",
      firing: [],
    },
    {
      alert: "HighErrorRate",
      title: `50% 5xx at just above minRequestRate (${c.minRequestRate}/s) pages`,
      input: requests(config, c.minRequestRate * 60 * 1.05, 0.5),
      evalTime: "10m",
      firing: [{ severity: "critical", labels: api, value: humanizePercentage(0.5) }],
    },
    {
      alert: "HighErrorRate",
      title: "50% 5xx at just below minRequestRate does not page",
      input: requests(config, c.minRequestRate * 60 * 0.95, 0.5),
      evalTime: "10m",
      firing: [],
    },
    {
      alert: "HighLatency",
      title: `p95 of ${humanizeDuration(httpLatency.p95)} fires`,
      input: histogram(
        http.name,
        http.buckets,
        { ...target, method: "GET", endpoint: ENDPOINT },
        httpLatency.slow,
        MINUTES,
      ),
      evalTime: "15m",
      firing: [
        { severity: "warning", labels: { ...api, endpoint: ENDPOINT }, value: humanizeDuration(httpLatency.p95) },
      ],
    },
    {
      alert: "HighLatency",
      title: `p95 just under ${c.latencyP95Seconds}s stays quiet`,
      input: histogram(
        http.name,
        http.buckets,
        { ...target, method: "GET", endpoint: ENDPOINT },
        httpLatency.fast,
        MINUTES,
      ),
      evalTime: "15m",
      firing: [],
    },
    {
      alert: "EndpointDown",
      title: `${humanizePercentage(endpointAbove)} 5xx on one endpoint fires for that endpoint only`,
      input: [...requests(config, busy, endpointAbove), ...requests(config, busy, 0, "/api/mixtures")],
      evalTime: "15m",
      firing: [
        { severity: "critical", labels: { ...api, endpoint: ENDPOINT }, value: humanizePercentage(endpointAbove) },
      ],
    },
    {
      alert: "EndpointDown",
      title: `${humanizePercentage(c.endpointErrorRatio * 0.95)} 5xx on one endpoint stays quiet`,
      input: requests(config, busy, c.endpointErrorRatio * 0.95),
      evalTime: "15m",
      firing: [],
    },
    {
      alert: "HighRequestRate",
      title: `${c.requestRatePerSecond * 1.05} req/s fires`,
      input: requests(config, c.requestRatePerSecond * 1.05 * 60, 0),
      evalTime: "20m",
      firing: [{ severity: "warning", labels: api, value: humanize(c.requestRatePerSecond * 1.05) }],
    },
    {
      alert: "HighRequestRate",
      title: `${c.requestRatePerSecond * 0.95} req/s stays quiet`,
      input: requests(config, c.requestRatePerSecond * 0.95 * 60, 0),
      evalTime: "20m",
      firing: [],
    },
    {
      alert: "HighDatabaseLatency",
      title: `query p95 of ${humanizeDuration(dbLatency.p95)} fires`,
      input: histogram(db.name, db.buckets, { ...target, ...query }, dbLatency.slow, MINUTES),
      evalTime: "15m",
      firing: [{ severity: "warning", labels: { ...api, ...query }, value: humanizeDuration(dbLatency.p95) }],
    },
    {
      alert: "HighDatabaseLatency",
      title: `query p95 just under ${c.dbLatencyP95Seconds}s stays quiet`,
      input: histogram(db.name, db.buckets, { ...target, ...query }, dbLatency.fast, MINUTES),
      evalTime: "15m",
      firing: [],
    },
    {
      alert: "DatabaseErrors",
      title: `${num(dbErrorsAbove)} database errors/s fire`,
      input: [databaseErrors(dbErrorsAbove)],
      evalTime: "15m",
      firing: [{ severity: "warning", labels: api, value: humanize(dbErrorsAbove) }],
    },
    {
      alert: "DatabaseErrors",
      title: `${num(c.dbErrorsPerSecond * 0.95)} database errors/s stay quiet`,
      input: [
        databaseErrors(c.dbErrorsPerSecond * 0.95),
        // Errors of other types do not count.
        counter(metrics.errorsTotal.name, { ...target, type: "validation", endpoint: ENDPOINT }, 600, MINUTES),
      ],
      evalTime: "15m",
      firing: [],
    },
    {
      alert: "TooManyInProgressRequests",
      title: `${c.inProgressRequests + 1} requests in progress fire`,
      input: [inProgress(c.inProgressRequests + 1)],
      evalTime: "10m",
      firing: [{ severity: "warning", labels: api, value: humanize(c.inProgressRequests + 1) }],
    },
    {
      alert: "TooManyInProgressRequests",
      title: `exactly ${c.inProgressRequests} requests in progress stay quiet`,
      input: [inProgress(c.inProgressRequests)],
      evalTime: "10m",
      firing: [],
    },
  ];
  return { group, cases };
}
