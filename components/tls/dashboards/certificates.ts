/**
 * The certificates dashboard: days of validity left per cert-manager Certificate. The stat turns
 * orange at the warning alert's threshold and red at the paging one's (the same config values).
 */
import * as units from "@grafana/grafana-foundation-sdk/units";
import { StackConfig } from "../../../configs/types";
import { GrafanaDashboard } from "../../shared/dashboard";
import { buildDashboard, certificateDaysLeftStat, graph } from "../../shared/dashboard-toolkit";
import { daysLeftExpr } from "../alerts/certificates";
import { CERTIFICATES_DASHBOARD_UID } from "../names";

export function certificatesDashboard(config: StackConfig): GrafanaDashboard {
  const t = config.monitoring.thresholds;
  const legend = "{{namespace}}/{{name}}";
  return buildDashboard({
    uid: CERTIFICATES_DASHBOARD_UID,
    title: "CryoProtect / Certificates",
    description: "TLS certificates cert-manager issues for the stack's ingresses: days until they expire.",
    tags: ["tls", "cert-manager"],
    from: "now-30d",
    refresh: "5m",
    rows: [
      {
        title: "Expiry",
        panels: [
          certificateDaysLeftStat("Days left, soonest certificate", daysLeftExpr(), t),
          graph({
            title: "Days left per certificate",
            unit: units.NoUnit,
            width: 18,
            targets: [{ expr: daysLeftExpr(), legend }],
          }),
        ],
      },
    ],
  });
}
