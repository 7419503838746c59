/**
 * ElastAlert2: rule files generated from the log alert definitions, each
 * posting to the monitoring stack's Alertmanager (API v2) with the same labels
 * and annotations as the metric alerts (severity, summary, description,
 * runbook_url, dashboard_url) plus a Kibana link; and the chart's values,
 * connecting to Elasticsearch with ECK's `elastic` user and CA.
 */
import * as yaml from "js-yaml";
import { StackConfig } from "../../configs/types";
import { dashboardUrl, runbookUrl } from "../shared/alert";
import { RESTRICTED_CONTAINER_SECURITY_CONTEXT, restrictedPodSecurityContext } from "../shared/pod-security";
import { k8sResources } from "../shared/resources";
import { dataStreams } from "./ecs-mapping";
import { DATA_VIEW_ID, discoverUrl, kibanaBaseUrl, kibanaIds } from "./kibana-objects";
import { LogAlertDefinition, logAlertDefinitions } from "./log-alerts";
import {
  elasticsearchElasticUserSecret,
  elasticsearchHttpCaSecret,
  elasticsearchHttpPort,
  elasticsearchHttpService,
} from "./names";

/**
 * ElastAlert2 accepts only Kibana versions from its list (which grows release by
 * release) and builds the same Discover URL for every 8.x; 8.8 is in every 2.x list.
 */
const KIBANA_DISCOVER_VERSION = "8.8";
const CA_DIR = "/certs/elasticsearch";
/** The user of the ElastAlert2 image (the chart's default). */
const ELASTALERT_UID = 1000;

export function elastalertRule(config: StackConfig, def: LogAlertDefinition, alertmanagerUrl: string): object {
  const { alert, rule } = def;
  const typeOptions =
    rule.type === "frequency"
      ? { num_events: rule.numEvents, timeframe: { minutes: rule.timeframeMinutes } }
      : rule.type === "new_term"
        ? {
            fields: [rule.field],
            terms_window_size: { days: rule.termsWindowDays },
            alert_on_missing_field: false,
            // error.type is a keyword field; the default would query error.type.keyword.
            use_keyword_postfix: false,
            query_key: rule.field,
          }
        : {};
  return {
    name: alert.name,
    type: rule.type,
    index: dataStreams(config)[0].name,
    timestamp_field: "@timestamp",
    ...typeOptions,
    filter: def.filter,
    realert: { minutes: def.realertMinutes },
    generate_kibana_discover_url: true,
    kibana_discover_app_url: `${kibanaBaseUrl(config)}/app/discover#/`,
    kibana_discover_version: KIBANA_DISCOVER_VERSION,
    kibana_discover_index_pattern_id: DATA_VIEW_ID,
    kibana_discover_columns: ["log.level", "error.type", "error.message", "url.path", "trace.id"],
    alert: ["alertmanager"],
    alert_subject: alert.summary,
    alert_text: `${alert.description}\nLines in Kibana: {0}`,
    alert_text_args: ["kibana_discover_url"],
    alert_text_type: "alert_text_only",
    alert_missing_value: "(no link)",
    alertmanager_hosts: [alertmanagerUrl],
    alertmanager_api_version: "v2",
    alertmanager_alertname: alert.name,
    alertmanager_alert_subject_labelname: "summary",
    alertmanager_alert_text_labelname: "description",
    alertmanager_labels: {
      severity: alert.severity,
      source: "elastalert",
      namespace: config.app.namespace,
      environment: config.environment,
    },
    ...(Object.keys(def.labelFields).length ? { alertmanager_fields: def.labelFields } : {}),
    alertmanager_annotations: {
      runbook_url: runbookUrl(config, alert.name),
      dashboard_url: dashboardUrl(config, alert.dashboardUid),
      kibana_url: discoverUrl(config, kibanaIds.errors, alert.kibanaQuery),
    },
    // Alertmanager resolves the alert when ElastAlert2 stops re-sending it.
    alertmanager_resolve_time: { minutes: def.realertMinutes },
  };
}

/** Rule files by name, as YAML. */
export function elastalertRules(config: StackConfig, alertmanagerUrl: string): Record<string, string> {
  return Object.fromEntries(
    logAlertDefinitions(config).map((d) => [
      d.alert.name,
      yaml.dump(elastalertRule(config, d, alertmanagerUrl), { lineWidth: -1, noRefs: true }),
    ]),
  );
}

/** Values of the elastalert2 chart (every key exists in the chart's values.yaml). */
export function elastalertValues(config: StackConfig, rules: Record<string, string>) {
  return {
    // Pins the pod label app.kubernetes.io/name the NetworkPolicies admit to Elasticsearch.
    nameOverride: "elastalert2",
    replicaCount: 1,
    runIntervalMins: 1,
    bufferTimeMins: 15,
    writebackIndex: "elastalert",
    elasticsearch: {
      host: `${elasticsearchHttpService}.${config.namespaces.logging}.svc`,
      port: elasticsearchHttpPort,
      useSsl: "True",
      verifyCerts: "True",
      username: "elastic",
      credentialsSecret: elasticsearchElasticUserSecret,
      credentialsSecretPasswordKey: "elastic",
      caCerts: `${CA_DIR}/ca.crt`,
      certsVolumes: [{ name: "es-ca", secret: { secretName: elasticsearchHttpCaSecret, defaultMode: 0o444 } }],
      certsVolumeMounts: [{ name: "es-ca", mountPath: CA_DIR, readOnly: true }],
    },
    resources: k8sResources(config.logging.elastalert.resources),
    podSecurityContext: restrictedPodSecurityContext(ELASTALERT_UID),
    securityContext: RESTRICTED_CONTAINER_SECURITY_CONTEXT,
    rules,
  };
}
