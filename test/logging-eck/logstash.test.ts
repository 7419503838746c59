import { StackConfig } from "../../configs/types";
import {
  logstash,
  logstashDataVolume,
  logstashDeadLetterVolume,
  logstashPaths,
} from "../../components/logging/logstash";
import { kubernetesBytes, logstashBytes } from "../../components/logging/quantity";
import { stackConfig } from "../../scripts/lib/stack-config";

const dev = stackConfig("dev");
const prod = stackConfig("prod");
const stacks: [string, StackConfig][] = [
  ["dev", dev],
  ["prod", prod],
];

function withLogstash(config: StackConfig, ls: Partial<StackConfig["logging"]["logstash"]>): StackConfig {
  return { ...config, logging: { ...config.logging, logstash: { ...config.logging.logstash, ...ls } } };
}

describe("Logstash", () => {
  it.each(stacks)("%s: replicas from config, on the stack's version, in the logging namespace", (_, config) => {
    const ls = logstash(config);
    expect(ls.apiVersion).toBe("logstash.k8s.elastic.co/v1alpha1");
    expect(ls.metadata).toEqual({ name: "cryoprotect", namespace: config.namespaces.logging });
    expect(ls.spec.count).toBe(config.logging.logstash.replicas);
    expect(ls.spec.version).toBe(config.logging.elasticsearch.version);
  });

  it("dev runs one replica, prod two", () => {
    expect(logstash(dev).spec.count).toBe(1);
    expect(logstash(prod).spec.count).toBe(2);
  });

  it("refers to the cluster as `eck`, which names the ECK_ES_* variables the pipeline uses", () => {
    expect(logstash(dev).spec.elasticsearchRefs).toEqual([{ clusterName: "eck", name: "cryoprotect" }]);
  });

  it.each(stacks)("%s: workers, batch size and a persisted queue of the configured size", (_, config) => {
    const settings = logstash(config).spec.config;
    const cfg = config.logging.logstash;
    expect(settings).toMatchObject({
      "pipeline.workers": cfg.pipelineWorkers,
      "pipeline.batch.size": cfg.batchSize,
      "queue.type": "persisted",
      "queue.max_bytes": cfg.queueMaxBytes,
      "dead_letter_queue.enable": true,
    });
  });

  it.each(stacks)("%s: the queue lives on the logging-data claim, sized from config", (_, config) => {
    const spec = logstash(config).spec;
    const data = spec.volumeClaimTemplates.find((v) => v.metadata.name === logstashDataVolume)!;
    expect(data.spec.resources.requests.storage).toBe(config.logging.logstash.queueStorageSize);
    // ECK mounts logstash-data at /usr/share/logstash/data; the queue path must be below it.
    expect(spec.config["path.queue"]).toBe(logstashPaths.queue);
    expect(logstashPaths.queue.startsWith("/usr/share/logstash/data/")).toBe(true);
  });

  it.each(stacks)("%s: the dead-letter queue lives on a claim of its own, mounted at its path", (_, config) => {
    const spec = logstash(config).spec;
    const dlq = spec.volumeClaimTemplates.find((v) => v.metadata.name === logstashDeadLetterVolume)!;
    expect(dlq.spec.resources.requests.storage).toBe(config.logging.logstash.deadLetterQueueStorageSize);
    const container = spec.podTemplate.spec.containers[0];
    const mount = container.volumeMounts!.find((m) => m.name === logstashDeadLetterVolume)!;
    expect(mount.mountPath).toBe(spec.config["path.dead_letter_queue"]);
    expect(spec.volumeClaimTemplates.map((v) => v.metadata.name)).toEqual(["logstash-data", "logstash-dlq"]);
  });

  it.each(stacks)("%s: the dead-letter queue cannot outgrow its volume", (_, config) => {
    const maxBytes = logstashBytes(String(logstash(config).spec.config["dead_letter_queue.max_bytes"]));
    const volumeBytes = kubernetesBytes(config.logging.logstash.deadLetterQueueStorageSize);
    expect(maxBytes).toBeLessThan(volumeBytes);
    expect(maxBytes).toBeGreaterThan(volumeBytes * 0.8);
  });

  it("refuses a queue larger than its volume", () => {
    expect(() => logstash(withLogstash(dev, { queueMaxBytes: "3gb", queueStorageSize: "2Gi" }))).toThrow(
      /queueMaxBytes \(3gb\) does not fit/,
    );
    expect(() => logstash(withLogstash(dev, { queueMaxBytes: "2gb", queueStorageSize: "2Gi" }))).not.toThrow();
  });

  it("exposes the beats input on 5044 as the `beats` service (ECK: cryoprotect-ls-beats)", () => {
    expect(logstash(dev).spec.services).toEqual([
      {
        name: "beats",
        service: {
          spec: { type: "ClusterIP", ports: [{ name: "beats", port: 5044, targetPort: 5044, protocol: "TCP" }] },
        },
      },
    ]);
  });

  it("reads its pipelines from the pipeline ConfigMap, mounted as a directory for automatic reload", () => {
    const spec = logstash(dev).spec;
    const volume = spec.podTemplate.spec.volumes!.find((v) => v.configMap)!;
    expect(volume.configMap!.name).toBe("cryoprotect-logstash-pipeline");
    const mount = spec.podTemplate.spec.containers[0].volumeMounts!.find((m) => m.name === volume.name)!;
    expect(mount).toEqual({ name: volume.name, mountPath: logstashPaths.pipelineDir, readOnly: true });
    expect(spec.pipelines.length).toBeGreaterThan(0);
    for (const p of spec.pipelines) expect(String(p["path.config"])).toMatch(new RegExp(`^${mount.mountPath}/`));
    expect(spec.pipelines.map((p) => p["pipeline.id"])).toContain("main");
    expect(spec.config["config.reload.automatic"]).toBe(true);
  });

  it("only the main pipeline has a persisted queue and a DLQ, so each volume holds one of each", () => {
    const spec = logstash(dev).spec;
    const effective = (p: Record<string, unknown>, setting: string) => p[setting] ?? spec.config[setting];
    const persisted = spec.pipelines.filter((p) => effective(p, "queue.type") === "persisted");
    const withDlq = spec.pipelines.filter((p) => effective(p, "dead_letter_queue.enable") === true);
    expect(persisted.map((p) => p["pipeline.id"])).toEqual(["main"]);
    expect(withDlq.map((p) => p["pipeline.id"])).toEqual(["main"]);
    expect(spec.pipelines.map((p) => p["pipeline.id"])).toEqual(["main", "dead-letter"]);
  });

  it.each(stacks)("%s: resources from config, heap half the memory limit", (_, config) => {
    const container = logstash(config).spec.podTemplate.spec.containers[0];
    const { cpu, memory } = config.logging.logstash.resources;
    expect(container.resources).toEqual({ requests: { cpu, memory }, limits: { cpu, memory } });
    const opts = container.env!.find((e) => e.name === "LS_JAVA_OPTS")!.value!;
    const heapMb = kubernetesBytes(memory) / 2 / 2 ** 20;
    expect(opts).toBe(`-Xms${heapMb}m -Xmx${heapMb}m`);
  });

  it("heap follows a changed memory limit", () => {
    const container = logstash(withLogstash(dev, { resources: { cpu: "1", memory: "3Gi" } })).spec.podTemplate.spec
      .containers[0];
    expect(container.env).toContainEqual({ name: "LS_JAVA_OPTS", value: "-Xms1536m -Xmx1536m" });
  });
});
