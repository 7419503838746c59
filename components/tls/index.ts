/**
 * TLS for the stack's ingresses: cert-manager, when the stack installs it (config certManager),
 * with its CRD bundle, and the certificate expiry mixin whenever an ingress names an issuer.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../configs/types";
import { installCrds } from "../shared/crds";
import { helmRelease } from "../shared/helm";
import { mixinResources } from "../shared/mixin-resources";
import { namespace } from "../shared/namespace";
import { charts } from "../shared/platform";
import { certManagerValues } from "./cert-manager-values";
import { tlsMixin } from "./mixin";

export interface TlsArgs {
  /** Only `certManager` and the certificate thresholds are read. */
  readonly config: StackConfig;
  /** The monitoring namespace: the certificate rules and dashboard live beside the other platform rules. */
  readonly monitoringNamespace: k8s.core.v1.Namespace;
  /** The prometheus-operator CRD bundle (the chart's ServiceMonitor, the PrometheusRule). */
  readonly prometheusOperatorCrds: pulumi.Resource;
}

export class Tls extends pulumi.ComponentResource {
  readonly crds?: k8s.yaml.v2.ConfigFile;
  readonly certManager?: k8s.helm.v3.Release;

  constructor(name: string, args: TlsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("cryoprotect:tls:Tls", name, {}, opts);
    const { config } = args;
    const child = { parent: this };
    if (config.certManager) {
      const ns = namespace(`${name}-ns`, config.certManager.namespace, config.environment, "restricted", child);
      this.crds = installCrds(`${name}-crds`, "certManager", child);
      this.certManager = helmRelease(
        `${name}-cert-manager`,
        charts.certManager,
        config.certManager.namespace,
        certManagerValues(config),
        { ...child, dependsOn: [ns, this.crds, args.prometheusOperatorCrds] },
      );
    }
    mixinResources(
      name,
      config,
      tlsMixin(config),
      { namespace: args.monitoringNamespace, prometheusOperatorCrds: args.prometheusOperatorCrds },
      this,
    );
    this.registerOutputs({});
  }
}
