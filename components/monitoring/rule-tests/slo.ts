/**
 * promtool cases of the SLO burn-rate alerts. A steady error ratio makes every
 * window (5m ... 3d) see the same ratio: steady cases sit just above and just
 * below the 6x and 1x lines. Shaped traffic (phases of different error shares)
 * puts one window just under its line while its partner window is well over
 * it, for each page window and each 1x ticket window, and isolates the 14.4x
 * condition; the recovery case shows that the short windows end the page
 * soon after the errors stop while the ticket stays.
 */
import { StackConfig } from "../../../configs/types";
import { metrics } from "../../shared/app-metrics";
import { burnRateWindows, SloKind, sloRuleGroup, sloRulesConfig } from "../alerts/slo";
import { AlertCase, InputSeries, RuleTestSuite } from "../../shared/rule-tests/promtool";
import { apiLabels, apiTarget } from "./api";
import { counter, histogram, num, selector } from "../../shared/rule-tests/series";

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
   * Traffic of BUSY requests a minute in phases of [minutes, share of bad
   * requests]; the series end (and a case evaluates) after the last phase.
   * Counters start at 0, so rate() does not extrapolate and every window's
   * ratio is exactly the share of bad requests inside it.
   */
  function phases(kind: SloKind, parts: [minutes: number, badShare: number][]) {
    const counterValues = (perMinute: (badShare: number) => number) => {
      let value = 0;
      return parts
        .map(([minutes, share], i) => {
          const step = perMinute(share);
          const segment = i === 0 ? `0+${num(step)}x${minutes}` : `${num(value + step)}+${num(step)}x${minutes - 1}`;
          value += step * minutes;
          return segment;
        })
        .join(" ");
    };
    const series = (name: string, l: Record<string, string>, perMinute: (badShare: number) => number) => ({
      series: selector(name, l),
      values: counterValues(perMinute),
    });
    const input =
      kind === "availability"
        ? [
            series(metrics.httpRequestsTotal.name, { ...labels, status: "200" }, (b) => BUSY * (1 - b)),
            series(metrics.httpRequestsTotal.name, { ...labels, status: "503" }, (b) => BUSY * b),
          ]
        : [
            series(metrics.httpRequestsTotal.name, { ...labels, status: "200" }, () => BUSY),
            series(`${http.name}_bucket`, { ...labels, le: `${c.latencyThresholdSeconds}` }, (b) => BUSY * (1 - b)),
            series(`${http.name}_count`, labels, () => BUSY),
          ];
    return { input, evalTime: `${parts.reduce((sum, [minutes]) => sum + minutes, 0)}m` };
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
    const b = budget;
    const shaped = (title: string, parts: [number, number][], firing: AlertCase["firing"]): AlertCase => ({
      alert,
      title,
      ...phases(kind, parts),
      firing,
    });
    return [
      // 6 clean hours, then 63 minutes at 1.05 x the 14.4x line: 1h and 5m just over it, the 6h window at
      // 2.6x (under 6x), so only the fast condition pages; the 1h window crosses after 58 minutes (for: 2m).
      // The ticket's 1x line (6h and 3d) is crossed after 24 minutes, more than its for: 15m.
      shaped(
        `a 63-minute burst at 1.05 x ${fastPage.factor}x after 6 clean hours pages through the fast condition alone`,
        [
          [360, 0],
          [63, fastPage.factor * 1.05 * b],
        ],
        [page, ticket],
      ),
      // Each page line just missed by one of its two windows while the other window is well over it
      // (and the other condition false): moving that one line down by 10% would page.
      shaped(
        `1h window at 0.95 x ${fastPage.factor}x, 5m window at 15x: no page`,
        [
          [300, 2 * b],
          [45, ((0.95 * fastPage.factor * 60 - 15 * 15) / 45) * b],
          [15, 15 * b],
        ],
        [ticket],
      ),
      shaped(
        `5m window at 0.95 x ${fastPage.factor}x, 1h window at 15.6x: no page`,
        [
          [300, 0],
          [50, 16 * b],
          [10, 0.95 * fastPage.factor * b],
        ],
        [ticket],
      ),
      shaped(
        `6h window at 0.95 x ${slowPage.factor}x, 30m window at 10x: no page`,
        [
          [320, ((0.95 * slowPage.factor * 360 - 40 * 10) / 320) * b],
          [40, 10 * b],
        ],
        [ticket],
      ),
      shaped(
        `30m window at 0.95 x ${slowPage.factor}x, 6h window at 7.8x: no page`,
        [
          [330, 8 * b],
          [30, 0.95 * slowPage.factor * b],
        ],
        [ticket],
      ),
      // The same for the 1x ticket line (3d and 6h windows); the 3x line (1d and 2h) cannot be separated:
      // whenever it holds, the 1x line holds too.
      shaped(
        `3d window at 0.95 x ${slowTicket.factor}x, 6h window at 1.5x: no ticket`,
        [
          [208, 0],
          [360, 1.5 * slowTicket.factor * b],
        ],
        [],
      ),
      shaped(
        `6h window at 0.95 x ${slowTicket.factor}x, 3d window at 1.3x: no ticket`,
        [
          [200, 2 * b],
          [360, 0.95 * slowTicket.factor * b],
        ],
        [],
      ),
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
      shaped(
        "40 minutes after the errors stopped the page has resolved, the ticket stays",
        [
          [60, 0.5],
          [40, 0],
        ],
        [ticket],
      ),
    ];
  }

  return {
    group,
    cases: [...cases("availability", "ApiAvailabilityBudgetBurn"), ...cases("latency", "ApiLatencyBudgetBurn")],
  };
}
