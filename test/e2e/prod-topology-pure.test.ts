/**
 * The prod topology harness's pure parts: its ports, the Prometheus configuration as the operator
 * renders it for a replica, the Alertmanager configuration its peers run, how notifications are
 * told apart, and the e2e's own info rule (checked by promtool).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import { alertmanagerArtifacts } from "../../components/monitoring/alertmanager-artifacts";
import { stackConfig } from "../../scripts/lib/stack-config";
import { cellPorts, MAX_CELLS, prodCellPorts } from "../../e2e/lib/ports";
import {
  DEFAULT_PEER_TIMEOUT,
  E2E_CLUSTER_GROUP_INTERVAL,
  E2E_PEER_TIMEOUT,
  groupIntervals,
  intervalsTooShortForCluster,
} from "../../e2e/lib/alertmanager-config";
import { prometheusConfig, prometheusIdentity, REPLICA_LABEL } from "../../e2e/lib/prometheus-config";
import { ProdCell } from "../../e2e/lib/prod-cell";
import { duplicateWindowMs, PEER_TIMEOUT_S } from "../../e2e/lib/prod-scenarios";
import {
  alertnamesByChannel,
  gapsSeconds,
  mails,
  pagerdutyEvents,
  parseTitle,
  slackMessages,
  webhookArrivals,
} from "../../e2e/lib/notifications";
import { TICKET_ALERT, ticketRuleFile } from "../../e2e/lib/ticket-rule";

const prod = stackConfig("prod");

describe("prod cell ports", () => {
  it("gives each prod cell twelve ports inside 19070-19099, apart from the dev cells and each other", () => {
    const all = [0, 1].flatMap((i) => {
      const p = prodCellPorts(i);
      return [...p.prometheus, ...p.alertmanagers.flatMap((a) => [a.web, a.cluster]), p.pushgateway, p.api, p.sinkHttp, p.smtp];
    }); // prettier-ignore
    expect(new Set(all).size).toBe(24);
    expect(Math.min(...all)).toBe(19070);
    expect(Math.max(...all)).toBeLessThanOrEqual(19099);
    const dev = Array.from({ length: MAX_CELLS }, (_, i) => Object.values(cellPorts(i))).flat();
    expect(Math.max(...dev)).toBeLessThan(19070);
    expect(() => prodCellPorts(2)).toThrow(/No ports for prod cell 2/);
  });
});

describe("a Prometheus replica's configuration", () => {
  const targets = {
    cell: "prod-x",
    apiPort: 1,
    nodeExporterPort: 2,
    postgresExporterPort: 3,
    pushgatewayPort: 4,
    blackboxExporterPort: 5,
    alertmanagerPorts: [6, 7, 8],
  };
  const config = (replica: number) => prometheusConfig(prod, { ...targets, replica }, ["/r.yaml"]);

  it("has the chart's external labels and the operator's, with a per-replica label dropped from alerts", () => {
    for (const replica of [0, 1]) {
      expect(config(replica).global.external_labels).toEqual({
        environment: "prod",
        cluster: prod.cluster.name,
        prometheus: "monitoring/kube-prometheus-stack-prometheus",
        [REPLICA_LABEL]: `prometheus-kube-prometheus-stack-prometheus-${replica}`,
      });
    }
    expect(prometheusIdentity(prod, 1).pod).not.toBe(prometheusIdentity(prod, 0).pod);
    expect(config(0).alerting.alert_relabel_configs).toEqual([{ action: "labeldrop", regex: REPLICA_LABEL }]);
  });

  it("sends to every Alertmanager of the cell over the v2 API, and scrapes the same targets as its twin", () => {
    expect(config(0).alerting.alertmanagers).toEqual([
      { api_version: "v2", static_configs: [{ targets: ["127.0.0.1:6", "127.0.0.1:7", "127.0.0.1:8"] }] },
    ]);
    expect(config(1).scrape_configs).toEqual(config(0).scrape_configs);
  });
});

describe("the Alertmanager configuration of a prod cell's peers", () => {
  const cell = new ProdCell("prod-x", 0, prod);
  const lookup = cell.secretLookup();

  it("holds this run's secrets: tokens as values, Slack and webhook URLs at the cell's own sink", () => {
    expect(lookup("pagerdutyRoutingKey", "token")).toBe("e2e-prod-x-pagerdutyRoutingKey");
    expect(lookup("smtpPassword", "token")).toBe("e2e-prod-x-smtpPassword");
    expect(lookup("slackWebhookUrl", "url")).toBe(`http://127.0.0.1:${cell.ports.sinkHttp}/slack/slackWebhookUrl`);
    expect(lookup("heartbeatUrl", "url")).toBe(`http://127.0.0.1:${cell.ports.sinkHttp}/hook/heartbeatUrl`);
  });

  it("reads the heartbeat route's timers from the config the peers run, and refuses a config without one", () => {
    const generated = yaml.load(alertmanagerArtifacts(prod)["alertmanager/alertmanager.yaml"]) as Record<
      string,
      unknown
    >;
    cell.alertmanagerConfig = generated;
    expect(cell.heartbeatTimers()).toEqual({ groupIntervalS: 60, repeatIntervalS: 60 });
    expect(cell.groupIntervalS()).toBe(10);
    cell.alertmanagerConfig = { route: { routes: [] } };
    expect(() => cell.heartbeatTimers()).toThrow(/No heartbeat route/);
  });

  it("allows a duplicate to arrive until the last peer in line has waited and a group interval passed", () => {
    expect(PEER_TIMEOUT_S).toBe(2);
    expect(duplicateWindowMs(3, 10)).toBe((2 * 2 + 10 + 5) * 1000);
  });
});

describe("group_interval against the cluster's peer timeout", () => {
  const routeOf = (stack: string) =>
    (yaml.load(alertmanagerArtifacts(stackConfig(stack))["alertmanager/alertmanager.yaml"]) as { route: never }).route;

  it.each(["dev", "prod"])(
    "%s: every route's group_interval outlasts the last peer's wait at the default 15s",
    (stack) => {
      const replicas = stackConfig(stack).monitoring.alertmanager.replicas;
      expect(groupIntervals(routeOf(stack)).length).toBeGreaterThan(3);
      expect(intervalsTooShortForCluster(routeOf(stack), replicas, DEFAULT_PEER_TIMEOUT)).toEqual([]);
    },
  );

  it("flags what let the first prod-topology run notify twice (5s against 2 x 15s), not the e2e's 10s against 2 x 2s", () => {
    const route = { group_interval: "5m", routes: [{ group_interval: "5s" }, { routes: [{}] }] } as never;
    expect(groupIntervals(route)).toEqual(["5m", "5s", "5m", "5m"]);
    expect(intervalsTooShortForCluster(route, 3, "15s")).toEqual(["5s"]);
    expect(intervalsTooShortForCluster(route, 1, "15s")).toEqual([]);
    const e2e = { group_interval: E2E_CLUSTER_GROUP_INTERVAL } as never;
    expect(intervalsTooShortForCluster(e2e, 3, E2E_PEER_TIMEOUT)).toEqual([]);
  });
});

describe("telling notifications apart", () => {
  const at = 1000;
  const sinks = {
    pagerduty: [
      { routing_key: "k", event_action: "trigger" as const, dedup_key: "d1", payload: { summary: "[FIRING:1] HighErrorRate (critical) in ns", severity: "critical", source: "am" }, receivedAt: at },
      { routing_key: "k", event_action: "resolve" as const, dedup_key: "d1", payload: { summary: "[RESOLVED] HighErrorRate (critical) in ns", severity: "critical", source: "am" }, receivedAt: at + 1 },
      { routing_key: "k", event_action: "trigger" as const, dedup_key: "d2", payload: { summary: "[FIRING:2] HighErrorRateX (critical)", severity: "critical", source: "am" }, receivedAt: at + 2 },
    ],
    slack: [{ path: "/slack/k", message: { attachments: [{ title: "[FIRING:1] HighErrorRate (critical)", title_link: "", text: "" }] }, receivedAt: at }],
    mails: [{ from: "", to: "", subject: "[FIRING:1] E2eTicket (info)", text: "", html: "", user: "", receivedAt: at }],
    webhooks: [
      { path: "/hook/heartbeatUrl", body: { alerts: [{ labels: { alertname: "Watchdog" } }] }, receivedAt: 61_000 },
      { path: "/hook/heartbeatUrl", body: { alerts: [{ labels: { alertname: "Watchdog" } }] }, receivedAt: 1_000 },
      { path: "/hook/other", body: { alerts: [{ labels: { alertname: "Watchdog" } }] }, receivedAt: 5_000 },
    ],
  }; // prettier-ignore

  it("reads status and alert name from the generated title, and nothing from other text", () => {
    expect(parseTitle("[FIRING:12] ApiAvailabilityBudgetBurn (critical) in cryoprotect")).toEqual({
      status: "firing",
      alertname: "ApiAvailabilityBudgetBurn",
    });
    expect(parseTitle("[RESOLVED] HighErrorRate")).toEqual({ status: "resolved", alertname: "HighErrorRate" });
    expect(parseTitle("HighErrorRate is firing")).toBeUndefined();
  });

  it("counts events per alert and status, never by a name's prefix", () => {
    expect(pagerdutyEvents(sinks, "HighErrorRate", "firing").map((e) => e.dedup_key)).toEqual(["d1"]);
    expect(pagerdutyEvents(sinks, "HighErrorRate", "resolved").map((e) => e.dedup_key)).toEqual(["d1"]);
    expect(slackMessages(sinks, "HighErrorRate", "firing")).toHaveLength(1);
    expect(slackMessages(sinks, "HighErrorRate", "resolved")).toHaveLength(0);
    expect(mails(sinks, TICKET_ALERT, "firing")).toHaveLength(1);
    const heard = alertnamesByChannel(sinks);
    expect([...heard.pagerduty].sort()).toEqual(["HighErrorRate", "HighErrorRateX"]);
    expect([...heard.email]).toEqual([TICKET_ALERT]);
    expect([...heard.webhook]).toEqual(["Watchdog"]);
  });

  it("measures the heartbeat's gaps on its own path, in arrival order", () => {
    expect(gapsSeconds(webhookArrivals(sinks, "/hook/heartbeatUrl", "Watchdog"))).toEqual([60]);
    expect(webhookArrivals(sinks, "/hook/heartbeatUrl", "HighErrorRate")).toEqual([]);
  });
});

describe("the e2e's info rule", () => {
  it("is a valid rule file with an info alert and the annotations every alert carries (promtool)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ticket-rule-"));
    try {
      const file = path.join(dir, "ticket.yaml");
      fs.writeFileSync(file, ticketRuleFile(prod));
      expect(execFileSync("promtool", ["check", "rules", file], { encoding: "utf8" })).toMatch(
        /SUCCESS: 1 rules found/,
      );
      type Rule = { labels: Record<string, string>; annotations: Record<string, string> };
      const [rule] = (yaml.load(fs.readFileSync(file, "utf8")) as { groups: { rules: Rule[] }[] }).groups[0].rules;
      expect(rule.labels).toEqual({ severity: "info", namespace: prod.app.namespace });
      expect(Object.keys(rule.annotations).sort()).toEqual(["dashboard_url", "description", "runbook_url", "summary"]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
