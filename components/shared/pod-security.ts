/**
 * The Kubernetes Pod Security Standards, as a pure check of a pod spec, and the
 * security contexts that meet the "restricted" profile. The rule names are the
 * controls of https://kubernetes.io/docs/concepts/security/pod-security-standards/;
 * `readOnlyRootFilesystem` is this platform's own rule on top of "restricted".
 * The unit tests, the chart-values test and the policy pack all call this one check.
 */

export type PodSecurityLevel = "restricted" | "baseline" | "privileged";

/** Each control, with the lowest profile that forbids what it names ("platform": only this platform's rule). */
export const POD_SECURITY_RULES = {
  hostNamespaces: "baseline",
  privileged: "baseline",
  hostPathVolumes: "baseline",
  hostPorts: "baseline",
  volumeTypes: "restricted",
  privilegeEscalation: "restricted",
  runningAsNonRoot: "restricted",
  runningAsNonRootUser: "restricted",
  seccompProfile: "restricted",
  capabilities: "restricted",
  readOnlyRootFilesystem: "platform",
} as const satisfies Record<string, "baseline" | "restricted" | "platform">;

export type PodSecurityRule = keyof typeof POD_SECURITY_RULES;

export interface SecurityContextLike {
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  runAsNonRoot?: boolean;
  runAsUser?: number;
  readOnlyRootFilesystem?: boolean;
  seccompProfile?: { type?: string };
  capabilities?: { add?: string[]; drop?: string[] };
}

export interface ContainerLike {
  name: string;
  securityContext?: SecurityContextLike;
  ports?: { hostPort?: number }[];
}

export interface PodSpecLike {
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: SecurityContextLike;
  initContainers?: ContainerLike[];
  containers?: ContainerLike[];
  volumes?: Record<string, unknown>[];
}

export interface PodSecurityViolation {
  rule: PodSecurityRule;
  /** Absent for a pod-level violation. */
  container?: string;
  message: string;
}

/** The only volume sources "restricted" allows. */
const RESTRICTED_VOLUME_SOURCES = new Set([
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
]);

/** Every violation of "restricted" (plus the read-only root filesystem rule) in one pod spec. */
export function podSecurityViolations(spec: PodSpecLike): PodSecurityViolation[] {
  const found: PodSecurityViolation[] = [];
  const pod = spec.securityContext ?? {};
  for (const field of ["hostNetwork", "hostPID", "hostIPC"] as const) {
    if (spec[field]) found.push({ rule: "hostNamespaces", message: `${field} is true` });
  }
  for (const volume of spec.volumes ?? []) {
    const sources = Object.keys(volume).filter((k) => k !== "name");
    if (sources.includes("hostPath")) {
      found.push({ rule: "hostPathVolumes", message: `volume ${String(volume.name)} is a hostPath` });
    }
    for (const source of sources.filter((s) => !RESTRICTED_VOLUME_SOURCES.has(s))) {
      found.push({ rule: "volumeTypes", message: `volume ${String(volume.name)} uses ${source}` });
    }
  }
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    found.push(...containerViolations(c, pod));
  }
  return found;
}

function containerViolations(c: ContainerLike, pod: SecurityContextLike): PodSecurityViolation[] {
  const sc = c.securityContext ?? {};
  const found: PodSecurityViolation[] = [];
  const add = (rule: PodSecurityRule, message: string) => found.push({ rule, container: c.name, message });
  if (sc.privileged) add("privileged", "privileged is true");
  if ((c.ports ?? []).some((p) => p.hostPort)) add("hostPorts", "a port sets hostPort");
  if (sc.allowPrivilegeEscalation !== false) add("privilegeEscalation", "allowPrivilegeEscalation is not false");
  if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) add("runningAsNonRoot", "runAsNonRoot is not true");
  if ((sc.runAsUser ?? pod.runAsUser) === 0) add("runningAsNonRootUser", "runAsUser is 0");
  const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type;
  if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") {
    add("seccompProfile", `seccompProfile.type is ${seccomp ?? "unset"}, not RuntimeDefault or Localhost`);
  }
  if (!(sc.capabilities?.drop ?? []).includes("ALL")) add("capabilities", "capabilities.drop does not hold ALL");
  const added = (sc.capabilities?.add ?? []).filter((cap) => cap !== "NET_BIND_SERVICE");
  if (added.length) add("capabilities", `capabilities.add holds ${added.join(", ")}`);
  if (sc.readOnlyRootFilesystem !== true) add("readOnlyRootFilesystem", "readOnlyRootFilesystem is not true");
  return found;
}

/** Pod-level security context of a restricted pod running as `uid` (fsGroup makes its volumes writable). */
export function restrictedPodSecurityContext(uid: number) {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** Container-level security context of the "restricted" profile, with a read-only root filesystem. */
export const RESTRICTED_CONTAINER_SECURITY_CONTEXT = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
} as const;

/** A writable scratch directory for a container whose root filesystem is read-only. */
export function scratchVolume(name: string) {
  return { name, emptyDir: {} };
}

/**
 * A pod that genuinely needs more than "restricted": which rules it may break, in which
 * containers, and why. Declared by the concern that runs the workload, listed together in
 * components/catalog.ts; nothing else is excused.
 */
export interface PodSecurityException {
  /** `<kind>/<metadata.name>` of the object that holds the pod template (a chart's workload for chart values). */
  readonly workload: string;
  /** The namespace the workload runs in; its Pod Security Admission level follows from its exceptions. */
  readonly namespace: string;
  /** Containers the container-level rules are excused for; pod-level rules are excused for the whole pod. */
  readonly containers: readonly string[];
  readonly rules: readonly PodSecurityRule[];
  readonly reason: string;
}

/** The violations of one workload's pod that no exception excuses. */
export function unexcusedViolations(
  workload: string,
  spec: PodSpecLike,
  exceptions: readonly PodSecurityException[],
): PodSecurityViolation[] {
  const mine = exceptions.filter((e) => e.workload === workload);
  return podSecurityViolations(spec).filter(
    (v) =>
      !mine.some((e) => e.rules.includes(v.rule) && (v.container === undefined || e.containers.includes(v.container))),
  );
}

/** The Pod Security Admission level a namespace can enforce, given the exceptions of the workloads in it. */
export function enforcedLevel(namespaceName: string, exceptions: readonly PodSecurityException[]): PodSecurityLevel {
  const levels = exceptions
    .filter((e) => e.namespace === namespaceName)
    .flatMap((e) => e.rules.map((r) => POD_SECURITY_RULES[r]));
  if (levels.includes("baseline")) return "privileged";
  if (levels.includes("restricted")) return "baseline";
  return "restricted";
}

/** Pod Security Admission labels: enforce what the namespace's pods need, and always warn and audit at restricted. */
export function podSecurityLabels(enforce: PodSecurityLevel): Record<string, string> {
  return {
    "pod-security.kubernetes.io/enforce": enforce,
    "pod-security.kubernetes.io/enforce-version": "latest",
    "pod-security.kubernetes.io/warn": "restricted",
    "pod-security.kubernetes.io/warn-version": "latest",
    "pod-security.kubernetes.io/audit": "restricted",
    "pod-security.kubernetes.io/audit-version": "latest",
  };
}
