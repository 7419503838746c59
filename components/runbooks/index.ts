/**
 * Runbook pages generated from the alert catalog: `runbooks/<AlertName>.md`
 * for every alert of every stack, and the index `runbooks/README.md`.
 */
import { StackConfig } from "../../configs/types";
import { allAlerts, grafanaDashboards } from "../catalog";
import { INDEX_PAGE } from "./handbook";
import { indexPage } from "./index-page";
import { alertPage } from "./page";
import { alertsAcrossStacks, StackCatalog } from "./stacks";

/** The pages for given catalogs, keyed by path relative to the repo root. */
export function renderRunbooks(
  catalogs: StackCatalog[],
  dashboards: ReadonlyMap<string, string>,
): Record<string, string> {
  const alerts = alertsAcrossStacks(catalogs);
  const files: Record<string, string> = {};
  for (const entry of alerts) files[`runbooks/${entry.name}.md`] = alertPage(entry, dashboards);
  files[`runbooks/${INDEX_PAGE}`] = indexPage(alerts);
  return files;
}

export function runbookFiles(configs: StackConfig[]): Record<string, string> {
  const dashboards = new Map(grafanaDashboards().map((d) => [d.uid, d.title]));
  return renderRunbooks(
    configs.map((config) => ({ config, alerts: allAlerts(config) })),
    dashboards,
  );
}
