/** promtool cases of the certificates group: each threshold fires a day past it and stays quiet a day short of it. */
import { StackConfig } from "../../../configs/types";
import { RuleTestSuite } from "../../shared/rule-tests/promtool";
import { certificateExpiryCases } from "../../shared/rule-tests/expiry";
import { InputSeries } from "../../shared/rule-tests/promtool";
import { certificateRuleGroup, EXPIRATION_METRIC } from "../alerts/certificates";
import { CERT_MANAGER_JOB } from "../names";

const labels = { job: CERT_MANAGER_JOB, namespace: "monitoring", name: "grafana-tls" };

/** A certificate whose expiry is `days` days after time 0, observed for 2 hours. */
function expiresIn(days: number): InputSeries {
  const ts = days * 86400;
  const selector = `${EXPIRATION_METRIC}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(", ")}}`;
  return { series: selector, values: `${ts}x120` };
}

export function certificateRuleTests(config: StackConfig): RuleTestSuite {
  const cases = certificateExpiryCases(
    config,
    { warning: "CertificateExpiringSoon", critical: "CertificateExpiryCritical" },
    expiresIn,
    labels,
  );
  return { group: certificateRuleGroup(config), cases };
}
