/**
 * Every field the ECK specs set exists in the ECK 3.5 CRDs, with the CRD's
 * type, and every eck-operator values key exists in the chart. The allowed
 * paths come from eck-crd-fields.json, which scripts/extract-eck-fields.ts
 * extracted from the operator's crds.yaml and values.yaml.
 */
import * as fs from "fs";
import * as path from "path";
import { StackConfig } from "../../configs/types";
import { EckKind } from "../../components/logging/eck-types";
import { elasticsearch } from "../../components/logging/elasticsearch";
import { filebeat } from "../../components/logging/filebeat";
import { kibana } from "../../components/logging/kibana";
import { logstash } from "../../components/logging/logstash";
import { ECK_OPERATOR_FREE_FORM, eckOperatorValues } from "../../components/logging/operator-values";
import {
  EckReferenceFields,
  fieldProblems,
  SchemaNode,
  usedFieldTypes,
  valueKeyPaths,
} from "../../scripts/lib/eck-fields";
import { allStackConfigs } from "../../scripts/lib/stack-config";
import { k8sObjects, stackRun, STACKS } from "../harness/stack";

const reference = JSON.parse(
  fs.readFileSync(path.join(__dirname, "eck-crd-fields.json"), "utf8"),
) as EckReferenceFields;
const allowed = reference.crds;

const builders: Record<EckKind, (c: StackConfig) => { apiVersion: string; kind: string; spec: unknown }> = {
  Elasticsearch: elasticsearch,
  Kibana: kibana,
  Logstash: logstash,
  Beat: filebeat,
};

function variants(config: StackConfig): [string, StackConfig][] {
  const es = config.logging.elasticsearch;
  return [
    [config.environment, config],
    [
      `${config.environment} with allowMmap ${!es.allowMmap}`,
      { ...config, logging: { ...config.logging, elasticsearch: { ...es, allowMmap: !es.allowMmap } } },
    ],
  ];
}

describe("ECK specs use only fields of the ECK CRDs", () => {
  const cases = allStackConfigs()
    .flatMap(variants)
    .flatMap(([label, config]) =>
      (Object.keys(builders) as EckKind[]).map((kind) => [kind, label, config] as [EckKind, string, StackConfig]),
    );

  it.each(cases)("%s of %s", (kind, _, config) => {
    const resource = builders[kind](config);
    expect(resource.apiVersion).toBe(allowed[kind].apiVersion);
    expect(resource.kind).toBe(kind);
    expect(fieldProblems(resource.spec, allowed[kind].fields)).toEqual([]);
  });

  it.each(STACKS)("the %s stack registers exactly these specs", async (stack) => {
    const run = await stackRun(stack);
    const config = allStackConfigs().find((c) => c.environment === stack)!;
    for (const kind of Object.keys(builders) as EckKind[]) {
      const registered = k8sObjects(run, kind);
      expect(registered).toHaveLength(1);
      expect(registered[0].inputs.spec).toEqual(builders[kind](config).spec);
      expect(fieldProblems(registered[0].inputs.spec, allowed[kind].fields)).toEqual([]);
    }
  });
});

describe("eck-operator values", () => {
  it.each(allStackConfigs().map((c) => [c.environment, c] as const))(
    "%s: every key set is a key of the chart's values.yaml",
    (_, config) => {
      const keys = valueKeyPaths(eckOperatorValues(config)).filter(
        (k) => !ECK_OPERATOR_FREE_FORM.some((f) => k.startsWith(`${f}.`)),
      );
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.filter((k) => !reference.operatorValues.includes(k))).toEqual([]);
    },
  );

  it("key paths are read through nested mappings but not lists", () => {
    expect(valueKeyPaths({ a: { b: 1, c: [{ d: 1 }] }, e: null })).toEqual(["a", "a.b", "a.c", "e"]);
  });
});

describe("the field check", () => {
  const fields = allowed.Elasticsearch.fields;

  it("flags a field the CRD does not have, and a value of the wrong type", () => {
    const spec = elasticsearch(allStackConfigs()[0]).spec as unknown as Record<string, unknown>;
    expect(fieldProblems({ ...spec, replicas: 3 }, fields)).toEqual(["spec.replicas: not a field of the CRD"]);
    const nodeSets = spec.nodeSets as Record<string, unknown>[];
    expect(fieldProblems({ ...spec, nodeSets: [{ ...nodeSets[0], count: "3" }] }, fields)).toEqual([
      'spec.nodeSets[].count: "3" is not of type integer',
    ]);
  });

  it("does not look inside free-form fields, and checks map values by their type", () => {
    const spec = elasticsearch(allStackConfigs()[0]).spec as unknown as Record<string, unknown>;
    const nodeSets = spec.nodeSets as Record<string, unknown>[];
    const anyConfig = [{ ...nodeSets[0], config: { "anything.at.all": { deep: [1] } } }];
    expect(fieldProblems({ ...spec, nodeSets: anyConfig }, fields)).toEqual([]);
    const pdb = { spec: { maxUnavailable: 1, selector: { matchLabels: { a: "b", c: 1 } } } };
    expect(fieldProblems({ ...spec, podDisruptionBudget: pdb }, fields)).toEqual([
      "spec.podDisruptionBudget.spec.selector.matchLabels.*: 1 is not of type string",
    ]);
  });

  it("extraction reads field types from a schema and refuses fields it lacks", () => {
    const schema: SchemaNode = {
      type: "object",
      properties: {
        count: { type: "integer" },
        labels: { type: "object", additionalProperties: { type: "string" } },
        items: {
          type: "array",
          items: { type: "object", properties: { port: { "x-kubernetes-int-or-string": true } } },
        },
        podTemplate: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
        enabled: { type: "boolean" },
      },
    };
    const spec = { count: 1, labels: { a: "x" }, items: [{ port: 80 }], podTemplate: { x: 1 }, enabled: true };
    expect(usedFieldTypes(spec, schema)).toEqual({
      spec: "object",
      "spec.count": "integer",
      "spec.labels": "map",
      "spec.labels.*": "string",
      "spec.items": "array",
      "spec.items[]": "object",
      "spec.items[].port": "int-or-string",
      "spec.podTemplate": "open",
      "spec.enabled": "boolean",
    });
    expect(() => usedFieldTypes({ ...spec, replicas: 2, items: [{ prot: 1 }] }, schema)).toThrow(
      /spec\.items\[\]\.prot\n\s+spec\.replicas/,
    );
  });
});
