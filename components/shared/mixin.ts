/**
 * A concern's mixin, kube-prometheus style: everything it contributes to monitoring, listed by
 * the concern itself (its `mixin.ts`) and deployed by its own component.
 */
import { LogAlert, RuleGroup } from "./alert";
import { GrafanaDashboard } from "./dashboard";
import { RuleTestSuite } from "./rule-tests/promtool";

export interface Mixin {
  /** Prometheus rule groups (alerts and recording rules, with their runbook text). */
  ruleGroups: RuleGroup[];
  /** promtool cases of the rule groups: every alert fires, and each threshold is pinned from both sides. */
  ruleTests: RuleTestSuite[];
  dashboards: GrafanaDashboard[];
  /** Error-log alerts evaluated by ElastAlert2 (logging only). */
  logAlerts: LogAlert[];
}
