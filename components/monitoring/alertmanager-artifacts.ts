import { StackConfig } from "../../configs/types";
import { ruleGroups } from "../catalog";
import { alertmanagerSecretData, apiAlertNamesOf, placeholderSecret } from "./alertmanager-config";

/** The synth files under alertmanager/ (committed per stack by `npm run generate`), with secret placeholders. */
export function alertmanagerArtifacts(config: StackConfig): Record<string, string> {
  const data = alertmanagerSecretData(config, placeholderSecret, apiAlertNamesOf(ruleGroups(config)));
  return Object.fromEntries(Object.entries(data).map(([file, content]) => [`alertmanager/${file}`, content]));
}
