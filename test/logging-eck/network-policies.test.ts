/**
 * The NetworkPolicies, evaluated the way Kubernetes does: a pod selected by
 * some policy accepts a connection only if one ingress rule of one of those
 * policies admits the source pod on that port.
 */
import { networkPolicies, NetworkPolicyObject } from "../../components/logging/network-policies";
import { stackConfig } from "../../scripts/lib/stack-config";
import { k8sObjects, stackRun, STACKS } from "../harness/stack";

interface Pod {
  namespace: string;
  labels: Record<string, string>;
}

function matches(selector: { matchLabels: Record<string, string> }, labels: Record<string, string>): boolean {
  return Object.entries(selector.matchLabels).every(([k, v]) => labels[k] === v);
}

function admits(policies: NetworkPolicyObject[], source: Pod, target: Pod, port: number): boolean {
  const selecting = policies.filter(
    (p) => p.metadata.namespace === target.namespace && matches(p.spec.podSelector, target.labels),
  );
  if (selecting.length === 0) return true;
  return selecting.some((policy) =>
    policy.spec.ingress.some(
      (rule) =>
        rule.ports.some((p) => p.port === port && p.protocol === "TCP") &&
        rule.from.some((peer) => {
          const namespaceOk = peer.namespaceSelector
            ? matches(peer.namespaceSelector, { "kubernetes.io/metadata.name": source.namespace })
            : source.namespace === policy.metadata.namespace;
          const podOk = peer.podSelector ? matches(peer.podSelector, source.labels) : true;
          return namespaceOk && podOk;
        }),
    ),
  );
}

const config = stackConfig("prod");
const policies = networkPolicies(config);
const logging = config.namespaces.logging;
const monitoring = config.namespaces.monitoring;

const pods: Record<string, Pod> = {
  elasticsearch: {
    namespace: logging,
    labels: {
      "common.k8s.elastic.co/type": "elasticsearch",
      "elasticsearch.k8s.elastic.co/cluster-name": "cryoprotect",
      "elasticsearch.k8s.elastic.co/statefulset-name": "cryoprotect-es-default",
    },
  },
  logstash: {
    namespace: logging,
    labels: { "common.k8s.elastic.co/type": "logstash", "logstash.k8s.elastic.co/name": "cryoprotect" },
  },
  kibana: {
    namespace: logging,
    labels: { "common.k8s.elastic.co/type": "kibana", "kibana.k8s.elastic.co/name": "cryoprotect" },
  },
  filebeat: {
    namespace: logging,
    labels: { "common.k8s.elastic.co/type": "beat", "beat.k8s.elastic.co/name": "cryoprotect-filebeat" },
  },
  elastalert: { namespace: logging, labels: { "app.kubernetes.io/name": "elastalert2" } },
  setupJob: { namespace: logging, labels: { "app.kubernetes.io/name": "cryoprotect-logging-setup" } },
  exporter: { namespace: monitoring, labels: { "app.kubernetes.io/name": "prometheus-elasticsearch-exporter" } },
  operator: { namespace: "elastic-system", labels: { "control-plane": "elastic-operator" } },
  app: { namespace: "cryoprotect", labels: { "app.kubernetes.io/name": "cryoprotect-api" } },
  grafana: { namespace: monitoring, labels: { "app.kubernetes.io/name": "grafana" } },
  grafanaElsewhere: { namespace: "default", labels: { "app.kubernetes.io/name": "grafana" } },
  otherInMonitoring: { namespace: monitoring, labels: { "app.kubernetes.io/name": "prometheus" } },
  otherInLogging: { namespace: logging, labels: { app: "debug-shell" } },
  exporterLabelElsewhere: {
    namespace: "default",
    labels: { "app.kubernetes.io/name": "prometheus-elasticsearch-exporter" },
  },
  filebeatLabelElsewhere: {
    namespace: "default",
    labels: { "common.k8s.elastic.co/type": "beat", "beat.k8s.elastic.co/name": "cryoprotect-filebeat" },
  },
};

describe("NetworkPolicies", () => {
  it("only Filebeat reaches Logstash on 5044", () => {
    const reach = Object.keys(pods).filter((name) => admits(policies, pods[name], pods.logstash, 5044));
    expect(reach).toEqual(["filebeat"]);
  });

  it("Filebeat reaches nothing else on Logstash", () => {
    expect(admits(policies, pods.filebeat, pods.logstash, 9600)).toBe(false);
  });

  it("only Logstash, Kibana, ElastAlert2, the setup Job, the exporter, Grafana and the ECK operator reach Elasticsearch on 9200", () => {
    const reach = Object.keys(pods).filter((name) => admits(policies, pods[name], pods.elasticsearch, 9200));
    expect(reach.sort()).toEqual(["elastalert", "exporter", "grafana", "kibana", "logstash", "operator", "setupJob"]);
  });

  it("Grafana reaches Elasticsearch only from the monitoring namespace, and only on 9200", () => {
    expect(admits(policies, pods.grafana, pods.elasticsearch, 9200)).toBe(true);
    expect(admits(policies, pods.grafanaElsewhere, pods.elasticsearch, 9200)).toBe(false);
    expect(admits(policies, { ...pods.grafana, namespace: logging }, pods.elasticsearch, 9200)).toBe(false);
    expect(admits(policies, pods.grafana, pods.elasticsearch, 9300)).toBe(false);
  });

  it("only Elasticsearch nodes reach each other on the transport port", () => {
    const reach = Object.keys(pods).filter((name) => admits(policies, pods[name], pods.elasticsearch, 9300));
    expect(reach).toEqual(["elasticsearch"]);
  });

  it("selects the pods by ECK's labels and admits ingress only", () => {
    for (const p of policies) expect(p.spec.policyTypes).toEqual(["Ingress"]);
    expect(policies.map((p) => p.spec.podSelector.matchLabels)).toEqual([
      { "common.k8s.elastic.co/type": "logstash", "logstash.k8s.elastic.co/name": "cryoprotect" },
      { "common.k8s.elastic.co/type": "elasticsearch", "elasticsearch.k8s.elastic.co/cluster-name": "cryoprotect" },
    ]);
  });

  it("follows the configured namespaces", () => {
    const moved = { ...config, namespaces: { ...config.namespaces, logging: "logs", monitoring: "obs" } };
    const movedPolicies = networkPolicies(moved);
    const es = { ...pods.elasticsearch, namespace: "logs" };
    expect(admits(movedPolicies, { ...pods.exporter, namespace: "obs" }, es, 9200)).toBe(true);
    expect(admits(movedPolicies, pods.exporter, es, 9200)).toBe(false);
    expect(admits(movedPolicies, { ...pods.grafana, namespace: "obs" }, es, 9200)).toBe(true);
    expect(admits(movedPolicies, pods.grafana, es, 9200)).toBe(false);
    expect(admits(movedPolicies, { ...pods.kibana, namespace: "logs" }, es, 9200)).toBe(true);
  });

  it.each(STACKS)("%s: the stack deploys these policies in the logging namespace", async (stack) => {
    const run = await stackRun(stack);
    const deployed = k8sObjects(run, "NetworkPolicy");
    const expected = networkPolicies(stackConfig(stack));
    expect(deployed.map((r) => ({ metadata: r.inputs.metadata, spec: r.inputs.spec }))).toEqual(
      expected.map((p) => ({ metadata: p.metadata, spec: p.spec })),
    );
  });
});
