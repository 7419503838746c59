/** kube-prometheus-stack and exporter values per stack, and the key paths they use. */
import {
  elasticsearchDatasource,
  GRAFANA_ADMIN_KEYS,
  kubePrometheusStackValues,
} from "../../components/monitoring/chart-values";
import { k8sResources } from "../../components/shared/resources";
import { ALERTMANAGER_CONFIG_SECRET, GRAFANA_ADMIN_SECRET } from "../../components/monitoring/names";
import {
  ELASTICSEARCH_CREDENTIALS_SECRET,
  RULES_LABEL,
  alertmanagerUrl,
  pushgatewayUrl,
} from "../../components/shared/platform";
import {
  elasticsearchExporterValues,
  postgresDsn,
  postgresExporterValues,
  pushgatewayValues,
} from "../../components/monitoring/exporter-values";
import { engineValuePaths, valueKeyPaths } from "../../scripts/lib/value-paths";
import { stackConfig } from "../../scripts/lib/stack-config";
import { STACKS } from "../harness/stack";
import { allowedValuePaths, ChartKey } from "../../scripts/lib/allowed-value-paths";

const dev = stackConfig("dev");
const prod = stackConfig("prod");

describe("kube-prometheus-stack values", () => {
  it("size Prometheus and Alertmanager per stack (prod: 2 and 3 replicas)", () => {
    const [d, p] = [kubePrometheusStackValues(dev), kubePrometheusStackValues(prod)];
    expect(p.prometheus.prometheusSpec.replicas).toBe(2);
    expect(p.alertmanager.alertmanagerSpec.replicas).toBe(3);
    expect(d.prometheus.prometheusSpec.replicas).toBe(1);
    expect(d.alertmanager.alertmanagerSpec.replicas).toBe(1);
    expect(p.prometheus.prometheusSpec).toMatchObject({
      retention: "30d",
      retentionSize: "180GB",
      scrapeInterval: prod.monitoring.prometheus.scrapeInterval,
      evaluationInterval: prod.monitoring.prometheus.evaluationInterval,
      externalLabels: { environment: "prod", cluster: "cryoprotect-prod" },
      resources: { requests: { cpu: "2", memory: "8Gi" }, limits: { memory: "8Gi" } },
    });
    expect(d.prometheus.prometheusSpec.retention).toBe("3d");
    expect(p.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec).toEqual({
      storageClassName: "gp3",
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "200Gi" } },
    });
    expect(p.alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec.resources.requests.storage).toBe("5Gi");
  });

  it("loads the chart's default rules and ours through one label selector", () => {
    const v = kubePrometheusStackValues(prod);
    expect(v.defaultRules.create).toBe(true);
    expect(v.defaultRules.labels).toEqual(RULES_LABEL);
    expect(v.prometheus.prometheusSpec.ruleSelectorNilUsesHelmValues).toBe(false);
    expect(v.prometheus.prometheusSpec.ruleSelector).toEqual({ matchLabels: RULES_LABEL });
    expect(v.prometheus.prometheusSpec.ruleNamespaceSelector).toEqual({});
    expect(v.crds.enabled).toBe(false);
  });

  it("scrapes every ServiceMonitor and PodMonitor in the cluster", () => {
    const s = kubePrometheusStackValues(dev).prometheus.prometheusSpec;
    expect(s.serviceMonitorSelectorNilUsesHelmValues).toBe(false);
    expect(s.podMonitorSelectorNilUsesHelmValues).toBe(false);
    for (const sel of [
      s.serviceMonitorSelector,
      s.serviceMonitorNamespaceSelector,
      s.podMonitorSelector,
      s.podMonitorNamespaceSelector,
    ])
      expect(sel).toEqual({});
  });

  it("disables the chart's InfoInhibitor and the chart alerts we define ourselves, nothing else", () => {
    expect(kubePrometheusStackValues(dev).defaultRules.disabled).toEqual({ InfoInhibitor: true });
    expect(kubePrometheusStackValues(dev, ["Watchdog"]).defaultRules.disabled).toEqual({
      InfoInhibitor: true,
      Watchdog: true,
    });
  });

  it("Alertmanager reads its whole config from our Secret; nothing secret is in the values", () => {
    const v = kubePrometheusStackValues(prod);
    expect(v.alertmanager.alertmanagerSpec).toMatchObject({
      useExistingSecret: true,
      configSecret: ALERTMANAGER_CONFIG_SECRET,
    });
    const text = JSON.stringify(v);
    for (const key of ["slack", "pagerduty", "routing_key", "api_url", "auth_password"])
      expect(text).not.toContain(key);
  });

  it("Grafana: admin from our Secret, dashboards from labelled ConfigMaps with folders, persistence", () => {
    const g = kubePrometheusStackValues(prod).grafana;
    expect(g.admin).toEqual({
      existingSecret: GRAFANA_ADMIN_SECRET,
      userKey: GRAFANA_ADMIN_KEYS.user,
      passwordKey: GRAFANA_ADMIN_KEYS.password,
    });
    expect(g.sidecar.dashboards).toMatchObject({
      enabled: true,
      label: "grafana_dashboard",
      labelValue: "1",
      folderAnnotation: "grafana_folder",
    });
    expect(g.persistence).toMatchObject({ enabled: true, size: "10Gi" });
  });

  it("prod: Alertmanager and Prometheus spread over nodes, drained one peer at a time; dev: no budget", () => {
    const p = kubePrometheusStackValues(prod);
    expect(p.alertmanager.alertmanagerSpec).toMatchObject({
      podAntiAffinity: "hard",
      podAntiAffinityTopologyKey: "kubernetes.io/hostname",
      resources: k8sResources(prod.monitoring.alertmanager.resources),
    });
    expect(p.alertmanager.podDisruptionBudget).toEqual({ enabled: true, minAvailable: 2 });
    expect(p.prometheus.prometheusSpec.podAntiAffinity).toBe("hard");
    expect(p.prometheus.podDisruptionBudget).toEqual({ enabled: true, minAvailable: 1 });
    const d = kubePrometheusStackValues(dev);
    expect(d.alertmanager.alertmanagerSpec.podAntiAffinity).toBe("soft");
    expect(d.alertmanager.podDisruptionBudget.enabled).toBe(false);
    expect(d.prometheus.podDisruptionBudget.enabled).toBe(false);
  });

  it("node-exporter runs in its own namespace; Grafana's root chown init container is off", () => {
    const v = kubePrometheusStackValues(prod);
    expect(v["prometheus-node-exporter"].namespaceOverride).toBe(prod.namespaces.nodeExporter);
    expect(v.grafana.initChownData).toEqual({ enabled: false });
    expect(v.grafana.securityContext).toMatchObject({ fsGroup: 472, runAsUser: 472, runAsNonRoot: true });
  });

  it("Grafana ingress only where the stack configures one", () => {
    expect(kubePrometheusStackValues(dev).grafana.ingress).toEqual({ enabled: false });
    expect(kubePrometheusStackValues(prod).grafana.ingress).toEqual({
      enabled: true,
      ingressClassName: "nginx",
      // cert-manager's ingress-shim issues grafana-tls from the stack's issuer.
      annotations: { "cert-manager.io/cluster-issuer": "letsencrypt-prod" },
      hosts: ["grafana.cryoprotect.example"],
      path: "/",
      tls: [{ secretName: "grafana-tls", hosts: ["grafana.cryoprotect.example"] }],
    });
  });

  it("Elasticsearch logs datasource: ECK's service in the logging namespace, credentials from env only", () => {
    const ds = elasticsearchDatasource(prod);
    expect(ds.url).toBe(`https://cryoprotect-es-http.${prod.namespaces.logging}.svc:9200`);
    expect(ds.jsonData.index).toBe("logs-cryoprotect-*");
    expect(ds.secureJsonData.basicAuthPassword).toMatch(/^\$[A-Z_]+$/);
    const env = kubePrometheusStackValues(prod).grafana.envValueFrom;
    expect(Object.values(env).map((e) => e.secretKeyRef.name)).toEqual([
      ELASTICSEARCH_CREDENTIALS_SECRET,
      ELASTICSEARCH_CREDENTIALS_SECRET,
    ]);
    expect(Object.keys(env)).toContain(ds.secureJsonData.basicAuthPassword.slice(1));
    expect(Object.keys(env)).toContain(ds.basicAuthUser.slice(1));
  });

  it("resources request CPU and memory and limit memory only", () => {
    expect(k8sResources({ cpu: "1", memory: "2Gi" })).toEqual({
      requests: { cpu: "1", memory: "2Gi" },
      limits: { memory: "2Gi" },
    });
  });
});

describe("exporter values", () => {
  it("postgres-exporter reads its DSN from a Secret and gets a ServiceMonitor", () => {
    expect(postgresExporterValues(prod)).toMatchObject({
      config: { datasourceSecret: { name: "postgres-exporter-dsn", key: "DATA_SOURCE_NAME" } },
      serviceMonitor: { enabled: true, interval: "30s" },
    });
  });

  it("the DSN percent-encodes the password and carries the stack's sslmode", () => {
    const dsn = postgresDsn(prod, "p@ss:w/rd?#%");
    expect(dsn).toBe(
      "postgresql://backup_reader:p%40ss%3Aw%2Frd%3F%23%25@db.cryoprotect.example:5432/postgres?sslmode=verify-full",
    );
    const url = new URL(dsn);
    expect(decodeURIComponent(url.password)).toBe("p@ss:w/rd?#%");
    expect(postgresDsn(dev, "x")).toContain("sslmode=require");
  });

  it("Pushgateway keeps pushed job labels and persists across restarts", () => {
    const v = pushgatewayValues(prod);
    expect(v.serviceMonitor).toMatchObject({ enabled: true, honorLabels: true, namespace: "monitoring" });
    expect(v.persistentVolume.enabled).toBe(true);
    expect(v.extraArgs).toContain("--persistence.file=/data/pushgateway.data");
    expect(pushgatewayUrl(prod)).toBe(`http://${v.fullnameOverride}.monitoring.svc:9091`);
  });

  it("elasticsearch-exporter scrapes ECK's service with credentials from a Secret", () => {
    const v = elasticsearchExporterValues(dev);
    expect(v.es.uri).toBe("https://cryoprotect-es-http.logging.svc:9200");
    expect(v.extraEnvSecrets.ES_PASSWORD).toEqual({ secret: ELASTICSEARCH_CREDENTIALS_SECRET, key: "password" });
    expect(JSON.stringify(v)).not.toMatch(/:\/\/[^/]*@/);
  });

  it("Alertmanager's in-cluster URL names the chart's service", () => {
    expect(alertmanagerUrl(prod)).toBe("http://kube-prometheus-stack-alertmanager.monitoring.svc:9093");
  });
});

describe("value key paths", () => {
  it("valueKeyPaths stops at free-form paths and keeps empty maps and lists as leaves", () => {
    expect(valueKeyPaths({ a: { b: 1, c: { d: [1] } }, e: {}, f: { g: { h: 1 } } }, new Set(["f.g"])).sort()).toEqual([
      "a.b",
      "a.c.d",
      "e",
      "f.g",
    ]);
  });

  it.each(STACKS)("the %s stack's builders set only allowlisted key paths of each chart", (stack) => {
    const paths = engineValuePaths(stackConfig(stack));
    for (const chart of Object.keys(allowedValuePaths) as ChartKey[]) {
      const allow = allowedValuePaths[chart];
      const allowed = new Set<string>([...allow.paths, ...("subchartPaths" in allow ? allow.subchartPaths : [])]);
      expect(paths[chart].filter((p) => !allowed.has(p))).toEqual([]);
      expect(paths[chart].length).toBeGreaterThan(0);
    }
  });

  it("the allowlist covers exactly the engine's charts", () => {
    expect(Object.keys(allowedValuePaths).sort()).toEqual(Object.keys(engineValuePaths(dev)).sort());
  });
});
