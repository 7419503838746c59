import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../configs/types";
import { installCrds } from "../shared/crds";
import { namespace } from "../shared/namespace";

export interface MonitoringStackArgs {
  config: StackConfig;
  /** Reads a secret config key as a secret Output. */
  secret: (key: string) => pulumi.Output<string>;
}

/**
 * Prometheus, Alertmanager, Grafana and exporters (kube-prometheus-stack),
 * with CryoProtect's rules, routes and dashboards.
 */
export class MonitoringStack extends pulumi.ComponentResource {
  readonly namespace: k8s.core.v1.Namespace;
  /** Custom resources of monitoring.coreos.com kinds must depend on this. */
  readonly crds: k8s.yaml.v2.ConfigFile;
  readonly grafanaUrl: pulumi.Output<string>;

  constructor(name: string, args: MonitoringStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("cryoprotect:monitoring:MonitoringStack", name, {}, opts);
    const { config } = args;
    const child = { parent: this };
    this.namespace = namespace(`${name}-ns`, config.namespaces.monitoring, config.environment, child);
    this.crds = installCrds(`${name}-crds`, "prometheusOperator", child);
    this.grafanaUrl = pulumi.output(config.monitoring.grafana.url);
    this.registerOutputs({ grafanaUrl: this.grafanaUrl });
  }
}
