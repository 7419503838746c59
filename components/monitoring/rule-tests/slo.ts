/**
 * promtool cases of the SLO burn-rate alerts. A steady error ratio makes every
 * window (5m ... 3d) see the same ratio, so one steady case tests a burn-rate
 * threshold; the recovery case shows that the short windows stop the page
 * soon after the errors stop while the ticket stays.
 */
import { StackConfig } from "../../../configs/types";
import { metrics } from "../metrics";
import { burnRateWindows, SloKind, sloRuleGroup, sloRulesConfig } from "../rules/slo";
import { AlertCase, InputSeries, RuleTestSuite } from "./promtool";
import { apiLabels, apiTarget } from "./api";
import { counter, histogram, num, selector } from "./series";

const MINUTES = 80;
const BUSY = 1000; // requests per minute

export function sloRuleTests(config: StackConfig): RuleTestSuite {
  const c = sloRulesConfig(config);
  const group = sloRuleGroup(config);
  const api = apiLabels(config);
  const labels = { ...apiTarget(config), method: "GET", endpoint: "/api/predictions" };
  const http = metrics.httpRequestDurationSeconds;
  const slow = 2 * c.latencyThresholdSeconds;
  const fast = c.latencyThresholdSeconds / 2;

  /** Steady traffic with this share of bad events (5xx, or slower than the threshold). */
  function steady(kind: SloKind, badRatio: number, perMinute = BUSY): InputSeries[] {
    const bad = perMinute * badRatio;
    if (kind === "availability") {
      return [
        counter(metrics.httpRequestsTotal.name, { ...labels, status: "200" }, perMinute - bad, MINUTES),
        counter(metrics.httpRequestsTotal.name, { ...labels, status: "503" }, bad, MINUTES),
      ];
    }
    return [
      counter(metrics.httpRequestsTotal.name, { ...labels, status: "200" }, perMinute, MINUTES),
      // Python-style "1.0" bucket labels: the SLO's bucket matcher accepts both spellings.
      ...histogram(
        http.name,
        http.buckets,
        labels,
        [
          [fast, perMinute - bad],
          [slow, bad],
        ],
        MINUTES,
        "python",
      ),
    ];
  }

  /**
   * Clean traffic for 6 hours, then 63 minutes with a share of bad requests
   * 1.05 times the 14.4x line: the 1h and 5m windows are just over it, while
   * the 6h window holds 1.05 * 14.4 * 63 / 360 = 2.6x, under the 6x line, so
   * only the fast page condition fires. The 1h window crosses the line after
   * 58 minutes, enough for `for: 2m`. The ticket fires too: its 1x line (6h
   * and 3d windows) is crossed after 24 minutes, more than its `for: 15m`.
   */
  function fastBurn(kind: SloKind, budget: number) {
    const clean = 360;
    const burst = 63;
    const badShare = burnRateWindows.page[0].factor * 1.05 * budget;
    const bad = BUSY * badShare;
    const series = (name: string, l: Record<string, string>, first: number, then: number) => ({
      series: selector(name, l),
      values: `0+${num(first)}x${clean} ${num(first * clean + then)}+${num(then)}x${burst}`,
    });
    const input =
      kind === "availability"
        ? [
            series(metrics.httpRequestsTotal.name, { ...labels, status: "200" }, BUSY, BUSY - bad),
            series(metrics.httpRequestsTotal.name, { ...labels, status: "503" }, 0, bad),
          ]
        : [
            series(metrics.httpRequestsTotal.name, { ...labels, status: "200" }, BUSY, BUSY),
            series(`${http.name}_bucket`, { ...labels, le: `${c.latencyThresholdSeconds}` }, BUSY, BUSY - bad),
            series(`${http.name}_count`, labels, BUSY, BUSY),
          ];
    return { input, burst, evalTime: `${clean + burst}m` };
  }

  /** Half the requests bad for an hour, then none for 40 minutes (evaluate at 100m). */
  function recovered(kind: SloKind): InputSeries[] {
    const half = BUSY / 2;
    const series = (name: string, l: Record<string, string>, first: number, then: number) => ({
      series: selector(name, l),
      values: `0+${num(first)}x60 ${num(first * 60 + then)}+${num(then)}x40`,
    });
    if (kind === "availability") {
      return [
        series(metrics.httpRequestsTotal.name, { ...labels, status: "200" }, half, BUSY),
        series(metrics.httpRequestsTotal.name, { ...labels, status: "503" }, half, 0),
      ];
    }
    const le = `${c.latencyThresholdSeconds}`;
    return [
      series(metrics.httpRequestsTotal.name, { ...labels, status: "200" }, BUSY, BUSY),
      series(`${http.name}_bucket`, { ...labels, le }, half, BUSY),
      series(`${http.name}_count`, labels, BUSY, BUSY),
    ];
  }

  function cases(kind: SloKind, alert: string): AlertCase[] {
    const budget = 1 - (kind === "availability" ? c.availability : c.latencyObjective);
    const [fastPage, slowPage] = burnRateWindows.page;
    const [fastTicket, slowTicket] = burnRateWindows.ticket;
    const page = { severity: "critical" as const, labels: api };
    const ticket = { severity: "warning" as const, labels: api };
    const pct = (ratio: number) => `${num(ratio * 100)}%`;
    const abovePage = slowPage.factor * budget * 1.05;
    const belowPage = slowPage.factor * budget * 0.95;
    const aboveTicket = slowTicket.factor * budget * 1.05;
    const belowTicket = slowTicket.factor * budget * 0.95;
    const burst = fastBurn(kind, budget);
    return [
      {
        alert,
        title:
          `a ${burst.burst}-minute burst after 6 clean hours pages through the ${fastPage.factor}x condition alone ` +
          "(and tickets)",
        input: burst.input,
        evalTime: burst.evalTime,
        firing: [page, ticket],
      },
      {
        alert,
        title: `${pct(abovePage)} bad (above ${slowPage.factor}x, under ${fastPage.factor}x) pages and tickets`,
        input: steady(kind, abovePage),
        evalTime: "30m",
        firing: [page, ticket],
      },
      {
        alert,
        title: `${pct(belowPage)} bad (just under ${slowPage.factor}x) does not page, tickets`,
        input: steady(kind, belowPage),
        evalTime: "30m",
        firing: [ticket],
      },
      {
        alert,
        title: `${pct(aboveTicket)} bad (above ${slowTicket.factor}x, under ${fastTicket.factor}x) tickets`,
        input: steady(kind, aboveTicket),
        evalTime: "30m",
        firing: [ticket],
      },
      {
        alert,
        title: `${pct(belowTicket)} bad (just under ${slowTicket.factor}x) stays quiet`,
        input: steady(kind, belowTicket),
        evalTime: "30m",
        firing: [],
      },
      {
        alert,
        title: `50% bad at just above minRequestRate (${c.minRequestRate}/s) pages`,
        input: steady(kind, 0.5, c.minRequestRate * 60 * 1.05),
        // The guard reads the 1h request rate: it needs an hour of samples.
        evalTime: "70m",
        firing: [page, ticket],
      },
      {
        alert,
        title: "50% bad at just below minRequestRate does not page (the ticket still opens)",
        input: steady(kind, 0.5, c.minRequestRate * 60 * 0.95),
        evalTime: "70m",
        firing: [ticket],
      },
      {
        alert,
        title: "40 minutes after the errors stopped the page has resolved, the ticket stays",
        input: recovered(kind),
        evalTime: "100m",
        firing: [ticket],
      },
    ];
  }

  return {
    group,
    cases: [...cases("availability", "ApiAvailabilityBudgetBurn"), ...cases("latency", "ApiLatencyBudgetBurn")],
  };
}
