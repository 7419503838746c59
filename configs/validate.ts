import Ajv, { ErrorObject } from "ajv";
import addFormats from "ajv-formats";
import { CronExpressionParser } from "cron-parser";
import schema from "./schema.json";
import { IngressConfig, StackConfig } from "./types";

/** Raised when a stack's configuration is invalid; lists every problem found. */
export class ConfigError extends Error {
  constructor(
    readonly stack: string,
    readonly problems: string[],
  ) {
    super(
      `Stack "${stack}" has ${problems.length} configuration error(s); nothing was deployed:\n` +
        problems.map((p) => `  - ${p}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

/** Five fields, each accepted by cron-parser (the syntax Kubernetes CronJobs use). */
export function isValidCron(expr: string): boolean {
  if (expr.trim().split(/\s+/).length !== 5) return false;
  try {
    CronExpressionParser.parse(expr);
    return true;
  } catch {
    return false;
  }
}

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
addFormats(ajv, ["uri", "email", "hostname"]);
ajv.addFormat("cron", { type: "string", validate: isValidCron });
const validateSchema = ajv.compile<StackConfig>(schema);

/** "/backup/retention/daily" -> "backup.retention.daily", "/targets/0" -> "targets[0]". */
function dottedPath(instancePath: string): string {
  return instancePath
    .split("/")
    .slice(1)
    .map((seg) => seg.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((acc, seg) => (/^[0-9]+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), "");
}

function describe(e: ErrorObject): string | undefined {
  const at = dottedPath(e.instancePath) || "(root)";
  switch (e.keyword) {
    case "additionalProperties": {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const full = e.instancePath ? `${at}.${key}` : key;
      return `${full}: unknown key (additionalProperties; secrets must be set with \`pulumi config set --secret\`)`;
    }
    case "required": {
      const key = (e.params as { missingProperty: string }).missingProperty;
      return `${e.instancePath ? `${at}.${key}` : key}: is required (required)`;
    }
    case "if":
      // The branch's own errors already say what is wrong.
      return undefined;
    case "format":
      return `${at}: must be a valid ${(e.params as { format: string }).format} (format)`;
    default:
      return `${at}: ${e.message} (${e.keyword})`;
  }
}

/** Rules a JSON Schema cannot say: references between settings. */
function crossFieldProblems(c: StackConfig): string[] {
  const problems: string[] = [];
  const ns = c.namespaces;
  const namespaceNames = [ns.monitoring, ns.logging, ns.backup, ns.nodeExporter];
  if (new Set(namespaceNames).size !== namespaceNames.length) {
    problems.push("namespaces: monitoring, logging, backup and nodeExporter must be four different namespaces");
  }
  if (c.certManager && namespaceNames.includes(c.certManager.namespace)) {
    problems.push("certManager.namespace: must not be one of the namespaces of namespaces.*");
  }
  const ingresses: [string, IngressConfig | undefined][] = [
    ["monitoring.grafana.ingress", c.monitoring.grafana.ingress],
    ["logging.kibana.ingress", c.logging.kibana.ingress],
  ];
  for (const [path, ingress] of ingresses) {
    if (!ingress) continue;
    const { issuer, existingSecret, secretName } = ingress.tls;
    if (issuer && existingSecret) {
      problems.push(`${path}.tls: set either issuer (cert-manager creates ${secretName}) or existingSecret, not both`);
    } else if (!issuer && existingSecret !== true) {
      problems.push(
        `${path}.tls: nothing provides Secret ${secretName}; set tls.issuer (cert-manager issues it) or tls.existingSecret: true (managed outside this stack)`,
      );
    }
  }
  const receivers = c.monitoring.alertmanager.receivers;
  const names = receivers.map((r) => r.name);
  names.forEach((n, i) => {
    if (names.indexOf(n) !== i)
      problems.push(`monitoring.alertmanager.receivers[${i}].name: duplicate receiver "${n}"`);
  });
  const routing = c.monitoring.alertmanager.routing;
  const refs: [string, string | null][] = [
    ...routing.critical.map((r, i): [string, string] => [`critical[${i}]`, r]),
    ...routing.warning.map((r, i): [string, string] => [`warning[${i}]`, r]),
    ["info", routing.info],
    ["heartbeat", routing.heartbeat],
  ];
  for (const [where, ref] of refs) {
    if (ref !== null && !names.includes(ref)) {
      problems.push(
        `monitoring.alertmanager.routing.${where}: receiver "${ref}" is not defined in monitoring.alertmanager.receivers`,
      );
    }
  }
  const t = c.monitoring.thresholds;
  for (const r of ["cpu", "memory", "disk"] as const) {
    if (t[`${r}WarningPercent`] >= t[`${r}CriticalPercent`]) {
      problems.push(`monitoring.thresholds.${r}WarningPercent: must be below ${r}CriticalPercent`);
    }
  }
  if (t.certificateExpiryCriticalDays >= t.certificateExpiryWarningDays) {
    problems.push("monitoring.thresholds.certificateExpiryCriticalDays: must be below certificateExpiryWarningDays");
  }
  if (c.logging.elasticsearch.nodeCount === 2) {
    problems.push(
      "logging.elasticsearch.nodeCount: must be 1 or at least 3 (two master-eligible nodes cannot elect a master when one is lost)",
    );
  }
  const targets = c.backup.targets;
  const primaries = targets.filter((t) => t.kind === "s3" && t.primary);
  if (primaries.length !== 1) {
    problems.push(`backup.targets: exactly one s3 target must have primary: true (found ${primaries.length})`);
  }
  const targetNames = targets.map((t) => t.name);
  targetNames.forEach((n, i) => {
    if (targetNames.indexOf(n) !== i) problems.push(`backup.targets[${i}].name: duplicate target "${n}"`);
  });
  return problems;
}

/** Secret config keys that the settings refer to. */
export function referencedSecretKeys(c: StackConfig): { path: string; key: string }[] {
  return [
    { path: "backup.database.passwordSecret", key: c.backup.database.passwordSecret },
    ...c.monitoring.alertmanager.receivers.map((r, i) => ({
      path: `monitoring.alertmanager.receivers[${i}].secret`,
      key: r.secret,
    })),
    ...c.backup.targets.flatMap((t, i) =>
      t.kind === "restic" ? [{ path: `backup.targets[${i}].credentialsSecret`, key: t.credentialsSecret }] : [],
    ),
  ];
}

/**
 * Checks a whole stack configuration: the JSON Schema (every error, with its
 * path and rule), then cross-field rules, then that every referenced secret is
 * set as a secret. Throws one ConfigError that lists them all.
 */
export function validateStackConfig(stack: string, raw: unknown, secretKeysSet: ReadonlySet<string>): StackConfig {
  if (!validateSchema(raw)) {
    const problems = (validateSchema.errors ?? []).map(describe).filter((p): p is string => p !== undefined);
    throw new ConfigError(stack, [...new Set(problems)]);
  }
  const problems = crossFieldProblems(raw);
  for (const { path, key } of referencedSecretKeys(raw)) {
    if (!secretKeysSet.has(key)) {
      problems.push(`${path}: secret "${key}" is not set; run \`pulumi config set --secret ${key} <value>\` (secret)`);
    }
  }
  if (problems.length > 0) throw new ConfigError(stack, problems);
  return raw;
}
