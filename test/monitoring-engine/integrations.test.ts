/**
 * The prod stack's receivers with their real integration types, on a real Alertmanager (Debian's):
 * PagerDuty Events v2, Slack and e-mail (SMTP with the configured login) against local sinks that
 * speak each protocol, with the generated routes and notification templates. Only the endpoints
 * move (e2e/lib/alertmanager-config.ts localIntegrations). Ports 19180-19182 are this test's.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { alertmanagerConfig, apiAlertNamesOf } from "../../components/monitoring/alertmanager-config";
import { alertmanagerTemplate, TEMPLATE_FILE } from "../../components/monitoring/alertmanager-template";
import { ruleGroups } from "../../components/catalog";
import { dashboardUrl, runbookUrl } from "../../components/shared/alert";
import { stackConfig } from "../../scripts/lib/stack-config";
import { localIntegrations } from "../../e2e/lib/alertmanager-config";
import { IntegrationSinks } from "../../e2e/lib/integration-sinks";
import { waitFor } from "../../e2e/lib/wait";

const BINARY = "/usr/bin/prometheus-alertmanager";
const AM_PORT = 19180;
const SMTP_PORT = 19181;
const SINK_PORT = 19182;
const prod = stackConfig("prod");
const SECRET = (key: string) => `S3CRET-${key}-value`;
const mailReceiver = prod.monitoring.alertmanager.receivers.find((r) => r.type === "email")!;

let dir: string;
let am: ChildProcess | undefined;
let sinks: IntegrationSinks;

const until = <T>(what: string, probe: () => T | undefined) => waitFor(what, probe, 30_000, 200);

const alert = (alertname: string, severity: string, endsAt?: string) => ({
  labels: { alertname, severity, namespace: "cryoprotect", job: "cryoprotect-api" },
  annotations: {
    summary: `${alertname} summary`,
    description: `${alertname} description`,
    runbook_url: runbookUrl(prod, alertname),
    dashboard_url: dashboardUrl(prod, "cryoprotect-api"),
  },
  ...(endsAt ? { endsAt } : {}),
});

async function post(alerts: unknown[]) {
  const res = await fetch(`http://127.0.0.1:${AM_PORT}/api/v2/alerts`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(alerts),
  });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  if (!fs.existsSync(BINARY)) throw new Error(`${BINARY} is missing: run scripts/install-tools.sh`);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "cryo-integrations-"));
  sinks = new IntegrationSinks(SINK_PORT, SMTP_PORT, {
    user: mailReceiver.type === "email" ? mailReceiver.authUsername : "",
    password: SECRET(mailReceiver.secret),
  });
  await sinks.start();
  const lookup = (key: string, use: "url" | "token") =>
    use === "url" ? `${sinks.baseUrl}/${key === "slackWebhookUrl" ? "slack" : "hook"}/${key}` : SECRET(key);
  const generated = alertmanagerConfig(prod, lookup, apiAlertNamesOf(ruleGroups(prod)));
  const config = localIntegrations(generated as unknown as Record<string, unknown>, {
    pagerdutyUrl: `${sinks.baseUrl}/v2/enqueue`,
    smarthost: `127.0.0.1:${SMTP_PORT}`,
  }, dir); // prettier-ignore
  fs.writeFileSync(path.join(dir, "alertmanager.yaml"), yaml.dump(config));
  fs.writeFileSync(path.join(dir, TEMPLATE_FILE), alertmanagerTemplate(prod));
  am = spawn(
    BINARY,
    [
      `--config.file=${path.join(dir, "alertmanager.yaml")}`,
      `--storage.path=${path.join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${AM_PORT}`,
      "--cluster.listen-address=",
    ],
    { stdio: "ignore" },
  );
  await waitFor(
    "Alertmanager ready",
    async () => ((await fetch(`http://127.0.0.1:${AM_PORT}/-/ready`)).ok ? true : undefined),
    20_000,
    200,
  );
}, 60_000);

afterAll(async () => {
  am?.kill("SIGTERM");
  await sinks?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("prod's receivers with their real integrations", () => {
  it("a critical alert: PagerDuty trigger with the routing key, severity, summary and both links; Slack with its channel", async () => {
    await post([alert("HighErrorRate", "critical")]);
    const trigger = await until("the PagerDuty trigger", () =>
      sinks.pagerduty.find((e) => e.event_action === "trigger"),
    );
    expect(trigger.routing_key).toBe(SECRET("pagerdutyRoutingKey"));
    expect(trigger.dedup_key).toMatch(/^[0-9a-f]{64}$/);
    expect(trigger.payload.severity).toBe("critical");
    expect(trigger.payload.summary).toContain("HighErrorRate");
    expect(trigger.links).toEqual([
      { href: runbookUrl(prod, "HighErrorRate"), text: "Runbook" },
      { href: dashboardUrl(prod, "cryoprotect-api"), text: "Dashboard" },
    ]);
    const chat = await until("the Slack message", () => sinks.slack[0]);
    expect(chat.path).toBe("/slack/slackWebhookUrl");
    const slackReceiver = prod.monitoring.alertmanager.receivers.find((r) => r.type === "slack")!;
    expect(chat.message.channel).toBe(slackReceiver.type === "slack" ? slackReceiver.channel : "");
    const [attachment] = chat.message.attachments;
    expect(attachment.title_link).toBe(dashboardUrl(prod, "cryoprotect-api"));
    expect(attachment.text).toContain("HighErrorRate summary");
    expect(attachment.text).toContain(runbookUrl(prod, "HighErrorRate"));
    expect(sinks.mails).toHaveLength(0);
  });

  it("resolving it sends one PagerDuty resolve with the same dedup key", async () => {
    const trigger = sinks.pagerduty.find((e) => e.event_action === "trigger")!;
    await post([alert("HighErrorRate", "critical", new Date(Date.now() - 1000).toISOString())]);
    const resolve = await until("the PagerDuty resolve", () =>
      sinks.pagerduty.find((e) => e.event_action === "resolve"),
    );
    expect(resolve.dedup_key).toBe(trigger.dedup_key);
    expect(resolve.routing_key).toBe(SECRET("pagerdutyRoutingKey"));
  });

  it("an info alert reaches e-mail only, with the login, subject, text and HTML carrying both links", async () => {
    const [pd, chat] = [sinks.pagerduty.length, sinks.slack.length];
    await post([alert("SyntheticInfo", "info")]);
    const mail = await until("the e-mail", () => sinks.mails[0]);
    expect(mail.user).toBe(mailReceiver.type === "email" ? mailReceiver.authUsername : "");
    expect(mail.to).toContain(mailReceiver.type === "email" ? mailReceiver.to : "");
    expect(mail.subject).toContain("SyntheticInfo");
    for (const body of [mail.text, mail.html]) {
      expect(body).toContain(runbookUrl(prod, "SyntheticInfo"));
      expect(body).toContain(dashboardUrl(prod, "cryoprotect-api"));
    }
    await new Promise((r) => setTimeout(r, 3000));
    expect([sinks.pagerduty.length, sinks.slack.length]).toEqual([pd, chat]);
  });
});
