/**
 * Names of the ECK resources and of the Services and Secrets ECK derives from
 * them. Other parts of the logging module (pipeline, setup Job, ElastAlert2,
 * exporter) connect through these, so they are fixed here once.
 */

/** Where the ECK operator runs (installed there by us, or already there when config.logging.installOperator is false). */
export const eckOperatorNamespace = "elastic-system";

/** The user the Elasticsearch, Kibana and Logstash images run as. */
export const ELASTIC_IMAGE_UID = 1000;

export const elasticsearchName = "cryoprotect";
export const kibanaName = "cryoprotect";
export const logstashName = "cryoprotect";
export const filebeatName = "cryoprotect-filebeat";

/** HTTPS on 9200, certificate signed by ECK's CA. */
export const elasticsearchHttpService = `${elasticsearchName}-es-http`;
/** Key `elastic`: the password of the `elastic` superuser. */
export const elasticsearchElasticUserSecret = `${elasticsearchName}-es-elastic-user`;
/** Key `ca.crt`: the CA that signed the HTTP certificate. */
export const elasticsearchHttpCaSecret = `${elasticsearchName}-es-http-certs-public`;
/**
 * The read-only user Grafana's logs datasource and the elasticsearch-exporter
 * log in as (file realm, managed by ECK from the two Secrets). The Secret
 * names avoid ECK's own `<cluster>-es-` prefix.
 */
export const monitoringUser = {
  username: "cryoprotect-monitoring",
  role: "cryoprotect_monitoring",
  /** kubernetes.io/basic-auth: `username`, `password`, `roles`; for `spec.auth.fileRealm`. */
  fileRealmSecret: "cryoprotect-monitoring-user",
  /** `roles.yml` defining the role; for `spec.auth.roles`. */
  rolesSecret: "cryoprotect-monitoring-roles",
} as const;
export const elasticsearchHttpPort = 9200;
export const elasticsearchTransportPort = 9300;

/** HTTPS on 5601. */
export const kibanaHttpService = `${kibanaName}-kb-http`;
export const kibanaHttpPort = 5601;

/** Name of the Logstash service in the Logstash CR; ECK calls the Service `<logstash>-ls-<name>`. */
export const logstashBeatsServiceName = "beats";
export const logstashBeatsService = `${logstashName}-ls-${logstashBeatsServiceName}`;
export const logstashBeatsPort = 5044;
/**
 * Alias of the Elasticsearch reference in the Logstash CR: ECK gives the
 * Logstash pods ECK_ES_HOSTS, ECK_ES_USER, ECK_ES_PASSWORD and
 * ECK_ES_SSL_CERTIFICATE_AUTHORITY for the pipeline's elasticsearch output.
 */
export const logstashElasticsearchClusterName = "eck";
/** ConfigMap holding the pipeline text under `main.conf`. */
export const logstashPipelineConfigMap = "cryoprotect-logstash-pipeline";
export const logstashPipelineKey = "main.conf";

/** Pod labels ECK puts on the pods it manages. */
export const eckPodLabels = {
  elasticsearch: {
    "common.k8s.elastic.co/type": "elasticsearch",
    "elasticsearch.k8s.elastic.co/cluster-name": elasticsearchName,
  },
  kibana: { "common.k8s.elastic.co/type": "kibana", "kibana.k8s.elastic.co/name": kibanaName },
  logstash: { "common.k8s.elastic.co/type": "logstash", "logstash.k8s.elastic.co/name": logstashName },
  filebeat: { "common.k8s.elastic.co/type": "beat", "beat.k8s.elastic.co/name": filebeatName },
} as const;

/** Pod labels of the logging module's other clients of Elasticsearch (set by their charts / Job). */
export const elasticsearchClientLabels = {
  elastalert: { "app.kubernetes.io/name": "elastalert2" },
  exporter: { "app.kubernetes.io/name": "prometheus-elasticsearch-exporter" },
  /** kube-prometheus-stack's Grafana, for its logs datasource. */
  grafana: { "app.kubernetes.io/name": "grafana" },
  setupJob: { "app.kubernetes.io/name": "cryoprotect-logging-setup" },
} as const;
