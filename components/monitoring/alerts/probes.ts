/**
 * Alerts on the synthetic probes: the API's health URL failing from inside the cluster (a page,
 * named Api* so that ApiServiceDown inhibits it), any probe slow, and the certificate an ingress
 * presents expiring (warning, then a page), whoever issued it.
 */
import { StackConfig } from "../../../configs/types";
import { PrometheusAlert, RuleGroup } from "../../shared/alert";
import { dashboardUids } from "../dashboards/uids";
import { PROBE_JOB, PROBE_MODULES } from "../probes";

export const PROBE_SELECTOR = `job="${PROBE_JOB}"`;

/** Days until the earliest certificate of the probed chain expires. */
export function certificateDaysLeftExpr(): string {
  return `(probe_ssl_earliest_cert_expiry{${PROBE_SELECTOR}} - time()) / 86400`;
}

function probeCommands(config: StackConfig): string[] {
  const ns = config.namespaces.monitoring;
  return [
    `kubectl -n ${ns} get probes`,
    `kubectl -n ${ns} logs deploy/blackbox-exporter --tail=100`,
    // The probe by hand, with every step (DNS, connect, TLS, HTTP) in the answer.
    `kubectl -n ${ns} exec deploy/blackbox-exporter -- wget -qO- "http://localhost:9115/probe?module=${PROBE_MODULES.api}&target=${config.monitoring.probes.apiHealthUrl}&debug=true"`,
  ];
}

function apiProbeFailed(config: StackConfig): PrometheusAlert {
  return {
    source: "prometheus",
    name: "ApiProbeFailed",
    severity: "critical",
    expr: `probe_success{${PROBE_SELECTOR}, probe="api"} == 0`,
    // Longer than ApiServiceDown's 2m: when the whole API is down, ApiServiceDown fires first and inhibits
    // this one (one page per outage); this pages alone when the pods answer scrapes but not the health URL.
    for: "3m",
    summary: "The API's health URL fails from inside the cluster",
    description: `The blackbox probe of ${config.monitoring.probes.apiHealthUrl} has failed for 3 minutes.`,
    dashboardUid: dashboardUids.probes,
    runbook: {
      meaning:
        "A request to the API's health URL through its Service, from the blackbox exporter in the monitoring namespace, " +
        "fails (connection refused, timeout, or a non-2xx answer). It tests the path clients use, not just the pods' metrics port.",
      impact: "Clients inside the cluster, and very likely outside, cannot use the API.",
      diagnosis: [
        "If ApiServiceDown fires too, the API itself is down: follow that runbook (this alert is inhibited then).",
        "Otherwise the pods answer scrapes but not the health URL: check the Service's endpoints and the health handler's logs.",
        "Run the probe by hand with debug=true (commands below): it shows DNS, connect, TLS and HTTP steps.",
      ],
      mitigation: [
        "Restart the API pods if the health handler hangs (kubectl rollout restart).",
        "Fix the Service selector or ports if the Service has no endpoints.",
        "If the health URL changed, set monitoring.probes.apiHealthUrl and deploy.",
      ],
      escalation: "Page the CryoProtect API on-call engineer if the API does not answer within 15 minutes.",
    },
    commands: probeCommands(config),
  };
}

function probeSlow(config: StackConfig): PrometheusAlert {
  const slow = config.monitoring.probes.slowSeconds;
  return {
    source: "prometheus",
    name: "ProbeSlow",
    severity: "warning",
    expr: `probe_duration_seconds{${PROBE_SELECTOR}} > ${slow} and probe_success{${PROBE_SELECTOR}} == 1`,
    for: "10m",
    summary: `The {{ $labels.probe }} probe takes more than ${slow}s`,
    description: `The blackbox probe of {{ $labels.instance }} succeeds but has taken more than ${slow}s (monitoring.probes.slowSeconds) for 10 minutes.`,
    dashboardUid: dashboardUids.probes,
    runbook: {
      meaning: `A probe succeeds but slowly: the whole request (DNS, connect, TLS, answer) takes more than ${slow}s.`,
      impact: "Users see the same slowness; the API's own latency SLO may be burning too.",
      diagnosis: [
        "Compare with the API's p95 latency on the API dashboard: slow handler, or slow network path?",
        "Run the probe with debug=true to see which phase is slow (dns, connect, tls, processing, transfer).",
      ],
      mitigation: [
        "Follow HighLatency if the API is slow; check the ingress controller and DNS if only the network phases are.",
      ],
      escalation: "Open a ticket for the platform team; page only if an SLO alert fires too.",
    },
    commands: probeCommands(config),
  };
}

function certificateExpiring(
  config: StackConfig,
  name: string,
  days: number,
  severity: "warning" | "critical",
): PrometheusAlert {
  return {
    source: "prometheus",
    name,
    severity,
    expr: `${certificateDaysLeftExpr()} < ${days}`,
    for: "1h",
    summary: `The certificate of {{ $labels.probe }} expires in less than ${days} days`,
    description:
      `The TLS certificate {{ $labels.instance }} presents expires in less than ${days} days ` +
      `(monitoring.thresholds.certificateExpiry${severity === "warning" ? "Warning" : "Critical"}Days), as a client sees it.`,
    dashboardUid: dashboardUids.probes,
    runbook: {
      meaning:
        "The certificate an ingress serves, as the blackbox exporter receives it, is close to expiry. It covers every " +
        "source of the Secret: cert-manager (then CertificateExpiringSoon usually fires too) or a Secret managed elsewhere (tls.existingSecret).",
      impact:
        severity === "critical"
          ? "Within days browsers and clients reject the ingress."
          : "Nothing yet; the certificate must be renewed before it expires.",
      diagnosis: [
        "Which ingress: the alert's probe and instance labels.",
        "cert-manager issues it (tls.issuer): follow CertificateExpiringSoon's runbook.",
        "A Secret managed elsewhere (tls.existingSecret): whoever owns it must renew it; check its notAfter with openssl.",
      ],
      mitigation: [
        "Renew the certificate at its source and check the ingress serves the new one (the probe's expiry moves forward).",
      ],
      escalation:
        severity === "critical" ? "Page the platform on-call now." : "Open a ticket for the owner of the certificate.",
    },
    commands: [
      `kubectl get ingress --all-namespaces`,
      `kubectl get certificates --all-namespaces`,
      ...probeCommands(config).slice(0, 2),
    ],
  };
}

export function probeRuleGroup(config: StackConfig): RuleGroup {
  const t = config.monitoring.thresholds;
  return {
    name: "cryoprotect-probes",
    component: "probes",
    recordingRules: [],
    alerts: [
      apiProbeFailed(config),
      probeSlow(config),
      certificateExpiring(config, "ProbeCertificateExpiringSoon", t.certificateExpiryWarningDays, "warning"),
      certificateExpiring(config, "ProbeCertificateExpiryCritical", t.certificateExpiryCriticalDays, "critical"),
    ],
  };
}
