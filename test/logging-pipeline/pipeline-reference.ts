/**
 * The Logstash pipeline's behaviour in TypeScript, derived from the same rules
 * (ecs-mapping.ts) as the generated Ruby filter. It documents what the
 * pipeline does to an event and lets the tests check that the Ruby code,
 * executed on the same sample lines, does exactly the same.
 */
import { StackConfig } from "../../configs/types";
import {
  APP_TIMESTAMP_FIELD,
  appSelector,
  Conversion,
  Dataset,
  ECS_MAPPINGS,
  ECS_VERSION,
  NUMERIC_PATTERN,
  REDACTED,
  REDACTION,
  secretJsonMemberRegex,
  secretParamRegex,
  HEADER_FIELDS,
} from "../../components/logging/ecs-mapping";

export type LogEvent = Record<string, unknown>;

function isAbsent(v: unknown): boolean {
  return v === undefined || v === null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function getPath(event: LogEvent, path: string): unknown {
  let node: unknown = event;
  for (const part of path.split(".")) {
    if (!isObject(node)) return undefined;
    node = node[part];
  }
  return node;
}

export function setPath(event: LogEvent, path: string, value: unknown): void {
  const parts = path.split(".");
  let node = event;
  for (const part of parts.slice(0, -1)) {
    if (!isObject(node[part])) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]] = value;
}

/** Removes the leaf only, as Logstash's event.remove does (an emptied parent object stays). */
export function deletePath(event: LogEvent, path: string): void {
  const parts = path.split(".");
  const parent = getPath(event, parts.slice(0, -1).join("."));
  if (isObject(parent)) delete parent[parts[parts.length - 1]];
}

/** A conversion's result, or undefined when the value does not convert. */
export function convert(value: unknown, conversion: Conversion): unknown {
  const numeric = typeof value === "number" || (typeof value === "string" && new RegExp(NUMERIC_PATTERN).test(value));
  switch (conversion) {
    case "integer":
      return numeric && Number.isInteger(Number(value)) ? Number(value) : undefined;
    case "secondsToNanoseconds":
      return numeric ? Math.round(Number(value) * 1e9) : undefined;
    case "lowercase":
      return String(value).toLowerCase();
    case "string":
    case "timestamp":
      return String(value);
    case "none":
      return value;
  }
}

export function redactText(text: string): string {
  return text
    .replace(
      new RegExp(secretParamRegex(), "gim"),
      (_m, before: string, name: string) => `${before}${name}=${REDACTED}`,
    )
    .replace(
      new RegExp(secretJsonMemberRegex(), "gi"),
      (_m, key: string, _v: string, end: string) => `${key}${REDACTED}${end}`,
    );
}

export function isSecretHeader(name: string): boolean {
  const normalized = name
    .toLowerCase()
    .replace(/_/g, "-")
    .replace(/^http-/, "");
  return (
    REDACTION.secretHeaders.includes(normalized) || new RegExp(REDACTION.secretHeaderPattern, "i").test(normalized)
  );
}

function redactHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      isSecretHeader(name) ? REDACTED : typeof value === "string" ? redactText(value) : value,
    ]),
  );
}

function redact(event: LogEvent): void {
  for (const [from, to] of Object.entries(HEADER_FIELDS)) {
    const headers = getPath(event, from);
    if (headers === undefined) continue;
    deletePath(event, from);
    setPath(event, to, headers);
  }
  for (const field of REDACTION.headerFields) {
    const headers = getPath(event, field);
    if (isObject(headers)) setPath(event, field, redactHeaders(headers));
  }
  for (const field of REDACTION.textFields) {
    const text = getPath(event, field);
    if (typeof text === "string") setPath(event, field, redactText(text));
  }
}

export function isAppEvent(config: StackConfig, event: LogEvent): boolean {
  const { namespace, labels } = appSelector(config);
  const podLabels = getPath(event, "kubernetes.labels");
  const found = isObject(podLabels) ? podLabels : {};
  return (
    getPath(event, "kubernetes.namespace") === namespace &&
    // Filebeat writes label keys with dots replaced by "_" (labels.dedot) unless told otherwise.
    Object.entries(labels).every(([k, v]) => (found[k] ?? found[k.replace(/\./g, "_")]) === v)
  );
}

/** ECS JSON may carry dotted top-level keys ("log.level"); nest them like Elasticsearch would. */
function expandDottedKeys(event: LogEvent): void {
  for (const key of Object.keys(event)) {
    if (key.includes(".")) {
      const value = event[key];
      delete event[key];
      setPath(event, key, value);
    }
  }
}

function mapJsonToEcs(event: LogEvent): void {
  const values = ECS_MAPPINGS.map((m) => {
    const source = m.from.map((f) => getPath(event, f)).find((v) => !isAbsent(v));
    return source === undefined ? undefined : convert(source, m.convert);
  });
  for (const root of new Set(ECS_MAPPINGS.flatMap((m) => m.from.map((f) => f.split(".")[0])))) delete event[root];
  ECS_MAPPINGS.forEach((m, i) => {
    if (values[i] === undefined) return;
    // The date filter parses the app's timestamp into @timestamp (and keeps Filebeat's when it cannot).
    if (m.convert === "timestamp") setPath(event, APP_TIMESTAMP_FIELD, values[i]);
    else setPath(event, m.to, values[i]);
  });
  setPath(event, "ecs.version", ECS_VERSION);
}

function isHealthCheck(config: StackConfig, event: LogEvent): boolean {
  const status = getPath(event, "http.response.status_code");
  return (
    config.app.healthCheckPaths.includes(getPath(event, "url.path") as string) &&
    !(typeof status === "number" && status >= 400) &&
    isAbsent(getPath(event, "error.type"))
  );
}

/**
 * What the pipeline's filter stage does to one Filebeat event: the event as
 * the Elasticsearch output gets it (with APP_TIMESTAMP_FIELD still to be
 * parsed by the date filter), or null when it is dropped.
 */
export function applyPipeline(config: StackConfig, input: LogEvent): LogEvent | null {
  const event = structuredClone(input);
  const app = isAppEvent(config, event);
  const dataset: Dataset = app ? "cryoprotect" : "kubernetes";
  setPath(event, "data_stream", { type: "logs", dataset, namespace: config.environment });
  if (app) {
    if (config.app.logFormat === "ecs") expandDottedKeys(event);
    else mapJsonToEcs(event);
    setPath(event, "service.name", config.app.name);
    setPath(event, "service.environment", config.environment);
    if (isHealthCheck(config, event)) return null;
  }
  redact(event);
  return event;
}
