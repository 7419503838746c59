/**
 * Kibana objects as code, as NDJSON for the saved-objects import API: the
 * data view over both log data streams, saved searches (errors, one request by
 * correlation id, slowest requests), two Vega charts and the logs dashboard.
 * Ids are stable so a re-import with overwrite=true updates them in place.
 */
import { StackConfig } from "../../configs/types";
import { kibanaHttpPort, kibanaHttpService } from "./names";

export const DATA_VIEW_ID = "cryoprotect-logs";
export const DATA_VIEW_PATTERN = "logs-cryoprotect-*,logs-kubernetes-*";
export const APP_INDEX_PATTERN = "logs-cryoprotect-*";
export const ERROR_QUERY = 'log.level : ("error" or "critical")';

export const kibanaIds = {
  errors: "cryoprotect-errors",
  requestTrace: "cryoprotect-request-trace",
  slowestRequests: "cryoprotect-slowest-requests",
  volumeByLevel: "cryoprotect-log-volume-by-level",
  errorsByEndpoint: "cryoprotect-errors-by-endpoint",
  dashboard: "cryoprotect-logs-dashboard",
} as const;

export interface SavedObject {
  type: string;
  id: string;
  attributes: Record<string, unknown>;
  references: { name: string; type: string; id: string }[];
}

const INDEX_REF = "kibanaSavedObjectMeta.searchSourceJSON.index";

function savedSearch(
  id: string,
  title: string,
  description: string,
  query: string,
  columns: string[],
  sort: [string, "asc" | "desc"][],
): SavedObject {
  return {
    type: "search",
    id,
    attributes: {
      title,
      description,
      columns,
      sort,
      kibanaSavedObjectMeta: {
        searchSourceJSON: JSON.stringify({ query: { query, language: "kuery" }, filter: [], indexRefName: INDEX_REF }),
      },
    },
    references: [{ name: INDEX_REF, type: "index-pattern", id: DATA_VIEW_ID }],
  };
}

/** Vega-Lite over an Elasticsearch aggregation, following the dashboard's time range, query and filters. */
function vegaVisualization(id: string, title: string, spec: object): SavedObject {
  return {
    type: "visualization",
    id,
    attributes: {
      title,
      description: "",
      uiStateJSON: "{}",
      visState: JSON.stringify({ title, type: "vega", aggs: [], params: { spec: JSON.stringify(spec, null, 2) } }),
      kibanaSavedObjectMeta: {
        searchSourceJSON: JSON.stringify({ query: { query: "", language: "kuery" }, filter: [] }),
      },
    },
    references: [],
  };
}

const ERROR_LEVELS = { terms: { "log.level": ["error", "critical"] } };

function volumeByLevelSpec(): object {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: "Log lines by level",
    data: {
      url: {
        "%context%": true,
        "%timefield%": "@timestamp",
        index: DATA_VIEW_PATTERN,
        body: {
          size: 0,
          aggs: {
            levels: {
              terms: { field: "log.level", size: 10, missing: "none" },
              aggs: {
                time: {
                  date_histogram: {
                    field: "@timestamp",
                    interval: { "%autointerval%": true },
                    extended_bounds: { min: { "%timefilter%": "min" }, max: { "%timefilter%": "max" } },
                    min_doc_count: 0,
                  },
                },
              },
            },
          },
        },
      },
      format: { property: "aggregations.levels.buckets" },
    },
    transform: [
      { flatten: ["time.buckets"], as: ["bucket"] },
      { calculate: "datum.bucket.key", as: "time" },
      { calculate: "datum.bucket.doc_count", as: "lines" },
    ],
    mark: "bar",
    encoding: {
      x: { field: "time", type: "temporal", title: null },
      y: { field: "lines", type: "quantitative", stack: true, title: "lines" },
      color: { field: "key", type: "nominal", title: "log.level" },
    },
  };
}

function errorsByEndpointSpec(): object {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: "Errors by endpoint and type",
    data: {
      url: {
        "%context%": true,
        "%timefield%": "@timestamp",
        index: APP_INDEX_PATTERN,
        body: {
          size: 0,
          aggs: {
            errors: {
              filter: ERROR_LEVELS,
              aggs: {
                endpoints: {
                  terms: { field: "url.path", size: 15, missing: "(no path)" },
                  aggs: { types: { terms: { field: "error.type", size: 10, missing: "(no type)" } } },
                },
              },
            },
          },
        },
      },
      format: { property: "aggregations.errors.endpoints.buckets" },
    },
    transform: [
      { flatten: ["types.buckets"], as: ["type"] },
      { calculate: "datum.type.key", as: "error_type" },
      { calculate: "datum.type.doc_count", as: "errors" },
    ],
    mark: "bar",
    encoding: {
      y: { field: "key", type: "nominal", title: "url.path", sort: "-x" },
      x: { field: "errors", type: "quantitative", stack: true, title: "errors" },
      color: { field: "error_type", type: "nominal", title: "error.type" },
    },
  };
}

function dashboard(panels: { id: string; type: string; w: number; h: number }[]): SavedObject {
  let x = 0;
  let y = 0;
  const panelsJSON = panels.map((p, i) => {
    if (x + p.w > 48) {
      x = 0;
      y += 15;
    }
    const panel = {
      type: p.type,
      gridData: { x, y, w: p.w, h: p.h, i: String(i + 1) },
      panelIndex: String(i + 1),
      embeddableConfig: {},
      panelRefName: `panel_${i + 1}`,
    };
    x += p.w;
    return panel;
  });
  return {
    type: "dashboard",
    id: kibanaIds.dashboard,
    attributes: {
      title: "CryoProtect logs",
      description: "Log volume by level, errors by endpoint and type, slowest requests, recent errors.",
      panelsJSON: JSON.stringify(panelsJSON),
      optionsJSON: JSON.stringify({ useMargins: true, hidePanelTitles: false }),
      timeRestore: true,
      timeFrom: "now-24h",
      timeTo: "now",
      kibanaSavedObjectMeta: {
        searchSourceJSON: JSON.stringify({ query: { query: "", language: "kuery" }, filter: [] }),
      },
    },
    references: panels.map((p, i) => ({ name: `panel_${i + 1}`, type: p.type, id: p.id })),
  };
}

export function kibanaSavedObjects(config: StackConfig): SavedObject[] {
  const requestColumns = ["service.name", "log.level", "event.action", "http.request.method", "url.path"];
  return [
    {
      type: "index-pattern",
      id: DATA_VIEW_ID,
      attributes: {
        title: DATA_VIEW_PATTERN,
        name: `CryoProtect logs (${config.environment})`,
        timeFieldName: "@timestamp",
      },
      references: [],
    },
    savedSearch(
      kibanaIds.errors,
      "CryoProtect errors",
      "Error and critical lines of every pod.",
      ERROR_QUERY,
      ["service.name", "log.level", "error.type", "error.message", "url.path", "trace.id"],
      [["@timestamp", "desc"]],
    ),
    savedSearch(
      kibanaIds.requestTrace,
      "CryoProtect request by correlation id",
      "Every line of one request, oldest first: replace * with the X-Correlation-ID (trace.id) of the request.",
      "trace.id : *",
      [...requestColumns, "http.response.status_code", "message"],
      [["@timestamp", "asc"]],
    ),
    savedSearch(
      kibanaIds.slowestRequests,
      "CryoProtect slowest requests",
      "Completed requests by duration (event.duration is in nanoseconds).",
      'event.action : "request_completed" and event.duration > 0',
      [...requestColumns, "http.response.status_code", "event.duration", "trace.id"],
      [["event.duration", "desc"]],
    ),
    vegaVisualization(kibanaIds.volumeByLevel, "Log volume by level", volumeByLevelSpec()),
    vegaVisualization(kibanaIds.errorsByEndpoint, "Errors by endpoint and type", errorsByEndpointSpec()),
    dashboard([
      { id: kibanaIds.volumeByLevel, type: "visualization", w: 48, h: 15 },
      { id: kibanaIds.errorsByEndpoint, type: "visualization", w: 24, h: 15 },
      { id: kibanaIds.slowestRequests, type: "search", w: 24, h: 15 },
      { id: kibanaIds.errors, type: "search", w: 48, h: 15 },
    ]),
  ];
}

/** One object per line, as POST /api/saved_objects/_import takes it. */
export function kibanaNdjson(config: StackConfig): string {
  return kibanaSavedObjects(config)
    .map((o) => JSON.stringify(o) + "\n")
    .join("");
}

/** Kibana's address for people: the ingress when there is one, else the in-cluster Service (port-forward). */
export function kibanaBaseUrl(config: StackConfig): string {
  const ingress = config.logging.kibana.ingress;
  return ingress
    ? `https://${ingress.host}`
    : `https://${kibanaHttpService}.${config.namespaces.logging}.svc:${kibanaHttpPort}`;
}

/** Rison string literal, as Kibana's URL state uses. */
function rison(text: string): string {
  return `'${text.replace(/!/g, "!!").replace(/'/g, "!'")}'`;
}

/** Discover on a saved search with a KQL query over the last `window`. */
export function discoverUrl(config: StackConfig, savedSearchId: string, kql: string, window = "1h"): string {
  const g = `(time:(from:now-${window},to:now))`;
  const a = `(query:(language:kuery,query:${rison(kql)}))`;
  return `${kibanaBaseUrl(config)}/app/discover#/view/${savedSearchId}?_g=${encodeURIComponent(g)}&_a=${encodeURIComponent(a)}`;
}

export function kibanaDashboardUrl(config: StackConfig): string {
  return `${kibanaBaseUrl(config)}/app/dashboards#/view/${kibanaIds.dashboard}`;
}
