/** What the scenarios need to know about the stack's alerts, read from their definitions. */
import { StackConfig } from "../../configs/types";
import { ruleGroups } from "../../components/catalog";

export interface AlertInfo {
  name: string;
  component: string;
  severity: string;
  /** The rule's `for`, in seconds. */
  forSeconds: number;
  /** Grafana dashboard its `dashboard_url` must point at. */
  dashboardUid: string;
  /** Its summary annotation, which notifications carry. */
  summary: string;
}

export function durationSeconds(duration: string): number {
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
  let total = 0;
  let rest = duration.trim();
  if (rest === "" || rest === "0") return 0;
  while (rest) {
    const match = /^(\d+)(ms|s|m|h|d|w|y)/.exec(rest);
    if (!match) throw new Error(`Not a Prometheus duration: ${duration}`);
    total += Number(match[1]) * units[match[2]];
    rest = rest.slice(match[0].length);
  }
  return total;
}

/** Every metric alert of the stack; one name may appear once per severity (SLO page and ticket). */
export function alertCatalog(config: StackConfig): AlertInfo[] {
  return ruleGroups(config).flatMap((group) =>
    group.alerts.map((alert) => ({
      name: alert.name,
      component: group.component,
      severity: alert.severity,
      forSeconds: durationSeconds(alert.for),
      dashboardUid: alert.dashboardUid,
      summary: alert.summary,
    })),
  );
}

/** The alert of that name (and severity, if given); throws when the stack does not define it. */
export function findAlert(catalog: AlertInfo[], name: string, severity?: string): AlertInfo {
  const found = catalog.find((a) => a.name === name && (severity === undefined || a.severity === severity));
  if (!found) throw new Error(`The dev stack defines no alert ${name}${severity ? ` of severity ${severity}` : ""}`);
  return found;
}
