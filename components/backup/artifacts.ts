/** Files of the backup concern in a stack's synth output (paths relative to out/<stack>/). */
import { StackConfig } from "../../configs/types";

export function backupArtifacts(config: StackConfig): Record<string, string> {
  void config;
  return {};
}
