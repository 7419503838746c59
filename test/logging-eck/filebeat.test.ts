import * as yaml from "js-yaml";
import {
  containerLogGlob,
  filebeat,
  filebeatClusterRoleRules,
  filebeatConfig,
  filebeatDataPath,
  filebeatFiles,
  filebeatRegistryHostPath,
} from "../../components/logging/filebeat";
import { loggingArtifacts } from "../../components/logging/artifacts";
import { logstash } from "../../components/logging/logstash";
import { stackConfig } from "../../scripts/lib/stack-config";

const dev = stackConfig("dev");
const prod = stackConfig("prod");

interface Input {
  type: string;
  id: string;
  paths: string[];
  parsers: Record<string, Record<string, unknown>>[];
}

function inputs(config: Record<string, unknown>): Input[] {
  return config["filebeat.inputs"] as Input[];
}

describe("Filebeat configuration", () => {
  it("reads every container log with one filestream input that follows the symlinks", () => {
    const [input, ...others] = inputs(filebeatConfig(dev));
    expect(others).toEqual([]);
    expect(input.type).toBe("filestream");
    expect(input.id).toBeTruthy();
    expect(input.paths).toEqual(["/var/log/containers/*.log"]);
    expect(containerLogGlob).toBe("/var/log/containers/*.log");
    expect((input as unknown as Record<string, unknown>)["prospector.scanner.symlinks"]).toBe(true);
  });

  it("parses with the container parser first, then ndjson", () => {
    const [input] = inputs(filebeatConfig(dev));
    expect(input.parsers.map((p) => Object.keys(p))).toEqual([["container"], ["ndjson"]]);
  });

  it("ndjson lifts the app's fields to the root, replacing the raw line and expanding dotted ECS keys", () => {
    const ndjson = inputs(filebeatConfig(dev))[0].parsers[1].ndjson;
    expect(ndjson).toMatchObject({ target: "", overwrite_keys: true, expand_keys: true, add_error_key: false });
  });

  it("adds Kubernetes metadata for the node it runs on, from NODE_NAME", () => {
    const processors = filebeatConfig(dev).processors as Record<string, Record<string, unknown>>[];
    const kube = processors.find((p) => "add_kubernetes_metadata" in p)!.add_kubernetes_metadata;
    // Filebeat's option is `node` (add_kubernetes_metadata docs); an unknown `host` would be ignored silently.
    expect(kube.node).toBe("${NODE_NAME}");
    expect(Object.keys(kube).sort()).toEqual(["matchers", "node"]);
    const env = filebeat(dev).spec.daemonSet.podTemplate.spec.containers[0].env!;
    expect(env).toContainEqual({ name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } });
  });

  it.each([
    ["dev", dev],
    ["prod", prod],
  ])("%s: ships to the Logstash beats Service the Logstash resource defines", (_, config) => {
    const output = filebeatConfig(config)["output.logstash"] as { hosts: string[] };
    const service = logstash(config).spec.services.find((s) => s.service.spec.ports.some((p) => p.port === 5044))!;
    expect(output.hosts).toEqual([`cryoprotect-ls-${service.name}.${config.namespaces.logging}.svc:5044`]);
    expect(filebeatConfig(config)).not.toHaveProperty("output.elasticsearch");
  });

  it("the synth file filebeat/filebeat.yml is the same configuration", () => {
    const files = loggingArtifacts(prod);
    expect(files["filebeat/filebeat.yml"]).toBe(filebeatFiles(prod)["filebeat/filebeat.yml"]);
    expect(yaml.load(files["filebeat/filebeat.yml"])).toEqual(filebeatConfig(prod));
  });
});

describe("Filebeat DaemonSet (ECK Beat)", () => {
  const beat = filebeat(prod);
  const pod = beat.spec.daemonSet.podTemplate.spec;
  const container = pod.containers[0];

  it("is a filebeat Beat run as a DaemonSet in the logging namespace, on the stack's version", () => {
    expect(beat.apiVersion).toBe("beat.k8s.elastic.co/v1beta1");
    expect(beat.metadata).toEqual({ name: "cryoprotect-filebeat", namespace: "logging" });
    expect(beat.spec.type).toBe("filebeat");
    expect(beat.spec.version).toBe(prod.logging.elasticsearch.version);
    expect(beat.spec).toHaveProperty("daemonSet");
    expect(beat.spec).not.toHaveProperty("deployment");
    expect(beat.spec.config).toEqual(filebeatConfig(prod));
  });

  it("keeps the registry (path.data) on a hostPath, created if missing", () => {
    expect(beat.spec.config["path.data"]).toBe(filebeatDataPath);
    // ECK mounts its `beat-data` volume at path.data; ours replaces ECK's default by name.
    const data = pod.volumes!.find((v) => v.name === "beat-data")!;
    expect(data.hostPath).toEqual({ path: filebeatRegistryHostPath, type: "DirectoryOrCreate" });
    expect(filebeatRegistryHostPath).toBe("/var/lib/cryoprotect-filebeat-data");
    expect(filebeatDataPath).toBe("/usr/share/filebeat/data");
  });

  it("mounts the host's log directories read-only", () => {
    const hostDirs = ["/var/log/containers", "/var/log/pods", "/var/lib/docker/containers"];
    for (const dir of hostDirs) {
      const volume = pod.volumes!.find((v) => v.hostPath?.path === dir)!;
      expect(volume).toBeDefined();
      expect(container.volumeMounts).toContainEqual({ name: volume.name, mountPath: dir, readOnly: true });
    }
    expect(container.volumeMounts).toHaveLength(hostDirs.length);
  });

  it("runs as root (root-owned 0640 log files) with everything else restricted", () => {
    expect(pod.securityContext).toEqual({ runAsUser: 0, seccompProfile: { type: "RuntimeDefault" } });
    expect(container.securityContext).toEqual({
      runAsUser: 0,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    });
  });

  it("keeps other pods' plain-text lines as messages: no error key, no decoding error per line", () => {
    const input = (filebeatConfig(dev)["filebeat.inputs"] as { parsers: Record<string, unknown>[] }[])[0];
    const ndjson = input.parsers.find((p) => "ndjson" in p)!.ndjson;
    expect(ndjson).toMatchObject({ add_error_key: false, ignore_decoding_error: true });
  });

  it.each([
    ["dev", dev],
    ["prod", prod],
  ])("%s: memory limited as configured", (_, config) => {
    const c = filebeat(config).spec.daemonSet.podTemplate.spec.containers[0];
    const { cpu, memory } = config.logging.filebeat.resources;
    expect(c.resources).toEqual({ requests: { cpu, memory }, limits: { memory } });
  });

  it("runs under its own service account", () => {
    expect(pod.serviceAccountName).toBe("cryoprotect-filebeat");
    expect(pod.automountServiceAccountToken).toBe(true);
  });

  it("may only read pods, namespaces, nodes and the owners of pods", () => {
    const grants = filebeatClusterRoleRules.flatMap((r) =>
      r.apiGroups.flatMap((g) => r.resources.map((res) => `${g || "core"}/${res}`)),
    );
    expect(grants.sort()).toEqual(["apps/replicasets", "batch/jobs", "core/namespaces", "core/nodes", "core/pods"]);
    for (const rule of filebeatClusterRoleRules) expect(rule.verbs).toEqual(["get", "list", "watch"]);
  });
});
