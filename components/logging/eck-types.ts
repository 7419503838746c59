/**
 * The parts of the ECK 3.5 custom resources this project sets, typed. Every
 * field below exists in the operator's CRDs (test/logging-eck/eck-crd-fields.json,
 * extracted from them by scripts/extract-eck-fields.ts, keeps it so).
 * `podTemplate` and `config` are free-form in the CRDs
 * (x-kubernetes-preserve-unknown-fields): the pod template is typed here with
 * the core/v1 PodTemplateSpec fields we use.
 */

export const eckApiVersions = {
  Elasticsearch: "elasticsearch.k8s.elastic.co/v1",
  Kibana: "kibana.k8s.elastic.co/v1",
  Logstash: "logstash.k8s.elastic.co/v1alpha1",
  Beat: "beat.k8s.elastic.co/v1beta1",
} as const;

export type EckKind = keyof typeof eckApiVersions;

export interface EckResource<K extends EckKind, S> {
  apiVersion: (typeof eckApiVersions)[K];
  kind: K;
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  spec: S;
}

// --- core/v1 shapes used inside podTemplate and volumeClaimTemplates ---

export interface ResourceRequirements {
  requests?: { cpu?: string; memory?: string };
  limits?: { cpu?: string; memory?: string };
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef: { fieldPath: string } };
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
}

export interface Volume {
  name: string;
  hostPath?: { path: string; type?: "Directory" | "DirectoryOrCreate" };
  configMap?: { name: string; items?: { key: string; path: string }[] };
  emptyDir?: Record<string, never>;
}

export interface SecurityContext {
  privileged?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { drop?: readonly string[] };
  seccompProfile?: { type: string };
}

export interface PodSecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  fsGroup?: number;
  seccompProfile?: { type: string };
}

export interface Container {
  name: string;
  command?: string[];
  env?: EnvVar[];
  resources?: ResourceRequirements;
  securityContext?: SecurityContext;
  volumeMounts?: VolumeMount[];
}

export interface LabelSelector {
  matchLabels: Record<string, string>;
}

export interface PodAffinityTerm {
  labelSelector: LabelSelector;
  topologyKey: string;
}

export interface PodAntiAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
  preferredDuringSchedulingIgnoredDuringExecution?: { weight: number; podAffinityTerm: PodAffinityTerm }[];
}

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    serviceAccountName?: string;
    automountServiceAccountToken?: boolean;
    securityContext?: PodSecurityContext;
    terminationGracePeriodSeconds?: number;
    affinity?: { podAntiAffinity: PodAntiAffinity };
    initContainers?: Container[];
    containers: Container[];
    volumes?: Volume[];
  };
}

export interface VolumeClaimTemplate {
  metadata: { name: string };
  spec: {
    accessModes: string[];
    storageClassName?: string;
    resources: { requests: { storage: string } };
  };
}

/** ECK's reference to a Secret in the resource's namespace. */
export interface SecretSource {
  secretName: string;
}

/** ECK's reference to another ECK resource, by name in the same namespace. */
export interface ObjectRef {
  name: string;
}

// --- Elasticsearch elasticsearch.k8s.elastic.co/v1 ---

export interface NodeSet {
  name: string;
  count: number;
  /** elasticsearch.yml settings of this node set. */
  config: Record<string, unknown>;
  podTemplate: PodTemplate;
  volumeClaimTemplates: VolumeClaimTemplate[];
}

/** Users and roles ECK adds to the ones it manages itself (the `elastic` user stays). */
export interface ElasticsearchAuth {
  fileRealm: SecretSource[];
  roles: SecretSource[];
}

export interface ElasticsearchSpec {
  version: string;
  nodeSets: NodeSet[];
  auth: ElasticsearchAuth;
  /** `{}` disables ECK's default budget; otherwise a policy/v1 PodDisruptionBudget spec. */
  podDisruptionBudget: { spec?: { maxUnavailable: number; selector: LabelSelector } };
  volumeClaimDeletePolicy: "DeleteOnScaledownOnly" | "DeleteOnScaledownAndClusterDeletion";
}

// --- Kibana kibana.k8s.elastic.co/v1 ---

export interface KibanaSpec {
  version: string;
  count: number;
  elasticsearchRef: ObjectRef;
  /** kibana.yml settings. */
  config?: Record<string, unknown>;
  podTemplate: PodTemplate;
}

// --- Logstash logstash.k8s.elastic.co/v1alpha1 ---

export interface LogstashElasticsearchRef extends ObjectRef {
  /** Logstash sees the cluster as env vars `<CLUSTERNAME>_ES_HOSTS`, `_USER`, `_PASSWORD`, `_SSL_CERTIFICATE_AUTHORITY`. */
  clusterName: string;
}

export interface LogstashService {
  name: string;
  service: {
    spec: {
      type: "ClusterIP";
      ports: { name: string; port: number; targetPort: number; protocol: "TCP" }[];
    };
  };
}

export interface LogstashSpec {
  version: string;
  count: number;
  elasticsearchRefs: LogstashElasticsearchRef[];
  /** logstash.yml settings. */
  config: Record<string, unknown>;
  /** pipelines.yml entries. */
  pipelines: Record<string, unknown>[];
  services: LogstashService[];
  volumeClaimTemplates: VolumeClaimTemplate[];
  podTemplate: PodTemplate;
}

// --- Beat beat.k8s.elastic.co/v1beta1 ---

export interface BeatSpec {
  type: "filebeat";
  version: string;
  /** filebeat.yml. */
  config: Record<string, unknown>;
  daemonSet: { podTemplate: PodTemplate };
}

export type Elasticsearch = EckResource<"Elasticsearch", ElasticsearchSpec>;
export type Kibana = EckResource<"Kibana", KibanaSpec>;
export type Logstash = EckResource<"Logstash", LogstashSpec>;
export type Beat = EckResource<"Beat", BeatSpec>;
