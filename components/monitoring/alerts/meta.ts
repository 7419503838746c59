/**
 * The dead man's switch: Watchdog always fires, Alertmanager routes it
 * (by alertname) to the heartbeat receiver, and the external heartbeat service
 * raises the alarm when the notifications stop, i.e. when Prometheus,
 * Alertmanager or the path between them is down.
 */
import { StackConfig } from "../../../configs/types";
import { RuleGroup } from "../../shared/alert";
import { dashboardUids } from "../dashboards/uids";
import { prometheusCommands } from "./common";

export function metaRuleGroup(config: StackConfig): RuleGroup {
  const ns = config.namespaces.monitoring;
  return {
    name: "cryoprotect-meta",
    component: "monitoring",
    recordingRules: [],
    alerts: [
      {
        source: "prometheus",
        name: "Watchdog",
        severity: "info",
        expr: "vector(1)",
        for: "0m",
        summary: "Alerting pipeline heartbeat",
        description:
          `This alert always fires in ${config.environment}. Its notifications to the heartbeat receiver prove ` +
          "that Prometheus evaluates rules and Alertmanager delivers them.",
        dashboardUid: dashboardUids.slo,
        runbook: {
          meaning:
            "Watchdog always fires. You are reading this because the heartbeat service reported that its " +
            "notifications stopped, or because someone routed it somewhere else by mistake.",
          impact: "While the heartbeat is missing, no alert of this stack reaches anyone.",
          diagnosis: [
            "Check that the Prometheus and Alertmanager pods run and are ready.",
            "Check Prometheus' Alerts page: does Watchdog fire?",
            "Check Alertmanager's logs for notification errors to the heartbeat receiver.",
          ],
          mitigation: [
            "Restart a stuck Alertmanager or Prometheus pod (delete it; the StatefulSet recreates it).",
            "Fix the heartbeat receiver's URL Secret if Alertmanager logs delivery errors.",
          ],
          escalation: "Call the platform on-call at once: the stack is blind while the heartbeat is missing.",
        },
        commands: [
          `kubectl -n ${ns} get pods -l app.kubernetes.io/name=alertmanager`,
          `kubectl -n ${ns} get pods -l app.kubernetes.io/name=prometheus`,
          `kubectl -n ${ns} logs -l app.kubernetes.io/name=alertmanager --tail=100`,
          ...prometheusCommands(config),
        ],
      },
    ],
  };
}
