/**
 * The e2e harness's pure parts, without servers: what it changes in the
 * generated Alertmanager config, how it substitutes dashboard variables and
 * reads metric names, and how the synthetic API spreads faults and renders
 * the metrics contract.
 */
import * as yaml from "js-yaml";
import { backupEnv } from "../../components/backup/jobs";
import { alertmanagerArtifacts } from "../../components/monitoring/alertmanager-artifacts";
import { metrics } from "../../components/shared/app-metrics";
import { stackConfig } from "../../scripts/lib/stack-config";
import { E2E_GROUP_INTERVAL, E2E_GROUP_WAIT, redirectReceivers } from "../../e2e/lib/alertmanager-config";
import { localBackupEnv } from "../../e2e/lib/backup";
import { Postgres } from "../../e2e/lib/postgres";
import { metricNames, substituteVariables } from "../../e2e/lib/dashboards";
import { Registry } from "../../e2e/lib/exposition";
import { busyPercent, cpuTimes } from "../../e2e/lib/host";
import { cellPorts } from "../../e2e/lib/ports";
import { alertCatalog, durationSeconds, findAlert } from "../../e2e/lib/rules";
import { failsAt } from "../../e2e/lib/synthetic-api";

type Route = { receiver: string; group_wait?: string; group_interval?: string; routes?: Route[] };

describe("redirectReceivers", () => {
  const generated = yaml.load(alertmanagerArtifacts(stackConfig("prod"))["alertmanager/alertmanager.yaml"]) as {
    receivers: Record<string, unknown>[];
    route: Route;
    inhibit_rules: unknown[];
    templates: string[];
  };
  const redirected = redirectReceivers(
    generated,
    (r) => `http://127.0.0.1:19000/cell/${r}`,
    "/tmp/am",
  ) as typeof generated;

  it("replaces every integration of every receiver by one webhook to the sink, keeping the null receiver empty", () => {
    for (const receiver of redirected.receivers) {
      const original = generated.receivers.find((r) => r.name === receiver.name)!;
      const hadIntegrations = Object.keys(original).some((k) => k.endsWith("_configs"));
      expect(receiver).toEqual(
        hadIntegrations
          ? {
              name: receiver.name,
              webhook_configs: [{ url: `http://127.0.0.1:19000/cell/${receiver.name}`, send_resolved: true }],
            }
          : original,
      );
    }
    expect(redirected.receivers.map((r) => r.name)).toEqual(generated.receivers.map((r) => r.name));
  });

  it("keeps routes, matchers and inhibitions; only group_wait and group_interval get shorter", () => {
    const strip = (route: Route): unknown => ({
      ...route,
      group_wait: route.group_wait === undefined ? undefined : "x",
      group_interval: route.group_interval === undefined ? undefined : "x",
      routes: route.routes?.map(strip),
    });
    expect(strip(redirected.route)).toEqual(strip(generated.route));
    expect(redirected.inhibit_rules).toEqual(generated.inhibit_rules);
    const timers = (route: Route): string[] => [
      ...[route.group_wait, route.group_interval].filter((t): t is string => t !== undefined),
      ...(route.routes ?? []).flatMap(timers),
    ];
    expect(new Set(timers(redirected.route))).toEqual(new Set([E2E_GROUP_WAIT, E2E_GROUP_INTERVAL]));
    expect(redirected.templates.every((t) => t.startsWith("/tmp/am/"))).toBe(true);
  });

  it("does not modify the generated config it was given", () => {
    expect(JSON.stringify(generated)).not.toContain("127.0.0.1:19000");
  });

  it("refuses a config without route or receivers", () => {
    expect(() => redirectReceivers({}, () => "", "/tmp")).toThrow(/no route or receivers/);
  });
});

describe("dashboard queries", () => {
  it("replaces interval variables by their usual values and other variables by all values", () => {
    expect(
      substituteVariables(
        'sum(rate(x{namespace="$namespace", instance=~"${instance}", job=~"[[job]]"}[$__rate_interval]))',
      ),
    ).toBe('sum(rate(x{namespace=~".*", instance=~".*", job=~".*"}[1m]))');
    expect(substituteVariables("increase(y[$__range])")).toBe("increase(y[1h])");
  });

  it("reads metric names with the PromQL grammar, recording rules and __name__ selectors included", () => {
    expect(
      metricNames(
        'sum by (job) (rate(a_total{x="1"}[5m])) / on () group_left b:rule:sum or {__name__="c"} and vector(1)',
      ),
    ).toEqual(["a_total", "b:rule:sum", "c"]);
    expect(() => metricNames("sum(")).toThrow(/Not valid PromQL/);
  });
});

describe("synthetic API faults and metrics", () => {
  it("fails exactly the given share of requests, evenly spread", () => {
    const failures = (ratio: number, n: number) =>
      Array.from({ length: n }, (_, i) => i).filter((i) => failsAt(i, ratio));
    expect(failures(0.2, 20)).toEqual([4, 9, 14, 19]);
    expect(failures(0.1, 100).length).toBe(10);
    expect(failures(0, 1000)).toEqual([]);
    expect(failures(1, 5)).toEqual([0, 1, 2, 3, 4]);
  });

  it("renders counters, gauges and histograms with the contract's labels and buckets", () => {
    const registry = new Registry(Object.values(metrics));
    registry.inc(metrics.httpRequestsTotal, { method: "GET", endpoint: "/e", status: "200" }, 2);
    registry.observe(metrics.httpRequestDurationSeconds, { method: "GET", endpoint: "/e" }, 0.3);
    registry.set(metrics.dbConnectionPoolSize, { state: "max" }, 20);
    const text = registry.render();
    expect(text).toContain('cryoprotect_http_requests_total{method="GET",endpoint="/e",status="200"} 2');
    expect(text).toContain('cryoprotect_http_request_duration_seconds_bucket{method="GET",endpoint="/e",le="0.25"} 0');
    expect(text).toContain('cryoprotect_http_request_duration_seconds_bucket{method="GET",endpoint="/e",le="0.5"} 1');
    expect(text).toContain('cryoprotect_http_request_duration_seconds_bucket{method="GET",endpoint="/e",le="+Inf"} 1');
    expect(text).toContain('cryoprotect_db_connection_pool_size{state="max"} 20');
    expect(text).toContain("# TYPE cryoprotect_errors_total counter");
  });

  it("refuses labels or label values outside the contract", () => {
    const registry = new Registry(Object.values(metrics));
    expect(() => registry.inc(metrics.httpRequestsTotal, { method: "GET" })).toThrow(/takes labels/);
    expect(() => registry.set(metrics.dbConnectionPoolSize, { state: "busy" }, 1)).toThrow(/not in the contract/);
    expect(() =>
      registry.observe(metrics.httpRequestsTotal, { method: "GET", endpoint: "/", status: "200" }, 1),
    ).toThrow(/is a counter/);
  });
});

describe("run bookkeeping", () => {
  it("gives each cell its own ports inside 19010-19069", () => {
    expect(cellPorts(0)).toEqual({ prometheus: 19010, alertmanager: 19011, pushgateway: 19012, api: 19013 });
    expect(cellPorts(5).api).toBe(19063);
    expect(() => cellPorts(6)).toThrow();
  });

  it("parses Prometheus durations", () => {
    expect(durationSeconds("2m")).toBe(120);
    expect(durationSeconds("1h30m")).toBe(5400);
    expect(durationSeconds("0m")).toBe(0);
    expect(() => durationSeconds("soon")).toThrow();
  });

  it("finds the scenario alerts in the dev stack with their severities, and fails on a missing one", () => {
    const catalog = alertCatalog(stackConfig("dev"));
    expect(findAlert(catalog, "HighErrorRate").severity).toBe("critical");
    expect(findAlert(catalog, "ApiAvailabilityBudgetBurn", "critical").forSeconds).toBeGreaterThan(0);
    expect(() => findAlert(catalog, "NoSuchAlert")).toThrow(/defines no alert NoSuchAlert/);
  });

  it("computes CPU use as node-exporter's non-idle share", () => {
    const from = cpuTimes("cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3");
    const to = cpuTimes("cpu  190 0 60 900 50 0 0 0 0 0\n");
    expect(busyPercent(from, to)).toBeCloseTo(50);
    expect(() => cpuTimes("intr 1")).toThrow();
  });
});

describe("the backup script's environment", () => {
  const postgres = { port: 19001, socketDir: "/tmp/e2e/pgsocket" } as Postgres;
  const options = {
    config: stackConfig("dev"),
    postgres,
    repository: "/tmp/e2e/restic/healthy",
    pushgatewayUrl: "http://127.0.0.1:19012",
    scratchDir: "/tmp/e2e/scratch",
    timeoutMs: 1000,
  };

  it("is the CronJob's, with the database, repository, Secrets and Pushgateway made local", () => {
    for (const mode of ["backup", "full", "drill"] as const) {
      const env = localBackupEnv({ ...options, mode });
      const job = backupEnv(options.config, mode, options.pushgatewayUrl);
      expect(Object.keys(env)).toEqual(expect.arrayContaining(job.map((v) => v.name)));
      expect(env).toMatchObject({
        PGHOST: "127.0.0.1",
        PGPORT: "19001",
        RESTIC_REPOSITORY: options.repository,
        PUSHGATEWAY_URL: options.pushgatewayUrl,
        ENVIRONMENT: "dev",
      });
      expect(env.PGPASSWORD).toBeTruthy();
      expect(env.RESTIC_PASSWORD).toBeTruthy();
      expect("DRILL_PGHOST" in env).toBe(mode === "drill");
    }
    expect(localBackupEnv({ ...options, databasePassword: "wrong" }).PGPASSWORD).toBe("wrong");
  });
});
