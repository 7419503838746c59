/**
 * The prod stack routes `severity="info"` to the ticket receiver (e-mail), but defines no info alert
 * of its own except Watchdog, which its own route sends to the heartbeat receiver only. So that the
 * info route runs through the whole prod topology, the prod cells load this one extra rule file
 * (listed in docs/e2e.md): an info alert that always fires, with the annotations every alert has.
 */
import * as yaml from "js-yaml";
import { StackConfig } from "../../configs/types";
import { dashboardUrl, runbookUrl } from "../../components/shared/alert";
import { dashboardUids } from "../../components/monitoring/dashboards/uids";

export const TICKET_ALERT = "E2eTicket";
export const TICKET_RULE_FILE = "e2e-ticket.yaml";

export function ticketRuleFile(config: StackConfig): string {
  return yaml.dump({
    groups: [
      {
        name: "e2e-ticket",
        rules: [
          {
            alert: TICKET_ALERT,
            expr: "vector(1)",
            labels: { severity: "info", namespace: config.app.namespace },
            annotations: {
              summary: "An info alert of the e2e run",
              description: "Always fires; proves that info alerts reach the ticket receiver and nothing else.",
              runbook_url: runbookUrl(config, TICKET_ALERT),
              dashboard_url: dashboardUrl(config, dashboardUids.slo),
            },
          },
        ],
      },
    ],
  });
}
