/**
 * The Kubernetes names a stack really has, read from a mocked run of the
 * program, and the names that operators and charts derive from them, so that
 * commands in the runbooks can be checked against them.
 */
import { RecordedResource, StackRun } from "../../scripts/lib/mock-runtime";

export interface PlatformNames {
  namespaces: Set<string>;
  /** "Kind/namespace/name". */
  objects: Set<string>;
  /** "namespace/release". */
  helmReleases: Set<string>;
}

interface ObjectMeta {
  name?: string;
  namespace?: string;
}

function meta(r: RecordedResource): ObjectMeta {
  return (r.inputs.metadata ?? {}) as ObjectMeta;
}

/** Helm's fullname: the override, else the release when it contains the chart name, else "<release>-<chart>". */
function helmFullname(release: string, chart: string, values: Record<string, unknown>): string {
  if (typeof values.fullnameOverride === "string") return values.fullnameOverride;
  const name = typeof values.nameOverride === "string" ? values.nameOverride : chart;
  return release.includes(name) ? release : `${release}-${name}`;
}

/**
 * Objects that the operators and charts create from what the program declares.
 * Each rule is the operator's or chart's documented naming scheme.
 */
function derived(kind: string, namespace: string, name: string, spec: Record<string, unknown>): string[] {
  const at = (k: string, n: string) => `${k}/${namespace}/${n}`;
  switch (kind) {
    case "Elasticsearch": {
      // ECK: <name>-es-http, -es-transport, -es-internal-http Services; <name>-es-<nodeSet> StatefulSets.
      const nodeSets = ((spec.nodeSets ?? []) as { name: string; count?: number }[]).flatMap((ns) => [
        at("StatefulSet", `${name}-es-${ns.name}`),
        ...Array.from({ length: ns.count ?? 1 }, (_, i) => at("Pod", `${name}-es-${ns.name}-${i}`)),
      ]);
      return [
        at("Service", `${name}-es-http`),
        at("Service", `${name}-es-transport`),
        at("Service", `${name}-es-internal-http`),
        at("Secret", `${name}-es-elastic-user`),
        at("Secret", `${name}-es-http-certs-public`),
        ...nodeSets,
      ];
    }
    case "Kibana":
      return [at("Service", `${name}-kb-http`), at("Deployment", `${name}-kb`)];
    case "Logstash": {
      const services = ((spec.services ?? []) as { name: string }[]).map((s) => at("Service", `${name}-ls-${s.name}`));
      return [at("StatefulSet", `${name}-ls`), at("Service", `${name}-ls-api`), ...services];
    }
    case "Beat":
      return [at("DaemonSet", `${name}-beat`), at("Deployment", `${name}-beat`)];
    default:
      return [];
  }
}

/** Names of the workloads each chart we install creates (from its templates' naming helpers). */
function chartObjects(namespace: string, release: string, chart: string, values: Record<string, unknown>): string[] {
  const at = (k: string, n: string) => `${k}/${namespace}/${n}`;
  const full = helmFullname(release, chart, values);
  switch (chart) {
    case "kube-prometheus-stack":
      return [
        at("Prometheus", `${full}-prometheus`),
        at("Alertmanager", `${full}-alertmanager`),
        at("Service", `${full}-prometheus`),
        at("Service", `${full}-alertmanager`),
        at("Service", `${full}-operator`),
        at("Deployment", `${full}-operator`),
        // The operator names the StatefulSets and governing Services of its custom resources.
        at("StatefulSet", `prometheus-${full}-prometheus`),
        at("StatefulSet", `alertmanager-${full}-alertmanager`),
        at("Service", "prometheus-operated"),
        at("Service", "alertmanager-operated"),
        // Subcharts are named "<release>-<subchart>".
        // A StatefulSet with persistence type "sts" (chart-values.ts).
        at("StatefulSet", `${release}-grafana`),
        at("Service", `${release}-grafana`),
        at("Deployment", `${release}-kube-state-metrics`),
        at("Service", `${release}-kube-state-metrics`),
        // node-exporter runs in its own namespace (namespaceOverride).
        `DaemonSet/${String((values["prometheus-node-exporter"] as { namespaceOverride?: string } | undefined)?.namespaceOverride ?? namespace)}/${release}-prometheus-node-exporter`,
      ];
    case "cert-manager":
      return ["", "-webhook", "-cainjector"].map((part) => at("Deployment", `${full}${part}`));
    case "eck-operator":
      // The chart's own default fullnameOverride is "elastic-operator"; the operator runs as a StatefulSet.
      return [at("StatefulSet", typeof values.fullnameOverride === "string" ? values.fullnameOverride : "elastic-operator")];
    case "prometheus-postgres-exporter":
    case "prometheus-pushgateway":
    case "prometheus-elasticsearch-exporter":
    case "prometheus-blackbox-exporter":
    case "elastalert2":
      return [at("Deployment", full), at("Service", full)];
    default:
      return [];
  }
}

export function platformNames(run: StackRun, extraNamespaces: string[] = []): PlatformNames {
  const names: PlatformNames = { namespaces: new Set(extraNamespaces), objects: new Set(), helmReleases: new Set() };
  for (const r of run.resources) {
    if (r.type === "kubernetes:helm.sh/v3:Release" || r.type === "kubernetes:helm.sh/v4:Chart") {
      const release = String(r.inputs.name ?? r.name);
      const namespace = String(r.inputs.namespace ?? "default");
      const chart = String(r.inputs.chart ?? "");
      const values = (r.inputs.values ?? {}) as Record<string, unknown>;
      names.namespaces.add(namespace);
      names.helmReleases.add(`${namespace}/${release}`);
      chartObjects(namespace, release, chart, values).forEach((o) => names.objects.add(o));
      continue;
    }
    if (!r.type.startsWith("kubernetes:") || typeof r.inputs.kind !== "string") continue;
    const kind = r.inputs.kind;
    const { name, namespace } = meta(r);
    if (!name) continue;
    if (kind === "Namespace") {
      names.namespaces.add(name);
      continue;
    }
    const ns = namespace ?? "";
    if (ns) names.namespaces.add(ns);
    names.objects.add(`${kind}/${ns}/${name}`);
    const spec = (r.inputs.spec ?? {}) as Record<string, unknown>;
    derived(kind, ns, name, spec).forEach((o) => names.objects.add(o));
  }
  return names;
}

const KINDS: Record<string, string> = {
  cronjob: "CronJob",
  cj: "CronJob",
  deployment: "Deployment",
  deploy: "Deployment",
  statefulset: "StatefulSet",
  sts: "StatefulSet",
  daemonset: "DaemonSet",
  ds: "DaemonSet",
  service: "Service",
  svc: "Service",
  secret: "Secret",
  configmap: "ConfigMap",
  cm: "ConfigMap",
  serviceaccount: "ServiceAccount",
  sa: "ServiceAccount",
  networkpolicy: "NetworkPolicy",
  netpol: "NetworkPolicy",
  elasticsearch: "Elasticsearch",
  es: "Elasticsearch",
  kibana: "Kibana",
  kb: "Kibana",
  logstash: "Logstash",
  ls: "Logstash",
  beat: "Beat",
  prometheus: "Prometheus",
  alertmanager: "Alertmanager",
  prometheusrule: "PrometheusRule",
  servicemonitor: "ServiceMonitor",
  pod: "Pod",
};

/** Canonical kind of a kubectl resource word (singular, plural or short name); undefined for kinds not checked. */
export function kindOf(word: string): string | undefined {
  const w = word.toLowerCase().replace(/\..*$/, "");
  return KINDS[w] ?? KINDS[w.replace(/(es|s)$/, "")] ?? KINDS[w.replace(/s$/, "")];
}

export interface KubectlReference {
  namespace?: string;
  kind?: string;
  name?: string;
  /** The command it came from, for messages. */
  command: string;
}

/** Words of a shell command, quotes removed (good enough for the commands in runbooks). */
function words(command: string): string[] {
  return [...command.matchAll(/"[^"]*"|'[^']*'|\S+/g)].map((m) => m[0].replace(/^["']|["']$/g, ""));
}

/** A name written by the author as a placeholder or computed by the shell is not checked. */
export function isPlaceholder(name: string): boolean {
  return /[<>${}*]/.test(name);
}

/** Shell lines of code blocks, continuation lines joined. */
export function shellLines(blocks: { language: string; body: string }[]): string[] {
  return blocks
    .filter((b) => ["", "sh", "bash", "shell", "console"].includes(b.language))
    .flatMap((b) => b.body.replace(/\s*\\\n\s*/g, " ").split("\n"))
    .map((l) => l.replace(/(^|\s)#.*$/, "").trim())
    .filter((l) => l.length > 0);
}

const VERBS_WITH_NAMES = new Set(["get", "describe", "patch", "edit", "delete", "scale", "label", "annotate"]);

/** The simple commands of a line: command substitutions taken out (and left as `$SUB`), then split at `|`, `&&`, `;`. */
export function commandSegments(line: string): string[] {
  const segments: string[] = [];
  let rest = line;
  const substitution = /\$\(([^()]*)\)/;
  for (let m = substitution.exec(rest); m; m = substitution.exec(rest)) {
    segments.push(...m[1].split(/\||&&|;/));
    rest = rest.replace(m[0], "$SUB");
  }
  segments.push(...rest.split(/\||&&|;/));
  return segments.map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Every kubectl invocation in a line. */
export function kubectlReferences(line: string): KubectlReference[] {
  const refs: KubectlReference[] = [];
  for (const segment of commandSegments(line)) {
    const w = words(segment.trim());
    if (w[0] !== "kubectl") continue;
    const command = segment.trim();
    let namespace: string | undefined;
    const positional: string[] = [];
    const fromRefs: KubectlReference[] = [];
    for (let i = 1; i < w.length; i++) {
      const word = w[i];
      if (word === "-n" || word === "--namespace") namespace = w[++i];
      else if (word.startsWith("--namespace=")) namespace = word.slice("--namespace=".length);
      else if (/^-[a-zA-Z]$/.test(word) && ["-l", "-o", "-c", "-p", "-f"].includes(word)) i++;
      else if (word.startsWith("-")) {
        const from = /^--from=([^/]+)\/(.+)$/.exec(word);
        if (from) fromRefs.push({ kind: kindOf(from[1]), name: from[2], command });
      } else positional.push(word);
    }
    if (namespace !== undefined) refs.push({ namespace, command });
    for (const word of positional) {
      const slash = /^([a-z.]+)\/([^/\s]+)$/.exec(word);
      if (slash && kindOf(slash[1])) refs.push({ namespace, kind: kindOf(slash[1]), name: slash[2], command });
    }
    // `kubectl get <kind> <name> [<name> ...]`: every further word is a name of that kind.
    const [verb, kindWord, ...objectNames] = positional;
    const kind = kindWord && !kindWord.includes("/") && !kindWord.includes(",") ? kindOf(kindWord) : undefined;
    if (VERBS_WITH_NAMES.has(verb) && kind) {
      for (const name of objectNames.filter((n) => n !== "&")) refs.push({ namespace, kind, name, command });
    }
    for (const ref of fromRefs) refs.push({ ...ref, namespace });
  }
  return refs;
}

/** Objects a `kubectl create <kind> [<type>] <name>` line makes; later commands of the same page may use them. */
export function createdObjects(line: string): string[] {
  return commandSegments(line).flatMap((segment) => {
    const w = words(segment);
    if (w[0] !== "kubectl") return [];
    let namespace = "";
    const positional: string[] = [];
    for (let i = 1; i < w.length; i++) {
      if (w[i] === "-n" || w[i] === "--namespace") namespace = w[++i];
      else if (!w[i].startsWith("-")) positional.push(w[i]);
    }
    const [verb, kindWord, ...rest] = positional;
    const kind = verb === "create" && kindWord ? kindOf(kindWord) : undefined;
    if (!kind) return [];
    const name = kind === "Secret" ? rest[1] : rest[0];
    return name ? [`${kind}/${namespace}/${name}`] : [];
  });
}

/** Alertmanager Services that amtool commands address by in-cluster DNS name. */
export function amtoolReferences(line: string): KubectlReference[] {
  if (!/^amtool\b|\samtool\s/.test(line)) return [];
  return [...line.matchAll(/--alertmanager\.url[= ]https?:\/\/([a-z0-9-]+)\.([a-z0-9-]+)\.svc\b/g)].map((m) => ({
    kind: "Service",
    name: m[1],
    namespace: m[2],
    command: line,
  }));
}

/** `helm -n <ns> status|history|get ... <release>`: the release must exist. */
export function helmReleaseReferences(line: string): { namespace?: string; release: string; command: string }[] {
  const w = words(line);
  if (w[0] !== "helm") return [];
  let namespace: string | undefined;
  const positional: string[] = [];
  for (let i = 1; i < w.length; i++) {
    if (w[i] === "-n" || w[i] === "--namespace") namespace = w[++i];
    else if (!w[i].startsWith("-")) positional.push(w[i]);
  }
  const [verb, ...rest] = positional;
  if (verb === "status" || verb === "history") return [{ namespace, release: rest[0], command: line }];
  if (verb === "get") return [{ namespace, release: rest[1], command: line }];
  return [];
}

/** Problems of one reference against the names a stack has (empty when it is fine). */
export function unknownNames(ref: KubectlReference, names: PlatformNames): string[] {
  const problems: string[] = [];
  if (ref.namespace !== undefined && !isPlaceholder(ref.namespace) && !names.namespaces.has(ref.namespace)) {
    problems.push(`namespace ${ref.namespace} in: ${ref.command}`);
  }
  if (ref.kind && ref.name && !isPlaceholder(ref.name)) {
    const found =
      ref.namespace !== undefined
        ? names.objects.has(`${ref.kind}/${ref.namespace}/${ref.name}`)
        : [...names.objects].some((o) => o.startsWith(`${ref.kind}/`) && o.endsWith(`/${ref.name}`));
    if (!found) problems.push(`${ref.kind} ${ref.name}${ref.namespace ? ` in ${ref.namespace}` : ""} in: ${ref.command}`);
  }
  return problems;
}
