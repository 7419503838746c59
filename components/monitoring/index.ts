import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../configs/types";
import { installCrds } from "../shared/crds";
import { namespace } from "../shared/namespace";
import { enforcedLevel } from "../shared/pod-security";
import { monitoringPodSecurityExceptions } from "./pod-security";
import { monitoringEngine } from "./engine";
import { mixinResources } from "../shared/mixin-resources";
import { monitoringMixin } from "./mixin";

export interface MonitoringStackArgs {
  /** The stack's checked configuration. */
  readonly config: StackConfig;
  /** Reads a secret config key as a secret Output. */
  readonly secret: (key: string) => pulumi.Output<string>;
}

/**
 * Prometheus, Alertmanager, Grafana and exporters (kube-prometheus-stack),
 * with the monitoring concern's rules, routes and dashboards. Prometheus and Grafana load
 * every concern's rules and dashboards, each deployed by its own component.
 */
export class MonitoringStack extends pulumi.ComponentResource {
  readonly namespace: k8s.core.v1.Namespace;
  /** The prometheus-operator CRDs: custom resources of monitoring.coreos.com kinds (every concern's) depend on this. */
  readonly crds: k8s.yaml.v2.ConfigFile;
  readonly nodeExporterNamespace: k8s.core.v1.Namespace;
  readonly grafanaUrl: pulumi.Output<string>;
  /** In-cluster Alertmanager API (ElastAlert posts log alerts here). */
  readonly alertmanagerUrl: pulumi.Output<string>;
  /** In-cluster Pushgateway (backup jobs push their metrics here). */
  readonly pushgatewayUrl: pulumi.Output<string>;

  constructor(name: string, args: MonitoringStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("cryoprotect:monitoring:MonitoringStack", name, {}, opts);
    const { config } = args;
    const child = { parent: this };
    this.namespace = namespace(`${name}-ns`, config.namespaces.monitoring, config.environment, "restricted", child);
    // node-exporter alone: the one monitoring pod that needs the host (a declared Pod Security exception).
    const nodeExporterNamespace = config.namespaces.nodeExporter;
    this.nodeExporterNamespace = namespace(
      `${name}-node-exporter-ns`,
      nodeExporterNamespace,
      config.environment,
      enforcedLevel(nodeExporterNamespace, monitoringPodSecurityExceptions(config)),
      child,
    );
    this.crds = installCrds(`${name}-crds`, "prometheusOperator", child);
    this.grafanaUrl = pulumi.output(config.monitoring.grafana.url);
    mixinResources(
      name,
      config,
      monitoringMixin(config),
      { namespace: this.namespace, prometheusOperatorCrds: this.crds },
      this,
    );
    const engine = monitoringEngine(
      name,
      {
        config,
        secret: args.secret,
        namespace: this.namespace,
        nodeExporterNamespace: this.nodeExporterNamespace,
        crds: this.crds,
      },
      child,
    );
    this.alertmanagerUrl = engine.alertmanagerUrl;
    this.pushgatewayUrl = engine.pushgatewayUrl;
    this.registerOutputs({
      grafanaUrl: this.grafanaUrl,
      alertmanagerUrl: this.alertmanagerUrl,
      pushgatewayUrl: this.pushgatewayUrl,
    });
  }
}
