/**
 * Filebeat as a DaemonSet (an ECK Beat), as pure functions of the stack config.
 *
 * Every node's container logs are read with a `filestream` input: the
 * `container` parser unwraps the runtime's log format (CRI or Docker JSON),
 * then the `ndjson` parser lifts the app's JSON fields to the event root. The
 * registry (path.data) is on a hostPath, so a restarted or rescheduled pod on
 * the same node resumes at the recorded offsets: no lines lost, none re-shipped.
 */
import * as yaml from "js-yaml";
import { StackConfig } from "../../configs/types";
import { Beat, eckApiVersions, PodTemplate } from "./eck-types";
import { PodSecurityException } from "../shared/pod-security";
import { filebeatName, logstashBeatsPort, logstashBeatsService } from "./names";

export const filebeatServiceAccount = filebeatName;
/** Host directory of the registry; survives pod restarts and Beat re-creation. */
export const filebeatRegistryHostPath = "/var/lib/cryoprotect-filebeat-data";
/** ECK mounts its `beat-data` volume here; a volume of that name in the pod template replaces ECK's default. */
export const filebeatDataPath = "/usr/share/filebeat/data";
export const containerLogGlob = "/var/log/containers/*.log";

/** Host log directories: /var/log/containers links into /var/log/pods, which (Docker) links into /var/lib/docker/containers. */
const hostLogDirs = [
  { name: "varlogcontainers", path: "/var/log/containers" },
  { name: "varlogpods", path: "/var/log/pods" },
  { name: "varlibdockercontainers", path: "/var/lib/docker/containers" },
];

/** The Logstash beats endpoint, by the Service's cluster DNS name. */
export function logstashBeatsHost(config: StackConfig): string {
  return `${logstashBeatsService}.${config.namespaces.logging}.svc:${logstashBeatsPort}`;
}

/** filebeat.yml. */
export function filebeatConfig(config: StackConfig): Record<string, unknown> {
  return {
    "filebeat.inputs": [
      {
        type: "filestream",
        // filestream keys its registry entries by input id: never change it, or every file is read again.
        id: "kubernetes-container-logs",
        paths: [containerLogGlob],
        "prospector.scanner.symlinks": true,
        parsers: [
          { container: { stream: "all", format: "auto" } },
          {
            ndjson: {
              // The app's fields go to the event root and its `message` replaces the raw
              // line, so the raw JSON (with request headers) does not travel on as `message`.
              target: "",
              overwrite_keys: true,
              // ECS output (LOG_TO_ELK=1) has dotted keys such as "log.level".
              expand_keys: true,
              // Most other pods log plain text: such a line stays the event's `message`, with no
              // error.* on it (noise, and a collision with the app's own error.type / error.message)
              // and no decoding error in Filebeat's own log for every one of them.
              add_error_key: false,
              ignore_decoding_error: true,
            },
          },
        ],
      },
    ],
    processors: [
      {
        add_kubernetes_metadata: {
          // The option is `node` (not `host`): the metadata cache then watches this node's pods only.
          node: "${NODE_NAME}",
          matchers: [{ logs_path: { logs_path: "/var/log/containers/" } }],
        },
      },
    ],
    "path.data": filebeatDataPath,
    "output.logstash": { hosts: [logstashBeatsHost(config)] },
  };
}

export function filebeat(config: StackConfig): Beat {
  return {
    apiVersion: eckApiVersions.Beat,
    kind: "Beat",
    metadata: { name: filebeatName, namespace: config.namespaces.logging },
    spec: {
      type: "filebeat",
      version: config.logging.elasticsearch.version,
      config: filebeatConfig(config),
      daemonSet: { podTemplate: filebeatPodTemplate(config) },
    },
  };
}

function filebeatPodTemplate(config: StackConfig): PodTemplate {
  const { cpu, memory } = config.logging.filebeat.resources;
  return {
    spec: {
      serviceAccountName: filebeatServiceAccount,
      automountServiceAccountToken: true,
      terminationGracePeriodSeconds: 30,
      // Container log files are written by the kubelet / runtime as root with mode 0640,
      // and the registry's hostPath is created root-owned: only uid 0 reads and writes them
      // (a declared exception, see filebeatPodSecurityException). No capability is needed
      // beyond being the files' owner, so all are dropped; everything else is restricted.
      securityContext: { runAsUser: 0, seccompProfile: { type: "RuntimeDefault" } },
      containers: [
        {
          name: "filebeat",
          env: [{ name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }],
          resources: { requests: { cpu, memory }, limits: { memory } },
          securityContext: {
            runAsUser: 0,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
          },
          volumeMounts: hostLogDirs.map(({ name, path }) => ({ name, mountPath: path, readOnly: true })),
        },
      ],
      volumes: [
        { name: "beat-data", hostPath: { path: filebeatRegistryHostPath, type: "DirectoryOrCreate" } },
        ...hostLogDirs.map(({ name, path }) => ({ name, hostPath: { path } })),
      ],
    },
  };
}

/** Filebeat reads the node's log files and keeps its registry on the node: the host paths and uid 0 are its exception. */
export function filebeatPodSecurityException(config: StackConfig): PodSecurityException {
  return {
    workload: `Beat/${filebeatName}`,
    namespace: config.namespaces.logging,
    containers: ["filebeat"],
    rules: ["hostPathVolumes", "volumeTypes", "runningAsNonRoot", "runningAsNonRootUser"],
    reason:
      "reads /var/log/containers and /var/log/pods on the node (root-owned, mode 0640) and keeps its registry on a " +
      "hostPath that the kubelet creates root-owned; runs as uid 0 with every capability dropped, no privilege " +
      "escalation, a read-only root filesystem and the runtime's seccomp profile",
  };
}

/** What add_kubernetes_metadata reads: pods, namespaces and nodes, and the owners of pods (ReplicaSet → Deployment, Job → CronJob). */
export const filebeatClusterRoleRules = [
  { apiGroups: [""], resources: ["pods", "namespaces", "nodes"], verbs: ["get", "list", "watch"] },
  { apiGroups: ["apps"], resources: ["replicasets"], verbs: ["get", "list", "watch"] },
  { apiGroups: ["batch"], resources: ["jobs"], verbs: ["get", "list", "watch"] },
];

/** filebeat.yml as a synth file, for review: ECK renders the same settings into the Beat's config Secret. */
export function filebeatFiles(config: StackConfig): Record<string, string> {
  const header =
    "# Generated by components/logging/filebeat.ts; deployed as the config of the Beat cryoprotect-filebeat.\n";
  return { "filebeat/filebeat.yml": header + yaml.dump(filebeatConfig(config), { lineWidth: 120, noRefs: true }) };
}
