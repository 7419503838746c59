/**
 * Values of the kube-prometheus-stack chart as a pure, typed function of the
 * stack config. Every key path set here is checked against the chart's
 * values.yaml (scripts/check-values-keys.ts, test/monitoring-engine/values-keys.test.ts).
 */
import { ResourcesConfig, StackConfig } from "../../configs/types";
import { ALERTMANAGER_CONFIG_SECRET, GRAFANA_ADMIN_SECRET } from "./names";
import {
  DASHBOARD_FOLDER_ANNOTATION,
  DASHBOARD_LABEL,
  ELASTICSEARCH_CREDENTIALS_SECRET,
  RULES_LABEL,
  charts,
  elasticsearchUrl,
} from "../shared/platform";

/** The Kubernetes shapes the values carry (free-form for the chart). */
interface K8sResources {
  requests: { cpu: string; memory: string };
  limits: { memory: string };
}
interface VolumeClaimTemplate {
  volumeClaimTemplate: {
    spec: {
      storageClassName: string;
      accessModes: string[];
      resources: { requests: { storage: string } };
    };
  };
}
type LabelSelector = { matchLabels?: Record<string, string> };

export interface GrafanaDatasource {
  name: string;
  type: string;
  uid: string;
  access: "proxy";
  url: string;
  basicAuth: boolean;
  basicAuthUser: string;
  jsonData: Record<string, unknown>;
  secureJsonData: Record<string, string>;
}

export interface KubePrometheusStackValues {
  fullnameOverride: string;
  crds: { enabled: false };
  defaultRules: {
    create: true;
    labels: Record<string, string>;
    disabled: Record<string, true>;
  };
  prometheus: {
    prometheusSpec: {
      replicas: number;
      retention: string;
      retentionSize: string;
      scrapeInterval: string;
      evaluationInterval: string;
      externalLabels: Record<string, string>;
      resources: K8sResources;
      storageSpec: VolumeClaimTemplate;
      ruleSelectorNilUsesHelmValues: false;
      ruleSelector: LabelSelector;
      ruleNamespaceSelector: LabelSelector;
      serviceMonitorSelectorNilUsesHelmValues: false;
      serviceMonitorSelector: LabelSelector;
      serviceMonitorNamespaceSelector: LabelSelector;
      podMonitorSelectorNilUsesHelmValues: false;
      podMonitorSelector: LabelSelector;
      podMonitorNamespaceSelector: LabelSelector;
    };
  };
  alertmanager: {
    alertmanagerSpec: {
      replicas: number;
      storage: VolumeClaimTemplate;
      useExistingSecret: true;
      configSecret: string;
    };
  };
  grafana: {
    admin: { existingSecret: string; userKey: string; passwordKey: string };
    persistence: { enabled: true; type: "sts"; storageClassName: string; size: string };
    sidecar: {
      dashboards: {
        enabled: true;
        label: string;
        labelValue: string;
        searchNamespace: "ALL";
        folderAnnotation: string;
        provider: { foldersFromFilesStructure: true };
      };
    };
    additionalDataSources: GrafanaDatasource[];
    envValueFrom: Record<string, { secretKeyRef: { name: string; key: string; optional: boolean } }>;
    ingress:
      | { enabled: false }
      | {
          enabled: true;
          ingressClassName: string;
          hosts: string[];
          path: "/";
          tls: { secretName: string; hosts: string[] }[];
        };
  };
}

/** Keys of the Grafana admin Secret (the chart's defaults). */
export const GRAFANA_ADMIN_KEYS = { user: "admin-user", password: "admin-password" } as const;

/** Value paths whose content is a Kubernetes object or list, not chart keys. */
export const KUBE_PROMETHEUS_STACK_FREE_FORM = new Set([
  "defaultRules.labels",
  "defaultRules.disabled",
  "prometheus.prometheusSpec.externalLabels",
  "prometheus.prometheusSpec.resources",
  "prometheus.prometheusSpec.storageSpec",
  "prometheus.prometheusSpec.ruleSelector",
  "prometheus.prometheusSpec.ruleNamespaceSelector",
  "prometheus.prometheusSpec.serviceMonitorSelector",
  "prometheus.prometheusSpec.serviceMonitorNamespaceSelector",
  "prometheus.prometheusSpec.podMonitorSelector",
  "prometheus.prometheusSpec.podMonitorNamespaceSelector",
  "alertmanager.alertmanagerSpec.storage",
  "grafana.envValueFrom",
]);

export function k8sResources(r: ResourcesConfig): K8sResources {
  // No CPU limit: throttling a query engine hurts more than sharing spare CPU.
  return { requests: { cpu: r.cpu, memory: r.memory }, limits: { memory: r.memory } };
}

export function volumeClaim(storageClassName: string, size: string): VolumeClaimTemplate {
  return {
    volumeClaimTemplate: {
      spec: { storageClassName, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: size } } },
    },
  };
}

const ES_ENV = { username: "ELASTICSEARCH_USERNAME", password: "ELASTICSEARCH_PASSWORD" } as const;

/** Logs in Elasticsearch, with credentials from a Secret Grafana reads into its environment. */
export function elasticsearchDatasource(config: StackConfig): GrafanaDatasource {
  return {
    name: "Elasticsearch (logs)",
    type: "elasticsearch",
    uid: "elasticsearch-logs",
    access: "proxy",
    url: elasticsearchUrl(config),
    basicAuth: true,
    // Grafana expands $VARIABLES in provisioning files; the values never enter Helm.
    basicAuthUser: `$${ES_ENV.username}`,
    jsonData: {
      index: "logs-cryoprotect-*",
      timeField: "@timestamp",
      logMessageField: "message",
      logLevelField: "log.level",
      // ECK's self-signed CA lives in the logging namespace; see docs/monitoring-engine.md.
      tlsSkipVerify: true,
    },
    secureJsonData: { basicAuthPassword: `$${ES_ENV.password}` },
  };
}

/**
 * The chart's InfoInhibitor fires for every info alert while nothing worse
 * fires in its namespace, to silence info alerts. Info alerts here go to a
 * ticket receiver on purpose, and the Watchdog (info, no namespace) would be
 * silenced too and trip the dead man's switch.
 */
const CHART_ALERTS_WE_DROP = ["InfoInhibitor"];

/**
 * @param chartAlertsWeOverride alert names of the chart's default rules that
 *   our own rules define too (e.g. Watchdog): the chart's copy is disabled so
 *   the alert exists once, with our runbook.
 */
export function kubePrometheusStackValues(
  config: StackConfig,
  chartAlertsWeOverride: readonly string[] = [],
): KubePrometheusStackValues {
  const { prometheus, alertmanager, grafana } = config.monitoring;
  const everything: LabelSelector = {};
  return {
    fullnameOverride: charts.kubePrometheusStack.release,
    // CRDs are Pulumi resources of their own (components/shared/crds.ts).
    crds: { enabled: false },
    defaultRules: {
      create: true,
      // The chart's rules carry our rule label, so one selector picks up both theirs and ours.
      labels: { ...RULES_LABEL },
      disabled: Object.fromEntries([...CHART_ALERTS_WE_DROP, ...chartAlertsWeOverride].map((n) => [n, true as const])),
    },
    prometheus: {
      prometheusSpec: {
        replicas: prometheus.replicas,
        retention: prometheus.retention,
        retentionSize: prometheus.retentionSize,
        scrapeInterval: prometheus.scrapeInterval,
        evaluationInterval: prometheus.evaluationInterval,
        externalLabels: { environment: config.environment, cluster: config.cluster.name },
        resources: k8sResources(prometheus.resources),
        storageSpec: volumeClaim(prometheus.storageClass, prometheus.storageSize),
        // Rules page people, so only labelled ones load, from any namespace.
        ruleSelectorNilUsesHelmValues: false,
        ruleSelector: { matchLabels: { ...RULES_LABEL } },
        ruleNamespaceSelector: everything,
        // Scrape targets: every ServiceMonitor and PodMonitor in the cluster (the exporters' charts, ours, the logging stack's).
        serviceMonitorSelectorNilUsesHelmValues: false,
        serviceMonitorSelector: everything,
        serviceMonitorNamespaceSelector: everything,
        podMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelector: everything,
        podMonitorNamespaceSelector: everything,
      },
    },
    alertmanager: {
      alertmanagerSpec: {
        replicas: alertmanager.replicas,
        storage: volumeClaim(prometheus.storageClass, alertmanager.storageSize),
        // Our Secret holds the whole config; receiver secrets never pass through Helm values.
        useExistingSecret: true,
        configSecret: ALERTMANAGER_CONFIG_SECRET,
      },
    },
    grafana: {
      admin: {
        existingSecret: GRAFANA_ADMIN_SECRET,
        userKey: GRAFANA_ADMIN_KEYS.user,
        passwordKey: GRAFANA_ADMIN_KEYS.password,
      },
      // A StatefulSet, so a rollout never waits for the old pod's ReadWriteOnce volume.
      persistence: { enabled: true, type: "sts", storageClassName: prometheus.storageClass, size: grafana.storageSize },
      sidecar: {
        dashboards: {
          enabled: true,
          label: DASHBOARD_LABEL,
          labelValue: "1",
          searchNamespace: "ALL",
          folderAnnotation: DASHBOARD_FOLDER_ANNOTATION,
          provider: { foldersFromFilesStructure: true },
        },
      },
      additionalDataSources: [elasticsearchDatasource(config)],
      envValueFrom: {
        [ES_ENV.username]: {
          secretKeyRef: { name: ELASTICSEARCH_CREDENTIALS_SECRET, key: "username", optional: true },
        },
        [ES_ENV.password]: {
          secretKeyRef: { name: ELASTICSEARCH_CREDENTIALS_SECRET, key: "password", optional: true },
        },
      },
      ingress: grafana.ingress
        ? {
            enabled: true,
            ingressClassName: grafana.ingress.className,
            hosts: [grafana.ingress.host],
            path: "/",
            tls: [{ secretName: grafana.ingress.tlsSecretName, hosts: [grafana.ingress.host] }],
          }
        : { enabled: false },
    },
  };
}
