/** The monitoring groups' promtool test files, next to the rule files they test. */
import { StackConfig } from "../../../configs/types";
import { apiRuleTests } from "./api";
import { metaRuleTests } from "./meta";
import { sloRuleTests } from "./slo";
import { systemRuleTests } from "./system";
import { probeRuleTests } from "./probes";
import { RuleTestSuite } from "../../shared/rule-tests/promtool";

export function monitoringRuleTests(config: StackConfig): RuleTestSuite[] {
  return [
    apiRuleTests(config),
    systemRuleTests(config),
    sloRuleTests(config),
    metaRuleTests(config),
    probeRuleTests(config),
  ];
}
