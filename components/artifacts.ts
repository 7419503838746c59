/**
 * Every file the platform generates, as pure functions of the stack configs.
 * `stackArtifacts` goes to one stack's synth output; `repoArtifacts` is
 * committed and the tests fail when it is stale.
 */
import { StackConfig } from "../configs/types";
import { grafanaDashboards, mixins, ruleGroups } from "./catalog";
import { loggingArtifacts } from "./logging/artifacts";
import { monitoringArtifacts } from "./monitoring/artifacts";
import { runbookFiles } from "./runbooks";
import { GrafanaDashboard } from "./shared/dashboard";
import { ruleFiles } from "./shared/rule-files";
import { promtoolTestFile, promtoolTestPath } from "./shared/rule-tests/promtool";

export type Files = Record<string, string>;

export function dashboardJson(d: GrafanaDashboard): string {
  return JSON.stringify(d.model, null, 2) + "\n";
}

/** Every concern's promtool cases, next to the rule files they test. */
function promtoolTestFiles(config: StackConfig): Files {
  return Object.fromEntries(
    Object.values(mixins(config))
      .flatMap((m) => m.ruleTests)
      .map((suite) => [promtoolTestPath(suite.group), promtoolTestFile(config, suite)]),
  );
}

/** Files under out/<stack>/ besides manifests/, helm/ and resources.json. */
export function stackArtifacts(config: StackConfig): Files {
  const dashboards = Object.fromEntries(
    grafanaDashboards(config).map((d) => [`grafana/dashboards/${d.uid}.json`, dashboardJson(d)]),
  );
  return {
    ...ruleFiles(config, ruleGroups(config)),
    ...promtoolTestFiles(config),
    ...monitoringArtifacts(config),
    ...loggingArtifacts(config),
    ...dashboards,
  };
}

/** Subtrees of a stack's synth output that are also committed, for review and for promtool/amtool tests. */
const COMMITTED_STACK_DIRS = ["prometheus/", "alertmanager/", "grafana/"];

/** Committed generated files, relative to the repo root; `npm run generate` writes them. */
export function repoArtifacts(configs: StackConfig[]): Files {
  const files: Files = {};
  Object.assign(files, runbookFiles(configs));
  for (const config of configs) {
    for (const [rel, content] of Object.entries(stackArtifacts(config))) {
      if (COMMITTED_STACK_DIRS.some((d) => rel.startsWith(d)))
        files[`configs/generated/${config.environment}/${rel}`] = content;
    }
  }
  return files;
}
