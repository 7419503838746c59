/** The Grafana "Logging" dashboard and the logging rule group in the catalog. */
import { grafanaDashboards, ruleGroups } from "../../components/catalog";
import { loggingDashboard, LOGGING_DASHBOARD_UID } from "../../components/logging/dashboards/logging";
import { stackConfig } from "../../scripts/lib/stack-config";

interface PanelModel {
  type: string;
  title: string;
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: { expr?: string }[];
}

const model = loggingDashboard().model as { uid: string; panels: PanelModel[] };
const panels = model.panels.filter((p) => p.type !== "row");

test("stable uid, in the catalog, referenced by every logging alert", () => {
  expect(model.uid).toBe("cryoprotect-logging");
  expect(grafanaDashboards(stackConfig("dev")).filter((d) => d.uid === LOGGING_DASHBOARD_UID)).toHaveLength(1);
  const group = ruleGroups(stackConfig("dev")).find((g) => g.name === "cryoprotect-logging")!;
  expect(group.component).toBe("logging");
  for (const a of group.alerts) expect(a.dashboardUid).toBe(LOGGING_DASHBOARD_UID);
});

test("every panel has a unit and a query", () => {
  expect(panels.length).toBeGreaterThanOrEqual(6);
  for (const p of panels) {
    expect([p.title, p.fieldConfig?.defaults?.unit]).toEqual([p.title, expect.any(String)]);
    expect([p.title, p.targets?.[0]?.expr]).toEqual([p.title, expect.stringContaining("elasticsearch_")]);
  }
});

test("panels of the alert signals: health, disk, heap, ingest per data stream", () => {
  const exprs = panels.map((p) => p.targets![0].expr!).join("\n");
  for (const metric of [
    "elasticsearch_cluster_health_status",
    "elasticsearch_filesystem_data_available_bytes",
    "elasticsearch_jvm_memory_used_bytes",
    "elasticsearch_index_stats_indexing_index_total",
  ]) {
    expect(exprs).toContain(metric);
  }
  expect(exprs).toContain("label_replace(");
});
