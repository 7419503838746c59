/**
 * Run by hand when the ECK specs or the ECK version change:
 *   npx ts-node --transpile-only scripts/extract-eck-fields.ts <path to ECK crds.yaml>
 *
 * Builds every ECK spec the stacks produce (each stack as configured and with
 * allowMmap flipped), looks each field they use up in the CRD schemas, fails
 * on any field the CRDs lack, and writes the used paths with their CRD types to
 * test/logging-eck/eck-crd-fields.json, which the conformance test checks
 * the specs against (tests never read the CRDs themselves).
 */
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { StackConfig } from "../configs/types";
import { eckApiVersions, EckKind } from "../components/logging/eck-types";
import { elasticsearch } from "../components/logging/elasticsearch";
import { filebeat } from "../components/logging/filebeat";
import { kibana } from "../components/logging/kibana";
import { logstash } from "../components/logging/logstash";
import { FieldType, KindFields, SchemaNode, usedFieldTypes } from "./lib/eck-fields";
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

function main(): number {
  const crdFile = process.argv[2];
  if (!crdFile) {
    console.error("usage: ts-node scripts/extract-eck-fields.ts <ECK crds.yaml>");
    return 2;
  }
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
  const out: Record<string, KindFields> = {};
  for (const kind of Object.keys(builders) as EckKind[]) {
    const schema = schemaOf(kind);
    const fields: Record<string, FieldType> = {};
    for (const config of configVariants()) Object.assign(fields, usedFieldTypes(builders[kind](config).spec, schema));
    const sorted = Object.fromEntries(Object.entries(fields).sort(([a], [b]) => a.localeCompare(b)));
    out[kind] = { apiVersion: eckApiVersions[kind], fields: sorted };
  }
  fs.writeFileSync(OUTPUT, JSON.stringify(out, null, 2) + "\n");
  const count = Object.values(out).reduce((n, k) => n + Object.keys(k.fields).length, 0);
  console.log(
    `Wrote ${count} field paths of ${Object.keys(out).length} kinds to ${path.relative(PROJECT_ROOT, OUTPUT)}`,
  );
  return 0;
}

process.exit(main());
