/** Values of the eck-operator chart, a pure function of the stack config. */
import { StackConfig } from "../../configs/types";
import { RESTRICTED_CONTAINER_SECURITY_CONTEXT } from "../shared/pod-security";
import { k8sResources } from "../shared/resources";

/** Values holding a Kubernetes object: their own keys are the Kubernetes API's, not the chart's. */
export const ECK_OPERATOR_FREE_FORM = ["resources", "podSecurityContext", "securityContext"];

/** Chart values; every key exists in the chart's values.yaml. */
export function eckOperatorValues(config: StackConfig): Record<string, unknown> {
  return {
    installCRDs: false,
    // The operator only watches the logging namespace: it needs no access to other namespaces' secrets.
    managedNamespaces: [config.namespaces.logging],
    resources: k8sResources(config.logging.operator.resources),
    // The operator image's own non-root user; the chart sets no seccomp profile.
    podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
    securityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
  };
}
