/**
 * Kubernetes rules: what every pod, image, PrometheusRule, Helm release and ConfigMap of the
 * platform must be. The pod rules are the ones components/shared defines (Pod Security, resources).
 */
import { StackConfig } from "../../configs/types";
import { chartWorkloadsByChart, podSecurityExceptions } from "../../components/catalog";
import { chartPodSpec } from "../../components/shared/chart-workloads";
import { unexcusedViolations } from "../../components/shared/pod-security";
import { podTemplatesOf, PodTemplateOf } from "../../components/shared/pod-templates";
import { missingResources } from "../../components/shared/resources";
import { PolicyResource, StackViolation } from "../framework";

export const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";
export const PROMETHEUS_RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";

type K8sObject = Parameters<typeof podTemplatesOf>[0];

/** The pods a resource runs: its own pod templates, or a Helm release's chart workloads rendered from its values. */
export function podsOf(resource: PolicyResource): PodTemplateOf[] {
  if (resource.type === HELM_RELEASE) {
    const chart = String(resource.props.chart);
    const workloads = chartWorkloadsByChart()[chart];
    if (!workloads) return [];
    return workloads.map((w) => ({
      workload: w.workload,
      path: `values of ${chart}`,
      spec: chartPodSpec(resource.props.values, w),
    }));
  }
  return resource.type.startsWith("kubernetes:") ? podTemplatesOf(resource.props as K8sObject) : [];
}

/** The release's chart has no workload list: its pods cannot be checked, which is itself a violation. */
export function uncheckedChart(resource: PolicyResource): string[] {
  if (resource.type !== HELM_RELEASE || chartWorkloadsByChart()[String(resource.props.chart)]) return [];
  return [
    `chart ${String(resource.props.chart)} has no workload list in components/catalog.ts: its pods cannot be checked`,
  ];
}

const where = (p: PodTemplateOf, container?: string) =>
  `${p.workload} (${p.path}${container ? `, container ${container}` : ""})`;

export function podSecurityPolicyViolations(resource: PolicyResource, config: StackConfig): string[] {
  const exceptions = podSecurityExceptions(config);
  return [
    ...uncheckedChart(resource),
    ...podsOf(resource).flatMap((p) =>
      unexcusedViolations(p.workload, p.spec, exceptions).map(
        (v) => `${where(p, v.container)}: ${v.rule}: ${v.message}`,
      ),
    ),
  ];
}

export function resourcesPolicyViolations(resource: PolicyResource): string[] {
  return [
    ...uncheckedChart(resource),
    ...podsOf(resource).flatMap((p) =>
      [...(p.spec.initContainers ?? []), ...(p.spec.containers ?? [])].flatMap((c) => {
        const missing = missingResources((c as { resources?: unknown }).resources);
        return missing.length ? [`${where(p, c.name)}: no ${missing.join(", ")}`] : [];
      }),
    ),
  ];
}

/** `repo/name:tag` (not latest) or `repo/name@sha256:<digest>`. */
export function imagePinProblem(image: string): string | undefined {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return undefined;
  const tag = /:([^:/]+)$/.exec(image)?.[1];
  if (!tag) return `image ${image} has no tag or digest`;
  if (tag === "latest") return `image ${image} uses the moving tag latest`;
  return undefined;
}

export function imagePolicyViolations(resource: PolicyResource): string[] {
  return podsOf(resource).flatMap((p) =>
    [...(p.spec.initContainers ?? []), ...(p.spec.containers ?? [])].flatMap((c) => {
      const image = (c as { image?: unknown }).image;
      const problem = typeof image === "string" ? imagePinProblem(image) : undefined;
      return problem ? [`${where(p, c.name)}: ${problem}: pin a version tag or a digest`] : [];
    }),
  );
}

interface RuleSpec {
  alert?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** Every alert of a PrometheusRule carries severity, summary and both links, and its runbook page exists. */
export function prometheusRuleViolations(
  resource: PolicyResource,
  config: StackConfig,
  runbookExists: (file: string) => boolean,
): string[] {
  const groups = (resource.props.spec as { groups?: { name: string; rules?: RuleSpec[] }[] })?.groups ?? [];
  return groups.flatMap((g) =>
    (g.rules ?? [])
      .filter((r) => r.alert)
      .flatMap((r) => {
        const problems: string[] = [];
        const at = `group ${g.name}, alert ${r.alert}`;
        if (!["critical", "warning", "info"].includes(r.labels?.severity ?? ""))
          problems.push(`${at}: no severity label (critical, warning or info)`);
        for (const key of ["summary", "runbook_url", "dashboard_url"]) {
          if (!r.annotations?.[key]) problems.push(`${at}: no ${key} annotation`);
        }
        const runbook = r.annotations?.runbook_url;
        if (
          runbook &&
          !(
            runbook.startsWith(`${config.runbookBaseUrl}/`) &&
            runbookExists(runbook.slice(config.runbookBaseUrl.length + 1))
          )
        ) {
          problems.push(`${at}: runbook ${runbook} is not a page of runbooks/ (run npm run generate)`);
        }
        return problems;
      }),
  );
}

/** A Helm release pinned to one exact chart version from an HTTPS repository. */
export function helmReleaseViolations(resource: PolicyResource): string[] {
  const version = resource.props.version;
  const problems: string[] = [];
  if (typeof version !== "string" || !/^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) {
    problems.push(
      `chart ${String(resource.props.chart)} is not pinned to an exact version (version: ${String(version)})`,
    );
  }
  const repo = (resource.props.repositoryOpts as { repo?: string } | undefined)?.repo;
  if (!repo?.startsWith("https://"))
    problems.push(`chart ${String(resource.props.chart)} does not come from an HTTPS repository`);
  return problems;
}

/** Values of credentials that a ConfigMap or a plain output must never hold, whatever the stack's Secrets. */
const CREDENTIAL_PATTERNS: [string, RegExp][] = [
  ["a private key", /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ["a URL with a password", /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i],
  ["a Slack webhook URL", /hooks\.slack\.com\/services\/[A-Za-z0-9/]+/],
  ["an AWS access key id", /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
];

/** Every string value of the Kubernetes Secrets of the stack (stringData, and data decoded). */
function secretValues(resources: PolicyResource[]): string[] {
  return resources
    .filter((r) => r.type === "kubernetes:core/v1:Secret")
    .flatMap((r) => [
      ...Object.values((r.props.stringData ?? {}) as Record<string, unknown>),
      ...Object.values((r.props.data ?? {}) as Record<string, unknown>).map((v) =>
        typeof v === "string" ? Buffer.from(v, "base64").toString("utf8") : v,
      ),
    ])
    .filter((v): v is string => typeof v === "string" && v.length >= 8);
}

function secretMaterialIn(text: string, secrets: string[]): string | undefined {
  if (secrets.some((s) => text.includes(s))) return "the value of one of the stack's Secrets";
  return CREDENTIAL_PATTERNS.find(([, re]) => re.test(text))?.[0];
}

/** ConfigMaps and plain (not secret) stack outputs that hold secret material. */
export function secretMaterialViolations(
  resources: PolicyResource[],
  secretOutputs: readonly string[],
): StackViolation[] {
  const secrets = secretValues(resources);
  const found: StackViolation[] = [];
  for (const r of resources.filter((x) => x.type === "kubernetes:core/v1:ConfigMap")) {
    for (const [key, value] of Object.entries((r.props.data ?? {}) as Record<string, unknown>)) {
      const what = typeof value === "string" ? secretMaterialIn(value, secrets) : undefined;
      if (what)
        found.push({ urn: r.urn, message: `ConfigMap ${r.name} key ${key} holds ${what}: move it into a Secret` });
    }
  }
  for (const r of resources.filter((x) => x.type === "pulumi:pulumi:Stack")) {
    for (const [key, value] of Object.entries(r.props)) {
      if (secretOutputs.includes(key)) continue;
      const what = secretMaterialIn(JSON.stringify(value ?? ""), secrets);
      if (what)
        found.push({ urn: r.urn, message: `stack output ${key} holds ${what}: export it with pulumi.secret()` });
    }
  }
  return found;
}
