/**
 * The monitoring dashboards: stable unique uids, the datasource / namespace /
 * instance variables, a unit on every panel, the alerts' dashboard links
 * resolve, and the committed JSON is what the builders produce now.
 */
import * as fs from "fs";
import * as path from "path";
import { grafanaDashboards, ruleGroups } from "../../components/catalog";
import { monitoringMixin } from "../../components/monitoring/mixin";
import { dashboardUids } from "../../components/monitoring/dashboards/uids";
import { PROJECT_ROOT } from "../../scripts/lib/mock-runtime";
import { stackConfig } from "../../scripts/lib/stack-config";
import { STACKS } from "../harness/stack";

interface PanelModel {
  type: string;
  title: string;
  datasource?: { uid?: string };
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: { expr?: string; refId?: string }[];
  gridPos?: { w: number; h: number };
}

const dashboards = monitoringMixin(stackConfig("dev")).dashboards;
const panelsOf = (model: object) => ((model as { panels?: PanelModel[] }).panels ?? []).filter((p) => p.type !== "row");

describe("monitoring dashboards", () => {
  it("keep the uids alerts link to", () => {
    expect(dashboards.map((d) => d.uid)).toEqual([
      "cryoprotect-api",
      "cryoprotect-database",
      "cryoprotect-system",
      "cryoprotect-slo",
      "cryoprotect-business",
      "cryoprotect-probes",
    ]);
    expect(Object.values(dashboardUids).sort()).toEqual(dashboards.map((d) => d.uid).sort());
  });

  it("have uids unique across every module's dashboards", () => {
    const uids = grafanaDashboards(stackConfig("dev")).map((d) => d.uid);
    expect(new Set(uids).size).toBe(uids.length);
  });

  it("regenerate deterministically", () => {
    expect(JSON.stringify(monitoringMixin(stackConfig("dev")).dashboards)).toBe(JSON.stringify(dashboards));
  });

  describe.each(dashboards.map((d) => [d.uid, d] as const))("%s", (uid, d) => {
    const model = d.model as { uid: string; title: string; templating?: { list?: { name: string; type: string }[] } };
    const panels = panelsOf(d.model);

    it("carries its uid and title in the model and lands in a folder", () => {
      expect(model.uid).toBe(uid);
      expect(model.title).toBe(d.title);
      expect(d.folder).toBe("CryoProtect");
    });

    it("has datasource, namespace and instance variables", () => {
      const vars = (model.templating?.list ?? []).map((v) => `${v.name}:${v.type}`);
      expect(vars).toEqual(["datasource:datasource", "namespace:query", "instance:query"]);
    });

    it("gives every panel a unit, the datasource variable and at least one target", () => {
      expect(panels.length).toBeGreaterThan(3);
      for (const p of panels) {
        expect([p.title, p.fieldConfig?.defaults?.unit]).toEqual([p.title, expect.stringMatching(/\S/)]);
        expect(p.datasource?.uid).toBe("${datasource}");
        expect(p.targets?.length).toBeGreaterThan(0);
        const refIds = (p.targets ?? []).map((t) => t.refId);
        expect(new Set(refIds).size).toBe(refIds.length);
      }
    });

    it("fits its rows into the 24-column grid", () => {
      for (const p of panels) expect(p.gridPos!.w).toBeLessThanOrEqual(24);
    });

    it.each(STACKS)("is committed for the %s stack, identical to a regeneration", (stack) => {
      const file = path.join(PROJECT_ROOT, "configs/generated", stack, "grafana/dashboards", `${uid}.json`);
      const built = monitoringMixin(stackConfig(stack)).dashboards.find((x) => x.uid === uid)!;
      expect(fs.readFileSync(file, "utf8")).toBe(JSON.stringify(built.model, null, 2) + "\n");
    });
  });

  it.each(STACKS)("are where every %s alert's dashboard_url points", (stack) => {
    const uids = new Set(grafanaDashboards(stackConfig(stack)).map((d) => d.uid));
    const missing = ruleGroups(stackConfig(stack))
      .flatMap((g) => g.alerts)
      .filter((a) => !uids.has(a.dashboardUid))
      .map((a) => `${a.name} -> ${a.dashboardUid}`);
    expect(missing).toEqual([]);
  });
});
