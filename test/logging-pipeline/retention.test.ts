/** ILM policies and index templates of the log data streams, from the stack config. */
import { ECS_MAPPINGS, EXTRA_FIELD_TYPES } from "../../components/logging/ecs-mapping";
import {
  esProperties,
  ilmPolicy,
  indexTemplate,
  INDEX_TEMPLATE_PRIORITY,
  KEYWORD_IGNORE_ABOVE,
  mappedFields,
  retentionFiles,
} from "../../components/logging/retention";
import { stackConfig } from "../../scripts/lib/stack-config";
import { STACKS } from "../harness/stack";

const expected = {
  dev: { cryoprotect: 7, kubernetes: 3, shard: "10gb", replicas: 0 },
  prod: { cryoprotect: 30, kubernetes: 14, shard: "50gb", replicas: 1 },
} as const;

describe.each(STACKS)("%s", (stack) => {
  const config = stackConfig(stack);
  const want = expected[stack];

  test.each(["cryoprotect", "kubernetes"] as const)("ILM phases of logs-%s follow the stack's retention", (dataset) => {
    const { phases } = ilmPolicy(config, dataset).policy;
    expect(Object.keys(phases)).toEqual(["hot", "delete"]);
    expect(phases.hot.actions.rollover).toEqual({ max_age: "1d", max_primary_shard_size: want.shard });
    expect(phases.delete.min_age).toBe(`${want[dataset]}d`);
    expect(phases.delete.actions).toEqual({ delete: {} });
  });

  test.each(["cryoprotect", "kubernetes"] as const)("the logs-%s template wins over the built-in one", (dataset) => {
    const t = indexTemplate(config, dataset);
    expect(t.index_patterns).toEqual([`logs-${dataset}-${stack}`]);
    expect(t.data_stream).toEqual({});
    expect(t.priority).toBeGreaterThan(200);
    expect(INDEX_TEMPLATE_PRIORITY).toBe(t.priority);
    expect(t.template.settings["index.lifecycle.name"]).toBe(`logs-${dataset}-${stack}`);
    expect(t.template.settings["index.number_of_replicas"]).toBe(want.replicas);
  });

  test("synth files: one policy and one template per data stream, as JSON", () => {
    const files = retentionFiles(config);
    expect(Object.keys(files).sort()).toEqual([
      `elasticsearch/ilm/logs-cryoprotect-${stack}.json`,
      `elasticsearch/ilm/logs-kubernetes-${stack}.json`,
      `elasticsearch/index-templates/logs-cryoprotect-${stack}.json`,
      `elasticsearch/index-templates/logs-kubernetes-${stack}.json`,
    ]);
    for (const content of Object.values(files)) expect(() => JSON.parse(content)).not.toThrow();
  });
});

describe("mappings", () => {
  const config = stackConfig("prod");
  const props = indexTemplate(config, "cryoprotect").template.mappings.properties;

  function mappingOf(field: string) {
    const parts = field === "@timestamp" ? [field] : field.split(".");
    let node: unknown = { properties: props };
    for (const p of parts) node = (node as { properties: Record<string, unknown> }).properties[p];
    return node as { type: string; ignore_above?: number; ignore_malformed?: boolean };
  }

  test("every ECS field the pipeline writes is mapped with its declared type", () => {
    for (const m of ECS_MAPPINGS) expect([m.to, mappingOf(m.to).type]).toEqual([m.to, m.esType]);
    for (const [field, type] of Object.entries(EXTRA_FIELD_TYPES))
      expect([field, mappingOf(field).type]).toEqual([field, type]);
  });

  test("the app's types: dates, numbers, stack traces as wildcard, keywords capped", () => {
    expect(mappingOf("@timestamp").type).toBe("date");
    expect(mappingOf("event.duration").type).toBe("long");
    expect(mappingOf("http.response.status_code").type).toBe("long");
    expect(mappingOf("error.stack_trace").type).toBe("wildcard");
    expect(mappingOf("message").type).toBe("match_only_text");
    expect(mappingOf("trace.id")).toEqual({ type: "keyword", ignore_above: KEYWORD_IGNORE_ABOVE });
    expect(mappingOf("client.ip")).toEqual({ type: "ip", ignore_malformed: true });
  });

  test("the kubernetes stream maps only the shared fields", () => {
    const k8s = mappedFields("kubernetes");
    expect(k8s["kubernetes.namespace"]).toBe("keyword");
    expect(k8s["trace.id"]).toBeUndefined();
    expect(mappedFields("cryoprotect")["trace.id"]).toBe("keyword");
  });

  test("dotted names nest", () => {
    expect(esProperties({ "a.b": "keyword", "a.c": "long" })).toEqual({
      a: { properties: { b: { type: "keyword", ignore_above: KEYWORD_IGNORE_ABOVE }, c: { type: "long" } } },
    });
  });
});
