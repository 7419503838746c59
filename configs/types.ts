/**
 * The typed shape of one stack's configuration. `configs/schema.json` is the
 * validator of record; this file mirrors it for the compiler, and
 * test/config/schema-types.test.ts keeps the two in step.
 */

/** Kubernetes resource quantity, e.g. "512Mi", "20Gi", "500m". */
export type Quantity = string;
/** Prometheus duration, e.g. "30s", "15d". */
export type Duration = string;
/** Five-field cron expression, e.g. "0 2 * * 1-6". */
export type Cron = string;
/** Name of a Pulumi config key set with `pulumi config set --secret`. */
export type SecretKey = string;

export type Severity = "critical" | "warning" | "info";

export interface ClusterConfig {
  name: string;
  /** kubeconfig context to deploy to; absent means the ambient kubeconfig. */
  kubeconfigContext?: string;
  /** AWS region of the cluster and of the primary backup bucket. */
  region: string;
  /** IAM OIDC provider of the EKS cluster, used for IRSA. */
  oidcProviderArn: string;
  oidcProviderUrl: string;
}

export interface NamespacesConfig {
  monitoring: string;
  logging: string;
  backup: string;
  /** node-exporter alone: it needs the host's namespaces, so this namespace admits privileged pods. */
  nodeExporter: string;
}

export interface AppConfig {
  name: string;
  namespace: string;
  /** Labels that select the API's Service (and its pods). */
  serviceSelector: Record<string, string>;
  port: number;
  /** Name of the Service port that serves metrics. */
  portName: string;
  metricsPath: string;
  logFormat: "json" | "ecs";
  /** URL paths whose request logs are dropped as noise. */
  healthCheckPaths: string[];
}

export interface IngressTlsConfig {
  /** The Secret of type kubernetes.io/tls the Ingress serves. */
  secretName: string;
  /** cert-manager creates and renews the Secret from this issuer (annotation on the Ingress). */
  issuer?: { kind: "ClusterIssuer" | "Issuer"; name: string };
  /** true: the Secret is managed outside this stack (and must exist before traffic arrives). */
  existingSecret?: boolean;
}

export interface IngressConfig {
  host: string;
  className: string;
  /** Exactly one of tls.issuer and tls.existingSecret says where the Secret comes from. */
  tls: IngressTlsConfig;
}

export interface ResourcesConfig {
  cpu: Quantity;
  memory: Quantity;
}

export interface DataStreamRetention {
  /** Roll the hot backing index over at this age... */
  rolloverMaxAge: string;
  /** ...or at this primary shard size, whichever comes first. */
  rolloverMaxPrimaryShardSize: string;
  deleteAfterDays: number;
}

export interface LoggingConfig {
  /** false when the cluster already runs the ECK operator. */
  installOperator: boolean;
  operator: { resources: ResourcesConfig };
  elastalert: { resources: ResourcesConfig };
  elasticsearch: {
    version: string;
    nodeCount: number;
    storageSize: Quantity;
    storageClass: string;
    memory: Quantity;
    cpu: Quantity;
    /** false sets node.store.allow_mmap: false instead of a privileged sysctl init container. */
    allowMmap: boolean;
  };
  kibana: {
    replicas: number;
    resources: ResourcesConfig;
    /** Kibana is only exposed through an ingress with TLS when this is set. */
    ingress?: IngressConfig;
  };
  logstash: {
    replicas: number;
    pipelineWorkers: number;
    batchSize: number;
    queueMaxBytes: Quantity;
    queueStorageSize: Quantity;
    deadLetterQueueStorageSize: Quantity;
    resources: ResourcesConfig;
  };
  filebeat: { resources: ResourcesConfig };
  retention: {
    app: DataStreamRetention;
    kubernetes: DataStreamRetention;
  };
  alerts: {
    /** Error lines per 5 minutes that count as a spike. */
    errorSpikeCount: number;
  };
}

export type Receiver =
  | { name: string; type: "slack"; channel: string; secret: SecretKey }
  | { name: string; type: "pagerduty"; secret: SecretKey }
  | {
      name: string;
      type: "email";
      to: string;
      from: string;
      smarthost: string;
      authUsername: string;
      secret: SecretKey;
    }
  | { name: string; type: "webhook"; secret: SecretKey };

export interface MonitoringConfig {
  prometheus: {
    replicas: number;
    retention: Duration;
    retentionSize: string;
    storageSize: Quantity;
    storageClass: string;
    scrapeInterval: Duration;
    evaluationInterval: Duration;
    resources: ResourcesConfig;
  };
  alertmanager: {
    replicas: number;
    storageSize: Quantity;
    resources: ResourcesConfig;
    /** The longest silence `cryo-ops silence add` creates: a forgotten silence hides pages. */
    maxSilenceHours: number;
    receivers: Receiver[];
    /** Which receivers each severity goes to. */
    routing: {
      critical: string[];
      warning: string[];
      /** null drops info alerts into the null receiver. */
      info: string | null;
      /** Receives the always-firing Watchdog (dead man's switch). */
      heartbeat: string;
    };
  };
  grafana: {
    /** External URL; dashboard links in alerts point here. */
    url: string;
    adminUser: string;
    storageSize: Quantity;
    resources: ResourcesConfig;
    /** Each of the dashboard and datasource sidecars. */
    sidecarResources: ResourcesConfig;
    ingress?: IngressConfig;
  };
  /** Synthetic probes from inside the cluster (blackbox exporter): the API's health URL and every ingress. */
  probes: {
    /** In-cluster URL of the API's health endpoint, e.g. http://cryoprotect-api.cryoprotect.svc:5000/health. */
    apiHealthUrl: string;
    interval: Duration;
    /** A probe slower than this warns (ProbeSlow). */
    slowSeconds: number;
    resources: ResourcesConfig;
  };
  /** The Prometheus Operator, its admission-webhook Jobs and the config reloader it adds to Prometheus and Alertmanager. */
  operator: { resources: ResourcesConfig; jobResources: ResourcesConfig; configReloaderResources: ResourcesConfig };
  exporters: {
    kubeStateMetrics: ResourcesConfig;
    nodeExporter: ResourcesConfig;
    pushgateway: ResourcesConfig;
    postgres: ResourcesConfig;
    elasticsearch: ResourcesConfig;
  };
  slo: {
    /** Share of non-5xx requests, e.g. 0.999. */
    availability: number;
    /** Share of requests faster than latency.thresholdSeconds. */
    latency: { objective: number; thresholdSeconds: number };
    /** Requests per second below which burn-rate pages are held back. */
    minRequestRate: number;
  };
  thresholds: {
    errorRatio: number;
    latencyP95Seconds: number;
    endpointErrorRatio: number;
    requestRatePerSecond: number;
    dbLatencyP95Seconds: number;
    dbErrorsPerSecond: number;
    inProgressRequests: number;
    cpuWarningPercent: number;
    cpuCriticalPercent: number;
    memoryWarningPercent: number;
    memoryCriticalPercent: number;
    diskWarningPercent: number;
    diskCriticalPercent: number;
    connectionPoolUsage: number;
    /** Days of validity left at which a certificate warns (cert-manager renews well before: 30 days for Let's Encrypt). */
    certificateExpiryWarningDays: number;
    /** ...and pages. */
    certificateExpiryCriticalDays: number;
  };
}

export type BackupTarget =
  | {
      name: string;
      kind: "s3";
      region: string;
      bucket: string;
      /** The primary target is written by every backup; others get `restic copy`. */
      primary: boolean;
      objectLock: boolean;
    }
  | {
      name: string;
      kind: "restic";
      /** Any restic repository URL, e.g. "b2:bucket:path" or "sftp:host:/srv/restic". */
      repository: string;
      /** Secret config key holding a JSON object of the environment variables restic needs. */
      credentialsSecret: SecretKey;
    };

export interface BackupConfig {
  database: {
    host: string;
    port: number;
    name: string;
    user: string;
    sslmode: "disable" | "allow" | "prefer" | "require" | "verify-ca" | "verify-full";
    passwordSecret: SecretKey;
    /** Major version of the server; the image's pg_dump must match it. */
    serverMajorVersion: number;
  };
  timeZone: string;
  schedules: { backup: Cron; full: Cron; drill: Cron };
  retention: { daily: number; weekly: number; monthly: number; yearly: number };
  /**
   * The weekly `restic check` reads share n of this many (`--read-data-subset=n/N`, n rotating with
   * the week), so every pack is read at least once in this many weeks; 1 reads everything weekly.
   */
  checkRotationWeeks: number;
  /**
   * Schemas to back up, exact and case-sensitive; absent: the whole database. On Supabase, `public`
   * and the app's own schemas: the provider's schemas cannot be restored by its database owner.
   */
  schemas?: string[];
  /** Hours past the schedule before BackupTooOld fires. */
  maxAgeHours: number;
  targets: BackupTarget[];
  /** Prebuilt backup image; when absent the image is built and pushed to ECR. */
  image?: string;
  resources: ResourcesConfig;
}

export interface StackConfig {
  environment: string;
  cluster: ClusterConfig;
  namespaces: NamespacesConfig;
  app: AppConfig;
  logging: LoggingConfig;
  monitoring: MonitoringConfig;
  backup: BackupConfig;
  /** Where runbooks are published; alerts link to `<runbookBaseUrl>/<AlertName>.md`. */
  runbookBaseUrl: string;
  /** Install cert-manager with the stack; absent: issuers named by ingresses belong to a cert-manager already there. */
  certManager?: { namespace: string; resources: ResourcesConfig };
  /** Policy violations the stack accepts (policy pack, policy/): reviewed in the PR, reported on every preview. */
  policyExceptions?: PolicyException[];
}

export interface PolicyException {
  /** Name of the policy, e.g. "k8s-image-pinned". */
  policy: string;
  /** Pulumi name of the resource the exception is for. */
  resource: string;
  /** Why, in words a reviewer can check (at least 20 characters). */
  reason: string;
}
