/** Kibana saved objects (NDJSON for the import API) and the links built on them. */
import {
  DATA_VIEW_ID,
  DATA_VIEW_PATTERN,
  discoverUrl,
  ERROR_QUERY,
  kibanaBaseUrl,
  kibanaIds,
  kibanaNdjson,
  SavedObject,
} from "../../components/logging/kibana-objects";
import { mappedFields } from "../../components/logging/retention";
import { stackConfig } from "../../scripts/lib/stack-config";

const dev = stackConfig("dev");
const prod = stackConfig("prod");
const objects: SavedObject[] = kibanaNdjson(dev)
  .trimEnd()
  .split("\n")
  .map((l) => JSON.parse(l));
const byId = new Map(objects.map((o) => [o.id, o]));

function searchSource(o: SavedObject) {
  return JSON.parse((o.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string }).searchSourceJSON);
}

test("one object per line, each with type, stable id and attributes", () => {
  expect(kibanaNdjson(dev).endsWith("\n")).toBe(true);
  for (const o of objects) {
    expect(Object.keys(o).sort()).toEqual(["attributes", "id", "references", "type"]);
    expect(o.id).toMatch(/^cryoprotect-/);
  }
  expect(new Set(objects.map((o) => o.id)).size).toBe(objects.length);
  expect(kibanaNdjson(dev)).toBe(kibanaNdjson(dev));
});

test("the data view covers both log data streams", () => {
  const view = byId.get(DATA_VIEW_ID)!;
  expect(view.type).toBe("index-pattern");
  expect(view.attributes.title).toBe("logs-cryoprotect-*,logs-kubernetes-*");
  expect(DATA_VIEW_PATTERN).toBe(view.attributes.title);
  expect(view.attributes.timeFieldName).toBe("@timestamp");
});

test("every reference points at an object of the file, with the right type", () => {
  for (const o of objects) {
    for (const ref of o.references) expect([o.id, ref.id, byId.get(ref.id)?.type]).toEqual([o.id, ref.id, ref.type]);
  }
});

test("saved searches: errors, one request by correlation id, slowest requests", () => {
  const errors = byId.get(kibanaIds.errors)!;
  expect(searchSource(errors).query).toEqual({ query: ERROR_QUERY, language: "kuery" });
  expect(ERROR_QUERY).toContain('"error"');
  expect(ERROR_QUERY).toContain('"critical"');
  const trace = byId.get(kibanaIds.requestTrace)!;
  expect(searchSource(trace).query.query).toMatch(/^trace\.id : /);
  expect(trace.attributes.sort).toEqual([["@timestamp", "asc"]]);
  const slow = byId.get(kibanaIds.slowestRequests)!;
  expect(slow.attributes.sort).toEqual([["event.duration", "desc"]]);
  for (const s of [errors, trace, slow]) {
    expect(s.type).toBe("search");
    expect(searchSource(s).indexRefName).toBe(s.references[0].name);
  }
});

test("the dashboard shows volume by level, errors by endpoint and type, slowest requests and errors", () => {
  const dashboard = byId.get(kibanaIds.dashboard)!;
  const panels = JSON.parse(dashboard.attributes.panelsJSON as string) as {
    panelRefName: string;
    gridData: { x: number; w: number };
  }[];
  const refs = new Map(dashboard.references.map((r) => [r.name, r.id]));
  expect(panels.map((p) => refs.get(p.panelRefName))).toEqual([
    kibanaIds.volumeByLevel,
    kibanaIds.errorsByEndpoint,
    kibanaIds.slowestRequests,
    kibanaIds.errors,
  ]);
  for (const p of panels) expect(p.gridData.x + p.gridData.w).toBeLessThanOrEqual(48);
});

test("the Vega charts aggregate fields the index template maps as keywords", () => {
  const fields = mappedFields("cryoprotect");
  for (const id of [kibanaIds.volumeByLevel, kibanaIds.errorsByEndpoint]) {
    const vis = JSON.parse(byId.get(id)!.attributes.visState as string);
    expect(vis.type).toBe("vega");
    const spec = JSON.parse(vis.params.spec);
    expect(spec.data.url["%context%"]).toBe(true);
    const termsFields = [...JSON.stringify(spec.data.url.body).matchAll(/"terms":\{"field":"([^"]+)"/g)].map(
      (m) => m[1],
    );
    expect(termsFields.length).toBeGreaterThan(0);
    for (const f of termsFields) expect([f, ["keyword", "wildcard"].includes(fields[f])]).toEqual([f, true]);
  }
});

test("Kibana links: the ingress when configured, else the in-cluster Service", () => {
  expect(kibanaBaseUrl(prod)).toBe("https://kibana.cryoprotect.example");
  expect(kibanaBaseUrl(dev)).toBe("https://cryoprotect-kb-http.logging.svc:5601");
  const url = discoverUrl(prod, kibanaIds.errors, 'message : "it\'s!"');
  expect(url.startsWith("https://kibana.cryoprotect.example/app/discover#/view/cryoprotect-errors?_g=")).toBe(true);
  expect(decodeURIComponent(url.split("&_a=")[1])).toBe("(query:(language:kuery,query:'message : \"it!'s!!\"'))");
});
