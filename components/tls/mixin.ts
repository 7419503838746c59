/** The TLS concern's mixin: certificate expiry alerts and their dashboard, when an ingress uses cert-manager. */
import { StackConfig } from "../../configs/types";
import { Mixin } from "../shared/mixin";
import { certificateRuleGroup } from "./alerts/certificates";
import { certificatesDashboard } from "./dashboards/certificates";
import { usesCertManager } from "./names";
import { certificateRuleTests } from "./rule-tests/certificates";

export function tlsMixin(config: StackConfig): Mixin {
  if (!usesCertManager(config)) return { ruleGroups: [], ruleTests: [], dashboards: [], logAlerts: [] };
  return {
    ruleGroups: [certificateRuleGroup(config)],
    ruleTests: [certificateRuleTests(config)],
    dashboards: [certificatesDashboard(config)],
    logAlerts: [],
  };
}
