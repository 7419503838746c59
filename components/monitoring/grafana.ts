import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { StackConfig } from "../../configs/types";
import { managedByLabels } from "../shared/namespace";
import { GRAFANA_ADMIN_KEYS } from "./chart-values";
import { GRAFANA_ADMIN_SECRET } from "./names";

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
