/**
 * Wiring of the logging pipeline into LoggingStack: the ConfigMap with the
 * Logstash pipelines (mounted by the Logstash resource), the setup Job with
 * its ConfigMap (ILM, index templates, Kibana objects), and the ElastAlert2
 * release whose rules post to the monitoring stack's Alertmanager.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../configs/types";
import { managedByLabels } from "../shared/namespace";
import { elastalertRules, elastalertValues } from "./elastalert";
import { helmRelease } from "../shared/helm";
import { charts } from "../shared/platform";
import { logstashPipelineConfigMap } from "./names";
import { pipelineConfigFiles } from "./pipeline-synth-files";
import { setupConfigMap, setupFiles, setupJob } from "./setup-job";

export interface PipelineArgs {
  config: StackConfig;
  /** Where ElastAlert2 posts alerts (MonitoringStack.alertmanagerUrl). */
  alertmanagerUrl: pulumi.Input<string>;
  /** The logging namespace and the ECK resources the Job and ElastAlert2 talk to. */
  dependsOn: pulumi.Resource[];
}

export interface PipelineResources {
  pipelineConfigMap: k8s.core.v1.ConfigMap;
  setupJob: k8s.batch.v1.Job;
  elastalert: k8s.helm.v3.Release;
}

export function deployPipeline(name: string, args: PipelineArgs, parent: pulumi.Resource): PipelineResources {
  const { config } = args;
  const ns = config.namespaces.logging;
  const opts = { parent, dependsOn: args.dependsOn };

  const pipelineConfigMap = new k8s.core.v1.ConfigMap(
    `${name}-logstash-pipeline`,
    {
      metadata: { name: logstashPipelineConfigMap, namespace: ns, labels: managedByLabels },
      data: pipelineConfigFiles(config),
    },
    opts,
  );

  const files = setupFiles(config);
  const setupData = new k8s.core.v1.ConfigMap(`${name}-setup`, setupConfigMap(config, files), opts);
  const job = new k8s.batch.v1.Job(`${name}-setup-job`, setupJob(config, files), {
    parent,
    dependsOn: [...args.dependsOn, setupData],
    // The name carries the content hash: new content, new Job.
    deleteBeforeReplace: true,
  });

  const values = pulumi
    .output(args.alertmanagerUrl)
    .apply((url) => elastalertValues(config, elastalertRules(config, url)));
  const elastalert = helmRelease(`${name}-elastalert2`, charts.elastalert, ns, values, opts);

  return { pipelineConfigMap, setupJob: job, elastalert };
}
