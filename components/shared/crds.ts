import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/**
 * CRDs are installed as Pulumi resources of their own (not by the Helm
 * charts, which get skipCrds / installCRDs: false) so that the Kubernetes
 * provider knows them during `pulumi preview` on an empty cluster: every
 * custom resource takes `dependsOn` on the bundle that defines its kind.
 */
export const crdBundles = {
  prometheusOperator: {
    version: "0.93.1",
    url: "https://github.com/prometheus-operator/prometheus-operator/releases/download/v0.93.1/stripped-down-crds.yaml",
  },
  eck: {
    version: "3.5.0",
    url: "https://download.elastic.co/downloads/eck/3.5.0/crds.yaml",
  },
  certManager: {
    version: "1.19.1",
    url: "https://github.com/cert-manager/cert-manager/releases/download/v1.19.1/cert-manager.crds.yaml",
  },
} as const;

export function installCrds(
  name: string,
  bundle: keyof typeof crdBundles,
  opts: pulumi.ComponentResourceOptions,
): k8s.yaml.v2.ConfigFile {
  return new k8s.yaml.v2.ConfigFile(name, { file: crdBundles[bundle].url }, opts);
}
