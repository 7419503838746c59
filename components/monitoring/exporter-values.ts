/**
 * Values of the exporter charts (postgres-exporter, Pushgateway,
 * elasticsearch-exporter) as pure functions of the stack config. Secrets are
 * referenced by Secret name only.
 */
import { StackConfig } from "../../configs/types";
import { k8sResources } from "../shared/resources";
import { RESTRICTED_CONTAINER_SECURITY_CONTEXT, restrictedPodSecurityContext } from "../shared/pod-security";
import { POSTGRES_EXPORTER_DSN_KEY, POSTGRES_EXPORTER_DSN_SECRET } from "./names";
import { ELASTICSEARCH_CREDENTIALS_SECRET, charts, elasticsearchUrl } from "../shared/platform";

/** The users the exporter images run as (each chart's default). */
const EXPORTER_UIDS = { postgres: 1001, pushgateway: 65534, elasticsearch: 1000 } as const;

export function postgresExporterValues(config: StackConfig) {
  return {
    resources: k8sResources(config.monitoring.exporters.postgres),
    podSecurityContext: restrictedPodSecurityContext(EXPORTER_UIDS.postgres),
    securityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
    config: { datasourceSecret: { name: POSTGRES_EXPORTER_DSN_SECRET, key: POSTGRES_EXPORTER_DSN_KEY } },
    serviceMonitor: { enabled: true, interval: config.monitoring.prometheus.scrapeInterval },
  };
}

/** libpq connection URL of the backup database user; the password is percent-encoded. */
export function postgresDsn(config: StackConfig, password: string): string {
  const db = config.backup.database;
  const user = encodeURIComponent(db.user);
  return `postgresql://${user}:${encodeURIComponent(password)}@${db.host}:${db.port}/${encodeURIComponent(db.name)}?sslmode=${db.sslmode}`;
}

export function pushgatewayValues(config: StackConfig) {
  return {
    fullnameOverride: charts.pushgateway.release,
    resources: k8sResources(config.monitoring.exporters.pushgateway),
    securityContext: restrictedPodSecurityContext(EXPORTER_UIDS.pushgateway),
    containerSecurityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
    serviceMonitor: {
      enabled: true,
      namespace: config.namespaces.monitoring,
      // Keep the job and instance labels the backup jobs push, not the Pushgateway's own.
      honorLabels: true,
      interval: config.monitoring.prometheus.scrapeInterval,
    },
    // Backups push once a day: a restarted Pushgateway must not forget the last success (BackupTooOld).
    persistentVolume: { enabled: true, size: "1Gi", storageClass: config.monitoring.prometheus.storageClass },
    extraArgs: ["--persistence.file=/data/pushgateway.data", "--persistence.interval=1m"],
  };
}

export function elasticsearchExporterValues(config: StackConfig) {
  return {
    resources: k8sResources(config.monitoring.exporters.elasticsearch),
    podSecurityContext: restrictedPodSecurityContext(EXPORTER_UIDS.elasticsearch),
    securityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
    es: {
      uri: elasticsearchUrl(config),
      // ECK's CA Secret lives in the logging namespace, out of a monitoring pod's reach.
      sslSkipVerify: true,
      data_stream: true,
      ilm: true,
    },
    // The exporter reads ES_USERNAME and ES_PASSWORD; the values stay in the Secret.
    extraEnvSecrets: {
      ES_USERNAME: { secret: ELASTICSEARCH_CREDENTIALS_SECRET, key: "username" },
      ES_PASSWORD: { secret: ELASTICSEARCH_CREDENTIALS_SECRET, key: "password" },
    },
    serviceMonitor: { enabled: true, interval: config.monitoring.prometheus.scrapeInterval },
  };
}

/** Value paths whose content is a Kubernetes object or list, per chart. */
export const EXPORTER_FREE_FORM = {
  postgresExporter: new Set(["resources", "podSecurityContext", "securityContext"]),
  pushgateway: new Set(["resources", "securityContext", "containerSecurityContext"]),
  elasticsearchExporter: new Set(["extraEnvSecrets", "resources", "podSecurityContext", "securityContext"]),
};
