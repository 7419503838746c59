/** The API under watch, as every concern selects it: its scrape targets and its pods. */
import { StackConfig } from "../../configs/types";

/**
 * Label matchers of the API's scrape targets. The ServiceMonitor keeps
 * `job` = the app name (see docs/monitoring-rules.md).
 */
export function apiSelector(config: StackConfig): string {
  return `job="${config.app.name}", namespace="${config.app.namespace}"`;
}

/** `k=v,k=v` for `kubectl -l` from the app's Service selector. */
export function appLabelSelector(config: StackConfig): string {
  return Object.entries(config.app.serviceSelector)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}
