/**
 * elasticsearch-exporter metrics the logging alerts and dashboard read, and
 * the PromQL built from them. The exporter (deployed by the monitoring stack)
 * keeps its defaults es.all and es.indices on, which provide these series;
 * index metrics carry the backing index (".ds-<data stream>-<date>-<n>").
 */
import { StackConfig } from "../../configs/types";
import { Dataset, dataStreams } from "./ecs-mapping";

export const esMetrics = {
  clusterHealthStatus: "elasticsearch_cluster_health_status",
  filesystemAvailableBytes: "elasticsearch_filesystem_data_available_bytes",
  filesystemSizeBytes: "elasticsearch_filesystem_data_size_bytes",
  jvmMemoryUsedBytes: "elasticsearch_jvm_memory_used_bytes",
  jvmMemoryMaxBytes: "elasticsearch_jvm_memory_max_bytes",
  indexingTotal: "elasticsearch_index_stats_indexing_index_total",
  storeSizeBytesPrimary: "elasticsearch_indices_store_size_bytes_primary",
} as const;

/** Backing index name -> data stream name, as a `data_stream` label. */
function byDataStream(expr: string): string {
  return `sum by (data_stream) (label_replace(${expr}, "data_stream", "$1", "index", "\\\\.ds-(.+)-\\\\d{4}\\\\.\\\\d{2}\\\\.\\\\d{2}-\\\\d+"))`;
}

const LOG_INDICES = `index=~"\\\\.ds-logs-.+"`;

export const esExpr = {
  /** 0 green, 1 yellow, 2 red. */
  healthLevel:
    `max by (cluster) (${esMetrics.clusterHealthStatus}{color="yellow"})` +
    ` + 2 * max by (cluster) (${esMetrics.clusterHealthStatus}{color="red"})`,
  diskUsedPercent: `100 * (1 - ${esMetrics.filesystemAvailableBytes} / ${esMetrics.filesystemSizeBytes})`,
  heapUsedPercent: `100 * ${esMetrics.jvmMemoryUsedBytes}{area="heap"} / ${esMetrics.jvmMemoryMaxBytes}{area="heap"}`,
  indexingRateByDataStream: (window: string) =>
    byDataStream(`rate(${esMetrics.indexingTotal}{${LOG_INDICES}}[${window}])`),
  storeBytesByDataStream: byDataStream(`${esMetrics.storeSizeBytesPrimary}{${LOG_INDICES}}`),
};

/** Documents per second written into one of the stack's log data streams (0 when none). */
export function dataStreamIngestRate(config: StackConfig, dataset: Dataset, window: string): string {
  const name = dataStreams(config).find((d) => d.dataset === dataset)!.name;
  return `(sum(rate(${esMetrics.indexingTotal}{index=~"\\\\.ds-${name}-.+"}[${window}])) or vector(0))`;
}
