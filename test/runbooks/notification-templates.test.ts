/**
 * Notifications show the runbook and the dashboard link: every templated
 * receiver of the generated Alertmanager config of each stack is rendered
 * with `amtool template render` over the generated templates, for an alert
 * carrying known links, and the output must contain both.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as os from "os";
import * as path from "path";
import { stackArtifacts } from "../../components/artifacts";
import { allStackConfigs } from "../../scripts/lib/stack-config";

const RUNBOOK = "https://runbooks.test/HighErrorRate.md";
const DASHBOARD = "https://grafana.test/d/cryoprotect-api";

/** Notification data as Alertmanager hands it to templates (template.Data). */
const data = {
  receiver: "test",
  status: "firing",
  alerts: [
    {
      status: "firing",
      labels: { alertname: "HighErrorRate", severity: "critical", namespace: "cryoprotect" },
      annotations: { summary: "5xx ratio above 5%", description: "details", runbook_url: RUNBOOK, dashboard_url: DASHBOARD },
      startsAt: "2026-01-01T00:00:00Z",
      endsAt: "0001-01-01T00:00:00Z",
      generatorURL: "http://prometheus.test/graph",
      fingerprint: "0123456789abcdef",
    },
  ],
  groupLabels: { alertname: "HighErrorRate", namespace: "cryoprotect" },
  commonLabels: { alertname: "HighErrorRate", severity: "critical", namespace: "cryoprotect" },
  commonAnnotations: {},
  externalURL: "http://alertmanager.test",
};

/** Every string anywhere in a receiver config entry (titles, texts, link hrefs, headers). */
function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === "object") return Object.values(value).flatMap(strings);
  return [];
}

function render(templateDir: string, dataFile: string, text: string): string {
  const result = spawnSync(
    "amtool",
    [
      "template",
      "render",
      `--template.glob=${path.join(templateDir, "*.tmpl")}`,
      `--template.text=${text}`,
      `--template.data=${dataFile}`,
    ],
    { encoding: "utf8", timeout: 20000 },
  );
  if (result.error) throw new Error(`amtool could not run (install prometheus-alertmanager): ${result.error.message}`);
  if (result.status !== 0) throw new Error(`amtool template render failed for ${text}: ${result.stderr}`);
  return result.stdout;
}

describe.each(allStackConfigs().map((c) => [c.environment, c] as const))("%s notifications", (_stack, config) => {
  const files = stackArtifacts(config);
  const templates = Object.entries(files).filter(([rel]) => rel.startsWith("alertmanager/") && rel.endsWith(".tmpl"));
  const amConfig = yaml.load(files["alertmanager/alertmanager.yaml"] ?? "{}") as {
    receivers?: Record<string, unknown>[];
  };
  let dir: string;
  let dataFile: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "runbook-templates-"));
    for (const [rel, content] of templates) fs.writeFileSync(path.join(dir, path.basename(rel)), content);
    dataFile = path.join(dir, "data.json");
    fs.writeFileSync(dataFile, JSON.stringify(data));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("has an Alertmanager config with receivers and notification templates", () => {
    expect(amConfig.receivers?.length).toBeGreaterThan(0);
    expect(templates.length).toBeGreaterThan(0);
  });

  const configured = (amConfig.receivers ?? []).flatMap((receiver) =>
    Object.entries(receiver)
      .filter(([key]) => key.endsWith("_configs"))
      .flatMap(([type, entries]) =>
        (entries as Record<string, unknown>[]).map((entry) => [`${receiver.name}/${type}`, type, entry] as const),
      ),
  );

  it("tells a template without the links apart (the check can fail)", () => {
    const rendered = render(dir, dataFile, "{{ .CommonLabels.alertname }} {{ (index .Alerts 0).Annotations.summary }}");
    expect(rendered).toContain("HighErrorRate 5xx ratio above 5%");
    expect(rendered).not.toContain(RUNBOOK);
    expect(rendered).not.toContain(DASHBOARD);
  });

  const templated = configured.filter(([, type]) => type !== "webhook_configs");
  it.each(templated)("%s renders the runbook and the dashboard link", (_name, _type, entry) => {
    const rendered = strings(entry)
      .filter((s) => s.includes("{{"))
      .map((s) => render(dir, dataFile, s))
      .join("\n");
    expect(rendered).toContain(RUNBOOK);
    expect(rendered).toContain(DASHBOARD);
  });

  // A webhook's body is Alertmanager's fixed JSON payload: it always carries every annotation, links included.
  it.each(configured.filter(([, type]) => type === "webhook_configs"))(
    "%s sends the full payload (no template can drop the links)",
    (_name, _type, entry) => {
      expect(strings(entry).filter((s) => s.includes("{{"))).toEqual([]);
    },
  );
});
