/** promtool cases of the probes group: the API probe failing and recovering, slow and fast, certificates near and far from expiry. */
import { StackConfig } from "../../../configs/types";
import { AlertCase, InputSeries, RuleTestSuite } from "../../shared/rule-tests/promtool";
import { gauge } from "../../shared/rule-tests/series";
import { certificateExpiryCases } from "../../shared/rule-tests/expiry";
import { probeRuleGroup } from "../alerts/probes";
import { PROBE_JOB } from "../probes";

export function probeRuleTests(config: StackConfig): RuleTestSuite {
  const { slowSeconds, apiHealthUrl } = config.monitoring.probes;
  const api = { job: PROBE_JOB, probe: "api", instance: apiHealthUrl };
  const ingress = { job: PROBE_JOB, probe: "grafana", instance: "https://grafana.example/api/health" };
  const expiresIn = (days: number): InputSeries => ({
    series: `probe_ssl_earliest_cert_expiry{job="${PROBE_JOB}", probe="grafana", instance="${ingress.instance}"}`,
    values: `${days * 86400}x90`,
  });
  const cases: AlertCase[] = [
    {
      alert: "ApiProbeFailed",
      title: "a failing API probe fires after 3m",
      input: [gauge("probe_success", api, 0, 10)],
      evalTime: "5m",
      firing: [{ severity: "critical", labels: api }],
    },
    {
      alert: "ApiProbeFailed",
      title: "a failing ingress probe does not page as the API",
      input: [gauge("probe_success", api, 1, 10), gauge("probe_success", ingress, 0, 10)],
      evalTime: "5m",
      firing: [],
    },
    {
      alert: "ProbeSlow",
      title: `a successful probe over ${slowSeconds}s for 10m warns`,
      input: [gauge("probe_duration_seconds", api, slowSeconds + 0.5, 20), gauge("probe_success", api, 1, 20)],
      evalTime: "15m",
      firing: [{ severity: "warning", labels: api }],
    },
    {
      alert: "ProbeSlow",
      title: "a probe just under the threshold stays quiet",
      input: [gauge("probe_duration_seconds", api, slowSeconds - 0.1, 20), gauge("probe_success", api, 1, 20)],
      evalTime: "15m",
      firing: [],
    },
  ];
  cases.push(
    ...certificateExpiryCases(
      config,
      { warning: "ProbeCertificateExpiringSoon", critical: "ProbeCertificateExpiryCritical" },
      expiresIn,
      ingress,
    ),
  );
  return { group: probeRuleGroup(config), cases };
}
