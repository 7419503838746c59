/**
 * Logstash, as a pure function of the stack config: `replicas` pods behind the
 * beats Service on 5044, a persisted queue on the `logstash-data` volume and a
 * dead-letter queue on a volume of its own, so neither a restart nor an
 * Elasticsearch outage loses accepted events. The pipeline text lives in a
 * ConfigMap (see names.ts) mounted as a directory, so that Logstash's automatic
 * reload picks up a changed pipeline without a restart.
 */
import { StackConfig } from "../../configs/types";
import { eckApiVersions, Logstash, VolumeClaimTemplate } from "./eck-types";
import {
  ELASTIC_IMAGE_UID,
  elasticsearchName,
  logstashBeatsPort,
  logstashBeatsServiceName,
  logstashElasticsearchClusterName,
  logstashName,
  logstashPipelineConfigMap,
} from "./names";
import { logstashPipelines } from "./logstash-config";
import { kubernetesBytes, logstashBytes, logstashMegabytes } from "./quantity";
import { guaranteedResources } from "../shared/resources";
import {
  RESTRICTED_CONTAINER_SECURITY_CONTEXT,
  restrictedPodSecurityContext,
  scratchVolume,
} from "../shared/pod-security";

/** ECK mounts a volume claim of this name at /usr/share/logstash/data. */
export const logstashDataVolume = "logstash-data";
export const logstashDeadLetterVolume = "logstash-dlq";
export const logstashPaths = {
  queue: "/usr/share/logstash/data/queue",
  deadLetterQueue: "/usr/share/logstash/dlq",
  pipelineDir: "/usr/share/logstash/cryoprotect-pipeline",
} as const;

/** Share of the container memory limit given to the JVM heap; the rest is for off-heap and page cache. */
const heapShare = 0.5;
/** Share of the DLQ volume the DLQ may fill, leaving room for its segment being written. */
const deadLetterQueueShare = 0.9;

export function logstash(config: StackConfig): Logstash {
  const ls = config.logging.logstash;
  if (logstashBytes(ls.queueMaxBytes) > kubernetesBytes(ls.queueStorageSize)) {
    throw new Error(
      `logging.logstash.queueMaxBytes (${ls.queueMaxBytes}) does not fit on its volume (queueStorageSize ${ls.queueStorageSize})`,
    );
  }
  const heapMb = Math.floor((kubernetesBytes(ls.resources.memory) * heapShare) / 2 ** 20);
  return {
    apiVersion: eckApiVersions.Logstash,
    kind: "Logstash",
    metadata: { name: logstashName, namespace: config.namespaces.logging },
    spec: {
      version: config.logging.elasticsearch.version,
      count: ls.replicas,
      elasticsearchRefs: [{ clusterName: logstashElasticsearchClusterName, name: elasticsearchName }],
      config: {
        "pipeline.workers": ls.pipelineWorkers,
        "pipeline.batch.size": ls.batchSize,
        "queue.type": "persisted",
        "queue.max_bytes": ls.queueMaxBytes,
        "path.queue": logstashPaths.queue,
        "dead_letter_queue.enable": true,
        "dead_letter_queue.max_bytes": logstashMegabytes(
          kubernetesBytes(ls.deadLetterQueueStorageSize) * deadLetterQueueShare,
        ),
        "path.dead_letter_queue": logstashPaths.deadLetterQueue,
        "config.reload.automatic": true,
      },
      pipelines: logstashPipelines(logstashPaths.pipelineDir).map((p) =>
        p["pipeline.id"] === "main"
          ? p
          : // The dead-letter pipeline reads the main pipeline's DLQ from disk: it needs no persisted queue
            // or DLQ of its own, and the volumes only have room for the main pipeline's (both are per pipeline).
            { ...p, "queue.type": "memory", "dead_letter_queue.enable": false },
      ),
      services: [
        {
          name: logstashBeatsServiceName,
          service: {
            spec: {
              type: "ClusterIP",
              ports: [{ name: "beats", port: logstashBeatsPort, targetPort: logstashBeatsPort, protocol: "TCP" }],
            },
          },
        },
      ],
      volumeClaimTemplates: [
        volumeClaim(logstashDataVolume, ls.queueStorageSize),
        volumeClaim(logstashDeadLetterVolume, ls.deadLetterQueueStorageSize),
      ],
      podTemplate: {
        spec: {
          securityContext: restrictedPodSecurityContext(ELASTIC_IMAGE_UID),
          containers: [
            {
              name: "logstash",
              // ECK mounts config and data; the DLQ and pipeline are volumes; JRuby unpacks native code into /tmp.
              securityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
              // The image's default heap is a fixed 1g, whatever the container limit.
              env: [{ name: "LS_JAVA_OPTS", value: `-Xms${heapMb}m -Xmx${heapMb}m` }],
              resources: guaranteedResources(ls.resources),
              volumeMounts: [
                { name: logstashDeadLetterVolume, mountPath: logstashPaths.deadLetterQueue },
                { name: "pipeline", mountPath: logstashPaths.pipelineDir, readOnly: true },
                { name: "tmp", mountPath: "/tmp" },
              ],
            },
          ],
          volumes: [{ name: "pipeline", configMap: { name: logstashPipelineConfigMap } }, scratchVolume("tmp")],
        },
      },
    },
  };
}

function volumeClaim(name: string, size: string): VolumeClaimTemplate {
  return {
    metadata: { name },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: size } } },
  };
}
