/** The e2e's truth computations (e2e/lib/accuracy.ts): windows, quantiles, buckets, the budget. */
import {
  bucketOf,
  budgetRemaining,
  sameBucket,
  truthOver,
  visibleToCounters,
  windowWeightedBadShare,
} from "../../e2e/lib/accuracy";

const served = Array.from({ length: 100 }, (_, i) => ({
  at: 1000 + i * 100,
  method: "GET",
  endpoint: "/a",
  status: i % 10 === 0 ? 500 : 200,
  seconds: (i + 1) / 100,
}));

describe("truth from the requests served", () => {
  it("counts the requests that ended in (end - window, end]", () => {
    const t = truthOver(served, 10_900, 5);
    expect(t.requests).toBe(50);
    expect(t.ratePerSecond).toBe(10);
    expect(t.errorRatio).toBeCloseTo(5 / 50);
    expect(truthOver(served, 10_900, 10).quantile(0.5)).toBe(0.5);
    expect(truthOver(served, 10_900, 10).quantile(0.99)).toBe(0.99);
  });

  it("places values in histogram buckets and compares at that resolution", () => {
    const bounds = [0.05, 0.1, 0.25, 0.5, 1, 2.5];
    expect(bucketOf(0.3, bounds)).toEqual([0.25, 0.5]);
    expect(bucketOf(0.01, bounds)).toEqual([0, 0.05]);
    expect(bucketOf(9, bounds)).toEqual([2.5, Infinity]);
    expect(sameBucket(0.45, 0.3, bounds)).toBe(true);
    expect(sameBucket(0.6, 0.3, bounds)).toBe(false);
  });

  it("counters cannot show the first request of each series (it creates the series)", () => {
    const visible = visibleToCounters(served);
    expect(visible).toHaveLength(98);
    expect(visible.map((r) => r.at)).not.toContain(1000);
    expect(visible.map((r) => r.at)).not.toContain(1100);
  });

  it("weights each request by its window's time before the end: the plain share once every window has passed", () => {
    // Requests at 1.0 s .. 10.9 s, every 10th a 5xx (the first ones at 1.0 s, 2.0 s, ...).
    expect(windowWeightedBadShare(served, 1e9, 5)).toBeCloseTo(0.1);
    // Cut off at 5.95 s with 5 s windows: late requests weigh less than early ones.
    const cut = windowWeightedBadShare(served, 5_950, 5);
    expect(cut).not.toBeCloseTo(0.1, 3);
    expect(cut).toBeGreaterThan(0.1);
  });

  it("the budget left is 1 minus the bad share over the budget", () => {
    expect(budgetRemaining(served, 0.99, Infinity)).toBeCloseTo(1 - 0.1 / 0.01);
    expect(
      budgetRemaining(
        served.map((r) => ({ ...r, status: 200 })),
        0.999,
        Infinity,
      ),
    ).toBe(1);
  });
});
