/**
 * Names of the monitoring concern's own Secrets. Fixed (not Pulumi auto-names) because the
 * charts' values refer to them by name. What other concerns use is in shared/platform.ts.
 */

/** Secret (monitoring namespace) with `alertmanager.yaml` and the notification templates. */
export const ALERTMANAGER_CONFIG_SECRET = "alertmanager-cryoprotect";
/** Secret (monitoring namespace) with Grafana's admin user and generated password. */
export const GRAFANA_ADMIN_SECRET = "grafana-admin";
/** Secret (monitoring namespace) with the postgres-exporter's connection string. */
export const POSTGRES_EXPORTER_DSN_SECRET = "postgres-exporter-dsn";
export const POSTGRES_EXPORTER_DSN_KEY = "DATA_SOURCE_NAME";
