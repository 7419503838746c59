/**
 * One PrometheusRule per rule group of every concern, labelled for the Prometheus
 * ruleSelector, after the CRDs, with exactly the groups the committed
 * (promtool-tested) rule files hold. (Which component owns each one:
 * test/foundation/mixin-ownership.test.ts.)
 */
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { ruleGroups } from "../../components/catalog";
import { RULES_LABEL } from "../../components/shared/platform";
import { PROJECT_ROOT } from "../../scripts/lib/mock-runtime";
import { stackConfig } from "../../scripts/lib/stack-config";
import { k8sObjects, RecordedResource, stackRun, StackRun, STACKS } from "../harness/stack";

const key = (r: RecordedResource) => `${r.type}::${r.name}`;

describe.each(STACKS)("PrometheusRules of the %s stack", (stack) => {
  const config = stackConfig(stack);
  let run: StackRun;
  let rules: RecordedResource[];
  // A mocked run of the whole program: seconds alone, minutes on a busy machine.
  beforeAll(async () => {
    run = await stackRun(stack);
    rules = k8sObjects(run, "PrometheusRule");
  }, 300_000);

  it("has one per rule group, named after it, in a namespace of the platform", () => {
    const groups = ruleGroups(config).map((g) => g.name);
    expect(rules.map((r) => (r.inputs.metadata as { name: string }).name).sort()).toEqual([...groups].sort());
    for (const r of rules) {
      expect(r.inputs.apiVersion).toBe("monitoring.coreos.com/v1");
      expect(Object.values(config.namespaces)).toContain((r.inputs.metadata as { namespace: string }).namespace);
      expect((r.inputs.metadata as { labels: Record<string, string> }).labels).toMatchObject(RULES_LABEL);
    }
  });

  it("depends on the prometheus-operator CRDs and on its own namespace", () => {
    const crds = run.resources.find(
      (r) => r.type === "kubernetes:yaml/v2:ConfigFile" && /monitoring-crds$/.test(r.name),
    );
    expect(crds).toBeDefined();
    for (const r of rules) {
      const ns = k8sObjects(run, "Namespace").find(
        (n) => (n.inputs.metadata as { name: string }).name === (r.inputs.metadata as { namespace: string }).namespace,
      );
      expect(ns).toBeDefined();
      expect(r.dependsOn).toEqual(expect.arrayContaining([key(crds!), key(ns!)]));
    }
  });

  it("holds exactly the groups of the committed rule files", () => {
    for (const r of rules) {
      const name = (r.inputs.metadata as { name: string }).name;
      const file = path.join(PROJECT_ROOT, "configs/generated", stack, "prometheus/rules", `${name}.yaml`);
      const committed = yaml.load(fs.readFileSync(file, "utf8")) as { groups: unknown[] };
      expect((r.inputs.spec as { groups: unknown[] }).groups).toEqual(committed.groups);
    }
  });

  it("scrape the API so that the app's job and endpoint labels reach the rules", () => {
    const monitor = k8sObjects(run, "ServiceMonitor", config.app.name);
    expect(monitor).toHaveLength(1);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const [endpoint] = (monitor[0].inputs.spec as any).endpoints;
    const relabelings: { action: string; regex?: string; targetLabel?: string; replacement?: string }[] =
      endpoint.relabelings ?? [];
    expect(relabelings).toContainEqual(
      expect.objectContaining({ action: "replace", targetLabel: "job", replacement: config.app.name }),
    );
    // The operator adds a target label `endpoint` (the port name); unless it is dropped (or the app's labels
    // are honoured) Prometheus renames the app's `endpoint` to exported_endpoint.
    const keepsAppEndpoint =
      endpoint.honorLabels === true ||
      relabelings.some((r) => r.action === "labeldrop" && new RegExp(`^(?:${r.regex})$`).test("endpoint"));
    expect(keepsAppEndpoint).toBe(true);
  });

  it("is what the Prometheus of the chart selects", () => {
    const prometheusRelease = run.resources.find(
      (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === "kube-prometheus-stack",
    );
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const spec = (prometheusRelease?.inputs.values as any)?.prometheus?.prometheusSpec;
    expect(spec?.ruleSelector?.matchLabels).toEqual(RULES_LABEL);
  });
});
