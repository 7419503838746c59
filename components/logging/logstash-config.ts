/**
 * The Logstash pipelines, generated from the rules in ecs-mapping.ts.
 *
 * `main`: beats input on 5044, one Ruby filter that routes, maps the API's JSON
 * to ECS, drops health-check noise and redacts secrets (the same steps as
 * test/logging-pipeline/pipeline-reference.ts), the date filter for @timestamp, and the data-stream
 * outputs. `dead-letter`: re-indexes what Elasticsearch rejected into the same
 * data stream, as the original text only, so a mapping conflict loses no line.
 *
 * Logstash config strings are taken literally (config.support_escapes is off),
 * so the Ruby code sits in single quotes and must not contain one.
 */
import { StackConfig } from "../../configs/types";
import {
  APP_TIMESTAMP_FIELD,
  appSelector,
  dataStreams,
  ECS_MAPPINGS,
  ECS_VERSION,
  fieldRef,
  NUMERIC_PATTERN,
  REDACTED,
  REDACTION,
  secretJsonMemberRegex,
  secretParamRegex,
  HEADER_FIELDS,
} from "./ecs-mapping";
import { logstashBeatsPort, logstashElasticsearchClusterName, logstashPipelineKey } from "./names";

/** Top-level fields kept when the Ruby filter fails, because they cannot carry request data. */
export const FAIL_CLOSED_KEEP = [
  "@timestamp",
  "kubernetes",
  "data_stream",
  "tags",
  "agent",
  "host",
  "container",
  "ecs",
];
export const FAILURE_TAG = "_cryoprotect_pipeline_failure";
export const DEAD_LETTER_TAG = "dead_letter";
export const deadLetterPipelineKey = "dead-letter.conf";

/** A Ruby literal for plain data (strings, numbers, booleans, arrays, objects). */
export function rubyLiteral(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value).replace(/#/g, "\\#");
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map(rubyLiteral).join(", ")}]`;
  if (value && typeof value === "object") {
    return `{${Object.entries(value)
      .map(([k, v]) => `${rubyLiteral(k)} => ${rubyLiteral(v)}`)
      .join(", ")}}`;
  }
  throw new Error(`no Ruby literal for ${String(value)}`);
}

/** Ruby anchors ^ and $ at every line; the numeric check must hold for the whole string. */
function rubyWholeStringPattern(pattern: string): string {
  return pattern.replace(/^\^/, "\\A").replace(/\$$/, "\\z");
}

/**
 * The filter's `init`: the rules as Ruby data, and the steps as lambdas, in
 * instance variables of the filter (prefixed, so none shadows the plugin's own).
 */
export function rubyInit(config: StackConfig): string {
  const selector = appSelector(config);
  const mappings = ECS_MAPPINGS.map((m) => [
    m.from.map(fieldRef),
    m.convert === "timestamp" ? fieldRef(APP_TIMESTAMP_FIELD) : fieldRef(m.to),
    m.convert,
  ]);
  const sourceRoots = [...new Set(ECS_MAPPINGS.flatMap((m) => m.from.map((f) => fieldRef(f.split(".")[0]))))];
  const constants: Record<string, unknown> = {
    mappings,
    source_roots: sourceRoots,
    ecs_version: ECS_VERSION,
    log_format: config.app.logFormat,
    app_namespace: selector.namespace,
    app_labels: selector.labels,
    service_name: config.app.name,
    environment: config.environment,
    health_paths: config.app.healthCheckPaths,
    secret_headers: REDACTION.secretHeaders,
    header_fields: REDACTION.headerFields.map(fieldRef),
    header_moves: Object.entries(HEADER_FIELDS).map(([from, to]) => [fieldRef(from), fieldRef(to)]),
    text_fields: REDACTION.textFields.map(fieldRef),
    fail_closed_keep: FAIL_CLOSED_KEEP,
    redacted: REDACTED,
  };
  return [
    ...Object.entries(constants).map(([k, v]) => `@cp_${k} = ${rubyLiteral(v)}`),
    `@cp_secret_header_re = Regexp.new(${rubyLiteral(REDACTION.secretHeaderPattern)}, Regexp::IGNORECASE)`,
    `@cp_secret_param_re = Regexp.new(${rubyLiteral(secretParamRegex())}, Regexp::IGNORECASE)`,
    `@cp_secret_json_re = Regexp.new(${rubyLiteral(secretJsonMemberRegex())}, Regexp::IGNORECASE)`,
    `@cp_numeric_re = Regexp.new(${rubyLiteral(rubyWholeStringPattern(NUMERIC_PATTERN))})`,
    RUBY_STEPS,
  ].join("\n");
}

const RUBY_STEPS = `
@cp_convert = lambda do |value, conversion|
  numeric = value.is_a?(Numeric) || (value.is_a?(String) && @cp_numeric_re.match?(value))
  case conversion
  when "integer"
    number = numeric ? Float(value) : nil
    number && number == number.floor ? number.to_i : nil
  when "secondsToNanoseconds"
    numeric ? (Float(value) * 1_000_000_000).round : nil
  when "lowercase"
    value.to_s.downcase
  when "string", "timestamp"
    value.to_s
  else
    value
  end
end

@cp_redact_text = lambda do |text|
  text.gsub(@cp_secret_param_re) { "#{$1}#{$2}=" + @cp_redacted }.gsub(@cp_secret_json_re) { $1 + @cp_redacted + $3 }
end

@cp_secret_header = lambda do |name|
  normalized = name.to_s.downcase.tr("_", "-").sub(/\\Ahttp-/, "")
  @cp_secret_headers.include?(normalized) || @cp_secret_header_re.match?(normalized)
end

@cp_redact = lambda do |event|
  @cp_header_moves.each do |from, to|
    headers = event.remove(from)
    event.set(to, headers) unless headers.nil?
  end
  @cp_header_fields.each do |field|
    headers = event.get(field)
    next unless headers.is_a?(Hash)
    event.set(field, headers.map { |name, value|
      [name, @cp_secret_header.call(name) ? @cp_redacted : (value.is_a?(String) ? @cp_redact_text.call(value) : value)]
    }.to_h)
  end
  @cp_text_fields.each do |field|
    text = event.get(field)
    event.set(field, @cp_redact_text.call(text)) if text.is_a?(String)
  end
end

@cp_app_event = lambda do |event|
  labels = event.get("[kubernetes][labels]")
  labels = {} unless labels.is_a?(Hash)
  event.get("[kubernetes][namespace]") == @cp_app_namespace &&
    @cp_app_labels.all? { |key, value| (labels[key].nil? ? labels[key.tr(".", "_")] : labels[key]) == value }
end

@cp_expand_dotted = lambda do |event|
  event.to_hash.keys.select { |key| key.include?(".") }.each do |key|
    value = event.remove("[#{key}]")
    event.set("[" + key.split(".").join("][") + "]", value)
  end
end

@cp_map_json = lambda do |event|
  values = @cp_mappings.map do |from, _to, conversion|
    source = from.map { |ref| event.get(ref) }.find { |value| !value.nil? }
    source.nil? ? nil : @cp_convert.call(source, conversion)
  end
  @cp_source_roots.each { |root| event.remove(root) }
  @cp_mappings.each_with_index { |(_from, to, _conversion), i| event.set(to, values[i]) unless values[i].nil? }
  event.set("[ecs][version]", @cp_ecs_version)
end

@cp_health_check = lambda do |event|
  status = event.get("[http][response][status_code]")
  @cp_health_paths.include?(event.get("[url][path]")) &&
    !(status.is_a?(Numeric) && status >= 400) && event.get("[error][type]").nil?
end`;

/** The filter's `code`, run once per event. */
export function rubyCode(): string {
  return `begin
  app = @cp_app_event.call(event)
  event.set("[data_stream]", {"type" => "logs", "dataset" => app ? "cryoprotect" : "kubernetes", "namespace" => @cp_environment})
  if app
    if @cp_log_format == "ecs" then @cp_expand_dotted.call(event) else @cp_map_json.call(event) end
    event.set("[service][name]", @cp_service_name)
    event.set("[service][environment]", @cp_environment)
  end
  if app && @cp_health_check.call(event)
    event.cancel
  else
    @cp_redact.call(event)
  end
rescue StandardError => e
  event.to_hash.keys.each { |key| event.remove("[#{key}]") unless @cp_fail_closed_keep.include?(key) }
  event.tag(${rubyLiteral(FAILURE_TAG)})
  event.set("[error][message]", "pipeline filter failed (#{e.class}); request fields removed")
end`;
}

function quoteRuby(code: string): string {
  if (code.includes("'")) throw new Error("Ruby code for a Logstash config string must not contain a single quote");
  return `'${code}'`;
}

function indent(text: string, spaces: number): string {
  return text
    .split("\n")
    .map((l) => " ".repeat(spaces) + l)
    .join("\n");
}

/** ECK puts the Elasticsearch reference's address and credentials into these variables. */
export function eckEnv(suffix: "HOSTS" | "USER" | "PASSWORD" | "SSL_CERTIFICATE_AUTHORITY"): string {
  return `\${${logstashElasticsearchClusterName.toUpperCase()}_ES_${suffix}}`;
}

function outputs(config: StackConfig, idPrefix: string): string {
  const branches = dataStreams(config).map(
    (ds) => `elasticsearch {
  id => "${idPrefix}-${ds.dataset}"
  hosts => ["${eckEnv("HOSTS")}"]
  user => "${eckEnv("USER")}"
  password => "${eckEnv("PASSWORD")}"
  ssl_enabled => true
  ssl_certificate_authorities => ["${eckEnv("SSL_CERTIFICATE_AUTHORITY")}"]
  data_stream => true
  data_stream_type => "logs"
  data_stream_dataset => "${ds.dataset}"
  data_stream_namespace => "${config.environment}"
}`,
  );
  return `output {
  if [data_stream][dataset] == "cryoprotect" {
${indent(branches[0], 4)}
  } else {
${indent(branches[1], 4)}
  }
}`;
}

const HEADER = "# Generated by components/logging/pipeline.ts from components/logging/ecs-mapping.ts. Do not edit.";

/** main.conf: Filebeat's events to ECS, redacted, into logs-cryoprotect-<env> and logs-kubernetes-<env>. */
export function logstashPipeline(config: StackConfig): string {
  return `${HEADER}
input {
  beats {
    id => "filebeat"
    port => ${logstashBeatsPort}
  }
}

filter {
  ruby {
    id => "cryoprotect-ecs"
    init => ${quoteRuby(rubyInit(config))}
    code => ${quoteRuby(rubyCode())}
  }
  if [${APP_TIMESTAMP_FIELD.split(".").join("][")}] {
    date {
      id => "app-timestamp"
      match => ["${fieldRef(APP_TIMESTAMP_FIELD)}", "ISO8601"]
      target => "@timestamp"
      tag_on_failure => ["_app_timestamp_parse_failure"]
    }
  }
}

${outputs(config, "es")}
`;
}

/**
 * dead-letter.conf: events Elasticsearch refused (mapping conflicts) come back
 * from the main pipeline's dead-letter queue and are indexed again as
 * `event.original` text with the reason in `error.message`, which cannot conflict.
 */
export function deadLetterPipeline(config: StackConfig, deadLetterQueuePath: string): string {
  return `${HEADER}
input {
  dead_letter_queue {
    id => "main-dead-letters"
    path => "${deadLetterQueuePath}"
    pipeline_id => "main"
    commit_offsets => true
    clean_consumed => true
  }
}

filter {
  ruby {
    id => "dead-letter-original"
    code => 'event.set("[@metadata][original]", LogStash::Json.dump(event.to_hash))'
  }
  prune {
    id => "dead-letter-prune"
    whitelist_names => ["^@timestamp$", "^data_stream$", "^tags$"]
  }
  mutate {
    id => "dead-letter-annotate"
    add_field => {
      "[event][original]" => "%{[@metadata][original]}"
      "[event][kind]" => "pipeline_error"
      "[error][message]" => "%{[@metadata][dead_letter_queue][reason]}"
    }
    add_tag => ["${DEAD_LETTER_TAG}"]
  }
}

${outputs(config, "es-dead-letter")}
`;
}

/** The pipelines (pipelines.yml entries) for a pipeline directory holding both files. */
export function logstashPipelines(pipelineDir: string): { "pipeline.id": string; "path.config": string }[] {
  return [
    { "pipeline.id": "main", "path.config": `${pipelineDir}/${logstashPipelineKey}` },
    { "pipeline.id": "dead-letter", "path.config": `${pipelineDir}/${deadLetterPipelineKey}` },
  ];
}
