/**
 * Dotted key paths of a Helm values object, for checking them against the
 * chart's own values.yaml (Helm ignores unknown keys silently). Below a
 * free-form path (a Kubernetes object such as `resources`, or a list) the keys
 * are the Kubernetes API's, not the chart's, so the path stops there.
 */
import { StackConfig } from "../../configs/types";
import { KUBE_PROMETHEUS_STACK_FREE_FORM, kubePrometheusStackValues } from "../../components/monitoring/chart-values";
import { charts } from "../../components/shared/platform";
import { BLACKBOX_FREE_FORM, blackboxExporterValues } from "../../components/monitoring/probes";
import {
  elasticsearchExporterValues,
  EXPORTER_FREE_FORM,
  postgresExporterValues,
  pushgatewayValues,
} from "../../components/monitoring/exporter-values";

export function valueKeyPaths(values: object, freeForm: ReadonlySet<string>, prefix = ""): string[] {
  const paths: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const isMap = value !== null && typeof value === "object" && !Array.isArray(value);
    if (isMap && Object.keys(value).length > 0 && !freeForm.has(path)) {
      paths.push(...valueKeyPaths(value, freeForm, path));
    } else {
      paths.push(path);
    }
  }
  return paths;
}

/** The charts of the monitoring engine. */
export type MonitoringChart = keyof Pick<
  typeof charts,
  "kubePrometheusStack" | "postgresExporter" | "pushgateway" | "elasticsearchExporter" | "blackboxExporter"
>;

/** The key paths each of the engine's charts gets, for one stack (the chart's alerts we override included). */
export function engineValuePaths(config: StackConfig): Record<MonitoringChart, string[]> {
  return {
    kubePrometheusStack: valueKeyPaths(
      kubePrometheusStackValues(config, ["Watchdog"]),
      KUBE_PROMETHEUS_STACK_FREE_FORM,
    ),
    postgresExporter: valueKeyPaths(postgresExporterValues(config), EXPORTER_FREE_FORM.postgresExporter),
    pushgateway: valueKeyPaths(pushgatewayValues(config), EXPORTER_FREE_FORM.pushgateway),
    elasticsearchExporter: valueKeyPaths(elasticsearchExporterValues(config), EXPORTER_FREE_FORM.elasticsearchExporter),
    blackboxExporter: valueKeyPaths(blackboxExporterValues(config), BLACKBOX_FREE_FORM),
  };
}
