/** Selectors and kubectl commands shared by the monitoring rule groups. */
import { StackConfig } from "../../../configs/types";
import { appLabelSelector } from "../../shared/app";

/** Labels every API-level aggregation keeps, so alerts route by namespace. */
export const API_LABELS = "namespace, job";

/** First diagnosis commands of every API alert: the pods, their events and logs. */
export function apiPodCommands(config: StackConfig): string[] {
  const ns = config.app.namespace;
  const selector = appLabelSelector(config);
  return [
    `kubectl -n ${ns} get pods -l ${selector} -o wide`,
    `kubectl -n ${ns} describe pods -l ${selector}`,
    `kubectl -n ${ns} logs -l ${selector} --since=15m --tail=200`,
  ];
}

/** Where an operator checks the rule and the series Prometheus sees. */
export function prometheusCommands(config: StackConfig): string[] {
  const ns = config.namespaces.monitoring;
  return [
    // Each concern's rules live in its own namespace.
    `kubectl get prometheusrules -A -l cryoprotect.dev/rules=true`,
    `kubectl -n ${ns} port-forward svc/prometheus-operated 9090:9090`,
  ];
}

/** Formats a ratio for summaries, e.g. 0.05 -> "5%". */
export function percent(ratio: number): string {
  return `${+(ratio * 100).toFixed(4)}%`;
}
