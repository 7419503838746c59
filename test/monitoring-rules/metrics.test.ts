import { contractSeriesNames, MetricDefinition, metrics, seriesNames } from "../../components/shared/app-metrics";

describe("metrics contract", () => {
  it("names every metric with the cryoprotect_ prefix, counters ending in _total", () => {
    for (const m of Object.values(metrics)) {
      expect(m.name).toMatch(/^cryoprotect_[a-z_]+$/);
      if (m.type === "counter") expect(m.name).toMatch(/_total$/);
    }
  });

  it("gives histograms strictly increasing buckets and other types none", () => {
    for (const m of Object.values(metrics) as MetricDefinition[]) {
      const buckets = m.buckets;
      if (m.type !== "histogram") {
        expect(buckets).toBeUndefined();
        continue;
      }
      expect(buckets!.length).toBeGreaterThan(0);
      buckets!.slice(1).forEach((b, i) => expect(b).toBeGreaterThan(buckets![i]));
    }
  });

  it("keeps the issue's buckets and labels", () => {
    expect(metrics.httpRequestDurationSeconds.buckets).toEqual([
      0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
    ]);
    expect(metrics.dbQueryDurationSeconds.buckets).toEqual([
      0.001, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5,
    ]);
    expect(metrics.httpRequestsTotal.labels).toEqual(["method", "endpoint", "status"]);
    expect(metrics.dbConnectionPoolSize.labelValues?.state).toEqual(["active", "idle", "max"]);
  });

  it("expands histograms into _bucket, _sum and _count series", () => {
    expect(seriesNames(metrics.dbQueryDurationSeconds)).toEqual([
      "cryoprotect_db_query_duration_seconds_bucket",
      "cryoprotect_db_query_duration_seconds_sum",
      "cryoprotect_db_query_duration_seconds_count",
    ]);
    expect(seriesNames(metrics.errorsTotal)).toEqual(["cryoprotect_errors_total"]);
    const all = contractSeriesNames();
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(Object.keys(metrics).length + 2 * 2);
  });
});
