/**
 * Every file the platform generates, as pure functions of the stack configs.
 * `stackArtifacts` goes to one stack's synth output; `repoArtifacts` is
 * committed and the tests fail when it is stale.
 */
import { StackConfig } from "../configs/types";
import { backupArtifacts } from "./backup/artifacts";
import { grafanaDashboards } from "./catalog";
import { loggingArtifacts } from "./logging/artifacts";
import { monitoringArtifacts } from "./monitoring/artifacts";
import { runbookFiles } from "./runbooks";
import { GrafanaDashboard } from "./shared/dashboard";

export type Files = Record<string, string>;

export function dashboardJson(d: GrafanaDashboard): string {
  return JSON.stringify(d.model, null, 2) + "\n";
}

/** Files under out/<stack>/ besides manifests/, helm/ and resources.json. */
export function stackArtifacts(config: StackConfig): Files {
  const dashboards = Object.fromEntries(
    grafanaDashboards().map((d) => [`grafana/dashboards/${d.uid}.json`, dashboardJson(d)]),
  );
  return { ...monitoringArtifacts(config), ...loggingArtifacts(config), ...backupArtifacts(config), ...dashboards };
}

/** Subtrees of a stack's synth output that are also committed, for review and for promtool/amtool tests. */
const COMMITTED_STACK_DIRS = ["prometheus/", "alertmanager/"];

/** Committed generated files, relative to the repo root; `npm run generate` writes them. */
export function repoArtifacts(configs: StackConfig[]): Files {
  const files: Files = {};
  for (const d of grafanaDashboards()) files[`dashboards/${d.uid}.json`] = dashboardJson(d);
  Object.assign(files, runbookFiles(configs));
  for (const config of configs) {
    for (const [rel, content] of Object.entries(stackArtifacts(config))) {
      if (COMMITTED_STACK_DIRS.some((d) => rel.startsWith(d)))
        files[`configs/generated/${config.environment}/${rel}`] = content;
    }
  }
  return files;
}
