import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../configs/types";
import { managedByLabels } from "../shared/namespace";
import { alertmanagerSecretData } from "./alertmanager-config";
import { ALERTMANAGER_CONFIG_SECRET } from "./names";

/**
 * The Alertmanager configuration Secret that `alertmanagerSpec.configSecret`
 * names. Built from the receivers' secret Outputs, so the whole content stays
 * a Pulumi secret: it is never a ConfigMap and never passes through Helm values.
 */
export function alertmanagerConfigSecret(
  name: string,
  config: StackConfig,
  secret: (key: string) => pulumi.Output<string>,
  apiAlertNames: readonly string[],
  opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Secret {
  const keys = [...new Set(config.monitoring.alertmanager.receivers.map((r) => r.secret))];
  const stringData = pulumi.all(keys.map((k) => secret(k))).apply((values) => {
    const byKey = new Map(keys.map((k, i) => [k, values[i]]));
    return alertmanagerSecretData(config, (k) => byKey.get(k)!, apiAlertNames);
  });
  return new k8s.core.v1.Secret(
    name,
    {
      metadata: { name: ALERTMANAGER_CONFIG_SECRET, namespace: config.namespaces.monitoring, labels: managedByLabels },
      type: "Opaque",
      stringData: pulumi.secret(stringData),
    },
    opts,
  );
}
