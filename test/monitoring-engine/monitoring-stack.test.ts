/**
 * MonitoringStack under the mock runtime, for both stacks: the Helm releases
 * and their values, the API ServiceMonitor, the Secrets, Grafana's generated
 * password, the dashboard ConfigMaps and the creation order.
 */
import { grafanaDashboards } from "../../components/catalog";
import { charts } from "../../components/shared/platform";
import { SECRET_MARK } from "../../scripts/lib/mock-runtime";
import { stackConfig } from "../../scripts/lib/stack-config";
import { k8sObjects, ofType, RecordedResource, stackRun, StackRun, STACKS } from "../harness/stack";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const key = (r: RecordedResource) => `${r.type}::${r.name}`;

function release(run: StackRun, chart: string): RecordedResource {
  const found = ofType(run, RELEASE).filter((r) => r.inputs.chart === chart);
  expect(found).toHaveLength(1);
  return found[0];
}

// Recorded Helm values are untyped JSON; the assertions below say what they expect.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type HelmValues = Record<string, any>;

function values(r: RecordedResource): HelmValues {
  return r.inputs.values as HelmValues;
}

describe.each(STACKS)("MonitoringStack in the %s stack", (stack) => {
  const config = stackConfig(stack);
  let run: StackRun;
  beforeAll(async () => {
    run = await stackRun(stack);
  });

  it("installs every chart as a pinned helm.v3.Release from prometheus-community, without its CRDs", () => {
    for (const ref of [
      charts.kubePrometheusStack,
      charts.postgresExporter,
      charts.pushgateway,
      charts.elasticsearchExporter,
    ]) {
      const r = release(run, ref.chart);
      expect(r.inputs).toMatchObject({
        name: ref.release,
        version: ref.version,
        repositoryOpts: { repo: "https://prometheus-community.github.io/helm-charts" },
        namespace: config.namespaces.monitoring,
        skipCrds: true,
      });
      expect(r.parent).toMatch(/^cryoprotect:monitoring:MonitoringStack::/);
    }
  });

  it("sizes Prometheus and Alertmanager from the stack config", () => {
    const v = values(release(run, "kube-prometheus-stack"));
    const { prometheus, alertmanager } = config.monitoring;
    expect(v.prometheus.prometheusSpec.replicas).toBe(prometheus.replicas);
    expect(v.alertmanager.alertmanagerSpec.replicas).toBe(alertmanager.replicas);
    expect(v.prometheus.prometheusSpec.retention).toBe(prometheus.retention);
    expect(v.prometheus.prometheusSpec.externalLabels).toEqual({
      environment: stack,
      cluster: config.cluster.name,
    });
    if (stack === "prod") {
      expect(v.prometheus.prometheusSpec.replicas).toBe(2);
      expect(v.alertmanager.alertmanagerSpec.replicas).toBe(3);
    }
  });

  it("the chart's Watchdog is disabled because the catalog defines its own", () => {
    expect(values(release(run, "kube-prometheus-stack")).defaultRules).toMatchObject({
      create: true,
      disabled: { InfoInhibitor: true, Watchdog: true },
    });
  });

  it("the release waits for the namespace, the CRDs and the Secrets it names", () => {
    const r = release(run, "kube-prometheus-stack");
    const deps = r.dependsOn;
    expect(deps).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^kubernetes:core\/v1:Namespace::.*monitoring-ns$/),
        expect.stringMatching(/^kubernetes:yaml\/v2:ConfigFile::.*monitoring-crds$/),
      ]),
    );
    const secretNames = run.resources
      .filter((s) => deps.includes(key(s)) && s.inputs.kind === "Secret")
      .map((s) => (s.inputs.metadata as { name: string }).name)
      .sort();
    const v = values(r);
    expect(secretNames).toEqual([v.alertmanager.alertmanagerSpec.configSecret, v.grafana.admin.existingSecret].sort());
  });

  it("waits for every release to be ready except the elasticsearch-exporter, whose Secret comes later", () => {
    for (const ref of [
      charts.kubePrometheusStack,
      charts.postgresExporter,
      charts.pushgateway,
      charts.elasticsearchExporter,
    ]) {
      const r = release(run, ref.chart);
      const waits = ref !== charts.elasticsearchExporter;
      expect([r.inputs.atomic, r.inputs.skipAwait]).toEqual([waits, !waits]);
    }
  });

  it("every exporter release depends on the CRDs (their charts create ServiceMonitors)", () => {
    for (const ref of [charts.postgresExporter, charts.pushgateway, charts.elasticsearchExporter]) {
      const r = release(run, ref.chart);
      expect(values(r).serviceMonitor.enabled).toBe(true);
      expect(r.dependsOn.some((d) => /ConfigFile::.*monitoring-crds$/.test(d))).toBe(true);
    }
  });

  it("the Alertmanager config is a Secret, never a ConfigMap, and its data is a Pulumi secret", () => {
    const name = values(release(run, "kube-prometheus-stack")).alertmanager.alertmanagerSpec.configSecret;
    const [secret] = k8sObjects(run, "Secret", name);
    expect(secret.inputs.metadata).toMatchObject({ namespace: config.namespaces.monitoring });
    expect(secret.inputs.stringData).toBe(SECRET_MARK);
    const raw = secret.rawInputs.stringData as Record<string, string>;
    expect(Object.keys(raw).sort()).toEqual(["alertmanager.yaml", "cryoprotect.tmpl"]);
    for (const r of config.monitoring.alertmanager.receivers) {
      expect(raw["alertmanager.yaml"]).toContain(run.secretValues[r.secret]);
    }
    expect(raw["alertmanager.yaml"]).not.toContain("<secret:");
    const configMaps = k8sObjects(run, "ConfigMap").map((c) => JSON.stringify(c.rawInputs));
    expect(configMaps.filter((c) => c.includes("receivers"))).toEqual([]);
  });

  it("the postgres-exporter DSN Secret holds the database password as a Pulumi secret", () => {
    const v = values(release(run, "prometheus-postgres-exporter"));
    const [secret] = k8sObjects(run, "Secret", v.config.datasourceSecret.name);
    expect(secret.inputs.stringData).toBe(SECRET_MARK);
    const dsn = (secret.rawInputs.stringData as Record<string, string>)[v.config.datasourceSecret.key];
    const password = run.secretValues[config.backup.database.passwordSecret];
    expect(decodeURIComponent(new URL(dsn).password)).toBe(password);
    expect(new URL(dsn).hostname).toBe(config.backup.database.host);
  });

  it("Grafana's admin password is a RandomPassword result, stored only in a Secret", () => {
    const v = values(release(run, "kube-prometheus-stack"));
    const [secret] = k8sObjects(run, "Secret", v.grafana.admin.existingSecret);
    const passwords = ofType(run, "random:index/randomPassword:RandomPassword").filter((p) =>
      p.parent?.startsWith("cryoprotect:monitoring:MonitoringStack::"),
    );
    expect(passwords).toHaveLength(1);
    expect(secret.inputs.stringData).toBe(SECRET_MARK);
    // The mock provider's RandomPassword result is "random-<resource name>".
    expect(secret.rawInputs.stringData).toEqual({
      [v.grafana.admin.userKey]: config.monitoring.grafana.adminUser,
      [v.grafana.admin.passwordKey]: `random-${passwords[0].name}`,
    });
    expect(JSON.stringify(run.outputs)).not.toContain(`random-${passwords[0].name}`);
  });

  it("scrapes the API with a ServiceMonitor that keeps job=<app name>", () => {
    const monitors = k8sObjects(run, "ServiceMonitor", config.app.name);
    expect(monitors).toHaveLength(1);
    const [sm] = monitors;
    expect(sm.inputs.apiVersion).toBe("monitoring.coreos.com/v1");
    expect(sm.inputs.spec).toEqual({
      namespaceSelector: { matchNames: [config.app.namespace] },
      selector: { matchLabels: config.app.serviceSelector },
      endpoints: [
        {
          port: config.app.portName,
          path: config.app.metricsPath,
          interval: config.monitoring.prometheus.scrapeInterval,
          relabelings: [
            { action: "replace", targetLabel: "job", replacement: config.app.name },
            { action: "labeldrop", regex: "endpoint" },
          ],
        },
      ],
    });
    expect(sm.dependsOn.some((d) => /ConfigFile::.*monitoring-crds$/.test(d))).toBe(true);
  });

  it("loads every concern's dashboard through a labelled ConfigMap with its folder", () => {
    const dashboards = grafanaDashboards(config);
    expect(dashboards.length).toBeGreaterThan(0);
    const maps = k8sObjects(run, "ConfigMap").filter(
      (c) => (c.inputs.metadata as { labels?: Record<string, string> }).labels?.grafana_dashboard === "1",
    );
    expect(maps).toHaveLength(dashboards.length);
    for (const d of dashboards) {
      const map = maps.find((m) => Object.keys(m.inputs.data as object).includes(`${d.uid}.json`));
      expect(map).toBeDefined();
      expect(map!.inputs.metadata).toMatchObject({ annotations: { grafana_folder: d.folder } });
      expect(JSON.parse((map!.inputs.data as Record<string, string>)[`${d.uid}.json`])).toEqual(
        JSON.parse(JSON.stringify(d.model)),
      );
    }
  });
});

describe("the stacks differ as configured", () => {
  it("prod has more replicas, longer retention and a Grafana ingress", async () => {
    const [dev, prod] = await Promise.all([stackRun("dev"), stackRun("prod")]);
    const v = (run: StackRun) => values(release(run, "kube-prometheus-stack"));
    expect(v(prod).prometheus.prometheusSpec.replicas).toBeGreaterThan(v(dev).prometheus.prometheusSpec.replicas);
    expect(v(prod).alertmanager.alertmanagerSpec.replicas).toBeGreaterThan(
      v(dev).alertmanager.alertmanagerSpec.replicas,
    );
    expect(v(dev).grafana.ingress.enabled).toBe(false);
    expect(v(prod).grafana.ingress.enabled).toBe(true);
  });
});
