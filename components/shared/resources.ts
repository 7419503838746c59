/** Container resources from a config slice, the same way for every workload that uses them. */
import { ResourcesConfig } from "../../configs/types";

export interface K8sResources {
  requests: { cpu: string; memory: string };
  limits: { memory: string; cpu?: string };
}

/** Requests equal to limits (Guaranteed QoS): the JVMs size their heap from the memory they are given. */
export function guaranteedResources(r: ResourcesConfig): K8sResources {
  const exact = { cpu: r.cpu, memory: r.memory };
  return { requests: exact, limits: exact };
}

/**
 * Requests for CPU and memory, and a memory limit equal to the request. No CPU limit:
 * throttling a query engine or an exporter scrape hurts more than sharing spare CPU.
 */
export function k8sResources(r: ResourcesConfig): K8sResources {
  return { requests: { cpu: r.cpu, memory: r.memory }, limits: { memory: r.memory } };
}

/**
 * What a container's resources lack: requests for CPU and memory and a memory limit, the fields
 * the scheduler and the OOM killer act on (the same set as Kyverno's require-requests-limits).
 */
export function missingResources(resources: unknown): string[] {
  const r = (resources ?? {}) as { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  const missing: string[] = [];
  if (r.requests?.cpu === undefined) missing.push("requests.cpu");
  if (r.requests?.memory === undefined) missing.push("requests.memory");
  if (r.limits?.memory === undefined) missing.push("limits.memory");
  return missing;
}
