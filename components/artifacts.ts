/**
 * Every file the platform generates, as pure functions of the stack configs.
 * `stackArtifacts` goes to one stack's synth output; `repoArtifacts` is
 * committed and the tests fail when it is stale.
 */
import { StackConfig } from "../configs/types";
import { grafanaDashboards, ruleGroups } from "./catalog";
import { loggingArtifacts } from "./logging/artifacts";
import { monitoringArtifacts } from "./monitoring/artifacts";
import { runbookFiles } from "./runbooks";
import { GrafanaDashboard } from "./shared/dashboard";
import { ruleFiles } from "./shared/rule-files";

export type Files = Record<string, string>;

export function dashboardJson(d: GrafanaDashboard): string {
  return JSON.stringify(d.model, null, 2) + "\n";
}

/** Files under out/<stack>/ besides manifests/, helm/ and resources.json. */
export function stackArtifacts(config: StackConfig): Files {
  const dashboards = Object.fromEntries(
    grafanaDashboards(config).map((d) => [`grafana/dashboards/${d.uid}.json`, dashboardJson(d)]),
  );
  return {
    ...ruleFiles(config, ruleGroups(config)),
    ...monitoringArtifacts(config),
    ...loggingArtifacts(config),
    ...dashboards,
  };
}

/** Subtrees of a stack's synth output that are also committed, for review and for promtool/amtool tests. */
const COMMITTED_STACK_DIRS = ["prometheus/", "alertmanager/"];

/** Committed generated files, relative to the repo root; `npm run generate` writes them. */
export function repoArtifacts(configs: StackConfig[]): Files {
  const files: Files = {};
  // Dashboards are the same in every stack (their queries select by label, not by stack).
  const [first, ...others] = configs.map((config) => grafanaDashboards(config).map(dashboardJson));
  if (others.some((o) => JSON.stringify(o) !== JSON.stringify(first)))
    throw new Error("dashboards differ between stacks: commit them per stack");
  for (const d of grafanaDashboards(configs[0])) files[`dashboards/${d.uid}.json`] = dashboardJson(d);
  Object.assign(files, runbookFiles(configs));
  for (const config of configs) {
    for (const [rel, content] of Object.entries(stackArtifacts(config))) {
      if (COMMITTED_STACK_DIRS.some((d) => rel.startsWith(d)))
        files[`configs/generated/${config.environment}/${rel}`] = content;
    }
  }
  return files;
}
