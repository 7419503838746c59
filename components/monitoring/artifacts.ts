/** Files of the monitoring concern in a stack's synth output (paths relative to out/<stack>/). */
import { StackConfig } from "../../configs/types";
import { alertmanagerArtifacts } from "./alertmanager-artifacts";

export function monitoringArtifacts(config: StackConfig): Record<string, string> {
  return alertmanagerArtifacts(config);
}
