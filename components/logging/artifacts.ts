/** Files of the logging concern in a stack's synth output (paths relative to out/<stack>/). */
import { StackConfig } from "../../configs/types";

export function loggingArtifacts(config: StackConfig): Record<string, string> {
  void config;
  return {};
}
