/**
 * Certificates cert-manager manages for the stack's ingresses: it renews them well before they
 * expire, so one that gets close to expiry means renewal has been failing for days.
 */
import { StackConfig } from "../../../configs/types";
import { PrometheusAlert, RuleGroup, RunbookText } from "../../shared/alert";
import { CERT_MANAGER_JOB, CERTIFICATES_DASHBOARD_UID } from "../names";

export const EXPIRATION_METRIC = "certmanager_certificate_expiration_timestamp_seconds";

/** Days left before the certificate expires, per Certificate. */
export function daysLeftExpr(): string {
  return `(${EXPIRATION_METRIC}{job="${CERT_MANAGER_JOB}"} - time()) / 86400`;
}

function commands(config: StackConfig): string[] {
  const ns = config.certManager?.namespace ?? "cert-manager";
  return [
    "kubectl get certificates,certificaterequests,orders,challenges --all-namespaces",
    'kubectl describe certificate -n "$NAMESPACE" "$NAME"   # the alert\'s namespace and name labels',
    `kubectl -n ${ns} logs deploy/cert-manager --tail=200`,
    "kubectl get clusterissuers,issuers --all-namespaces",
  ];
}

function runbook(days: number, paging: boolean): RunbookText {
  return {
    meaning:
      `A certificate cert-manager manages for one of the stack's ingresses (Grafana, Kibana) expires in less than ${days} days. ` +
      "cert-manager renews a certificate once two thirds of its lifetime have passed (30 days before expiry for a " +
      "90-day Let's Encrypt certificate), so this means renewal has been failing for days.",
    impact: paging
      ? "Within days browsers and API clients reject the ingress: operators lose Grafana or Kibana during an incident."
      : "Nothing yet; if renewal keeps failing, the ingress's certificate expires and browsers reject it.",
    diagnosis: [
      "Find the Certificate from the alert's namespace and name labels and describe it: its Ready condition says why renewal fails.",
      "Follow its newest CertificateRequest, Order and Challenge: a failing ACME HTTP-01 or DNS-01 challenge names the cause.",
      "Check the issuer the ingress names (tls.issuer in the stack config) is Ready.",
      "Read the cert-manager controller's log for errors on this certificate.",
    ],
    mitigation: [
      "Fix what the Challenge or issuer reports (DNS record, ingress class of the solver, rate limit, issuer credentials).",
      "Once fixed, trigger a renewal now with `cmctl renew -n <namespace> <name>` (or delete the Certificate's Secret to reissue).",
      "If it cannot be fixed in time, set tls.existingSecret: true for that ingress and install a certificate by hand (README: TLS).",
    ],
    escalation: paging
      ? "Page the platform on-call now; the certificate expires within a week."
      : "Open a ticket for the platform team; escalate if it is not renewed within a week.",
  };
}

function expiring(config: StackConfig, name: string, days: number, severity: "warning" | "critical"): PrometheusAlert {
  return {
    source: "prometheus",
    name,
    severity,
    expr: `${daysLeftExpr()} < ${days}`,
    for: "1h",
    summary: `Certificate {{ $labels.namespace }}/{{ $labels.name }} expires in less than ${days} days`,
    description:
      `cert-manager has not renewed the certificate {{ $labels.namespace }}/{{ $labels.name }}, which expires in ` +
      `less than ${days} days (monitoring.thresholds.certificateExpiry${severity === "warning" ? "Warning" : "Critical"}Days).`,
    dashboardUid: CERTIFICATES_DASHBOARD_UID,
    runbook: runbook(days, severity === "critical"),
    commands: commands(config),
  };
}

export function certificateRuleGroup(config: StackConfig): RuleGroup {
  const t = config.monitoring.thresholds;
  return {
    name: "cryoprotect-certificates",
    component: "tls",
    recordingRules: [],
    alerts: [
      expiring(config, "CertificateExpiringSoon", t.certificateExpiryWarningDays, "warning"),
      expiring(config, "CertificateExpiryCritical", t.certificateExpiryCriticalDays, "critical"),
    ],
  };
}
