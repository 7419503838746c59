/**
 * The log pipeline's rules as data: how the API's JSON lines become ECS, which
 * secrets are redacted, which lines are dropped and where events are routed.
 * The Logstash pipeline (pipeline.ts), its TypeScript reference implementation
 * (pipeline-reference.ts) and the index templates (retention.ts) are all
 * generated from these definitions, so they cannot drift apart.
 */
import { StackConfig } from "../../configs/types";

/** How a source value is converted on its way to the ECS field. */
export type Conversion =
  /** Copied unchanged (objects included). */
  | "none"
  | "string"
  /** Whole numbers only; anything else is left out. */
  | "integer"
  | "lowercase"
  /** A number of seconds becomes whole nanoseconds (ECS event.duration). */
  | "secondsToNanoseconds"
  /** ISO 8601 text, parsed by Logstash's date filter into @timestamp. */
  | "timestamp";

/** Elasticsearch field types used by the index templates. */
export type EsFieldType = "keyword" | "long" | "date" | "match_only_text" | "wildcard" | "ip" | "flattened";

export interface FieldMapping {
  /** Dotted paths in the app's JSON line; the first one present wins. */
  from: string[];
  /** Dotted ECS field. */
  to: string;
  convert: Conversion;
  /** Mapping of the ECS field in the index template. */
  esType: EsFieldType;
}

/** The app's JSON fields (logFormat "json") and their ECS names. */
export const ECS_MAPPINGS: FieldMapping[] = [
  { from: ["timestamp"], to: "@timestamp", convert: "timestamp", esType: "date" },
  { from: ["level"], to: "log.level", convert: "lowercase", esType: "keyword" },
  { from: ["logger"], to: "log.logger", convert: "string", esType: "keyword" },
  { from: ["correlation_id"], to: "trace.id", convert: "string", esType: "keyword" },
  { from: ["request_id"], to: "http.request.id", convert: "string", esType: "keyword" },
  { from: ["request.method", "method"], to: "http.request.method", convert: "string", esType: "keyword" },
  { from: ["request.path", "path"], to: "url.path", convert: "string", esType: "wildcard" },
  { from: ["request.query_string"], to: "url.query", convert: "string", esType: "keyword" },
  { from: ["request.remote_addr", "remote_addr"], to: "client.ip", convert: "string", esType: "ip" },
  { from: ["request.user_agent", "user_agent"], to: "user_agent.original", convert: "string", esType: "keyword" },
  { from: ["request.content_length"], to: "http.request.body.bytes", convert: "integer", esType: "long" },
  { from: ["request.content_type"], to: "http.request.mime_type", convert: "string", esType: "keyword" },
  { from: ["request.headers"], to: "cryoprotect.http.request.headers", convert: "none", esType: "flattened" },
  { from: ["response.status_code"], to: "http.response.status_code", convert: "integer", esType: "long" },
  { from: ["response.content_length"], to: "http.response.body.bytes", convert: "integer", esType: "long" },
  { from: ["response.content_type"], to: "http.response.mime_type", convert: "string", esType: "keyword" },
  { from: ["response.duration"], to: "event.duration", convert: "secondsToNanoseconds", esType: "long" },
  { from: ["error.type", "exception.type"], to: "error.type", convert: "string", esType: "keyword" },
  { from: ["error.message", "exception.message"], to: "error.message", convert: "string", esType: "match_only_text" },
  { from: ["exception.traceback"], to: "error.stack_trace", convert: "string", esType: "wildcard" },
  { from: ["user_id"], to: "user.id", convert: "string", esType: "keyword" },
  { from: ["hostname"], to: "host.hostname", convert: "string", esType: "keyword" },
  { from: ["process_id"], to: "process.pid", convert: "integer", esType: "long" },
  { from: ["event_type"], to: "event.action", convert: "string", esType: "keyword" },
];

/** Fields the pipeline sets itself or keeps from Filebeat, with their template mappings. */
export const EXTRA_FIELD_TYPES: Record<string, EsFieldType> = {
  message: "match_only_text",
  "service.name": "keyword",
  "service.environment": "keyword",
  "ecs.version": "keyword",
  "cryoprotect.http.response.headers": "flattened",
  "url.original": "wildcard",
  "url.full": "wildcard",
  "http.request.referrer": "keyword",
  // Whole events from the dead-letter queue: kept in _source, neither indexed nor aggregated (as ECS maps it).
  "event.original": "keyword",
  "kubernetes.namespace": "keyword",
  "kubernetes.pod.name": "keyword",
  "kubernetes.container.name": "keyword",
  "kubernetes.node.name": "keyword",
};

/**
 * Mapping options ECS gives these fields besides their type: `.text` multi-fields for full-text
 * search of wildcard/keyword fields, and a field stored for reading only.
 */
export const ECS_FIELD_OPTIONS: Record<string, { multiFields?: Record<string, EsFieldType>; notIndexed?: true }> = {
  "error.stack_trace": { multiFields: { text: "match_only_text" } },
  "url.full": { multiFields: { text: "match_only_text" } },
  "url.original": { multiFields: { text: "match_only_text" } },
  "user_agent.original": { multiFields: { text: "match_only_text" } },
  "event.original": { notIndexed: true },
};

/**
 * Request and response headers are not ECS fields (ECS has no headers object): the pipeline keeps
 * them, redacted, under this platform's own `cryoprotect.*` names, whichever name the app used.
 */
export const HEADER_FIELDS: Record<string, string> = {
  "http.request.headers": "cryoprotect.http.request.headers",
  "http.response.headers": "cryoprotect.http.response.headers",
};

/** Field sets that are not ECS's: the Kubernetes metadata Filebeat adds, and this platform's own. */
export const NON_ECS_FIELD_PREFIXES = ["kubernetes.", "cryoprotect."];

/** ECS version the "json" format is mapped to. */
export const ECS_VERSION = "8.11.0";

export const REDACTED = "[REDACTED]";

export interface RedactionRules {
  /** Header names (case-insensitive, "_" read as "-", a leading "http-" ignored) whose values are replaced. */
  secretHeaders: string[];
  /** Any other header whose normalized name matches this (case-insensitive) is replaced too. */
  secretHeaderPattern: string;
  /** Names of query parameters whose values are replaced wherever they appear. */
  secretParamPattern: string;
  /** ECS fields holding header objects. */
  headerFields: string[];
  /** ECS fields whose text may carry URLs or query strings. */
  textFields: string[];
}

export const REDACTION: RedactionRules = {
  secretHeaders: ["authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key"],
  secretHeaderPattern: "authorization|cookie|token|secret|password|api-?key",
  secretParamPattern: "password|passwd|token|secret|api[_-]?key|apikey",
  headerFields: Object.values(HEADER_FIELDS),
  textFields: [
    "message",
    "url.query",
    "url.path",
    "url.original",
    "url.full",
    "http.request.referrer",
    "error.message",
    "error.stack_trace",
  ],
};

/**
 * Regular expression (source, used with the case-insensitive and multi-line
 * flags in both Ruby and JavaScript) matching `name=value` of a secret query
 * parameter: group 1 is what precedes it, group 2 the name, group 3 the value.
 */
export function secretParamRegex(rules: RedactionRules = REDACTION): string {
  return `(^|[?&;\\s])([^=&;#\\s]*(?:${rules.secretParamPattern})[^=&;#\\s]*)=([^&;#\\s]*)`;
}

/**
 * Regular expression (source, case-insensitive) matching a JSON member whose
 * key names a secret header or parameter, e.g. `"Authorization": "Bearer x"`
 * inside a logged JSON text: group 1 is up to the opening quote of the value,
 * group 2 the value, group 3 its closing quote.
 */
export function secretJsonMemberRegex(rules: RedactionRules = REDACTION): string {
  return `("[^"]*(?:${rules.secretHeaderPattern}|${rules.secretParamPattern})[^"]*"\\s*:\\s*")((?:[^"\\\\]|\\\\.)*)(")`;
}

/** Only plain decimal numbers convert; "", "1e" or "abc" do not. */
export const NUMERIC_PATTERN = "^-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?$";

export type Dataset = "cryoprotect" | "kubernetes";

/** The two data streams of a stack. */
export function dataStreams(config: StackConfig): { dataset: Dataset; name: string }[] {
  return (["cryoprotect", "kubernetes"] as const).map((dataset) => ({
    dataset,
    name: `logs-${dataset}-${config.environment}`,
  }));
}

/** What identifies the app's pods in Filebeat's Kubernetes metadata. */
export function appSelector(config: StackConfig): { namespace: string; labels: Record<string, string> } {
  return { namespace: config.app.namespace, labels: config.app.serviceSelector };
}

/** Dotted path to a Logstash field reference: "url.path" -> "[url][path]". */
export function fieldRef(path: string): string {
  return path
    .split(".")
    .map((p) => `[${p}]`)
    .join("");
}

/** Where the pipeline leaves the app's timestamp for the date filter. */
export const APP_TIMESTAMP_FIELD = "@metadata.app_timestamp";
