/**
 * `node scripts/lib/kubernetes-schema.mjs OBJECTS.json` prints, as JSON, the schema problems of
 * each Kubernetes object in the file (an array of objects), one `{ object, problems }` per object:
 *
 * - every object against its kind's schema as the `kubernetes-models` validators compile it: the
 *   Kubernetes OpenAPI schema for core kinds, the CRDs' openAPIV3Schema for custom resources
 *   (@kubernetes-models/prometheus-operator, elastic-cloud): types, enums, formats, required;
 * - core objects also field by field against @kubernetes/client-node's models, generated from the
 *   same OpenAPI spec, so that a field the API does not have is an error (the API server's strict
 *   field validation), not silently dropped.
 *
 * Plain ESM (the validators ship as ES modules only), run by the tests in a child process.
 */
import * as fs from "node:fs";
import process from "node:process";
import * as client from "@kubernetes/client-node";

/**
 * Where the kubernetes-models validators are stricter than the CRD they were generated from, each
 * with the CRD's own word: dropped by exact kind, path and message, never by kind alone.
 */
const MODEL_DIVERGENCES = [
  {
    // ECK 3.5 crds.yaml types volumeClaimTemplates items as plain objects; the models require the
    // apiVersion and kind of a full PersistentVolumeClaim, which ECK neither needs nor sets.
    kinds: ["Elasticsearch", "Logstash"],
    path: /^spec\.(nodeSets\.\d+\.)?volumeClaimTemplates\.\d+$/,
    message: /^must have required property (apiVersion|kind)$/,
  },
];

function divergence(kind, path, message) {
  return MODEL_DIVERGENCES.some((d) => d.kinds.includes(kind) && d.path.test(path) && d.message.test(message));
}

/** The module of a group/version's models, per package. */
function modelModule(apiVersion) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  if (group === "" || !group.includes(".") || group.endsWith(".k8s.io")) {
    return { core: true, module: `kubernetes-models/${group ? `${group}/` : ""}${version}` };
  }
  if (group === "monitoring.coreos.com")
    return { core: false, module: `@kubernetes-models/prometheus-operator/${group}/${version}` };
  if (group.endsWith(".k8s.elastic.co"))
    return { core: false, module: `@kubernetes-models/elastic-cloud/${group}/${version}` };
  if (group === "cert-manager.io")
    return { core: false, module: `@kubernetes-models/cert-manager/${group}/${version}` };
  return undefined;
}

/** client-node's model class name of a core kind, e.g. apps/v1 Deployment -> V1Deployment. */
function clientModel(apiVersion, kind) {
  const version = apiVersion.split("/").pop();
  return `${version[0].toUpperCase()}${version.slice(1)}${kind}`;
}

/** Problems of a value against a client-node attribute type, field by field. */
function walk(value, type, path, problems) {
  if (value === undefined || value === null) return;
  const fail = (what) => problems.push(`${path || "(root)"}: ${what}`);
  switch (type) {
    case "string":
    case "Date":
      if (typeof value !== "string") fail(`expected a string, got ${typeof value}`);
      return;
    case "number":
      if (typeof value !== "number") fail(`expected a number, got ${typeof value}`);
      return;
    case "boolean":
      if (typeof value !== "boolean") fail(`expected a boolean, got ${typeof value}`);
      return;
    case "IntOrString":
      if (typeof value !== "string" && typeof value !== "number")
        fail(`expected an int or string, got ${typeof value}`);
      return;
    case "any":
    case "object":
      return;
  }
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (!Array.isArray(value)) return fail("expected a list");
    value.forEach((item, i) => walk(item, array[1], `${path}[${i}]`, problems));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (typeof value !== "object" || Array.isArray(value)) return fail("expected a map");
    for (const [k, v] of Object.entries(value)) walk(v, map[1], `${path}.${k}`, problems);
    return;
  }
  const model = client[type];
  if (!model?.getAttributeTypeMap) return fail(`no model ${type}`);
  if (typeof value !== "object" || Array.isArray(value)) return fail(`expected an object (${type})`);
  const attributes = model.getAttributeTypeMap();
  for (const [key, v] of Object.entries(value)) {
    const attribute = attributes.find((a) => a.baseName === key);
    if (!attribute) fail(`unknown field "${key}" (${type} has no such field)`);
    else walk(v, attribute.type, path ? `${path}.${key}` : key, problems);
  }
}

async function check(object) {
  const problems = [];
  const where = modelModule(object.apiVersion ?? "");
  if (!where) return [`no schema for apiVersion ${object.apiVersion}`];
  let models;
  try {
    models = await import(where.module);
  } catch {
    return [`no schema for ${object.apiVersion} (${where.module})`];
  }
  const Model = models[object.kind];
  if (!Model) return [`no schema for ${object.apiVersion} ${object.kind}`];
  try {
    new Model(object).validate();
  } catch (e) {
    for (const err of e.errors ?? [{ instancePath: "", message: e.message }]) {
      const path = err.instancePath.replace(/^\//, "").replaceAll("/", ".");
      if (!divergence(object.kind, path, err.message)) problems.push(`${path || "(root)"}: ${err.message}`);
    }
  }
  if (where.core) walk(object, clientModel(object.apiVersion, object.kind), "", problems);
  return problems;
}

const objects = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const results = [];
for (const object of objects) {
  results.push({ object: `${object.kind}/${object.metadata?.name}`, problems: [...new Set(await check(object))] });
}
process.stdout.write(JSON.stringify(results));
