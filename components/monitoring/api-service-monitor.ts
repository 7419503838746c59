/**
 * The API's ServiceMonitor, as a pure spec. Rules select the API by job="<app.name>", so the job
 * label is set explicitly.
 */
import { StackConfig } from "../../configs/types";
import { managedByLabels } from "../shared/namespace";

export function apiServiceMonitorSpec(config: StackConfig) {
  const { app } = config;
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: { name: app.name, namespace: config.namespaces.monitoring, labels: managedByLabels },
    spec: {
      namespaceSelector: { matchNames: [app.namespace] },
      selector: { matchLabels: app.serviceSelector },
      endpoints: [
        {
          port: app.portName,
          path: app.metricsPath,
          interval: config.monitoring.prometheus.scrapeInterval,
          relabelings: [
            { action: "replace", targetLabel: "job", replacement: app.name },
            // The operator's target label `endpoint` (the port name) would rename the app's own
            // `endpoint` label (the URL route) to exported_endpoint; per-endpoint rules need the app's.
            { action: "labeldrop", regex: "endpoint" },
          ],
        },
      ],
    },
  };
}
