import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export const managedByLabels = { "app.kubernetes.io/part-of": "cryoprotect-observability" };

export function namespace(
  name: string,
  namespaceName: string,
  environment: string,
  opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Namespace {
  return new k8s.core.v1.Namespace(
    name,
    {
      metadata: {
        name: namespaceName,
        labels: { ...managedByLabels, "cryoprotect.dev/environment": environment },
      },
    },
    opts,
  );
}
