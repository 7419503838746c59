/**
 * The API's availability and latency SLOs, alerted with multi-window
 * multi-burn-rate rules (Google SRE workbook, chapter 5): a page when the
 * budget of 30 days would be gone in about 2 or 5 days, a ticket when it would
 * be gone within the period. Every window pair needs both its long window (the
 * budget is really burning) and its short one (it is still burning now).
 */
import { StackConfig } from "../../../configs/types";
import { PrometheusAlert, RecordingRule, RuleGroup } from "../../shared/alert";
import { dashboardUids } from "../dashboards/uids";
import { metrics } from "../../shared/app-metrics";
import { apiSelector } from "../../shared/app";
import { API_LABELS, apiPodCommands, percent } from "./common";

export const SLO_WINDOWS = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"] as const;
export type SloWindow = (typeof SLO_WINDOWS)[number];

export interface BurnRateWindow {
  long: SloWindow;
  short: SloWindow;
  /** Multiple of the budget-neutral error rate. */
  factor: number;
}

/** Page: 2% of a 30-day budget in 1h, or 5% in 6h. Ticket: 10% in 1d, or 10% in 3d. */
export const burnRateWindows = {
  page: [
    { long: "1h", short: "5m", factor: 14.4 },
    { long: "6h", short: "30m", factor: 6 },
  ],
  ticket: [
    { long: "1d", short: "2h", factor: 3 },
    { long: "3d", short: "6h", factor: 1 },
  ],
} as const satisfies Record<string, readonly BurnRateWindow[]>;

export type SloKind = "availability" | "latency";

export const sloRecords = {
  objective: (kind: SloKind) => `cryoprotect:slo_${kind}_objective`,
  latencyThreshold: "cryoprotect:slo_latency_threshold_seconds",
  errorRatio: (kind: SloKind, window: SloWindow) => `cryoprotect:slo_${kind}_errors:ratio_rate${window}`,
  /** 5m for the dashboards' budget sums, 1h for the page's traffic guard. */
  requestRate: (window: "5m" | "1h") => `cryoprotect:slo_requests:rate${window}`,
  /** Bad events per second, summed over the budget period for the budget left. */
  errorRate5m: (kind: SloKind) => `cryoprotect:slo_${kind}_errors:rate5m`,
  /** Share of the period's error budget left: 1 at the start, 0 when used up, below 0 when the SLO is missed. */
  budgetRemaining: (kind: SloKind) => `cryoprotect:slo_${kind}_error_budget:remaining_${SLO_BUDGET_PERIOD}`,
} as const;

/** The SLO's period: the error budget is (1 - objective) of this period's requests. */
export const SLO_BUDGET_PERIOD = "30d";

export interface SloRulesConfig {
  selector: string;
  availability: number;
  latencyObjective: number;
  latencyThresholdSeconds: number;
  minRequestRate: number;
}

export function sloRulesConfig(config: StackConfig): SloRulesConfig {
  const slo = config.monitoring.slo;
  return {
    selector: apiSelector(config),
    availability: slo.availability,
    latencyObjective: slo.latency.objective,
    latencyThresholdSeconds: slo.latency.thresholdSeconds,
    minRequestRate: slo.minRequestRate,
  };
}

/**
 * Matcher of the histogram bucket at the latency threshold. The threshold must
 * be a bucket bound; Python clients write whole numbers as "1.0", Go ones as "1".
 */
export function latencyBucketMatcher(thresholdSeconds: number): string {
  const buckets: readonly number[] = metrics.httpRequestDurationSeconds.buckets;
  if (!buckets.includes(thresholdSeconds)) {
    throw new Error(
      `monitoring.slo.latency.thresholdSeconds ${thresholdSeconds} is not a bucket of ` +
        `${metrics.httpRequestDurationSeconds.name} (${buckets.join(", ")})`,
    );
  }
  return Number.isInteger(thresholdSeconds) ? `le=~"${thresholdSeconds}(\\\\.0)?"` : `le="${thresholdSeconds}"`;
}

function rateSum(series: string, window: SloWindow): string {
  return `sum by (${API_LABELS}) (rate(${series}[${window}]))`;
}

/** Rate of all events of the SLO (requests, or requests with a duration). */
function totalRateExpr(kind: SloKind, window: SloWindow, c: SloRulesConfig): string {
  const series =
    kind === "availability"
      ? `${metrics.httpRequestsTotal.name}{${c.selector}}`
      : `${metrics.httpRequestDurationSeconds.name}_count{${c.selector}}`;
  return rateSum(series, window);
}

/** Rate of bad events: 5xx responses, or requests slower than the threshold. */
function badRateExpr(kind: SloKind, window: SloWindow, c: SloRulesConfig): string {
  if (kind === "availability")
    return rateSum(`${metrics.httpRequestsTotal.name}{${c.selector}, status=~"5.."}`, window);
  const fast = rateSum(
    `${metrics.httpRequestDurationSeconds.name}_bucket{${c.selector}, ${latencyBucketMatcher(c.latencyThresholdSeconds)}}`,
    window,
  );
  return `(\n${totalRateExpr(kind, window, c)}\n-\n${fast}\n)`;
}

function errorRatioExpr(kind: SloKind, window: SloWindow, c: SloRulesConfig): string {
  return `${badRateExpr(kind, window, c)}\n/\n${totalRateExpr(kind, window, c)}`;
}

function burnCondition(kind: SloKind, w: BurnRateWindow, budget: number): string {
  const threshold = +(w.factor * budget).toPrecision(6);
  return (
    `(${sloRecords.errorRatio(kind, w.long)} > ${threshold}\n` +
    `and on (${API_LABELS}) ${sloRecords.errorRatio(kind, w.short)} > ${threshold})`
  );
}

function sloRecordingRules(c: SloRulesConfig): RecordingRule[] {
  const kinds: SloKind[] = ["availability", "latency"];
  return [
    { record: sloRecords.objective("availability"), expr: `vector(${c.availability})` },
    { record: sloRecords.objective("latency"), expr: `vector(${c.latencyObjective})` },
    { record: sloRecords.latencyThreshold, expr: `vector(${c.latencyThresholdSeconds})` },
    ...kinds.map((kind) => ({ record: sloRecords.errorRate5m(kind), expr: badRateExpr(kind, "5m", c) })),
    ...(["5m", "1h"] as const).map((window) => ({
      record: sloRecords.requestRate(window),
      expr: `sum by (${API_LABELS}) (rate(${metrics.httpRequestsTotal.name}{${c.selector}}[${window}]))`,
    })),
    ...SLO_WINDOWS.flatMap((window) =>
      kinds.map((kind) => ({ record: sloRecords.errorRatio(kind, window), expr: errorRatioExpr(kind, window, c) })),
    ),
    // The 5m rates recorded every evaluation, summed over the period: bad events over all events of the
    // period, without re-reading 30 days of raw counters per evaluation.
    ...kinds.map((kind) => ({
      record: sloRecords.budgetRemaining(kind),
      expr:
        `1 - (sum by (${API_LABELS}) (sum_over_time(${sloRecords.errorRate5m(kind)}[${SLO_BUDGET_PERIOD}]))\n` +
        `/ sum by (${API_LABELS}) (sum_over_time(${sloRecords.requestRate("5m")}[${SLO_BUDGET_PERIOD}])))\n` +
        `/ ${+(1 - (kind === "availability" ? c.availability : c.latencyObjective)).toPrecision(6)}`,
    })),
  ];
}

function sloAlerts(kind: SloKind, c: SloRulesConfig, config: StackConfig): PrometheusAlert[] {
  const objective = kind === "availability" ? c.availability : c.latencyObjective;
  const budget = 1 - objective;
  const name = kind === "availability" ? "ApiAvailabilityBudgetBurn" : "ApiLatencyBudgetBurn";
  const bad =
    kind === "availability" ? "requests failing with 5xx" : `requests slower than ${c.latencyThresholdSeconds}s`;
  const objectiveText = `${percent(objective)} ${kind === "availability" ? "availability" : "latency"} SLO`;
  const pageGuard = `and on (${API_LABELS}) ${sloRecords.requestRate("1h")} > ${c.minRequestRate}`;
  const page = `(\n${burnRateWindows.page.map((w) => burnCondition(kind, w, budget)).join("\nor\n")}\n)\n${pageGuard}`;
  const ticket = burnRateWindows.ticket.map((w) => burnCondition(kind, w, budget)).join("\nor\n");
  const runbook = {
    meaning:
      `The API burns the error budget of its ${objectiveText} too fast: as a page (critical) fast enough to ` +
      "exhaust it within days, as a ticket (warning) faster than the 30-day period allows. " +
      `The budget is ${percent(budget)} of requests over 30 days; the alert compares the share of ${bad} ` +
      "over a long and a short window with a multiple of that budget.",
    impact:
      kind === "availability"
        ? "Users see failed requests; at this rate the SLO is missed for the month."
        : "Users wait for slow responses; at this rate the SLO is missed for the month.",
    diagnosis: [
      "Open the SLO dashboard: which burn-rate window is above its line, and since when?",
      "Open the API dashboard to find the endpoints with the most " +
        (kind === "availability" ? "5xx responses." : "slow requests."),
      "Correlate with deployments, database latency and node health.",
    ],
    mitigation: [
      "Roll back a recent release if the burn started with it.",
      "Mitigate the failing dependency (database, node) as its own alert's runbook says.",
      "When the cause is fixed, the short window drops first and the alert resolves within minutes.",
    ],
    escalation:
      "A page (critical) needs the API on-call now; a ticket (warning) is worked on during working hours and " +
      "reviewed in the weekly SLO meeting.",
  };
  const summary = `The API burns its ${objectiveText} error budget`;
  const description = (urgency: string) =>
    `The share of ${bad} of {{ $labels.job }} in {{ $labels.namespace }} would use up the 30-day error budget ` +
    `(${percent(budget)}) ${urgency}.`;
  const common = {
    source: "prometheus" as const,
    name,
    summary,
    dashboardUid: dashboardUids.slo,
    commands: apiPodCommands(config),
  };
  return [
    {
      ...common,
      severity: "critical",
      expr: page,
      for: "2m",
      description: description("within days (burn rate 14.4x over 1h or 6x over 6h)"),
      runbook,
    },
    {
      ...common,
      severity: "warning",
      expr: ticket,
      for: "15m",
      description: description("before the 30 days are over (burn rate 3x over 1d or 1x over 3d)"),
      runbook,
    },
  ];
}

export function sloRuleGroup(config: StackConfig): RuleGroup {
  const c = sloRulesConfig(config);
  return {
    name: "cryoprotect-slo",
    component: "slo",
    recordingRules: sloRecordingRules(c),
    alerts: [...sloAlerts("availability", c, config), ...sloAlerts("latency", c, config)],
  };
}
