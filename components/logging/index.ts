import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../configs/types";
import { installCrds } from "../shared/crds";
import { namespace } from "../shared/namespace";
import { enforcedLevel } from "../shared/pod-security";
import { loggingPodSecurityExceptions } from "./pod-security";
import { mixinResources } from "../shared/mixin-resources";
import { deployEck, EckResources } from "./eck";
import { deployMonitoringUser, MonitoringUserResources } from "./monitoring-user";
import { kibanaBaseUrl } from "./kibana-objects";
import { loggingMixin } from "./mixin";
import { installEckOperator } from "./operator";
import { deployPipeline, PipelineResources } from "./pipeline-deployment";

export interface LoggingStackArgs {
  /** The stack's checked configuration. */
  readonly config: StackConfig;
  /** Reads a secret config key as a secret Output. */
  readonly secret: (key: string) => pulumi.Output<string>;
  /** In-cluster Alertmanager API: ElastAlert2 posts the log alerts there. */
  readonly alertmanagerUrl: pulumi.Input<string>;
  /** The prometheus-operator CRDs: the logging concern's PrometheusRules depend on them. */
  readonly prometheusOperatorCrds: pulumi.Resource;
  /** The monitoring namespace, where the read-only Elasticsearch user's login goes. */
  readonly monitoringNamespace: k8s.core.v1.Namespace;
}

/** ECK-managed Elasticsearch, Logstash, Kibana and Filebeat, with retention and log alerts. */
export class LoggingStack extends pulumi.ComponentResource {
  readonly namespace: k8s.core.v1.Namespace;
  /** Custom resources of *.k8s.elastic.co kinds must depend on this. */
  readonly crds?: k8s.yaml.v2.ConfigFile;
  readonly operator?: k8s.helm.v3.Release;
  readonly eck: EckResources;
  /** The monitoring stack's read-only Elasticsearch user; its login is in the monitoring namespace. */
  readonly monitoringUser: MonitoringUserResources;
  readonly pipeline: PipelineResources;
  readonly kibanaUrl: pulumi.Output<string>;

  constructor(name: string, args: LoggingStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("cryoprotect:logging:LoggingStack", name, {}, opts);
    const { config } = args;
    const child = { parent: this };
    const ns = config.namespaces.logging;
    // Filebeat (and Elasticsearch's mmap init container when allowMmap) are declared exceptions.
    const podSecurity = enforcedLevel(ns, loggingPodSecurityExceptions(config));
    this.namespace = namespace(`${name}-ns`, ns, config.environment, podSecurity, child);
    if (config.logging.installOperator) {
      this.crds = installCrds(`${name}-crds`, "eck", child);
      this.operator = installEckOperator(`${name}-eck-operator`, config, [this.crds, this.namespace], child);
    }
    const eckDependencies = [this.namespace, this.crds, this.operator].filter((r) => r !== undefined);
    this.monitoringUser = deployMonitoringUser(
      name,
      { config, loggingNamespace: this.namespace, monitoringNamespace: args.monitoringNamespace },
      this,
    );
    const { fileRealmSecret, rolesSecret } = this.monitoringUser;
    this.eck = deployEck(
      name,
      { config, dependsOn: eckDependencies, elasticsearchDependsOn: [fileRealmSecret, rolesSecret] },
      this,
    );
    this.pipeline = deployPipeline(
      name,
      {
        config,
        alertmanagerUrl: args.alertmanagerUrl,
        dependsOn: [this.namespace, this.eck.elasticsearch, this.eck.kibana],
      },
      this,
    );
    mixinResources(
      name,
      config,
      loggingMixin(config),
      { namespace: this.namespace, prometheusOperatorCrds: args.prometheusOperatorCrds },
      this,
    );
    this.kibanaUrl = pulumi.output(kibanaBaseUrl(config));
    this.registerOutputs({ kibanaUrl: this.kibanaUrl });
  }
}
