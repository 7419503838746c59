/** Files of the logging concern in a stack's synth output (paths relative to out/<stack>/). */
import { StackConfig } from "../../configs/types";
import { filebeatFiles } from "./filebeat";
import { pipelineArtifacts } from "./pipeline-synth-files";

export function loggingArtifacts(config: StackConfig): Record<string, string> {
  return { ...filebeatFiles(config), ...pipelineArtifacts(config) };
}
