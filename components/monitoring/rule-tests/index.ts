/** The monitoring groups' promtool test files, next to the rule files they test. */
import { StackConfig } from "../../../configs/types";
import { apiRuleTests } from "./api";
import { metaRuleTests } from "./meta";
import { sloRuleTests } from "./slo";
import { systemRuleTests } from "./system";
import { promtoolTestFile, promtoolTestPath, RuleTestSuite } from "./promtool";

export function monitoringRuleTests(config: StackConfig): RuleTestSuite[] {
  return [apiRuleTests(config), systemRuleTests(config), sloRuleTests(config), metaRuleTests(config)];
}

export function ruleTestFiles(config: StackConfig): Record<string, string> {
  return Object.fromEntries(
    monitoringRuleTests(config).map((suite) => [promtoolTestPath(suite.group), promtoolTestFile(config, suite)]),
  );
}
