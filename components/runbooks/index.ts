/** Runbook pages generated from the alert catalog (filled in by the runbooks issue). */
import { StackConfig } from "../../configs/types";

export function runbookFiles(configs: StackConfig[]): Record<string, string> {
  void configs;
  return {};
}
