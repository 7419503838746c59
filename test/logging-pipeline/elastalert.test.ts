/** ElastAlert2 rules from the log alert definitions, and the chart values. */
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { allAlerts } from "../../components/catalog";
import { elastalertRules, elastalertValues } from "../../components/logging/elastalert";
import { logAlertDefinitions } from "../../components/logging/log-alerts";
import { alertmanagerUrl, charts } from "../../components/shared/platform";
import { runbookUrl } from "../../components/shared/alert";
import { PROJECT_ROOT } from "../../scripts/lib/mock-runtime";
import { stackConfig } from "../../scripts/lib/stack-config";
import { STACKS } from "../harness/stack";

type Rule = Record<string, unknown> & {
  alertmanager_labels: Record<string, string>;
  alertmanager_annotations: Record<string, string>;
};

/** Every values key path set, checked by hand against the chart's values.yaml (2.31.0; the CA keys are documented there in comments). */
const ALLOWED_VALUE_PATHS = [
  "nameOverride",
  "replicaCount",
  "runIntervalMins",
  "bufferTimeMins",
  "writebackIndex",
  "elasticsearch.host",
  "elasticsearch.port",
  "elasticsearch.useSsl",
  "elasticsearch.verifyCerts",
  "elasticsearch.username",
  "elasticsearch.credentialsSecret",
  "elasticsearch.credentialsSecretPasswordKey",
  "elasticsearch.caCerts",
  "elasticsearch.certsVolumes",
  "elasticsearch.certsVolumeMounts",
  "resources",
  "podSecurityContext",
  "securityContext",
  "rules",
];

describe.each(STACKS)("%s", (stack) => {
  const config = stackConfig(stack);
  const am = alertmanagerUrl(config);
  const rules = Object.fromEntries(
    Object.entries(elastalertRules(config, am)).map(([k, v]) => [k, yaml.load(v) as Rule]),
  );

  test("the three log alerts, each a rule of its kind over the app's data stream", () => {
    expect(Object.keys(rules).sort()).toEqual(["CriticalLogLine", "ErrorLogSpike", "NewExceptionType"]);
    for (const r of Object.values(rules)) {
      expect(r.index).toBe(`logs-cryoprotect-${stack}`);
      expect(r.timestamp_field).toBe("@timestamp");
    }
    expect(rules.ErrorLogSpike).toMatchObject({
      type: "frequency",
      num_events: config.logging.alerts.errorSpikeCount,
      timeframe: { minutes: 5 },
      filter: [{ terms: { "log.level": ["error", "critical"] } }],
    });
    expect(rules.NewExceptionType).toMatchObject({
      type: "new_term",
      fields: ["error.type"],
      use_keyword_postfix: false,
      alert_on_missing_field: false,
    });
    expect((rules.NewExceptionType.terms_window_size as { days: number }).days).toBeLessThanOrEqual(
      config.logging.retention.app.deleteAfterDays,
    );
    expect(rules.CriticalLogLine).toMatchObject({ type: "any", filter: [{ term: { "log.level": "critical" } }] });
  });

  test("they post to the monitoring stack's Alertmanager, API v2, with the metric alerts' labels and annotations", () => {
    for (const [name, r] of Object.entries(rules)) {
      const def = logAlertDefinitions(config).find((d) => d.alert.name === name)!;
      expect(r.alert).toEqual(["alertmanager"]);
      expect(r.alertmanager_hosts).toEqual([am]);
      expect(r.alertmanager_api_version).toBe("v2");
      expect(r.alertmanager_alertname).toBe(name);
      expect(r.alertmanager_labels.severity).toBe(def.alert.severity);
      expect(r.alert_subject).toBe(def.alert.summary);
      expect(r.alertmanager_alert_subject_labelname).toBe("summary");
      expect(r.alertmanager_alert_text_labelname).toBe("description");
      expect(r.alertmanager_annotations.dashboard_url).toBe(`${config.monitoring.grafana.url}/d/cryoprotect-logging`);
      expect(r.alertmanager_annotations.kibana_url).toMatch(/\/app\/discover#\/view\/cryoprotect-errors\?/);
      expect(r.generate_kibana_discover_url).toBe(true);
      expect(r.alert_text_args).toEqual(["kibana_discover_url"]);
    }
    expect(am).toBe(`http://kube-prometheus-stack-alertmanager.${config.namespaces.monitoring}.svc:9093`);
  });

  test("every rule's runbook_url is runbooks/<Name>.md and the alert is in the catalog", () => {
    const catalog = allAlerts(config);
    for (const [name, r] of Object.entries(rules)) {
      expect(r.alertmanager_annotations.runbook_url).toBe(`${config.runbookBaseUrl}/${name}.md`);
      expect(r.alertmanager_annotations.runbook_url).toBe(runbookUrl(config, name));
      expect(fs.existsSync(path.join(PROJECT_ROOT, "runbooks", `${name}.md`))).toBe(true);
      expect(catalog.filter((c) => c.alert.name === name && c.alert.source === "elastalert")).toHaveLength(1);
      expect(catalog.find((c) => c.alert.name === name)!.component).toBe("logging");
    }
  });

  test("chart values: only known keys, ECK's elastic user and CA, the rules", () => {
    const values = elastalertValues(config, { X: "name: X\n" });
    const paths = (o: object, p = ""): string[] =>
      Object.entries(o).flatMap(([k, v]) => {
        const path = p ? `${p}.${k}` : k;
        return ALLOWED_VALUE_PATHS.includes(path) || !v || typeof v !== "object" || Array.isArray(v)
          ? [path]
          : paths(v, path);
      });
    for (const p of paths(values)) expect(ALLOWED_VALUE_PATHS).toContain(p);
    expect(values.elasticsearch).toMatchObject({
      host: `cryoprotect-es-http.${config.namespaces.logging}.svc`,
      port: 9200,
      useSsl: "True",
      verifyCerts: "True",
      credentialsSecret: "cryoprotect-es-elastic-user",
      credentialsSecretPasswordKey: "elastic",
    });
    expect(values.elasticsearch.certsVolumes[0].secret.secretName).toBe("cryoprotect-es-http-certs-public");
    expect(values.elasticsearch.caCerts.startsWith(values.elasticsearch.certsVolumeMounts[0].mountPath + "/")).toBe(
      true,
    );
    expect(values.nameOverride).toBe("elastalert2");
    expect(values.rules).toEqual({ X: "name: X\n" });
    expect(charts.elastalert.version).toMatch(/^2\.31\./);
  });
});
