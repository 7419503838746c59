import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { StackConfig } from "../../configs/types";
import { GrafanaDashboard } from "../shared/dashboard";
import { managedByLabels } from "../shared/namespace";
import { GRAFANA_ADMIN_KEYS } from "./chart-values";
import { DASHBOARD_FOLDER_ANNOTATION, DASHBOARD_LABEL, GRAFANA_ADMIN_SECRET } from "./engine-names";

/** Grafana's admin login: a generated password that exists only in state (encrypted) and in this Secret. */
export function grafanaAdminSecret(
  name: string,
  config: StackConfig,
  opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Secret {
  const password = new random.RandomPassword(`${name}-password`, { length: 32, special: false }, opts);
  return new k8s.core.v1.Secret(
    name,
    {
      metadata: { name: GRAFANA_ADMIN_SECRET, namespace: config.namespaces.monitoring, labels: managedByLabels },
      type: "Opaque",
      stringData: {
        [GRAFANA_ADMIN_KEYS.user]: config.monitoring.grafana.adminUser,
        [GRAFANA_ADMIN_KEYS.password]: password.result,
      },
    },
    opts,
  );
}

/** Kubernetes names allow lower-case alphanumerics and '-'. */
function configMapName(uid: string): string {
  return `grafana-dashboard-${uid.toLowerCase().replace(/[^a-z0-9-]/g, "-")}`;
}

/** One ConfigMap per dashboard, which Grafana's sidecar loads into the dashboard's folder. */
export function dashboardConfigMaps(
  name: string,
  config: StackConfig,
  dashboards: GrafanaDashboard[],
  opts: pulumi.CustomResourceOptions,
): k8s.core.v1.ConfigMap[] {
  return dashboards.map(
    (d) =>
      new k8s.core.v1.ConfigMap(
        `${name}-${d.uid}`,
        {
          metadata: {
            name: configMapName(d.uid),
            namespace: config.namespaces.monitoring,
            labels: { ...managedByLabels, [DASHBOARD_LABEL]: "1" },
            annotations: { [DASHBOARD_FOLDER_ANNOTATION]: d.folder },
          },
          data: { [`${d.uid}.json`]: JSON.stringify(d.model) },
        },
        opts,
      ),
  );
}
