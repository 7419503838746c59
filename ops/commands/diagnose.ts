/**
 * `cryo-ops diagnose --out FILE.tar.gz`: what an escalation needs, in one bundle. Each part that
 * cannot be collected is listed in MISSING.txt instead of failing the command. Secrets never enter:
 * the stack config holds only secret key names, and Alertmanager's config is redacted field by field.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { StackConfig } from "../../configs/types";
import { Alertmanager } from "../alertmanager";
import { requestJson } from "../http";
import { Kube } from "../kube";
import { Progress } from "../output";

/** Alertmanager config fields that hold credentials (receivers' keys, URLs with tokens, passwords). */
const SECRET_FIELDS = new Set([
  "routing_key",
  "service_key",
  "api_url",
  "url",
  "auth_password",
  "auth_secret",
  "password",
  "bot_token",
  "credentials",
  "api_key",
  "token",
]);
export const REDACTED = "<redacted>";

/** A value with every credential field replaced, at any depth. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, SECRET_FIELDS.has(k) && typeof v === "string" ? REDACTED : redact(v)]),
    );
  }
  return value;
}

/** Alertmanager's status, whose config.original is the whole config file: parsed, redacted, re-dumped. */
export function redactAlertmanagerStatus(status: { config?: { original: string } } & Record<string, unknown>) {
  if (!status.config?.original) return status;
  const parsed = yaml.load(status.config.original);
  return { ...status, config: { original: yaml.dump(redact(parsed), { lineWidth: 120 }) } };
}

export interface DiagnoseSources {
  prometheus?: string;
  alertmanager?: string;
  kube?: Kube;
}

export async function diagnose(
  config: StackConfig,
  sources: DiagnoseSources,
  out: string,
  progress: Progress,
): Promise<{ collected: string[]; missing: string[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cryo-ops-diagnose-"));
  const collected: string[] = [];
  const missing: string[] = [];
  const part = async (file: string, what: string, get: () => Promise<unknown>) => {
    progress.step(`collecting ${what}`);
    try {
      const value = await get();
      fs.writeFileSync(path.join(dir, file), typeof value === "string" ? value : JSON.stringify(value, null, 2));
      collected.push(file);
    } catch (e) {
      missing.push(`${file}: ${what}: ${(e as Error).message}`);
    }
  };
  const need = (url: string | undefined, name: string) => {
    if (!url) throw new Error(`no ${name} endpoint (give --${name.toLowerCase()}-url or a kubeconfig)`);
    return url;
  };
  try {
    // The settings name secrets only by their config key; their values live in Pulumi state, never here.
    await part("config.json", "the stack's settings (secret key names only)", async () => config);
    const prom = sources.prometheus;
    await part("prometheus-targets.json", "Prometheus target health", () =>
      requestJson("Prometheus", `${need(prom, "Prometheus")}/api/v1/targets`),
    );
    await part("prometheus-rule-errors.json", "rule evaluation errors", async () => {
      const rules = await requestJson<{
        data: { groups: { name: string; rules: { name: string; health: string; lastError?: string }[] }[] };
      }>("Prometheus", `${need(prom, "Prometheus")}/api/v1/rules`);
      return rules.data.groups.flatMap((g) =>
        g.rules
          .filter((r) => r.health !== "ok")
          .map((r) => ({ group: g.name, rule: r.name, health: r.health, error: r.lastError })),
      );
    });
    await part("backup-metrics.json", "the backup metrics", () =>
      requestJson(
        "Prometheus",
        `${need(prom, "Prometheus")}/api/v1/query?query=${encodeURIComponent('{__name__=~"cryoprotect_backup_.+"}')}`,
      ),
    );
    await part("elasticsearch-health.json", "Elasticsearch health (exporter metrics)", () =>
      requestJson(
        "Prometheus",
        `${need(prom, "Prometheus")}/api/v1/query?query=${encodeURIComponent('{__name__=~"elasticsearch_cluster_health_.+"}')}`,
      ),
    );
    const am = sources.alertmanager ? new Alertmanager(sources.alertmanager) : undefined;
    await part("alertmanager-status.json", "Alertmanager status (config redacted)", async () =>
      redactAlertmanagerStatus(await (am ?? new Alertmanager(need(undefined, "Alertmanager"))).status()),
    );
    await part("alertmanager-alerts.json", "Alertmanager alerts", async () =>
      (am ?? new Alertmanager(need(undefined, "Alertmanager"))).alerts(),
    );
    const ns = [
      config.namespaces.monitoring,
      config.namespaces.logging,
      config.namespaces.backup,
      config.namespaces.nodeExporter,
    ];
    await part("pods.json", "the platform's pods", async () => {
      if (!sources.kube) throw new Error("no Kubernetes access (no kubeconfig)");
      const kube = sources.kube;
      const all = await Promise.all(ns.map(async (n) => ({ namespace: n, pods: await kube.pods(n) })));
      return all.map(({ namespace, pods }) => ({
        namespace,
        pods: pods.map((p) => ({
          name: p.metadata?.name,
          phase: p.status?.phase,
          containers: (p.status?.containerStatuses ?? []).map((c) => ({
            name: c.name,
            ready: c.ready,
            restarts: c.restartCount,
            state: c.state,
          })),
        })),
      }));
    });
    fs.writeFileSync(
      path.join(dir, "MISSING.txt"),
      missing.length ? missing.join("\n") + "\n" : "nothing: every part was collected\n",
    );
    execFileSync("tar", ["-czf", path.resolve(out), "-C", dir, "."]);
    progress.done(`wrote ${out}: ${collected.length} parts, ${missing.length} missing`);
    return { collected, missing };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
