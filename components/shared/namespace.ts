import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PodSecurityLevel, podSecurityLabels } from "./pod-security";

export const managedByLabels = { "app.kubernetes.io/part-of": "cryoprotect-observability" };

/**
 * A namespace of the platform, with its Pod Security Admission labels: `podSecurity` is the
 * level it enforces ("restricted" unless it holds a declared exception), warn and audit are
 * always "restricted".
 */
export function namespace(
  name: string,
  namespaceName: string,
  environment: string,
  podSecurity: PodSecurityLevel,
  opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Namespace {
  return new k8s.core.v1.Namespace(
    name,
    {
      metadata: {
        name: namespaceName,
        labels: {
          ...managedByLabels,
          "cryoprotect.dev/environment": environment,
          ...podSecurityLabels(podSecurity),
        },
      },
    },
    opts,
  );
}
