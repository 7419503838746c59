/**
 * One alert seen across every stack. Alerts are defined per stack (thresholds
 * and names come from each stack's config), and one alert name may have
 * several definitions in a stack that differ by severity (a warning and a
 * critical threshold, a ticket and a page). A page shows what all of them
 * share once and spells out where they differ.
 */
import { Severity, StackConfig } from "../../configs/types";
import { AlertDefinition } from "../shared/alert";

export const SEVERITY_ORDER: readonly Severity[] = ["critical", "warning", "info"];

/** What one stack's catalog says about one definition of an alert. */
export interface StackAlert {
  config: StackConfig;
  component: string;
  alert: AlertDefinition;
}

/** An alert by name, with its definitions in every stack that has it (in stack order). */
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
      const twin = instances.find(
        (i) => i.config.environment === config.environment && i.alert.severity === alert.severity,
      );
      if (twin) {
        throw new Error(`Alert ${alert.name} is defined twice with severity ${alert.severity} in stack ${config.environment}`);
      }
      instances.push({ config, component, alert });
      byName.set(alert.name, instances);
    }
  }
  return [...byName.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, unordered]) => {
      // Within a stack, critical first: pages read from the most urgent definition down.
      const instances = unordered.sort(
        (a, b) =>
          environments.indexOf(a.config.environment) - environments.indexOf(b.config.environment) ||
          SEVERITY_ORDER.indexOf(a.alert.severity) - SEVERITY_ORDER.indexOf(b.alert.severity),
      );
      const stacks = [...new Set(instances.map((i) => i.config.environment))];
      return {
        name,
        instances,
        stacks,
        missingIn: environments.filter((e) => !stacks.includes(e)),
      };
    });
}

/** A value that several definitions share, and where they are. */
export interface SharedValue<T> {
  /** For a table cell, e.g. "dev, prod" or "`warning` in dev, prod". */
  where: string;
  /** For a block's heading, e.g. "In dev, prod" or "`warning` in dev, prod". */
  label: string;
  value: T;
}

/**
 * Where a group of definitions applies: by stack when it holds every
 * definition of its stacks, by severity and stack when it holds only some.
 */
function where(group: StackAlert[], entry: AlertAcrossStacks): { where: string; label: string } {
  const stacksOf = (list: StackAlert[]) => [...new Set(list.map((i) => i.config.environment))].join(", ");
  const whole = entry.instances.every(
    (i) => group.includes(i) || !group.some((g) => g.config.environment === i.config.environment),
  );
  if (whole) return { where: stacksOf(group), label: `In ${stacksOf(group)}` };
  const text = SEVERITY_ORDER.map((s) => group.filter((i) => i.alert.severity === s))
    .filter((list) => list.length > 0)
    .map((list) => `\`${list[0].alert.severity}\` in ${stacksOf(list)}`)
    .join("; ");
  return { where: text, label: text };
}

/**
 * Groups one value per definition by equality (compared as JSON), in the
 * order in which each distinct value first appears.
 */
export function shareAcrossStacks<T>(entry: AlertAcrossStacks, pick: (i: StackAlert) => T): SharedValue<T>[] {
  const groups = new Map<string, { instances: StackAlert[]; value: T }>();
  for (const instance of entry.instances) {
    const value = pick(instance);
    const key = JSON.stringify(value);
    const group = groups.get(key);
    if (group) group.instances.push(instance);
    else groups.set(key, { instances: [instance], value });
  }
  return [...groups.values()].map((g) => ({ ...where(g.instances, entry), value: g.value }));
}
