/**
 * The Helm value key paths the monitoring engine may set, per chart: copied by
 * hand from the pinned charts' values.yaml (see docs/monitoring-engine.md).
 * values-keys.test.ts asserts the builders set no other path;
 * `npx ts-node scripts/check-values-keys.ts` re-checks this list against the
 * reference values files (the tests never read those).
 */
export interface ChartAllowlist {
  /** The reference values file, relative to /work/shared/reference/. */
  reference: string;
  paths: readonly string[];
  /**
   * Keys of a bundled subchart that the parent's values.yaml does not list
   * (the grafana chart's own values); checked against that chart's docs.
   */
  subchartPaths?: readonly string[];
}

export const allowedValuePaths = {
  kubePrometheusStack: {
    reference: "kube-prometheus-stack-88.5.3/values.yaml",
    paths: [
      "alertmanager.alertmanagerSpec.configSecret",
      "alertmanager.alertmanagerSpec.podAntiAffinity",
      "alertmanager.alertmanagerSpec.podAntiAffinityTopologyKey",
      "alertmanager.alertmanagerSpec.replicas",
      "alertmanager.alertmanagerSpec.resources",
      "alertmanager.alertmanagerSpec.securityContext",
      "alertmanager.alertmanagerSpec.storage",
      "alertmanager.alertmanagerSpec.useExistingSecret",
      "alertmanager.podDisruptionBudget.enabled",
      "alertmanager.podDisruptionBudget.minAvailable",
      "crds.enabled",
      "defaultRules.create",
      "defaultRules.disabled",
      "defaultRules.labels",
      "fullnameOverride",
      "grafana.additionalDataSources",
      "grafana.admin.existingSecret",
      "grafana.admin.passwordKey",
      "grafana.admin.userKey",
      "grafana.ingress.annotations",
      "grafana.ingress.enabled",
      "grafana.ingress.hosts",
      "grafana.ingress.ingressClassName",
      "grafana.ingress.path",
      "grafana.ingress.tls",
      "grafana.persistence.enabled",
      "grafana.persistence.size",
      "grafana.persistence.storageClassName",
      "grafana.persistence.type",
      "grafana.sidecar.dashboards.enabled",
      "grafana.sidecar.dashboards.label",
      "grafana.sidecar.dashboards.labelValue",
      "grafana.sidecar.dashboards.searchNamespace",
      "prometheus-node-exporter.namespaceOverride",
      "prometheus.podDisruptionBudget.enabled",
      "prometheus.podDisruptionBudget.minAvailable",
      "prometheus.prometheusSpec.evaluationInterval",
      "prometheus.prometheusSpec.externalLabels",
      "prometheus.prometheusSpec.podAntiAffinity",
      "prometheus.prometheusSpec.podAntiAffinityTopologyKey",
      "prometheus.prometheusSpec.podMonitorNamespaceSelector",
      "prometheus.prometheusSpec.podMonitorSelector",
      "prometheus.prometheusSpec.podMonitorSelectorNilUsesHelmValues",
      "prometheus.prometheusSpec.replicas",
      "prometheus.prometheusSpec.resources",
      "prometheus.prometheusSpec.retention",
      "prometheus.prometheusSpec.retentionSize",
      "prometheus.prometheusSpec.ruleNamespaceSelector",
      "prometheus.prometheusSpec.ruleSelector",
      "prometheus.prometheusSpec.ruleSelectorNilUsesHelmValues",
      "prometheus.prometheusSpec.scrapeInterval",
      "prometheus.prometheusSpec.securityContext",
      "prometheus.prometheusSpec.serviceMonitorNamespaceSelector",
      "prometheus.prometheusSpec.serviceMonitorSelector",
      "prometheus.prometheusSpec.serviceMonitorSelectorNilUsesHelmValues",
      "prometheus.prometheusSpec.storageSpec",
      "prometheusOperator.admissionWebhooks.createSecretJob.securityContext",
      "prometheusOperator.admissionWebhooks.patch.resources",
      "prometheusOperator.admissionWebhooks.patch.securityContext",
      "prometheusOperator.admissionWebhooks.patchWebhookJob.securityContext",
      "prometheusOperator.containerSecurityContext",
      "prometheusOperator.prometheusConfigReloader.resources",
      "prometheusOperator.resources",
      "prometheusOperator.securityContext",
    ],
    subchartPaths: [
      "grafana.containerSecurityContext",
      "grafana.envValueFrom",
      "grafana.extraEmptyDirMounts",
      "grafana.initChownData.enabled",
      "grafana.resources",
      "grafana.securityContext",
      "grafana.sidecar.dashboards.folderAnnotation",
      "grafana.sidecar.dashboards.provider.foldersFromFilesStructure",
      "grafana.sidecar.resources",
      "grafana.sidecar.securityContext",
      "kube-state-metrics.containerSecurityContext",
      "kube-state-metrics.resources",
      "kube-state-metrics.securityContext",
      "prometheus-node-exporter.containerSecurityContext",
      "prometheus-node-exporter.resources",
      "prometheus-node-exporter.securityContext",
    ],
  },
  postgresExporter: {
    reference: "charts/prometheus-postgres-exporter-8.2.0-values.yaml",
    paths: [
      "config.datasourceSecret.key",
      "config.datasourceSecret.name",
      "podSecurityContext",
      "resources",
      "securityContext",
      "serviceMonitor.enabled",
      "serviceMonitor.interval",
    ],
  },
  pushgateway: {
    reference: "charts/prometheus-pushgateway-3.8.0-values.yaml",
    paths: [
      "containerSecurityContext",
      "extraArgs",
      "fullnameOverride",
      "persistentVolume.enabled",
      "persistentVolume.size",
      "persistentVolume.storageClass",
      "resources",
      "securityContext",
      "serviceMonitor.enabled",
      "serviceMonitor.honorLabels",
      "serviceMonitor.interval",
      "serviceMonitor.namespace",
    ],
  },
  elasticsearchExporter: {
    reference: "charts/prometheus-elasticsearch-exporter-7.4.0-values.yaml",
    paths: [
      "es.data_stream",
      "es.ilm",
      "es.sslSkipVerify",
      "es.uri",
      "extraEnvSecrets",
      "podSecurityContext",
      "resources",
      "securityContext",
      "serviceMonitor.enabled",
      "serviceMonitor.interval",
    ],
  },
  blackboxExporter: {
    // Not in ../shared/reference: its keys were read from the chart's values.yaml and templates (fullnameOverride) at 11.17.2
    // (prometheus-community/helm-charts, charts/prometheus-blackbox-exporter).
    reference: "charts/prometheus-blackbox-exporter-11.17.2-values.yaml",
    paths: ["config.modules", "fullnameOverride", "podSecurityContext", "resources", "securityContext"],
  },
} as const satisfies Record<string, ChartAllowlist>;

export type ChartKey = keyof typeof allowedValuePaths;
