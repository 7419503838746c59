/** promtool case of Watchdog: it fires whatever the input. It has no quiet case: never firing would be the bug. */
import { StackConfig } from "../../../configs/types";
import { metaRuleGroup } from "../alerts/meta";
import { RuleTestSuite } from "../../shared/rule-tests/promtool";
import { gauge } from "../../shared/rule-tests/series";

export function metaRuleTests(config: StackConfig): RuleTestSuite {
  return {
    group: metaRuleGroup(config),
    cases: [
      {
        alert: "Watchdog",
        title: "fires with no other series than up",
        input: [gauge("up", { job: "prometheus", instance: "prometheus-0" }, 1, 5)],
        evalTime: "1m",
        firing: [{ severity: "info", labels: {} }],
      },
    ],
  };
}
