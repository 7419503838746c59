/**
 * Series that rules and dashboards may read besides the app's metrics
 * contract and our recording rules, per exporter of the platform. The PromQL
 * test rejects any other metric name, so a typo or a metric an exporter does
 * not have fails before Prometheus silently returns nothing.
 */
import { BACKUP_METRIC_NAMES } from "../../components/backup/metrics";

export const exporterMetrics = {
  /** prometheus-blackbox-exporter's /probe, through the Probes (job="cryoprotect-probes"). */
  blackbox: ["probe_success", "probe_duration_seconds", "probe_ssl_earliest_cert_expiry"],
  /** cert-manager's controller (its chart's ServiceMonitor), job="cert-manager"; cert-manager docs, "Prometheus metrics". */
  certManager: ["certmanager_certificate_expiration_timestamp_seconds", "certmanager_certificate_ready_status"],
  /** prometheus-node-exporter (kube-prometheus-stack), job="node-exporter". */
  nodeExporter: [
    "node_cpu_seconds_total",
    "node_memory_MemAvailable_bytes",
    "node_memory_MemTotal_bytes",
    "node_filesystem_avail_bytes",
    "node_filesystem_size_bytes",
    "node_network_receive_bytes_total",
    "node_network_transmit_bytes_total",
    "node_network_receive_errs_total",
    "node_network_transmit_errs_total",
    "node_network_receive_packets_total",
    "node_network_transmit_packets_total",
    "node_uname_info",
  ],
  /** kubelet's cAdvisor endpoint, job="kubelet", metrics_path="/metrics/cadvisor". */
  cadvisor: [
    "container_cpu_usage_seconds_total",
    "container_memory_working_set_bytes",
    "container_network_receive_bytes_total",
    "container_network_transmit_bytes_total",
  ],
  kubeStateMetrics: [
    "kube_pod_container_status_restarts_total",
    "kube_pod_status_ready",
    "kube_deployment_status_replicas_available",
    "kube_job_status_failed",
    "kube_job_status_succeeded",
    "kube_cronjob_status_last_schedule_time",
    "kube_persistentvolumeclaim_status_phase",
  ],
  /** prometheus-postgres-exporter (default collectors). */
  postgresExporter: [
    "pg_up",
    "pg_stat_activity_count",
    "pg_stat_database_xact_commit",
    "pg_stat_database_xact_rollback",
    "pg_stat_database_blks_hit",
    "pg_stat_database_blks_read",
    "pg_stat_database_deadlocks",
    "pg_database_size_bytes",
  ],
  /** Backup jobs push these to the Pushgateway (typed in components/backup/metrics.ts). */
  pushgatewayBackup: [...BACKUP_METRIC_NAMES, "push_time_seconds", "push_failure_time_seconds"],
  /** prometheus-elasticsearch-exporter with es.all and es.indices. */
  elasticsearchExporter: [
    "elasticsearch_cluster_health_status",
    "elasticsearch_filesystem_data_available_bytes",
    "elasticsearch_filesystem_data_size_bytes",
    "elasticsearch_jvm_memory_used_bytes",
    "elasticsearch_jvm_memory_max_bytes",
    "elasticsearch_index_stats_indexing_index_total",
    "elasticsearch_indices_store_size_bytes_primary",
  ],
  /** Synthesized by Prometheus itself. */
  prometheus: ["up", "ALERTS", "ALERTS_FOR_STATE"],
} as const satisfies Record<string, readonly string[]>;

export function exporterMetricNames(): Set<string> {
  return new Set(Object.values(exporterMetrics).flat());
}
