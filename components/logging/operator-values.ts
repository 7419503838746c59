/** Values of the eck-operator chart, a pure function of the stack config. */
import { StackConfig } from "../../configs/types";

/** Chart values; every key exists in the chart's values.yaml. */
export function eckOperatorValues(config: StackConfig): Record<string, unknown> {
  return {
    installCRDs: false,
    // The operator only watches the logging namespace: it needs no access to other namespaces' secrets.
    managedNamespaces: [config.namespaces.logging],
  };
}
