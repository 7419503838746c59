/**
 * Retention and mappings of the log data streams, as pure functions of the
 * stack config: one ILM policy per data stream (hot with rollover, then
 * delete) and one index template per data stream that beats Elasticsearch's
 * built-in `logs` template and maps the app's ECS fields explicitly.
 */
import { DataStreamRetention, StackConfig } from "../../configs/types";
import { Dataset, dataStreams, ECS_FIELD_OPTIONS, ECS_MAPPINGS, EsFieldType, EXTRA_FIELD_TYPES } from "./ecs-mapping";

/** Above the built-in `logs` template (priority 100) and the 200 Elastic reserves for its own. */
export const INDEX_TEMPLATE_PRIORITY = 250;

/** Elasticsearch's own logs settings and ECS dynamic mappings, kept underneath ours. */
const BUILT_IN_COMPONENTS = ["logs@mappings", "logs@settings", "ecs@mappings"];

const META = { managed_by: "cryoprotect-observability", generated_by: "components/logging/retention.ts" };

export function retentionOf(config: StackConfig, dataset: Dataset): DataStreamRetention {
  return dataset === "cryoprotect" ? config.logging.retention.app : config.logging.retention.kubernetes;
}

export function ilmPolicyName(config: StackConfig, dataset: Dataset): string {
  return `logs-${dataset}-${config.environment}`;
}

export function ilmPolicy(config: StackConfig, dataset: Dataset) {
  const r = retentionOf(config, dataset);
  return {
    policy: {
      _meta: META,
      phases: {
        hot: {
          min_age: "0ms",
          actions: {
            rollover: { max_age: r.rolloverMaxAge, max_primary_shard_size: r.rolloverMaxPrimaryShardSize },
            set_priority: { priority: 100 },
          },
        },
        // Counted from rollover, so a line lives at most deleteAfterDays plus one rollover period.
        delete: { min_age: `${r.deleteAfterDays}d`, actions: { delete: {} } },
      },
    },
  };
}

interface FieldMappingJson {
  type?: EsFieldType;
  ignore_malformed?: boolean;
  ignore_above?: number;
  index?: false;
  doc_values?: false;
  fields?: Record<string, { type: EsFieldType }>;
  properties?: Properties;
}
type Properties = Record<string, FieldMappingJson>;

/** ECS's limit: longer keyword values stay in _source but are not indexed (Lucene rejects terms over 32 KB). */
export const KEYWORD_IGNORE_ABOVE = 1024;

function fieldMapping(field: string, type: EsFieldType): FieldMappingJson {
  const options = ECS_FIELD_OPTIONS[field] ?? {};
  // A malformed address must not make Elasticsearch reject the whole line.
  if (type === "ip") return { type, ignore_malformed: true };
  if (options.notIndexed) return { type, index: false, doc_values: false };
  const multi = options.multiFields
    ? { fields: Object.fromEntries(Object.entries(options.multiFields).map(([name, t]) => [name, { type: t }])) }
    : {};
  if (type === "keyword") return { type, ignore_above: KEYWORD_IGNORE_ABOVE, ...multi };
  return { type, ...multi };
}

/** Nested `properties` for dotted field names. */
export function esProperties(fields: Record<string, EsFieldType>): Properties {
  const root: Properties = {};
  for (const [field, type] of Object.entries(fields).sort(([a], [b]) => a.localeCompare(b))) {
    const parts = field === "@timestamp" ? [field] : field.split(".");
    let node = root;
    for (const part of parts.slice(0, -1)) {
      node[part] ??= { properties: {} };
      node = node[part].properties!;
    }
    node[parts[parts.length - 1]] = fieldMapping(field, type);
  }
  return root;
}

/** The fields each data stream maps explicitly; anything else gets the ECS dynamic templates. */
export function mappedFields(dataset: Dataset): Record<string, EsFieldType> {
  const common: Record<string, EsFieldType> = {
    "@timestamp": "date",
    "error.message": "match_only_text",
    "event.kind": "keyword",
    ...EXTRA_FIELD_TYPES,
  };
  if (dataset === "kubernetes") return common;
  return { ...common, ...Object.fromEntries(ECS_MAPPINGS.map((m) => [m.to, m.esType])) };
}

export function indexTemplate(config: StackConfig, dataset: Dataset) {
  const name = `logs-${dataset}-${config.environment}`;
  return {
    index_patterns: [name],
    data_stream: {},
    priority: INDEX_TEMPLATE_PRIORITY,
    composed_of: BUILT_IN_COMPONENTS,
    ignore_missing_component_templates: BUILT_IN_COMPONENTS,
    template: {
      settings: {
        "index.lifecycle.name": ilmPolicyName(config, dataset),
        "index.number_of_shards": 1,
        // A single node cannot hold replicas; asking for one would keep the cluster yellow.
        "index.number_of_replicas": config.logging.elasticsearch.nodeCount > 1 ? 1 : 0,
      },
      mappings: { properties: esProperties(mappedFields(dataset)) },
    },
    _meta: META,
  };
}

/** Files for the synth output and the setup Job, keyed by their path under out/<stack>/. */
export function retentionFiles(config: StackConfig): Record<string, string> {
  const files: Record<string, string> = {};
  for (const { dataset, name } of dataStreams(config)) {
    files[`elasticsearch/ilm/${ilmPolicyName(config, dataset)}.json`] = json(ilmPolicy(config, dataset));
    files[`elasticsearch/index-templates/${name}.json`] = json(indexTemplate(config, dataset));
  }
  return files;
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}
