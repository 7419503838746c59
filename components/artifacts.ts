/**
 * Every file the platform generates, as pure functions of the stack configs.
 * `stackArtifacts` goes to one stack's synth output; `repoArtifacts` is
 * committed and the tests fail when it is stale.
 */
import { StackConfig } from "../configs/types";
import { mixins } from "./catalog";
import { loggingArtifacts } from "./logging/artifacts";
import { alertmanagerArtifacts } from "./monitoring/alertmanager-artifacts";
import { runbookFiles } from "./runbooks";
import { GrafanaDashboard } from "./shared/dashboard";
import { Mixin } from "./shared/mixin";
import { ruleFiles } from "./shared/rule-files";
import { promtoolTestFile, promtoolTestPath } from "./shared/rule-tests/promtool";

export type Files = Record<string, string>;

export function dashboardJson(d: GrafanaDashboard): string {
  return JSON.stringify(d.model, null, 2) + "\n";
}

/** Files under out/<stack>/ besides manifests/, helm/ and resources.json. */
export function stackArtifacts(config: StackConfig): Files {
  // Every concern's mixin, built once for all the files generated from them.
  const all: Mixin[] = Object.values(mixins(config));
  const promtoolTests = all
    .flatMap((m) => m.ruleTests)
    .map((suite) => [promtoolTestPath(suite.group), promtoolTestFile(config, suite)]);
  const dashboards = all
    .flatMap((m) => m.dashboards)
    .map((d) => [`grafana/dashboards/${d.uid}.json`, dashboardJson(d)]);
  return {
    ...ruleFiles(
      config,
      all.flatMap((m) => m.ruleGroups),
    ),
    ...Object.fromEntries(promtoolTests),
    ...alertmanagerArtifacts(config),
    ...loggingArtifacts(config),
    ...Object.fromEntries(dashboards),
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
