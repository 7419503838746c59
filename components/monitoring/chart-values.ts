/**
 * Values of the kube-prometheus-stack chart as a pure, typed function of the
 * stack config. Every key path set here is checked against the chart's
 * values.yaml (scripts/check-values-keys.ts, test/monitoring-engine/values-keys.test.ts).
 */
import { StackConfig } from "../../configs/types";
import { K8sResources, k8sResources } from "../shared/resources";
import { ingressTlsAnnotations } from "../shared/ingress-tls";
import { RESTRICTED_CONTAINER_SECURITY_CONTEXT, restrictedPodSecurityContext } from "../shared/pod-security";
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
type PodSecurityContext = ReturnType<typeof restrictedPodSecurityContext>;
type ContainerSecurityContext = typeof RESTRICTED_CONTAINER_SECURITY_CONTEXT;
/** The chart's anti-affinity switch for the operator-managed StatefulSets. */
interface HighAvailability {
  podAntiAffinity: "hard" | "soft";
  podAntiAffinityTopologyKey: string;
}
interface DisruptionBudget {
  enabled: boolean;
  minAvailable: number;
}

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
      securityContext: PodSecurityContext;
    } & HighAvailability;
    podDisruptionBudget: DisruptionBudget;
  };
  alertmanager: {
    alertmanagerSpec: {
      replicas: number;
      storage: VolumeClaimTemplate;
      useExistingSecret: true;
      configSecret: string;
      resources: K8sResources;
      securityContext: PodSecurityContext;
    } & HighAvailability;
    podDisruptionBudget: DisruptionBudget;
  };
  prometheusOperator: {
    resources: K8sResources;
    securityContext: PodSecurityContext;
    containerSecurityContext: ContainerSecurityContext;
    prometheusConfigReloader: { resources: K8sResources };
    admissionWebhooks: {
      patch: { resources: K8sResources; securityContext: PodSecurityContext };
      createSecretJob: { securityContext: ContainerSecurityContext };
      patchWebhookJob: { securityContext: ContainerSecurityContext };
    };
  };
  "kube-state-metrics": {
    resources: K8sResources;
    securityContext: PodSecurityContext & { enabled: true };
    containerSecurityContext: ContainerSecurityContext;
  };
  "prometheus-node-exporter": {
    namespaceOverride: string;
    resources: K8sResources;
    securityContext: PodSecurityContext;
    containerSecurityContext: ContainerSecurityContext;
  };
  grafana: {
    resources: K8sResources;
    securityContext: PodSecurityContext;
    containerSecurityContext: ContainerSecurityContext;
    /** Off: its root chown of the volume breaks "restricted"; the pod's fsGroup makes the volume Grafana's. */
    initChownData: { enabled: false };
    extraEmptyDirMounts: { name: string; mountPath: string }[];
    admin: { existingSecret: string; userKey: string; passwordKey: string };
    persistence: { enabled: true; type: "sts"; storageClassName: string; size: string };
    sidecar: {
      resources: K8sResources;
      securityContext: ContainerSecurityContext;
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
          annotations: Record<string, string>;
          hosts: string[];
          path: "/";
          tls: { secretName: string; hosts: string[] }[];
        };
  };
}

/** Keys of the Grafana admin Secret (the chart's defaults). */
export const GRAFANA_ADMIN_KEYS = { user: "admin-user", password: "admin-password" } as const;

/** Value paths that hold a Kubernetes securityContext or resources object. */
const SECURITY_AND_RESOURCE_PATHS = [
  "alertmanager.alertmanagerSpec.resources",
  "alertmanager.alertmanagerSpec.securityContext",
  "prometheus.prometheusSpec.securityContext",
  "prometheusOperator.resources",
  "prometheusOperator.securityContext",
  "prometheusOperator.containerSecurityContext",
  "prometheusOperator.prometheusConfigReloader.resources",
  "prometheusOperator.admissionWebhooks.patch.resources",
  "prometheusOperator.admissionWebhooks.patch.securityContext",
  "prometheusOperator.admissionWebhooks.createSecretJob.securityContext",
  "prometheusOperator.admissionWebhooks.patchWebhookJob.securityContext",
  "kube-state-metrics.resources",
  "kube-state-metrics.securityContext",
  "kube-state-metrics.containerSecurityContext",
  "prometheus-node-exporter.resources",
  "prometheus-node-exporter.securityContext",
  "prometheus-node-exporter.containerSecurityContext",
  "grafana.resources",
  "grafana.securityContext",
  "grafana.containerSecurityContext",
  "grafana.sidecar.resources",
  "grafana.sidecar.securityContext",
];

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
  "grafana.ingress.annotations",
  "grafana.extraEmptyDirMounts",
  ...SECURITY_AND_RESOURCE_PATHS,
]);

/** The users the charts' images run as: Prometheus and Alertmanager (chart default), Grafana's image, nobody. */
const PROMETHEUS_UID = 1000;
const GRAFANA_UID = 472;
const NOBODY_UID = 65534;
const ADMISSION_JOB_UID = 2000;

/** Replicas on different nodes, required once there is more than one. */
function highAvailability(replicas: number): HighAvailability {
  return { podAntiAffinity: replicas > 1 ? "hard" : "soft", podAntiAffinityTopologyKey: "kubernetes.io/hostname" };
}

/** With several replicas a voluntary disruption (node drain) may take at most one at a time. */
function disruptionBudget(replicas: number): DisruptionBudget {
  return { enabled: replicas > 1, minAvailable: Math.max(1, replicas - 1) };
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
  const { prometheus, alertmanager, grafana, operator, exporters } = config.monitoring;
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
        securityContext: restrictedPodSecurityContext(PROMETHEUS_UID),
        ...highAvailability(prometheus.replicas),
      },
      podDisruptionBudget: disruptionBudget(prometheus.replicas),
    },
    alertmanager: {
      alertmanagerSpec: {
        replicas: alertmanager.replicas,
        storage: volumeClaim(prometheus.storageClass, alertmanager.storageSize),
        // Our Secret holds the whole config; receiver secrets never pass through Helm values.
        useExistingSecret: true,
        configSecret: ALERTMANAGER_CONFIG_SECRET,
        resources: k8sResources(alertmanager.resources),
        securityContext: restrictedPodSecurityContext(PROMETHEUS_UID),
        ...highAvailability(alertmanager.replicas),
      },
      // Alertmanager is on the paging path: a node drain may take one peer at a time, never the cluster.
      podDisruptionBudget: disruptionBudget(alertmanager.replicas),
    },
    prometheusOperator: {
      resources: k8sResources(operator.resources),
      securityContext: restrictedPodSecurityContext(NOBODY_UID),
      containerSecurityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
      prometheusConfigReloader: { resources: k8sResources(operator.configReloaderResources) },
      admissionWebhooks: {
        patch: {
          resources: k8sResources(operator.jobResources),
          securityContext: restrictedPodSecurityContext(ADMISSION_JOB_UID),
        },
        createSecretJob: { securityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT },
        patchWebhookJob: { securityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT },
      },
    },
    "kube-state-metrics": {
      resources: k8sResources(exporters.kubeStateMetrics),
      securityContext: { enabled: true, ...restrictedPodSecurityContext(NOBODY_UID) },
      containerSecurityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
    },
    // Host namespaces and host paths: alone in its own namespace, the one that admits privileged pods.
    "prometheus-node-exporter": {
      namespaceOverride: config.namespaces.nodeExporter,
      resources: k8sResources(exporters.nodeExporter),
      securityContext: restrictedPodSecurityContext(NOBODY_UID),
      containerSecurityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
    },
    grafana: {
      resources: k8sResources(grafana.resources),
      securityContext: restrictedPodSecurityContext(GRAFANA_UID),
      containerSecurityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
      initChownData: { enabled: false },
      // Grafana writes its data to the volume, and temporary and log files here.
      extraEmptyDirMounts: [
        { name: "grafana-tmp", mountPath: "/tmp" },
        { name: "grafana-logs", mountPath: "/var/log/grafana" },
      ],
      admin: {
        existingSecret: GRAFANA_ADMIN_SECRET,
        userKey: GRAFANA_ADMIN_KEYS.user,
        passwordKey: GRAFANA_ADMIN_KEYS.password,
      },
      // A StatefulSet, so a rollout never waits for the old pod's ReadWriteOnce volume.
      persistence: { enabled: true, type: "sts", storageClassName: prometheus.storageClass, size: grafana.storageSize },
      sidecar: {
        resources: k8sResources(grafana.sidecarResources),
        securityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
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
            annotations: ingressTlsAnnotations(grafana.ingress.tls),
            hosts: [grafana.ingress.host],
            path: "/",
            tls: [{ secretName: grafana.ingress.tls.secretName, hosts: [grafana.ingress.host] }],
          }
        : { enabled: false },
    },
  };
}
