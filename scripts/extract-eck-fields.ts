/**
 * Run by hand when the ECK specs, the operator's values or the ECK version change:
 *   npx ts-node --transpile-only scripts/extract-eck-fields.ts <ECK crds.yaml> [<eck-operator values.yaml>]
 * (the values file defaults to eck-operator-values.yaml next to the CRDs).
 *
 * Builds every ECK spec the stacks produce (each stack as configured and with
 * allowMmap flipped) and looks each field they use up in the CRD schemas, and
 * each key of the operator chart's values up in the chart's values.yaml; fails
 * on anything missing there, and writes what is used (CRD fields with their
 * types, values key paths) to test/logging-eck/eck-crd-fields.json, which the
 * tests check the builders against (tests never read the reference files).
 */
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import * as prettier from "prettier";
import { StackConfig } from "../configs/types";
import { eckApiVersions, EckKind } from "../components/logging/eck-types";
import { elasticsearch } from "../components/logging/elasticsearch";
import { filebeat } from "../components/logging/filebeat";
import { kibana } from "../components/logging/kibana";
import { logstash } from "../components/logging/logstash";
import { ECK_OPERATOR_FREE_FORM, eckOperatorValues } from "../components/logging/operator-values";
import { EckReferenceFields, FieldType, KindFields, SchemaNode, usedFieldTypes, valueKeyPaths } from "./lib/eck-fields";
import { PROJECT_ROOT } from "./lib/mock-runtime";
import { allStackConfigs } from "./lib/stack-config";

const OUTPUT = path.join(PROJECT_ROOT, "test", "logging-eck", "eck-crd-fields.json");

interface Crd {
  kind: string;
  spec: {
    group: string;
    names: { kind: string };
    versions: { name: string; schema: { openAPIV3Schema: SchemaNode } }[];
  };
}

/** Every variant of the specs the builders can produce from the stack configs. */
function configVariants(): StackConfig[] {
  return allStackConfigs().flatMap((c) => [
    c,
    {
      ...c,
      logging: {
        ...c.logging,
        elasticsearch: { ...c.logging.elasticsearch, allowMmap: !c.logging.elasticsearch.allowMmap },
      },
    },
  ]);
}

async function main(): Promise<number> {
  const crdFile = process.argv[2];
  if (!crdFile) {
    console.error("usage: ts-node scripts/extract-eck-fields.ts <ECK crds.yaml> [<eck-operator values.yaml>]");
    return 2;
  }
  const valuesFile = process.argv[3] ?? path.join(path.dirname(crdFile), "eck-operator-values.yaml");
  const crds = (yaml.loadAll(fs.readFileSync(crdFile, "utf8")) as (Crd | null)[]).filter(
    (d): d is Crd => d?.kind === "CustomResourceDefinition",
  );
  const schemaOf = (kind: EckKind): SchemaNode => {
    const [group, version] = eckApiVersions[kind].split("/");
    const crd = crds.find((c) => c.spec.group === group && c.spec.names.kind === kind);
    const schema = crd?.spec.versions.find((v) => v.name === version)?.schema.openAPIV3Schema.properties?.spec;
    if (!schema) throw new Error(`${crdFile} has no ${kind} ${eckApiVersions[kind]}`);
    return schema;
  };

  const builders: Record<EckKind, (c: StackConfig) => { spec: unknown }> = {
    Elasticsearch: elasticsearch,
    Kibana: kibana,
    Logstash: logstash,
    Beat: filebeat,
  };
  const crdFields = {} as Record<EckKind, KindFields>;
  for (const kind of Object.keys(builders) as EckKind[]) {
    const schema = schemaOf(kind);
    const fields: Record<string, FieldType> = {};
    for (const config of configVariants()) Object.assign(fields, usedFieldTypes(builders[kind](config).spec, schema));
    const sorted = Object.fromEntries(Object.entries(fields).sort(([a], [b]) => a.localeCompare(b)));
    crdFields[kind] = { apiVersion: eckApiVersions[kind], fields: sorted };
  }

  const chartKeys = new Set(valueKeyPaths(yaml.load(fs.readFileSync(valuesFile, "utf8"))));
  const usedKeys = [...new Set(configVariants().flatMap((c) => valueKeyPaths(eckOperatorValues(c))))]
    .filter((k) => !ECK_OPERATOR_FREE_FORM.some((f) => k.startsWith(`${f}.`)))
    .sort();
  const unknown = usedKeys.filter((k) => !chartKeys.has(k));
  if (unknown.length > 0) throw new Error(`not keys of ${valuesFile}:\n  ${unknown.join("\n  ")}`);

  const out: EckReferenceFields = { crds: crdFields, operatorValues: usedKeys };
  // Formatted as `prettier --check` expects it of a committed file.
  const style = await prettier.resolveConfig(OUTPUT);
  fs.writeFileSync(OUTPUT, await prettier.format(JSON.stringify(out), { ...style, filepath: OUTPUT }));
  const count = Object.values(crdFields).reduce((n, k) => n + Object.keys(k.fields).length, 0);
  console.log(`Wrote ${count} CRD field paths and ${usedKeys.length} operator values keys to ${OUTPUT}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
