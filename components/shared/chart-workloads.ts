/**
 * The pods a Helm chart renders from our values, described by the value paths that set
 * their security contexts and resources, so that the restricted and resources checks
 * (tests and policy pack) run on chart workloads as on our own objects without rendering
 * the chart. What a chart or operator fixes in its templates is stated here, once.
 */
import { ContainerLike, PodSpecLike, SecurityContextLike } from "./pod-security";

export interface ChartContainer {
  name: string;
  /** Value path of the container's securityContext... */
  securityContext?: string;
  /** ...or the context an operator gives the container it adds, and who. */
  securityContextBy?: { by: string; securityContext: SecurityContextLike };
  /** Value path of the container's resources. */
  resources: string;
  /** Ports the chart's template fixes (host ports with host networking). */
  ports?: { hostPort: number }[];
}

export interface ChartWorkload {
  /** `<kind>/<name>` as the chart renders it. */
  workload: string;
  /** Value path of the pod-level securityContext. */
  podSecurityContext: string;
  containers: ChartContainer[];
  /** Pod fields the chart's templates set whatever the values (host namespaces, host volumes). */
  fixed?: Pick<PodSpecLike, "hostNetwork" | "hostPID" | "volumes">;
}

export function valueAt(values: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], values);
}

/** The pod spec the chart renders for one workload, as far as the restricted rules see it. */
export function chartPodSpec(
  values: unknown,
  w: ChartWorkload,
): PodSpecLike & { containers: (ContainerLike & { resources: unknown })[] } {
  return {
    ...w.fixed,
    securityContext: valueAt(values, w.podSecurityContext) as PodSpecLike["securityContext"],
    containers: w.containers.map((c) => ({
      name: c.name,
      securityContext: c.securityContext
        ? (valueAt(values, c.securityContext) as ContainerLike["securityContext"])
        : c.securityContextBy?.securityContext,
      resources: valueAt(values, c.resources),
      ports: c.ports,
    })),
  };
}
