/**
 * Each concern deploys its own mixin: every PrometheusRule and every dashboard ConfigMap is a
 * child of the component of the concern that defines it, in that concern's namespace, and
 * depends on the prometheus-operator CRDs (rules) it was handed.
 */
import { mixins } from "../../components/catalog";
import { stackConfig } from "../../scripts/lib/stack-config";
import { k8sObjects, stackRun, StackRun, STACKS } from "../harness/stack";

const COMPONENT_TYPES = {
  monitoring: "cryoprotect:monitoring:MonitoringStack",
  logging: "cryoprotect:logging:LoggingStack",
  backup: "cryoprotect:backup:BackupStack",
  tls: "cryoprotect:tls:Tls",
} as const;

/** Where each concern keeps its rules: its own namespace; TLS (whose cert-manager is optional) beside the monitoring rules. */
const RULES_NAMESPACE = { monitoring: "monitoring", logging: "logging", backup: "backup", tls: "monitoring" } as const;

describe.each(STACKS)("the %s stack", (stack) => {
  const config = stackConfig(stack);
  let run: StackRun;
  beforeAll(async () => {
    run = await stackRun(stack);
  });

  it.each(Object.entries(COMPONENT_TYPES))(
    "the %s concern owns its PrometheusRules and dashboards",
    (concern, type) => {
      const mixin = mixins(config)[concern as keyof typeof COMPONENT_TYPES];
      const namespace = config.namespaces[RULES_NAMESPACE[concern as keyof typeof COMPONENT_TYPES]];
      const rules = k8sObjects(run, "PrometheusRule");
      for (const group of mixin.ruleGroups) {
        const rule = rules.find((r) => (r.inputs.metadata as { name: string }).name === group.name);
        expect({ group: group.name, parent: rule?.parent?.split("::")[0] }).toEqual({
          group: group.name,
          parent: type,
        });
        expect((rule!.inputs.metadata as { namespace: string }).namespace).toBe(namespace);
        expect(rule!.dependsOn.some((d) => /ConfigFile::.*monitoring-crds$/.test(d))).toBe(true);
      }
      const maps = k8sObjects(run, "ConfigMap");
      for (const d of mixin.dashboards) {
        const map = maps.find((m) => Object.keys((m.inputs.data as object) ?? {}).includes(`${d.uid}.json`));
        expect({ dashboard: d.uid, parent: map?.parent?.split("::")[0] }).toEqual({ dashboard: d.uid, parent: type });
        expect((map!.inputs.metadata as { namespace: string }).namespace).toBe(namespace);
      }
    },
  );

  it("has no PrometheusRule or dashboard that no concern defines", () => {
    const all = Object.values(mixins(config));
    expect(k8sObjects(run, "PrometheusRule")).toHaveLength(all.flatMap((m) => m.ruleGroups).length);
    const dashboardMaps = k8sObjects(run, "ConfigMap").filter(
      (c) => (c.inputs.metadata as { labels?: Record<string, string> }).labels?.grafana_dashboard === "1",
    );
    expect(dashboardMaps).toHaveLength(all.flatMap((m) => m.dashboards).length);
  });
});
