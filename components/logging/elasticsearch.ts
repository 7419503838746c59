/**
 * The Elasticsearch cluster, as a pure function of the stack config.
 *
 * One node set whose nodes are all master + data + ingest: dev runs one node,
 * prod `nodeCount` nodes spread over hosts (required) and zones (preferred).
 * Memory requests equal limits and ES 8 sizes its heap from the container
 * limit (half of it, automatically), so the heap follows config without an
 * ES_JAVA_OPTS. TLS and authentication stay as ECK sets them up; the spec
 * only adds the monitoring user to ECK's file realm.
 */
import { StackConfig } from "../../configs/types";
import { Container, Elasticsearch, ElasticsearchSpec, NodeSet, PodAntiAffinity, PodTemplate } from "./eck-types";
import { eckApiVersions } from "./eck-types";
import { ELASTIC_IMAGE_UID, eckPodLabels, elasticsearchName, monitoringUser } from "./names";
import { guaranteedResources } from "../shared/resources";
import {
  PodSecurityException,
  RESTRICTED_CONTAINER_SECURITY_CONTEXT,
  restrictedPodSecurityContext,
} from "../shared/pod-security";

export const elasticsearchNodeRoles = ["master", "data", "ingest"];
export const elasticsearchDataVolume = "elasticsearch-data";
/** The value Elasticsearch's bootstrap check requires for mmapfs. */
export const requiredMaxMapCount = 262144;

export function elasticsearch(config: StackConfig): Elasticsearch {
  return {
    apiVersion: eckApiVersions.Elasticsearch,
    kind: "Elasticsearch",
    metadata: { name: elasticsearchName, namespace: config.namespaces.logging },
    spec: elasticsearchSpec(config),
  };
}

export function elasticsearchSpec(config: StackConfig): ElasticsearchSpec {
  const es = config.logging.elasticsearch;
  const highlyAvailable = es.nodeCount > 1;
  const nodeSet: NodeSet = {
    name: "default",
    count: es.nodeCount,
    config: {
      "node.roles": elasticsearchNodeRoles,
      // Without mmap Elasticsearch uses niofs and skips the vm.max_map_count bootstrap check.
      ...(es.allowMmap ? {} : { "node.store.allow_mmap": false }),
    },
    podTemplate: podTemplate(config, highlyAvailable),
    volumeClaimTemplates: [
      {
        metadata: { name: elasticsearchDataVolume },
        spec: {
          accessModes: ["ReadWriteOnce"],
          storageClassName: es.storageClass,
          resources: { requests: { storage: es.storageSize } },
        },
      },
    ],
  };
  return {
    version: es.version,
    nodeSets: [nodeSet],
    // The monitoring stack's read-only user (monitoring-user.ts); ECK keeps `elastic` and its own users.
    auth: {
      fileRealm: [{ secretName: monitoringUser.fileRealmSecret }],
      roles: [{ secretName: monitoringUser.rolesSecret }],
    },
    // ECK's default budget allows a disruption only while the cluster is green;
    // a single dev node is never more than yellow and would block node drains.
    podDisruptionBudget: highlyAvailable
      ? { spec: { maxUnavailable: 1, selector: { matchLabels: { ...eckPodLabels.elasticsearch } } } }
      : {},
    // Deleting the Elasticsearch resource must not delete the log data with it.
    volumeClaimDeletePolicy: "DeleteOnScaledownOnly",
  };
}

function podTemplate(config: StackConfig, highlyAvailable: boolean): PodTemplate {
  const es = config.logging.elasticsearch;
  return {
    spec: {
      ...(highlyAvailable ? { affinity: { podAntiAffinity: antiAffinity() } } : {}),
      securityContext: restrictedPodSecurityContext(ELASTIC_IMAGE_UID),
      ...(es.allowMmap ? { initContainers: [maxMapCountInitContainer()] } : {}),
      containers: [
        {
          name: "elasticsearch",
          resources: guaranteedResources(es),
          // ECK mounts the data, logs, config and tmp directories as volumes.
          securityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
        },
      ],
    },
  };
}

/** One node per host, always; spread over zones when the scheduler can. */
function antiAffinity(): PodAntiAffinity {
  const labelSelector = { matchLabels: { ...eckPodLabels.elasticsearch } };
  return {
    requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector, topologyKey: "kubernetes.io/hostname" }],
    preferredDuringSchedulingIgnoredDuringExecution: [
      { weight: 100, podAffinityTerm: { labelSelector, topologyKey: "topology.kubernetes.io/zone" } },
    ],
  };
}

const MAX_MAP_COUNT_CONTAINER = "sysctl";

/** vm.max_map_count is a node-wide kernel setting: only a privileged root container may raise it. */
function maxMapCountInitContainer(): Container {
  return {
    name: MAX_MAP_COUNT_CONTAINER,
    command: ["sh", "-c", `sysctl -w vm.max_map_count=${requiredMaxMapCount}`],
    resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "16Mi" } },
    securityContext: {
      privileged: true,
      // The pod runs as non-root; this one container must say otherwise, or the kubelet refuses uid 0.
      runAsNonRoot: false,
      runAsUser: 0,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    },
  };
}

/** The mmap init container, when the stack allows mmap: privileged and root for one sysctl, before Elasticsearch starts. */
export function elasticsearchPodSecurityExceptions(config: StackConfig): PodSecurityException[] {
  if (!config.logging.elasticsearch.allowMmap) return [];
  return [
    {
      workload: `Elasticsearch/${elasticsearchName}`,
      namespace: config.namespaces.logging,
      containers: [MAX_MAP_COUNT_CONTAINER],
      rules: ["privileged", "privilegeEscalation", "runningAsNonRoot", "runningAsNonRootUser"],
      reason:
        "logging.elasticsearch.allowMmap is true: the init container raises the node's vm.max_map_count to " +
        `${requiredMaxMapCount}, which only a privileged root container can; set allowMmap: false to run without it`,
    },
  ];
}
