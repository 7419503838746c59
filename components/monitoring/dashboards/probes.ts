/**
 * The probes dashboard: what the blackbox exporter sees of the API and the ingresses. The duration
 * panel's threshold is ProbeSlow's, the certificate stat's colours the expiry alerts' (same values).
 */
import * as units from "@grafana/grafana-foundation-sdk/units";
import { StackConfig } from "../../../configs/types";
import { GrafanaDashboard } from "../../shared/dashboard";
import { buildDashboard, certificateDaysLeftStat, graph, singleStat } from "../../shared/dashboard-toolkit";
import { certificateDaysLeftExpr, PROBE_SELECTOR } from "../alerts/probes";
import { dashboardUids } from "./uids";

export function probesDashboard(config: StackConfig): GrafanaDashboard {
  const t = config.monitoring.thresholds;
  const legend = "{{probe}}";
  return buildDashboard({
    uid: dashboardUids.probes,
    title: "CryoProtect / Synthetic probes",
    description: "Blackbox probes from inside the cluster: the API's health URL and the ingresses, with TLS expiry.",
    tags: ["probes", "blackbox"],
    variables: {
      namespaceSource: `probe_success{${PROBE_SELECTOR}}`,
      instanceSource: `probe_success{${PROBE_SELECTOR}, namespace=~"$namespace"}`,
    },
    rows: [
      {
        title: "Probes",
        panels: [
          singleStat({
            title: "API health probe",
            unit: units.NoUnit,
            targets: [{ expr: `min(probe_success{${PROBE_SELECTOR}, probe="api"})`, legend: "api" }],
            steps: [
              [null, "red"],
              [1, "green"],
            ],
          }),
          graph({
            title: "Probe duration",
            unit: units.Seconds,
            width: 18,
            targets: [{ expr: `probe_duration_seconds{${PROBE_SELECTOR}, instance=~"$instance"}`, legend }],
          }),
          certificateDaysLeftStat("Days left, soonest ingress certificate", certificateDaysLeftExpr(), t),
          graph({
            title: `Probe success (ProbeSlow above ${config.monitoring.probes.slowSeconds}s)`,
            unit: units.NoUnit,
            width: 18,
            max: 1,
            targets: [{ expr: `probe_success{${PROBE_SELECTOR}, instance=~"$instance"}`, legend }],
          }),
        ],
      },
    ],
  });
}
