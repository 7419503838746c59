import { StackConfig } from "../../configs/types";
import { monitoringMixin } from "./mixin";
import { alertmanagerSecretData, apiAlertNamesOf, CONFIG_FILE, fileSecretPlaceholder } from "./alertmanager-config";
import { TEMPLATE_FILE } from "./alertmanager-template";

/**
 * The synth files under alertmanager/ (committed per stack by `npm run generate`),
 * with secret placeholders: the config, and the template under templates/.
 */
export function alertmanagerArtifacts(config: StackConfig): Record<string, string> {
  const data = alertmanagerSecretData(
    config,
    fileSecretPlaceholder,
    apiAlertNamesOf(monitoringMixin(config).ruleGroups),
  );
  return {
    [`alertmanager/${CONFIG_FILE}`]: data[CONFIG_FILE],
    [`alertmanager/templates/${TEMPLATE_FILE}`]: data[TEMPLATE_FILE],
  };
}
