/**
 * The local end-to-end proof: real Prometheus, Alertmanager, exporters,
 * PostgreSQL and the backup script, loaded with the dev stack's generated
 * rules and routes. Faults are injected into separate cells at the same time;
 * every assertion is on what reaches the webhook sink (or, for inhibition, on
 * Alertmanager's own view). Prints the detection latency of every alert.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { dashboardUrl, runbookUrl } from "../components/shared/alert";
import { PROJECT_ROOT } from "../scripts/lib/mock-runtime";
import { alertCatalog, findAlert } from "./lib/rules";
import { backupRun, CELLS, Scenario, ScenarioRun, startScenarios } from "./lib/scenarios";
import { formatDetections, formatProdDeliveries } from "./lib/report";
import { panelQueries, metricNames } from "./lib/dashboards";
import { WebhookAlert } from "./lib/webhook-sink";
import { waitFor } from "./lib/wait";
import {
  bucketOf,
  budgetRemaining,
  sameBucket,
  truthOver,
  visibleToCounters,
  windowWeightedBadShare,
} from "./lib/accuracy";
import { Cell } from "./lib/environment";
import { metrics } from "../components/shared/app-metrics";
import { apiRecords } from "../components/monitoring/alerts/api";
import { SLO_BUDGET_PERIOD, sloRecords } from "../components/monitoring/alerts/slo";
import { cryoOps } from "../test/ops/cli";
import {
  HEARTBEAT_PATH,
  MEMBERSHIP_CHANGES,
  PAGES,
  PEER_TIMEOUT_S,
  PROD_CELLS,
  ProdResult,
  RESOLVING_PAGE,
} from "./lib/prod-scenarios";
import {
  alertnamesByChannel,
  gapsSeconds,
  mails,
  pagerdutyEvents,
  slackMessages,
  webhookArrivals,
} from "./lib/notifications";
import { TICKET_ALERT } from "./lib/ticket-rule";

let run: ScenarioRun;

beforeAll(async () => {
  run = await startScenarios();
});

afterAll(async () => {
  if (!run) return;
  process.stdout.write(formatDetections(run));
  const prod = await Promise.allSettled(Object.values(run.prod));
  process.stdout.write(formatProdDeliveries(prod.flatMap((p) => (p.status === "fulfilled" ? p.value.deliveries : []))));
  await run.stop();
});

function scenario(name: Scenario) {
  return run.results[name];
}

const expectedReceivers = (severity: "critical" | "warning") =>
  new Set(run.env.config.monitoring.alertmanager.routing[severity]);

/** The notification links to the alert's runbook (a page that exists in the repo) and its dashboard. */
function expectLinks(alerts: WebhookAlert[], alertname: string, severity: string) {
  const { dashboardUid } = findAlert(run.alertCatalog, alertname, severity);
  expect(fs.existsSync(path.join(PROJECT_ROOT, "runbooks", `${alertname}.md`))).toBe(true);
  for (const alert of alerts) {
    expect(alert.annotations.runbook_url).toBe(runbookUrl(run.env.config, alertname));
    expect(alert.annotations.dashboard_url).toBe(dashboardUrl(run.env.config, dashboardUid));
  }
}

describe("alerts from the dev stack's generated rules reach the right receivers", () => {
  test("20% 5xx: HighErrorRate and the SLO fast-burn page reach the critical receiver with runbook and dashboard links", async () => {
    const result = await scenario("errors");
    for (const alertname of ["HighErrorRate", "ApiAvailabilityBudgetBurn"]) {
      const delivered = result.delivered.filter(
        (d) => d.alert.labels.alertname === alertname && d.alert.labels.severity === "critical",
      );
      expect(delivered.length).toBeGreaterThan(0);
      expect(new Set(delivered.map((d) => d.receiver))).toEqual(expectedReceivers("critical"));
      expectLinks(
        delivered.map((d) => d.alert),
        alertname,
        "critical",
      );
    }
  });

  test("slow requests: HighLatency reaches the warning receiver", async () => {
    const result = await scenario("latency");
    const delivered = result.delivered.filter((d) => d.alert.labels.alertname === "HighLatency");
    expect(delivered.length).toBeGreaterThan(0);
    expect(new Set(delivered.map((d) => d.receiver))).toEqual(expectedReceivers("warning"));
    expectLinks(
      delivered.map((d) => d.alert),
      "HighLatency",
      "warning",
    );
  });

  test("the API stops: ApiServiceDown arrives and the other API alerts are inhibited, not delivered", async () => {
    const result = await scenario("down");
    const down = result.delivered.filter((d) => d.alert.labels.alertname === "ApiServiceDown");
    expect(down.length).toBeGreaterThan(0);
    expect(new Set(down.map((d) => d.receiver))).toEqual(expectedReceivers("critical"));
    // The slow requests before the stop make HighLatency fire after ApiServiceDown: Alertmanager must mute it.
    expect(result.inhibitedInAlertmanager.map((a) => a.labels.alertname)).toContain("HighLatency");
    for (const alert of result.inhibitedInAlertmanager) {
      expect(alert.status.state).toBe("suppressed");
      expect(alert.status.inhibitedBy.length).toBeGreaterThan(0);
    }
    const deliveredNames = new Set(result.delivered.map((d) => d.alert.labels.alertname));
    for (const name of run.apiAlertNames) expect(deliveredNames).not.toContain(name);
  });

  test("the API stops: the blackbox probe of its health URL fails too, and ApiServiceDown inhibits it", async () => {
    await scenario("down");
    const cell = run.env.cell("down");
    // The probe's alert, in Alertmanager, muted by ApiServiceDown: one page for one outage.
    const probe = await waitFor(
      "ApiProbeFailed in the down cell's Alertmanager",
      async () => (await cell.alertmanagerAlerts()).find((a) => a.labels.alertname === "ApiProbeFailed"),
      180_000,
      2000,
    );
    expect(probe.status.state).toBe("suppressed");
    expect(probe.status.inhibitedBy.length).toBeGreaterThan(0);
    expect(probe.labels).toMatchObject({ severity: "critical", probe: "api", job: "cryoprotect-probes" });
    const delivered = run.env.sink.notifications.flatMap((n) => n.alerts.map((a) => a.labels.alertname));
    expect(delivered).not.toContain("ApiProbeFailed");
    // Healthy cells probe successfully, through the same module.
    const healthy = await run.env.cell("healthy").query('probe_success{job="cryoprotect-probes", probe="api"}');
    expect(healthy.map((s) => s.value[1])).toEqual(["1"]);
  });

  test("a backup with a wrong password: BackupJobFailed reaches the warning receiver", async () => {
    const result = await scenario("backupFailure");
    expect(result.backup?.exitCode).not.toBe(0);
    const delivered = result.delivered.filter((d) => d.alert.labels.alertname === "BackupJobFailed");
    expect(delivered.length).toBeGreaterThan(0);
    expect(new Set(delivered.map((d) => d.receiver))).toEqual(expectedReceivers("warning"));
  });

  test("a full backup and a restore drill into a local restic repository push their metrics and raise no backup alert", async () => {
    const result = await scenario("healthy");
    for (const step of [backupRun(result), result.drill!]) {
      expect({ exitCode: step.exitCode, output: step.exitCode === 0 ? "" : step.output }).toEqual({
        exitCode: 0,
        output: "",
      });
    }
    const healthy = run.env.cell("healthy");
    const values = async (expr: string) => (await healthy.query(expr)).map((s) => s.value[1]);
    expect(await values('cryoprotect_backup_success{mode="full"}')).toEqual(["1"]);
    expect(await values('cryoprotect_backup_check_success{mode="full"}')).toEqual(["1"]);
    expect(await values('cryoprotect_backup_success{mode="drill"}')).toEqual(["1"]);
    expect(await values('cryoprotect_backup_drill_success{mode="drill"}')).toEqual(["1"]);
    const backupAlerts = run.alertCatalog.filter((a) => a.component === "backup").map((a) => a.name);
    expect(backupAlerts).toEqual(expect.arrayContaining(["BackupTooOld", "BackupJobFailed", "RestoreDrillFailed"]));
    const seen = [
      ...result.prometheusAlerts.map((a) => `${a.labels.alertname} (${a.state})`),
      ...result.delivered.map((d) => `${d.alert.labels.alertname} (delivered)`),
    ];
    expect(seen.filter((name) => backupAlerts.includes(name.split(" ")[0]))).toEqual([]);
  });

  test("healthy traffic: only Watchdog fires, at the heartbeat receiver", async () => {
    const result = await scenario("healthy");
    const heartbeat = run.env.config.monitoring.alertmanager.routing.heartbeat;
    // node-exporter reports the real machine: when other work kept it busy, HighCpuUsage is a true alarm.
    const hostBusy = result.hostCpuBusyPercent!;
    const hostBusyAlerts = hostBusy >= run.env.config.monitoring.thresholds.cpuWarningPercent ? ["HighCpuUsage"] : [];
    const pending = result.prometheusAlerts.filter((a) => a.state === "pending").map((a) => a.labels.alertname);
    process.stdout.write(
      `\nHealthy cell: machine CPU busy ${hostBusy.toFixed(0)}% during the run` +
        (hostBusyAlerts.length ? " (HighCpuUsage is then a true alarm and allowed)" : "") +
        `; pending (not firing) at the end: ${pending.join(", ") || "none"}\n`,
    );
    const others = (names: string[]) => names.filter((n) => n !== "Watchdog" && !hostBusyAlerts.includes(n));
    expect(others(result.delivered.map((d) => d.alert.labels.alertname))).toEqual([]);
    expect(
      new Set(result.delivered.filter((d) => d.alert.labels.alertname === "Watchdog").map((d) => d.receiver)),
    ).toEqual(new Set([heartbeat]));
    const firing = result.prometheusAlerts.filter((a) => a.state === "firing").map((a) => a.labels.alertname);
    expect(firing).toContain("Watchdog");
    expect(others(firing)).toEqual([]);
  });
});

describe("dashboards", () => {
  test("every panel query whose metrics the local setup produces returns data", async () => {
    await run.settled;
    const queries = panelQueries(path.join(PROJECT_ROOT, "configs/generated/dev/grafana/dashboards"));
    expect(queries.length).toBeGreaterThan(0);
    const produced = await run.producedMetricNames();
    const notProduced: string[] = [];
    const empty: string[] = [];
    for (const q of queries) {
      const missing = metricNames(q.expr).filter((name) => !produced.has(name));
      const where = `${q.dashboard} / ${q.panel} [${q.refId}]`;
      if (missing.length > 0) {
        notProduced.push(`${where}: ${missing.join(", ")}`);
        continue;
      }
      if (!(await run.anyCellReturnsData(q.expr))) empty.push(`${where}: ${q.expr}`);
    }
    process.stdout.write(
      `\nDashboard panels whose metrics the local setup does not produce (${notProduced.length} of ${queries.length}):\n` +
        notProduced.map((p) => `  - ${p}\n`).join(""),
    );
    expect(empty).toEqual([]);
  });
});

describe("cryo-ops against the real servers", () => {
  const endpoints = (cell: string) => {
    const c = run.env.cell(cell);
    return [
      "--prometheus-url",
      c.prometheusUrl,
      "--alertmanager-url",
      c.alertmanagerUrl,
      "--pushgateway-url",
      c.pushgatewayUrl,
    ];
  };

  test("status: the healthy cell is OK (exit 0); the faulty one names the firing page (exit 1)", async () => {
    await scenario("healthy");
    const healthy = await cryoOps(["--stack", "dev", ...endpoints("healthy"), "--json", "status"]);
    const lines = JSON.parse(healthy.stdout).lines as { level: string; check: string; detail: string }[];
    process.stdout.write(
      `\ncryo-ops status, healthy cell:\n${lines.map((l) => `  ${l.level} ${l.check}: ${l.detail}`).join("\n")}\n`,
    );
    expect({ status: healthy.status, fails: lines.filter((l) => l.level === "FAIL") }).toEqual({
      status: 0,
      fails: [],
    });
    for (const check of ["backup", "full backup", "restore drill", "repository check", "heartbeat", "alerts"]) {
      expect({ check, level: lines.find((l) => l.check === check)?.level }).toEqual({ check, level: "OK" });
    }
    await scenario("errors");
    const faulty = await cryoOps(["--stack", "dev", ...endpoints("errors"), "status"]);
    expect(faulty.status).toBe(1);
    expect(faulty.stdout.split("\n")[0]).toMatch(/^FAIL\s+alerts\s+firing critical: .*HighErrorRate/);
  });

  test("silence add suppresses the alert in Alertmanager, expire lifts it", async () => {
    await scenario("errors");
    const am = run.env.cell("errors");
    const stateOf = async () =>
      (await am.alertmanagerAlerts()).filter((a) => a.labels.alertname === "HighErrorRate").map((a) => a.status.state);
    expect(await stateOf()).toContain("active");
    const added = await cryoOps([
      "--stack",
      "dev",
      ...endpoints("errors"),
      "--json",
      "silence",
      "add",
      "--matcher",
      "alertname=HighErrorRate",
      "--duration",
      "30m",
      "--reason",
      "e2e: known fault",
      "--author",
      "e2e",
    ]);
    expect(added.status).toBe(0);
    const { id } = JSON.parse(added.stdout) as { id: string };
    await waitFor(
      "HighErrorRate silenced",
      async () => ((await stateOf()).every((s) => s === "suppressed") ? true : undefined),
      30_000,
    );
    const listed = await cryoOps(["--stack", "dev", ...endpoints("errors"), "silence", "list"]);
    expect(listed.stdout).toMatch(
      new RegExp(`^${id}  active .* e2e  alertname="HighErrorRate"  # e2e: known fault$`, "m"),
    );
    expect((await cryoOps(["--stack", "dev", ...endpoints("errors"), "silence", "expire", id])).status).toBe(0);
    await waitFor(
      "HighErrorRate active again",
      async () => ((await stateOf()).includes("active") ? true : undefined),
      30_000,
    );
  });

  test("diagnose writes a bundle of every part, with no receiver secret in it", async () => {
    await scenario("healthy");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cryo-ops-bundle-"));
    try {
      const out = path.join(dir, "bundle.tar.gz");
      const result = await cryoOps([
        "--stack",
        "dev",
        ...endpoints("healthy"),
        "--kubeconfig",
        "/nonexistent",
        "diagnose",
        "--out",
        out,
      ]);
      expect(result.status).toBe(0);
      execFileSync("tar", ["-xzf", out, "-C", dir]);
      const files = fs.readdirSync(dir).sort();
      expect(files).toEqual(
        expect.arrayContaining([
          "alertmanager-status.json",
          "alertmanager-alerts.json",
          "prometheus-targets.json",
          "prometheus-rule-errors.json",
          "backup-metrics.json",
          "config.json",
          "MISSING.txt",
        ]),
      );
      // The only part that needs Kubernetes is listed as missing, not a failure.
      expect(fs.readFileSync(path.join(dir, "MISSING.txt"), "utf8")).toMatch(/^pods\.json: /);
      // The receivers' endpoints are this run's secrets (in a cluster: webhook, Slack, PagerDuty keys).
      const text = files
        .filter((f) => f.endsWith(".json"))
        .map((f) => fs.readFileSync(path.join(dir, f), "utf8"))
        .join("\n");
      expect(text).toContain("<redacted>");
      expect(text).not.toContain(`127.0.0.1:${run.env.sink.port}`);
      expect(
        JSON.parse(fs.readFileSync(path.join(dir, "backup-metrics.json"), "utf8")).data.result.length,
      ).toBeGreaterThan(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("accuracy: what the platform records matches the requests the API really served", () => {
  const bounds = metrics.httpRequestDurationSeconds.buckets;
  const samples = async (cell: Cell, expr: string) => {
    const result = await cell.query(expr);
    if (!result.length) throw new Error(`${expr}: no data in ${cell.name}`);
    return result.map((s) => ({ labels: s.metric, atMs: s.value[0] * 1000, value: Number(s.value[1]) }));
  };
  const one = async (cell: Cell, expr: string) => (await samples(cell, expr))[0];

  test.each(["healthy", "errors", "latency"] as const)(
    "%s cell: request rate, error ratio, p50/p95/p99 per endpoint, budget left",
    async (name) => {
      await scenario(name);
      const cell = run.env.cell(CELLS[name]);
      const served = cell.api.served;
      const visible = visibleToCounters(served);
      const rate = await one(cell, `sum(${apiRecords.requestsRate5m})`);
      const rateTruth = truthOver(visible, rate.atMs, 300);
      const ratio = await one(cell, apiRecords.errorRatio5m);
      const ratioTruth = truthOver(visible, ratio.atMs, 300);
      const ratioAbsolute = truthOver(served, ratio.atMs, 300);
      const quantiles = (
        await Promise.all(
          (
            [
              [0.5, apiRecords.latencyP50],
              [0.95, apiRecords.latencyP95],
              [0.99, apiRecords.latencyP99],
            ] as const
          ).map(async ([q, record]) =>
            (await samples(cell, record)).map((s) => ({
              q,
              endpoint: s.labels.endpoint,
              recorded: s.value,
              truth: truthOver(
                served.filter((r) => r.endpoint === s.labels.endpoint),
                s.atMs,
                300,
              ).quantile(q),
            })),
          ),
        )
      ).flat();
      const objective = run.env.config.monitoring.slo.availability;
      const budget = await one(cell, sloRecords.budgetRemaining("availability"));
      // What the rule measures over this short run: countable requests, each weighted by its window's time in it.
      const budgetTruth = 1 - windowWeightedBadShare(visible, budget.atMs, 300) / (1 - objective);
      const budgetPlain = budgetRemaining(visible, objective, budget.atMs);
      const budgetAbsolute = budgetRemaining(served, objective, budget.atMs);
      const worst = (q: number) => quantiles.filter((x) => x.q === q).sort((a, b) => b.truth - a.truth)[0];
      process.stdout.write(
        `\nAccuracy, ${name} cell (recorded vs served; "countable" leaves out each series' first request):\n` +
          `  request rate 5m   ${rate.value.toFixed(3)}/s vs ${rateTruth.ratePerSecond.toFixed(3)}/s countable (${rateTruth.requests} requests)\n` +
          `  error ratio 5m    ${ratio.value.toFixed(4)} vs ${ratioTruth.errorRatio.toFixed(4)} countable, ${ratioAbsolute.errorRatio.toFixed(4)} served\n` +
          [0.5, 0.95, 0.99]
            .map((q) => worst(q))
            .map(
              (x) =>
                `  p${x.q * 100} ${x.endpoint.padEnd(18)} ${x.recorded.toFixed(3)}s vs ${x.truth === undefined ? "no requests" : `${x.truth.toFixed(3)}s (bucket ${bucketOf(x.truth, bounds).join("-")}s)`}\n`,
            )
            .join("") +
          `  budget left ${SLO_BUDGET_PERIOD}   ${budget.value.toFixed(3)} vs ${budgetTruth.toFixed(3)} countable window-weighted (${budgetPlain.toFixed(3)} countable, ${budgetAbsolute.toFixed(3)} served; ${served.length} requests)\n`,
      );
      // Counts: the windows' edges move by one scrape (1 s of 300 s); 5% is well above that.
      expect(Math.abs(rate.value - rateTruth.ratePerSecond) / rateTruth.ratePerSecond).toBeLessThan(0.05);
      expect(Math.abs(ratio.value - ratioTruth.errorRatio)).toBeLessThan(0.003);
      // Latency: a histogram resolves a quantile to its bucket, so recorded and true must share one.
      expect(quantiles.length).toBeGreaterThanOrEqual(12);
      for (const x of quantiles) {
        expect({ q: x.q, endpoint: x.endpoint, same: sameBucket(x.recorded, x.truth, bounds) }).toEqual({
          q: x.q,
          endpoint: x.endpoint,
          same: true,
        });
      }
      // Budget: the recorded share of bad requests within 10% of the countable share (plus 0.1 pp).
      const share = (1 - budgetTruth) * (1 - objective);
      expect(Math.abs(budget.value - budgetTruth)).toBeLessThan((0.1 * share + 0.001) / (1 - objective));
    },
  );
});

describe("the prod topology: two Prometheus, three clustered Alertmanagers, prod's real integrations", () => {
  const prod = () => run.env.prodConfig;
  const cell = (name: string) => run.env.prodCell(name);
  const receiver = <T extends string>(type: T) =>
    prod().monitoring.alertmanager.receivers.find((r) => r.type === type)!;
  const firingOn = (result: ProdResult, alertname: string) =>
    result.prometheusAlerts.filter((p) =>
      p.alerts.some((a) => a.labels.alertname === alertname && a.state === "firing"),
    );
  const heartbeatTimers = () => cell(PROD_CELLS.delivery).heartbeatTimers();

  test("20% 5xx: each page reaches PagerDuty exactly once per alert group and Slack once, though every peer holds it from both replicas", async () => {
    const result = await run.prod.delivery;
    const secrets = cell(PROD_CELLS.delivery).secrets;
    // The fan-out that could duplicate: all three peers hold both pages; both replicas still fire the SLO page.
    expect(result.heldByPeers).toHaveLength(3);
    for (const peer of result.heldByPeers) expect(new Set(peer.alertnames)).toEqual(new Set(PAGES));
    expect(firingOn(result, "ApiAvailabilityBudgetBurn")).toHaveLength(2);
    const slack = receiver("slack");
    for (const alertname of PAGES) {
      const { dashboardUid, summary } = findAlert(alertCatalog(prod()), alertname, "critical");
      const triggers = pagerdutyEvents(result.sinks, alertname, "firing");
      // Which peer sent each (its external URL), so a duplicate names its senders.
      expect({ alertname, senders: triggers.map((t) => t.client_url) }).toEqual({
        alertname,
        senders: [expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+/)],
      });
      const [trigger] = triggers;
      expect(trigger.routing_key).toBe(secrets.pagerdutyRoutingKey);
      expect(trigger.payload.severity).toBe("critical");
      expect(trigger.links).toEqual([
        { href: runbookUrl(prod(), alertname), text: "Runbook" },
        { href: dashboardUrl(prod(), dashboardUid), text: "Dashboard" },
      ]);
      const messages = slackMessages(result.sinks, alertname, "firing");
      expect({ alertname, messages: messages.length }).toEqual({ alertname, messages: 1 });
      const [attachment] = messages[0].message.attachments;
      expect(messages[0].message.channel).toBe(slack.type === "slack" ? slack.channel : "");
      expect(attachment.title_link).toBe(dashboardUrl(prod(), dashboardUid));
      expect(attachment.title).toMatch(new RegExp(`^\\[FIRING:1\\] ${alertname} \\(critical\\)`));
      expect(attachment.text).toContain(summary);
      expect(attachment.text).toContain(runbookUrl(prod(), alertname));
    }
    // Two groups (group_by alertname, namespace): two dedup keys.
    expect(new Set(PAGES.map((a) => pagerdutyEvents(result.sinks, a, "firing")[0].dedup_key)).size).toBe(2);
  });

  test("the fault clears: HighErrorRate resolves once at each, with the trigger's dedup key; the SLO page, still burning over 30m and 6h, does not", async () => {
    const result = await run.prod.delivery;
    const [trigger] = pagerdutyEvents(result.sinks, RESOLVING_PAGE, "firing");
    const resolves = pagerdutyEvents(result.sinks, RESOLVING_PAGE, "resolved");
    expect(resolves.map((r) => r.dedup_key)).toEqual([trigger.dedup_key]);
    expect(slackMessages(result.sinks, RESOLVING_PAGE, "resolved")).toHaveLength(1);
    expect(pagerdutyEvents(result.sinks, "ApiAvailabilityBudgetBurn", "resolved")).toEqual([]);
    expect(slackMessages(result.sinks, "ApiAvailabilityBudgetBurn", "resolved")).toEqual([]);
    expect(firingOn(result, "ApiAvailabilityBudgetBurn")).toHaveLength(2);
    expect(firingOn(result, RESOLVING_PAGE)).toEqual([]);
  });

  test("an info alert reaches e-mail exactly once, with the login and both links, and nothing else reaches e-mail", async () => {
    const result = await run.prod.delivery;
    const mail = receiver("email");
    const sent = mails(result.sinks, TICKET_ALERT, "firing");
    expect(sent).toHaveLength(1);
    expect(sent[0].user).toBe(mail.type === "email" ? mail.authUsername : "");
    expect(sent[0].to).toContain(mail.type === "email" ? mail.to : "");
    for (const body of [sent[0].text, sent[0].html]) {
      expect(body).toContain(runbookUrl(prod(), TICKET_ALERT));
      expect(body).toContain(dashboardUrl(prod(), "cryoprotect-slo"));
    }
    const heard = alertnamesByChannel(result.sinks);
    expect([...heard.email]).toEqual([TICKET_ALERT]);
    for (const channel of [heard.pagerduty, heard.slack, heard.webhook]) expect(channel).not.toContain(TICKET_ALERT);
  });

  test("Watchdog reaches the heartbeat webhook at its repeat interval, and nothing else", async () => {
    const result = await run.prod.delivery;
    const { repeatIntervalS, groupIntervalS } = heartbeatTimers();
    const gaps = gapsSeconds(webhookArrivals(result.sinks, HEARTBEAT_PATH, "Watchdog"));
    const senders = result.sinks.webhooks.map((w) => (w.body as { externalURL?: string }).externalURL);
    process.stdout.write(
      `\nHeartbeat gaps, ${PROD_CELLS.delivery}: ${gaps.map((g) => g.toFixed(1)).join(", ")} s (senders ${senders.join(", ")})\n`,
    );
    expect(gaps.length).toBeGreaterThanOrEqual(3);
    // Repeats fall due at the first group_interval tick after repeat_interval.
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(repeatIntervalS - 2);
      expect(gap).toBeLessThanOrEqual(repeatIntervalS + groupIntervalS + 3);
    }
    const heard = alertnamesByChannel(result.sinks);
    expect([...heard.webhook]).toEqual(["Watchdog"]);
    for (const channel of [heard.pagerduty, heard.slack, heard.email]) expect(channel).not.toContain("Watchdog");
  });

  test("a peer and a replica killed during the fault: the pages still arrive; duplicates are bounded", async () => {
    const result = await run.prod.failover;
    expect(result.killed!.at).toBeLessThan(result.faultAt + 2 * 60_000);
    // The two survivors hold both pages, from the surviving replica.
    expect(result.heldByPeers).toHaveLength(2);
    for (const peer of result.heldByPeers) expect(new Set(peer.alertnames)).toEqual(new Set(PAGES));
    for (const alertname of PAGES) {
      const counts = {
        alertname,
        pagerduty: pagerdutyEvents(result.sinks, alertname, "firing").length,
        slack: slackMessages(result.sinks, alertname, "firing").length,
      };
      process.stdout.write(
        `\nFailover, ${alertname}: ${counts.pagerduty} PagerDuty trigger(s), ${counts.slack} Slack message(s)\n`,
      );
      // Alertmanager delivers at least once: a peer that missed another's notification-log entry sends too,
      // which only a membership change (the kill, the restart) can cause.
      for (const n of [counts.pagerduty, counts.slack]) {
        expect(n).toBeGreaterThanOrEqual(1);
        expect(n).toBeLessThanOrEqual(1 + MEMBERSHIP_CHANGES);
      }
      expect(new Set(pagerdutyEvents(result.sinks, alertname, "firing").map((e) => e.dedup_key)).size).toBe(1);
      expect(pagerdutyEvents(result.sinks, alertname, "resolved")).toEqual([]);
    }
  });

  test("a peer and a replica killed: the heartbeat does not stop; duplicates are bounded", async () => {
    const result = await run.prod.failover;
    const { repeatIntervalS, groupIntervalS } = heartbeatTimers();
    const arrivals = webhookArrivals(result.sinks, HEARTBEAT_PATH, "Watchdog");
    const gaps = gapsSeconds(arrivals);
    const killedAfter = ((result.killed!.at - result.faultAt) / 1000).toFixed(0);
    process.stdout.write(
      `\nHeartbeat gaps, ${PROD_CELLS.failover} (killed ${killedAfter} s after the fault): ${gaps.map((g) => g.toFixed(1)).join(", ")} s\n`,
    );
    expect(arrivals.filter((t) => t > result.killed!.at).length).toBeGreaterThanOrEqual(2);
    // A duplicate arrives together with the repeat it duplicates; as for the pages, a membership change may cost one.
    const duplicates = gaps.filter((g) => g < groupIntervalS);
    expect(duplicates.length).toBeLessThanOrEqual(MEMBERSHIP_CHANGES);
    // At worst the next peer in line waits its peer_timeout once more per peer ahead of it.
    const peers = cell(PROD_CELLS.failover).alertmanagers.length;
    const bound = repeatIntervalS + groupIntervalS + (peers - 1) * PEER_TIMEOUT_S + 5;
    for (const gap of gaps) expect(gap).toBeLessThanOrEqual(bound);
  });

  test("a silence made through the API v2 on one peer mutes the alert on every peer, the restarted one included", async () => {
    const result = await run.prod.failover;
    const { id, createdOn, seenOn } = result.silence!;
    expect(seenOn.map((v) => v.peer).sort()).toEqual(
      cell(PROD_CELLS.failover)
        .alertmanagers.map((a) => a.name)
        .sort(),
    );
    expect(seenOn.map((v) => v.peer)).toContain(result.killed!.alertmanager);
    expect(createdOn).not.toBe(result.killed!.alertmanager);
    for (const view of seenOn) {
      for (const alert of view.alerts) {
        expect({ peer: view.peer, state: alert.status.state, silencedBy: alert.status.silencedBy }).toEqual({
          peer: view.peer,
          state: "suppressed",
          silencedBy: [id],
        });
      }
    }
  });
});
