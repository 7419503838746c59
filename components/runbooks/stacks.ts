/**
 * One alert seen across every stack. Alerts are defined per stack (thresholds
 * and names come from each stack's config), so a page shows what all stacks
 * share once and spells out where they differ.
 */
import { StackConfig } from "../../configs/types";
import { AlertDefinition } from "../shared/alert";

/** What one stack's catalog says about an alert. */
export interface StackAlert {
  config: StackConfig;
  component: string;
  alert: AlertDefinition;
}

/** An alert by name, with its definition in each stack that has it (in stack order). */
export interface AlertAcrossStacks {
  name: string;
  instances: StackAlert[];
  /** Environments that define it. */
  stacks: string[];
  /** Environments that do not. */
  missingIn: string[];
}

/** One stack's alerts as the catalog lists them. */
export interface StackCatalog {
  config: StackConfig;
  alerts: { component: string; alert: AlertDefinition }[];
}

/** Alerts of all stacks by name, sorted by name. */
export function alertsAcrossStacks(catalogs: StackCatalog[]): AlertAcrossStacks[] {
  const environments = catalogs.map((c) => c.config.environment);
  const byName = new Map<string, StackAlert[]>();
  for (const { config, alerts } of catalogs) {
    for (const { component, alert } of alerts) {
      const instances = byName.get(alert.name) ?? [];
      if (instances.some((i) => i.config.environment === config.environment)) {
        throw new Error(`Alert ${alert.name} is defined twice in stack ${config.environment}`);
      }
      instances.push({ config, component, alert });
      byName.set(alert.name, instances);
    }
  }
  return [...byName.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, instances]) => {
      const stacks = instances.map((i) => i.config.environment);
      return { name, instances, stacks, missingIn: environments.filter((e) => !stacks.includes(e)) };
    });
}

/** Values that several stacks share, with the stacks that share each. */
export interface SharedValue<T> {
  stacks: string[];
  value: T;
}

/**
 * Groups one value per stack by equality (compared as JSON), keeping the
 * order in which each distinct value first appears.
 */
export function shareAcrossStacks<T>(instances: StackAlert[], pick: (i: StackAlert) => T): SharedValue<T>[] {
  const groups = new Map<string, SharedValue<T>>();
  for (const instance of instances) {
    const value = pick(instance);
    const key = JSON.stringify(value);
    const group = groups.get(key);
    if (group) group.stacks.push(instance.config.environment);
    else groups.set(key, { stacks: [instance.config.environment], value });
  }
  return [...groups.values()];
}
