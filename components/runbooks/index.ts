/**
 * Runbook pages generated from the alert catalog and the backup module's
 * restore procedure: `runbooks/<AlertName>.md` for every alert of every
 * stack, `runbooks/restore.md`, and the index `runbooks/README.md`.
 */
import { StackConfig } from "../../configs/types";
import { restoreProcedure } from "../backup/restore-procedure";
import { allAlerts, grafanaDashboards } from "../catalog";
import { INDEX_PAGE } from "./handbook";
import { indexPage } from "./index-page";
import { alertPage } from "./page";
import { RESTORE_PAGE, restorePage, StackProcedure } from "./restore-page";
import { alertsAcrossStacks, StackCatalog } from "./stacks";

/** The pages for given catalogs and restore procedures, keyed by path relative to the repo root. */
export function renderRunbooks(
  catalogs: StackCatalog[],
  dashboards: ReadonlyMap<string, string>,
  procedures: StackProcedure[] = [],
): Record<string, string> {
  const alerts = alertsAcrossStacks(catalogs);
  const files: Record<string, string> = {};
  for (const entry of alerts) files[`runbooks/${entry.name}.md`] = alertPage(entry, dashboards);
  if (procedures.length > 0) files[`runbooks/${RESTORE_PAGE.file}`] = restorePage(procedures);
  files[`runbooks/${INDEX_PAGE}`] = indexPage(alerts, procedures.length > 0 ? [RESTORE_PAGE] : []);
  return files;
}

export function runbookFiles(configs: StackConfig[]): Record<string, string> {
  const dashboards = new Map(configs.flatMap((config) => grafanaDashboards(config)).map((d) => [d.uid, d.title]));
  return renderRunbooks(
    configs.map((config) => ({ config, alerts: allAlerts(config) })),
    dashboards,
    configs.map((config) => ({ config, procedure: restoreProcedure(config) })),
  );
}
