import { StackConfig } from "../../configs/types";
import {
  elasticsearch,
  elasticsearchDataVolume,
  elasticsearchNodeRoles,
  requiredMaxMapCount,
} from "../../components/logging/elasticsearch";
import { eckPodLabels } from "../../components/logging/names";
import { stackConfig } from "../../scripts/lib/stack-config";

const dev = stackConfig("dev");
const prod = stackConfig("prod");

function withElasticsearch(config: StackConfig, es: Partial<StackConfig["logging"]["elasticsearch"]>): StackConfig {
  return { ...config, logging: { ...config.logging, elasticsearch: { ...config.logging.elasticsearch, ...es } } };
}

describe("Elasticsearch topology", () => {
  it.each([
    ["dev", dev],
    ["prod", prod],
  ])("%s: one node set of nodeCount master+data+ingest nodes in the logging namespace", (_, config) => {
    const es = elasticsearch(config);
    expect(es.metadata).toEqual({ name: "cryoprotect", namespace: config.namespaces.logging });
    expect(es.spec.version).toBe(config.logging.elasticsearch.version);
    expect(es.spec.nodeSets).toHaveLength(1);
    const [nodeSet] = es.spec.nodeSets;
    expect(nodeSet.count).toBe(config.logging.elasticsearch.nodeCount);
    expect(nodeSet.config["node.roles"]).toEqual(["master", "data", "ingest"]);
    expect(elasticsearchNodeRoles).toEqual(["master", "data", "ingest"]);
  });

  it("dev runs one node, prod three", () => {
    expect(elasticsearch(dev).spec.nodeSets[0].count).toBe(1);
    expect(elasticsearch(prod).spec.nodeSets[0].count).toBe(3);
  });

  it("prod spreads nodes: one per host (required) and over zones (preferred)", () => {
    const affinity = elasticsearch(prod).spec.nodeSets[0].podTemplate.spec.affinity!.podAntiAffinity;
    const required = affinity.requiredDuringSchedulingIgnoredDuringExecution!;
    expect(required).toHaveLength(1);
    expect(required[0].topologyKey).toBe("kubernetes.io/hostname");
    expect(required[0].labelSelector.matchLabels).toMatchObject({
      "elasticsearch.k8s.elastic.co/cluster-name": "cryoprotect",
    });
    const preferred = affinity.preferredDuringSchedulingIgnoredDuringExecution!;
    expect(preferred).toHaveLength(1);
    expect(preferred[0].podAffinityTerm.topologyKey).toBe("topology.kubernetes.io/zone");
    expect(preferred[0].weight).toBeGreaterThan(0);
  });

  it("dev (a single node) has no anti-affinity, which could only leave it unschedulable", () => {
    expect(elasticsearch(dev).spec.nodeSets[0].podTemplate.spec.affinity).toBeUndefined();
  });

  it("prod has a disruption budget of one unavailable node over the cluster's pods", () => {
    const pdb = elasticsearch(prod).spec.podDisruptionBudget;
    expect(pdb.spec?.maxUnavailable).toBe(1);
    expect(pdb.spec?.selector.matchLabels).toEqual(eckPodLabels.elasticsearch);
  });

  it("dev disables ECK's default budget (a yellow single node would block drains)", () => {
    expect(elasticsearch(dev).spec.podDisruptionBudget).toEqual({});
  });

  it("any multi-node cluster gets anti-affinity and the budget, whatever the stack is called", () => {
    const es = elasticsearch(withElasticsearch(dev, { nodeCount: 2 }));
    expect(es.spec.podDisruptionBudget.spec?.maxUnavailable).toBe(1);
    expect(es.spec.nodeSets[0].podTemplate.spec.affinity).toBeDefined();
  });

  it.each([
    ["dev", dev],
    ["prod", prod],
  ])("%s: data volume claim with the configured storage class and size", (_, config) => {
    const claims = elasticsearch(config).spec.nodeSets[0].volumeClaimTemplates;
    expect(claims).toEqual([
      {
        metadata: { name: elasticsearchDataVolume },
        spec: {
          accessModes: ["ReadWriteOnce"],
          storageClassName: config.logging.elasticsearch.storageClass,
          resources: { requests: { storage: config.logging.elasticsearch.storageSize } },
        },
      },
    ]);
    expect(elasticsearchDataVolume).toBe("elasticsearch-data");
  });

  it("keeps the data volumes when the Elasticsearch resource is deleted", () => {
    expect(elasticsearch(prod).spec.volumeClaimDeletePolicy).toBe("DeleteOnScaledownOnly");
  });

  it.each([
    ["dev", dev],
    ["prod", prod],
  ])("%s: memory and CPU from config, requests equal to limits (heap follows the limit)", (_, config) => {
    const container = elasticsearch(config).spec.nodeSets[0].podTemplate.spec.containers[0];
    const { memory, cpu } = config.logging.elasticsearch;
    expect(container.name).toBe("elasticsearch");
    expect(container.resources).toEqual({ requests: { memory, cpu }, limits: { memory, cpu } });
    // ES 8 derives the heap from the container limit: an explicit heap would stop it following config.
    expect(JSON.stringify(container.env ?? [])).not.toMatch(/Xmx|ES_JAVA_OPTS/);
  });

  it("memory in the spec changes with config", () => {
    const container = elasticsearch(withElasticsearch(dev, { memory: "3Gi" })).spec.nodeSets[0].podTemplate.spec
      .containers[0];
    expect(container.resources?.limits?.memory).toBe("3Gi");
  });

  describe("vm.max_map_count", () => {
    it("allowMmap false: node.store.allow_mmap false and no privileged container", () => {
      const es = elasticsearch(withElasticsearch(prod, { allowMmap: false }));
      const nodeSet = es.spec.nodeSets[0];
      expect(nodeSet.config["node.store.allow_mmap"]).toBe(false);
      expect(nodeSet.podTemplate.spec.initContainers).toBeUndefined();
    });

    it("allowMmap true: a privileged root init container raises vm.max_map_count, mmap stays on", () => {
      const es = elasticsearch(withElasticsearch(dev, { allowMmap: true }));
      const nodeSet = es.spec.nodeSets[0];
      expect(nodeSet.config).not.toHaveProperty("node.store.allow_mmap");
      const init = nodeSet.podTemplate.spec.initContainers!;
      expect(init).toHaveLength(1);
      // Root in a pod that is otherwise non-root: the container must say runAsNonRoot: false, or the kubelet refuses it.
      expect(init[0].securityContext).toMatchObject({ privileged: true, runAsUser: 0, runAsNonRoot: false });
      expect(nodeSet.podTemplate.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      expect(init[0].command!.join(" ")).toContain(`sysctl -w vm.max_map_count=${requiredMaxMapCount}`);
      expect(requiredMaxMapCount).toBe(262144);
    });

    it("the stacks use what their config says: dev without mmap, prod with the sysctl", () => {
      expect(elasticsearch(dev).spec.nodeSets[0].config["node.store.allow_mmap"]).toBe(false);
      expect(elasticsearch(prod).spec.nodeSets[0].podTemplate.spec.initContainers).toHaveLength(1);
    });
  });

  it("leaves TLS and authentication as ECK sets them up, adding only file realm users and roles", () => {
    for (const config of [dev, prod]) {
      const spec = elasticsearch(config).spec as unknown as Record<string, unknown>;
      expect(spec).not.toHaveProperty("http");
      expect(Object.keys(spec.auth as object).sort()).toEqual(["fileRealm", "roles"]);
      const settings = JSON.stringify(spec.nodeSets);
      expect(settings).not.toMatch(/xpack\.security/);
    }
  });
});
