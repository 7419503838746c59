/**
 * The logging-pipeline part of a stack's synth output: Logstash pipelines,
 * ILM policies and index templates, Kibana objects and ElastAlert2 rules.
 * The same files feed the pipeline ConfigMap, the setup Job and the
 * ElastAlert2 release, so what synth shows is what is deployed.
 */
import { StackConfig } from "../../configs/types";
import { alertmanagerUrl } from "../shared/platform";
import { elastalertRules } from "./elastalert";
import { kibanaNdjson } from "./kibana-objects";
import { logstashPaths } from "./logstash";
import { logstashPipelineKey } from "./names";
import { deadLetterPipeline, deadLetterPipelineKey, logstashPipeline } from "./logstash-config";
import { retentionFiles } from "./retention";

/** Keys of the pipeline ConfigMap and their content. */
export function pipelineConfigFiles(config: StackConfig): Record<string, string> {
  return {
    [logstashPipelineKey]: logstashPipeline(config),
    [deadLetterPipelineKey]: deadLetterPipeline(config, logstashPaths.deadLetterQueue),
  };
}

export function pipelineArtifacts(config: StackConfig, amUrl = alertmanagerUrl(config)): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [key, content] of Object.entries(pipelineConfigFiles(config))) files[`logstash/pipeline/${key}`] = content;
  Object.assign(files, retentionFiles(config));
  files["kibana/saved-objects.ndjson"] = kibanaNdjson(config);
  for (const [name, rule] of Object.entries(elastalertRules(config, amUrl)))
    files[`elastalert/rules/${name}.yaml`] = rule;
  return files;
}
