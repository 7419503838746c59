/**
 * Who may talk to Logstash and Elasticsearch. A pod selected by a policy only
 * accepts the listed peers; everything else is dropped by the CNI (on a CNI
 * that enforces NetworkPolicy). Pods are matched by the labels ECK puts on
 * them and by the labels the module's other clients carry.
 */
import { StackConfig } from "../../configs/types";
import {
  eckOperatorNamespace,
  eckPodLabels,
  elasticsearchClientLabels,
  elasticsearchHttpPort,
  elasticsearchTransportPort,
  logstashBeatsPort,
} from "./names";

interface Peer {
  podSelector?: { matchLabels: Record<string, string> };
  namespaceSelector?: { matchLabels: Record<string, string> };
}

export interface NetworkPolicyObject {
  metadata: { name: string; namespace: string };
  spec: {
    podSelector: { matchLabels: Record<string, string> };
    policyTypes: ["Ingress"];
    ingress: { from: Peer[]; ports: { protocol: "TCP"; port: number }[] }[];
  };
}

function inNamespace(namespace: string): { matchLabels: Record<string, string> } {
  return { matchLabels: { "kubernetes.io/metadata.name": namespace } };
}

function pods(labels: Record<string, string>): Peer {
  return { podSelector: { matchLabels: { ...labels } } };
}

function tcp(port: number): { protocol: "TCP"; port: number } {
  return { protocol: "TCP", port };
}

export function networkPolicies(config: StackConfig): NetworkPolicyObject[] {
  const namespace = config.namespaces.logging;
  const fromMonitoring = (labels: Record<string, string>): Peer => ({
    namespaceSelector: inNamespace(config.namespaces.monitoring),
    podSelector: { matchLabels: { ...labels } },
  });
  return [
    {
      metadata: { name: "logstash-from-filebeat", namespace },
      spec: {
        podSelector: { matchLabels: { ...eckPodLabels.logstash } },
        policyTypes: ["Ingress"],
        ingress: [{ from: [pods(eckPodLabels.filebeat)], ports: [tcp(logstashBeatsPort)] }],
      },
    },
    {
      metadata: { name: "elasticsearch-from-clients", namespace },
      spec: {
        podSelector: { matchLabels: { ...eckPodLabels.elasticsearch } },
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [
              pods(eckPodLabels.logstash),
              pods(eckPodLabels.kibana),
              pods(elasticsearchClientLabels.elastalert),
              pods(elasticsearchClientLabels.setupJob),
              // The monitoring stack's exporter and Grafana (logs datasource), as the read-only user.
              fromMonitoring(elasticsearchClientLabels.exporter),
              fromMonitoring(elasticsearchClientLabels.grafana),
              // The operator manages the cluster (users, settings, rolling upgrades) over its HTTP API.
              { namespaceSelector: inNamespace(eckOperatorNamespace) },
            ],
            ports: [tcp(elasticsearchHttpPort)],
          },
          // Nodes of the cluster talk to each other on the transport port.
          { from: [pods(eckPodLabels.elasticsearch)], ports: [tcp(elasticsearchTransportPort)] },
        ],
      },
    },
  ];
}
