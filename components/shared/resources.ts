/** Container resources from a config slice, the same way for every workload that uses them. */
import { ResourcesConfig } from "../../configs/types";

/** Requests equal to limits (Guaranteed QoS): the JVMs size their heap from the memory they are given. */
export function guaranteedResources(r: ResourcesConfig) {
  const exact = { cpu: r.cpu, memory: r.memory };
  return { requests: exact, limits: exact };
}
