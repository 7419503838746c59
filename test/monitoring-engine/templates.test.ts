/**
 * The notification templates rendered by the real Alertmanager template engine
 * (amtool template render): summary, runbook link and dashboard link.
 */
import * as fs from "fs";
import * as path from "path";
import { stackConfig } from "../../scripts/lib/stack-config";
import { requireTool, run, writeLocalConfig } from "./tools";

const amtool = requireTool("amtool");
const config = stackConfig("prod");
const local = writeLocalConfig(config);
afterAll(() => fs.rmSync(local.dir, { recursive: true, force: true }));

interface Alert {
  status: "firing" | "resolved";
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

function render(template: string, alerts: Alert[], type: "text" | "html" = "text"): string {
  const common = (pick: (a: Alert) => Record<string, string>) =>
    Object.fromEntries(Object.entries(pick(alerts[0])).filter(([k, v]) => alerts.every((a) => pick(a)[k] === v)));
  const data = {
    receiver: "team-chat",
    status: alerts.some((a) => a.status === "firing") ? "firing" : "resolved",
    alerts: alerts.map((a, i) => ({
      ...a,
      startsAt: "2026-01-01T00:00:00Z",
      endsAt: "0001-01-01T00:00:00Z",
      generatorURL: "http://prometheus/graph",
      fingerprint: `f${i}`,
    })),
    groupLabels: { alertname: alerts[0].labels.alertname },
    commonLabels: common((a) => a.labels),
    commonAnnotations: common((a) => a.annotations),
    externalURL: "http://alertmanager:9093",
  };
  const dataFile = path.join(local.dir, `data-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(dataFile, JSON.stringify(data));
  const r = run(amtool, [
    "template",
    "render",
    `--template.glob=${local.templateFile}`,
    `--template.data=${dataFile}`,
    `--template.type=${type}`,
    `--template.text={{ template "${template}" . }}`,
  ]);
  expect(r.stderr).not.toMatch(/error/i);
  expect(r.status).toBe(0);
  return r.stdout;
}

const ours: Alert = {
  status: "firing",
  labels: { alertname: "HighErrorRate", severity: "critical", namespace: "cryoprotect" },
  annotations: {
    summary: "API 5xx ratio is 12%",
    description: "12% of the requests fail.",
    runbook_url: `${config.runbookBaseUrl}/HighErrorRate.md`,
    dashboard_url: `${config.monitoring.grafana.url}/d/cryoprotect-api`,
  },
};
/** Alerts of the chart's default rules have a runbook but no dashboard link. */
const chartAlert: Alert = {
  status: "firing",
  labels: { alertname: "KubePodCrashLooping", severity: "warning", namespace: "logging" },
  annotations: {
    summary: "Pod is crash looping.",
    description: "Pod logging/x is in waiting state.",
    runbook_url: "https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping",
  },
};

describe("cryoprotect.tmpl", () => {
  it("the template text refers to the runbook and dashboard annotations", () => {
    const text = fs.readFileSync(local.templateFile, "utf8");
    expect(text).toContain(".Annotations.runbook_url");
    expect(text).toContain(".Annotations.dashboard_url");
    expect(text).toContain(".Annotations.summary");
  });

  it("title names the status, count, alert, severity and namespace", () => {
    expect(render("cryoprotect.title", [ours, { ...ours, labels: { ...ours.labels, endpoint: "/x" } }])).toBe(
      "[FIRING:2] HighErrorRate (critical) in cryoprotect",
    );
  });

  it("text shows each alert's summary, description, runbook link and dashboard link", () => {
    const out = render("cryoprotect.text", [ours]);
    expect(out).toContain(ours.annotations.summary);
    expect(out).toContain(ours.annotations.description);
    expect(out).toContain(`Runbook: ${ours.annotations.runbook_url}`);
    expect(out).toContain(`Dashboard: ${ours.annotations.dashboard_url}`);
  });

  it("text marks resolved alerts and leaves out a missing dashboard link", () => {
    const out = render("cryoprotect.text", [{ ...chartAlert, status: "resolved" }]);
    expect(out).toContain(`RESOLVED: ${chartAlert.annotations.summary}`);
    expect(out).toContain(`Runbook: ${chartAlert.annotations.runbook_url}`);
    expect(out).not.toContain("Dashboard:");
  });

  it("link templates (PagerDuty, Slack title) give the alert's links, or Grafana's start page when it has none", () => {
    expect(render("cryoprotect.runbook_url", [ours])).toBe(ours.annotations.runbook_url);
    expect(render("cryoprotect.dashboard_url", [ours])).toBe(ours.annotations.dashboard_url);
    expect(render("cryoprotect.dashboard_url", [chartAlert])).toBe(config.monitoring.grafana.url);
  });

  it("html (email) links the runbook and dashboard", () => {
    const out = render("cryoprotect.html", [ours], "html");
    expect(out).toContain(`<a href="${ours.annotations.runbook_url}">Runbook</a>`);
    expect(out).toContain(`<a href="${ours.annotations.dashboard_url}">Dashboard</a>`);
    expect(out).toContain(`<b>${ours.annotations.summary}</b>`);
  });
});
