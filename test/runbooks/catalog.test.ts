/**
 * Every alert of every stack leads to a runbook page that exists and is
 * complete, no page outlives its alert, and the committed pages are what the
 * generator writes today.
 */
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { stackArtifacts } from "../../components/artifacts";
import { allAlerts, grafanaDashboards } from "../../components/catalog";
import { runbookFiles } from "../../components/runbooks";
import { HANDBOOK_PAGES, INDEX_PAGE } from "../../components/runbooks/handbook";
import { RUNBOOK_SECTIONS } from "../../components/runbooks/page";
import { AlertDefinition, dashboardUrl, runbookUrl } from "../../components/shared/alert";
import { StackConfig } from "../../configs/types";
import { PROJECT_ROOT } from "../../scripts/lib/mock-runtime";
import { allStackConfigs } from "../../scripts/lib/stack-config";
import { k8sObjects, stackRun } from "../harness/stack";
import { codeBlocks, headings, section } from "./markdown";

const RUNBOOK_DIR = path.join(PROJECT_ROOT, "runbooks");
/** Chapters that are not an alert's page. */
const NOT_ALERT_PAGES = new Set([INDEX_PAGE, "restore.md", ...HANDBOOK_PAGES.map((p) => p.file)]);

const configs = allStackConfigs();

interface RuleFileRule {
  alert?: string;
  annotations?: Record<string, string>;
}

/** Alerting rules of Prometheus rule-file documents (`groups: [{rules: [...]}]`), by alert name. */
function alertingRules(docs: unknown[]): Map<string, RuleFileRule[]> {
  const rules = new Map<string, RuleFileRule[]>();
  for (const doc of docs) {
    const groups = (doc as { groups?: { rules?: RuleFileRule[] }[] } | null)?.groups ?? [];
    for (const rule of groups.flatMap((g) => g.rules ?? [])) {
      if (rule.alert) rules.set(rule.alert, [...(rules.get(rule.alert) ?? []), rule]);
    }
  }
  return rules;
}

/** Every value of a key anywhere in a parsed document. */
function valuesOf(doc: unknown, key: string): unknown[] {
  if (Array.isArray(doc)) return doc.flatMap((x) => valuesOf(x, key));
  if (doc && typeof doc === "object") {
    return Object.entries(doc).flatMap(([k, v]) => (k === key ? [v] : valuesOf(v, key)));
  }
  return [];
}

function filesUnder(files: Record<string, string>, dir: string): [string, string][] {
  return Object.entries(files).filter(([rel]) => rel.startsWith(dir) && /\.ya?ml$/.test(rel));
}

function alertCases(): [string, string, StackConfig, AlertDefinition][] {
  return configs.flatMap((config) =>
    allAlerts(config).map(({ alert }): [string, string, StackConfig, AlertDefinition] => [
      config.environment,
      alert.name,
      config,
      alert,
    ]),
  );
}

function readRunbook(name: string): string | undefined {
  const file = path.join(RUNBOOK_DIR, `${name}.md`);
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
}

describe("every alert has a runbook", () => {
  it("the stacks define alerts at all", () => {
    for (const config of configs) expect(allAlerts(config).length).toBeGreaterThan(0);
  });

  const cases = alertCases();
  const artifacts = new Map(configs.map((c) => [c.environment, stackArtifacts(c)]));

  it.each(cases.filter(([, , , a]) => a.source === "prometheus"))(
    "%s: %s carries runbook_url and dashboard_url in the generated rule files and PrometheusRules",
    async (stack, name, config, alert) => {
      const expected = { runbook_url: runbookUrl(config, name), dashboard_url: dashboardUrl(config, alert.dashboardUid) };
      expect(expected.runbook_url).toBe(`${config.runbookBaseUrl}/${name}.md`);

      const ruleFiles = filesUnder(artifacts.get(stack)!, "prometheus/").map(([, text]) => yaml.load(text));
      const inFiles = alertingRules(ruleFiles).get(name) ?? [];
      expect(inFiles.length).toBeGreaterThan(0);
      for (const rule of inFiles) expect(rule.annotations).toMatchObject(expected);

      const run = await stackRun(stack);
      const specs = k8sObjects(run, "PrometheusRule").map((r) => r.inputs.spec);
      const inCluster = alertingRules(specs).get(name) ?? [];
      expect(inCluster.length).toBeGreaterThan(0);
      for (const rule of inCluster) expect(rule.annotations).toMatchObject(expected);
    },
  );

  it.each(cases.filter(([, , , a]) => a.source === "elastalert"))(
    "%s: %s has an ElastAlert rule that posts its runbook_url",
    (stack, name, config) => {
      const rules = filesUnder(artifacts.get(stack)!, "elastalert/rules/")
        .map(([, text]) => yaml.load(text) as Record<string, unknown>)
        .filter((rule) => rule.alertmanager_alertname === name || rule.name === name);
      expect(rules).toHaveLength(1);
      expect(valuesOf(rules[0], "runbook_url")).toEqual([runbookUrl(config, name)]);
    },
  );

  it.each(cases)("%s: %s links a dashboard that exists", (_stack, _name, config, alert) => {
    expect(grafanaDashboards(config).map((d) => d.uid)).toContain(alert.dashboardUid);
  });

  it.each(cases)("%s: runbooks/%s.md exists with all five sections", (_stack, name, config, alert) => {
    const text = readRunbook(name);
    expect(text).toBeDefined();
    expect(headings(text!, 2)).toEqual([...RUNBOOK_SECTIONS]);
    // The page shows this stack's own query, dashboard link and commands.
    const diagnosis = section(text!, "Diagnosis")!;
    const query = alert.source === "prometheus" ? alert.expr : alert.kibanaQuery;
    expect(codeBlocks(diagnosis).map((b) => b.body)).toContain(query);
    expect(diagnosis).toContain(`](${dashboardUrl(config, alert.dashboardUid)})`);
    const shell = codeBlocks(diagnosis)
      .filter((b) => b.language === "sh")
      .flatMap((b) => b.body.split("\n"));
    for (const command of alert.commands) expect(shell).toContain(command);
    expect(text).toContain(`\`${alert.severity}\``);
  });
});

describe("runbook pages", () => {
  const pages = fs.readdirSync(RUNBOOK_DIR).filter((f) => f.endsWith(".md") && !NOT_ALERT_PAGES.has(f));
  const alertNames = new Set(configs.flatMap((c) => allAlerts(c).map(({ alert }) => alert.name)));

  it("each belong to an alert of some stack", () => {
    const orphans = pages.filter((page) => !alertNames.has(path.basename(page, ".md")));
    expect(orphans).toEqual([]);
  });

  it("are exactly what `npm run generate` writes (run it after changing an alert)", () => {
    const generated = runbookFiles(configs);
    for (const [rel, content] of Object.entries(generated)) {
      const file = path.join(PROJECT_ROOT, rel);
      expect({ file: rel, exists: fs.existsSync(file) }).toEqual({ file: rel, exists: true });
      expect({ file: rel, content: fs.readFileSync(file, "utf8") }).toEqual({ file: rel, content });
    }
    const generatedPages = Object.keys(generated).map((rel) => path.basename(rel));
    for (const page of pages) expect(generatedPages).toContain(page);
  });
});
