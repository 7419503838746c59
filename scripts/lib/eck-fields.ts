/**
 * Field paths of ECK custom resource specs, in one notation for the CRD
 * extraction (scripts/extract-eck-fields.ts) and the conformance test:
 * `spec.nodeSets[].count`; a map's keys are `*` (`...matchLabels.*`).
 * A path typed "open" is free-form in the CRD (x-kubernetes-preserve-unknown-fields):
 * nothing below it is checked.
 */

export type FieldType = "object" | "map" | "array" | "string" | "integer" | "boolean" | "int-or-string" | "open";

export interface KindFields {
  apiVersion: string;
  fields: Record<string, FieldType>;
}

/** The committed extract: CRD fields per kind, and the eck-operator chart's values key paths in use. */
export interface EckReferenceFields {
  crds: Record<string, KindFields>;
  operatorValues: string[];
}

/** Dotted paths of every mapping key in a Helm values document (lists are values, not descended). */
export function valueKeyPaths(doc: unknown, prefix = ""): string[] {
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) return [];
  return Object.entries(doc).flatMap(([key, value]) => {
    const p = prefix ? `${prefix}.${key}` : key;
    return [p, ...valueKeyPaths(value, p)];
  });
}

/** What a JSON value's own type says, for comparing with the CRD's. */
function fits(value: unknown, type: FieldType): boolean {
  switch (type) {
    case "open":
      return true;
    case "object":
    case "map":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    case "array":
      return Array.isArray(value);
    case "string":
      return typeof value === "string";
    case "integer":
      return Number.isInteger(value);
    case "boolean":
      return typeof value === "boolean";
    case "int-or-string":
      return typeof value === "string" || Number.isInteger(value);
  }
}

/**
 * Problems of a spec against allowed field paths: paths that are not allowed,
 * and values whose JSON type differs from the field's. Empty when it conforms.
 */
export function fieldProblems(spec: unknown, fields: Record<string, FieldType>, root = "spec"): string[] {
  const problems: string[] = [];
  const walk = (value: unknown, path: string): void => {
    const type = fields[path];
    if (type === undefined) {
      problems.push(`${path}: not a field of the CRD`);
      return;
    }
    if (!fits(value, type)) {
      problems.push(`${path}: ${JSON.stringify(value)} is not of type ${type}`);
      return;
    }
    if (type === "array") for (const item of value as unknown[]) walk(item, `${path}[]`);
    if (type === "object" || type === "map") {
      for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
        walk(child, type === "map" ? `${path}.*` : `${path}.${key}`);
      }
    }
  };
  walk(spec, root);
  return problems;
}

/** A node of a CRD's openAPIV3Schema. */
export interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-int-or-string"?: boolean;
}

function schemaType(node: SchemaNode): FieldType {
  if (node["x-kubernetes-preserve-unknown-fields"]) return "open";
  if (node["x-kubernetes-int-or-string"]) return "int-or-string";
  if (node.type === "object" && !node.properties && typeof node.additionalProperties === "object") return "map";
  if (node.type === "object" || node.type === "array" || node.type === "string" || node.type === "boolean") {
    return node.type;
  }
  if (node.type === "integer") return "integer";
  throw new Error(`unsupported schema type ${JSON.stringify(node.type)}`);
}

/**
 * The field paths a spec uses, with their types as the CRD schema gives them.
 * Throws, naming every path, when the spec uses a field the schema lacks.
 */
export function usedFieldTypes(spec: unknown, schema: SchemaNode, root = "spec"): Record<string, FieldType> {
  const used: Record<string, FieldType> = {};
  const missing: string[] = [];
  const walk = (value: unknown, path: string, node: SchemaNode | undefined): void => {
    if (!node) {
      missing.push(path);
      return;
    }
    const type = schemaType(node);
    used[path] = type;
    if (type === "array" && Array.isArray(value)) {
      for (const item of value) walk(item, `${path}[]`, node.items);
    }
    if ((type === "object" || type === "map") && value && typeof value === "object") {
      for (const [key, child] of Object.entries(value)) {
        if (type === "map") walk(child, `${path}.*`, node.additionalProperties as SchemaNode);
        else walk(child, `${path}.${key}`, node.properties?.[key]);
      }
    }
  };
  walk(spec, root, schema);
  if (missing.length > 0) throw new Error(`not in the CRD schema:\n  ${missing.join("\n  ")}`);
  return used;
}
