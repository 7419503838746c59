/**
 * The prod topology's scenarios (prod-cell.ts), run beside the dev cells with the same fault start:
 *   prod-delivery  20% 5xx with every replica up, cleared at the first page: each page reaches
 *                  PagerDuty and Slack once and HighErrorRate resolves once; the info alert reaches
 *                  e-mail once; the heartbeat repeats at its repeat interval
 *   prod-failover  20% 5xx; before the pages are due the Alertmanager that would notify first and one
 *                  Prometheus replica are killed: the pages still arrive; the killed peer comes back
 *                  empty (a recreated pod), a silence made through the API v2 on another peer mutes
 *                  the alert on every peer including it; the heartbeat goes on
 * Each resolves with what the cell's sinks received, copied when the scenario ends.
 */
import { E2E_PEER_TIMEOUT } from "./alertmanager-config";
import { IntegrationSinks } from "./integration-sinks";
import { durationSeconds } from "./rules";
import { mails, pagerdutyEvents, slackMessages, Status, webhookArrivals } from "./notifications";
import { ProdCell, Replica } from "./prod-cell";
import { Alertmanager } from "../../ops/alertmanager";
import { alertmanagerAlerts, AlertmanagerAlert, prometheusAlerts, PrometheusAlert } from "./server-api";
import { HEALTHY, Traffic } from "./synthetic-api";
import { sleep, waitFor } from "./wait";
import { TICKET_ALERT } from "./ticket-rule";

export const PROD_CELLS = { delivery: "prod-delivery", failover: "prod-failover" } as const;
export type ProdScenario = keyof typeof PROD_CELLS;

/** The pages of a 5xx fault: both critical, both routed to PagerDuty and Slack. */
export const PAGES = ["HighErrorRate", "ApiAvailabilityBudgetBurn"] as const;
/** The page whose rule (5m window) clears within a bounded run; the SLO page's 30m/6h windows do not. */
export const RESOLVING_PAGE = "HighErrorRate";
export const HEARTBEAT_PATH = "/hook/heartbeatUrl";

/**
 * Prod's traffic: 30 req/s. The SLO page's traffic guard (`slo_requests:rate1h > 0.5`) counts the
 * requests of the last hour, and a Prometheus started seconds ago has only seconds of them: at the
 * dev cells' 10 req/s the guard opens 3 minutes after start, at 30 req/s after one.
 */
export const PROD_TRAFFIC: Traffic = { ...HEALTHY, rate: 30 };
export const PROD_ERRORS: Traffic = { ...PROD_TRAFFIC, errorRatio: 0.2 };

/** The peers' --cluster.peer-timeout (alertmanager-config.ts): position p waits p times this. */
export const PEER_TIMEOUT_S = durationSeconds(E2E_PEER_TIMEOUT);
/** The failover cell kills its peers this long after the fault starts: before any page's `for` (2m) ends. */
export const KILL_AFTER_MS = 60_000;
/** A peer and a restart: each membership change may cost at most one extra notification per group. */
export const MEMBERSHIP_CHANGES = 2;

export interface ChannelDelivery {
  cell: string;
  alert: string;
  channel: "PagerDuty" | "Slack" | "e-mail" | "heartbeat";
  status: Status;
  /** What the seconds count from. */
  from: "fault injected" | "fault cleared" | "rule active";
  seconds: number;
  count: number;
}

export interface ProdResult {
  sinks: Pick<IntegrationSinks, "pagerduty" | "slack" | "mails" | "webhooks">;
  faultAt: number;
  /** Per peer: the page alerts it held once the pages arrived (both replicas send to all peers). */
  heldByPeers: { peer: string; alertnames: string[] }[];
  /** Pending and firing alerts of each running Prometheus at the end. */
  prometheusAlerts: { replica: string; alerts: PrometheusAlert[] }[];
  deliveries: ChannelDelivery[];
  /** Failover: the Alertmanager killed (and restarted) and when, and the silence. */
  killed?: { alertmanager: string; at: number };
  silence?: { id: string; createdOn: string; seenOn: { peer: string; alerts: AlertmanagerAlert[] }[] };
}

export interface ProdRun {
  results: Record<ProdScenario, Promise<ProdResult>>;
}

/** Copies what the sinks hold now, so later arrivals do not change a finished scenario's counts. */
function snapshot(sinks: IntegrationSinks): ProdResult["sinks"] {
  return {
    pagerduty: [...sinks.pagerduty],
    slack: [...sinks.slack],
    mails: [...sinks.mails],
    webhooks: [...sinks.webhooks],
  };
}

function pageChannels(sinks: IntegrationSinks, alertname: string, status: Status) {
  return { PagerDuty: pagerdutyEvents(sinks, alertname, status), Slack: slackMessages(sinks, alertname, status) };
}

/** Whether the alert's notification of that status reached both PagerDuty and Slack. */
function atEveryChannel(sinks: IntegrationSinks, alertname: string, status: Status): boolean {
  return Object.values(pageChannels(sinks, alertname, status)).every((c) => c.length > 0);
}

/** Waits until each of the alerts' notifications of that status reached PagerDuty and Slack. */
async function reachedEveryChannel(cell: ProdCell, alertnames: readonly string[], status: Status, timeoutMs: number) {
  await waitFor(
    `${alertnames.join(" and ")} ${status} at PagerDuty and Slack from ${cell.name}`,
    () => (alertnames.every((name) => atEveryChannel(cell.sinks, name, status)) ? true : undefined),
    timeoutMs,
    250,
  );
}

async function activeAt(cell: ProdCell, alertname: string): Promise<number | undefined> {
  for (const replica of cell.live(cell.prometheus)) {
    const alert = (await prometheusAlerts(replica.url)).find((a) => a.labels.alertname === alertname);
    if (alert) return Date.parse(alert.activeAt);
  }
  return undefined;
}

async function deliveries(cell: ProdCell, faultAt: number, clearedAt?: number): Promise<ChannelDelivery[]> {
  const rows: ChannelDelivery[] = [];
  const add = (alert: string, channel: ChannelDelivery["channel"], status: Status, from: ChannelDelivery["from"], origin: number | undefined, times: number[]) => {
    if (origin === undefined || times.length === 0) return;
    rows.push({ cell: cell.name, alert, channel, status, from, seconds: (Math.min(...times) - origin) / 1000, count: times.length });
  }; // prettier-ignore
  const origins = [
    ["firing", "fault injected", faultAt],
    ["resolved", "fault cleared", clearedAt],
  ] as const;
  for (const alert of PAGES) {
    for (const [status, from, origin] of origins) {
      for (const [channel, items] of Object.entries(pageChannels(cell.sinks, alert, status))) {
        add(alert, channel as ChannelDelivery["channel"], status, from, origin, items.map((i) => i.receivedAt));
      }
    }
  } // prettier-ignore
  const ticket = mails(cell.sinks, TICKET_ALERT, "firing").map((m) => m.receivedAt);
  add(TICKET_ALERT, "e-mail", "firing", "rule active", await activeAt(cell, TICKET_ALERT), ticket);
  const heartbeat = webhookArrivals(cell.sinks, HEARTBEAT_PATH, "Watchdog");
  add("Watchdog", "heartbeat", "firing", "rule active", await activeAt(cell, "Watchdog"), heartbeat);
  return rows;
}

async function heldByPeers(cell: ProdCell): Promise<ProdResult["heldByPeers"]> {
  return Promise.all(
    cell.live(cell.alertmanagers).map(async (peer) => ({
      peer: peer.name,
      alertnames: (await alertmanagerAlerts(peer.url))
        .map((a) => a.labels.alertname)
        .filter((name) => (PAGES as readonly string[]).includes(name)),
    })),
  );
}

async function finalState(cell: ProdCell) {
  return Promise.all(
    cell.live(cell.prometheus).map(async (replica) => ({ replica: replica.name, alerts: await prometheusAlerts(replica.url) })),
  ); // prettier-ignore
}

/**
 * How long a duplicate could still come after the first notification: the last peer in line
 * waits (peers - 1) x peer_timeout, then a group_interval, and the sink needs a moment.
 */
export function duplicateWindowMs(peers: number, groupIntervalS: number): number {
  return ((peers - 1) * PEER_TIMEOUT_S + groupIntervalS + 5) * 1000;
}

/** Starts both prod scenarios; `budget` caps each wait by what is left of the run. */
export function startProdScenarios(
  cells: Record<ProdScenario, ProdCell>,
  faultAt: number,
  budget: (ms: number) => number,
): ProdRun {
  for (const cell of Object.values(cells)) cell.api.setTraffic(PROD_ERRORS);
  const pageTimeout = () => budget(5 * 60_000);
  const window = (cell: ProdCell) => duplicateWindowMs(cell.alertmanagers.length, cell.groupIntervalS());

  const delivery = (async (): Promise<ProdResult> => {
    const cell = cells.delivery;
    await reachedEveryChannel(cell, [RESOLVING_PAGE], "firing", pageTimeout());
    // The fault clears at the first page. The SLO page still comes (its 1h and 5m windows hold the fault for
    // minutes), and HighErrorRate's 5m window keeps it firing meanwhile: any duplicate would come then.
    const clearedAt = Date.now();
    cell.api.setTraffic(PROD_TRAFFIC);
    await reachedEveryChannel(cell, PAGES, "firing", pageTimeout());
    const held = await heldByPeers(cell);
    await reachedEveryChannel(cell, [RESOLVING_PAGE], "resolved", budget(6 * 60_000));
    await waitFor(
      `${TICKET_ALERT} by e-mail from ${cell.name}`,
      () => mails(cell.sinks, TICKET_ALERT, "firing")[0],
      budget(60_000),
    );
    await sleep(Math.min(window(cell), budget(window(cell))));
    return {
      sinks: snapshot(cell.sinks),
      faultAt,
      heldByPeers: held,
      prometheusAlerts: await finalState(cell),
      deliveries: await deliveries(cell, faultAt, clearedAt),
    };
  })();

  const failover = (async (): Promise<ProdResult> => {
    const cell = cells.failover;
    await sleep(Math.max(0, faultAt + KILL_AFTER_MS - Date.now()));
    const [firstInLine] = await cell.notifyingOrder();
    const replica: Replica = cell.prometheus[0];
    const killedAt = Date.now();
    await Promise.all([cell.kill(firstInLine), cell.kill(replica)]);
    await reachedEveryChannel(cell, PAGES, "firing", pageTimeout());
    const held = await heldByPeers(cell);
    // The StatefulSet recreates the pod: same name and address, empty storage; it must learn the log and silences.
    await cell.restartAlertmanager(cell.alertmanagers.indexOf(firstInLine));
    // The surviving Prometheus re-sends firing alerts every minute (resend delay), to every peer.
    await waitFor(
      `${RESOLVING_PAGE} on the restarted ${firstInLine.name}`,
      async () => ((await alertmanagerAlerts(firstInLine.url)).some((a) => a.labels.alertname === RESOLVING_PAGE) ? true : undefined),
      budget(120_000),
      1000,
    ); // prettier-ignore
    const silencer = cell.live(cell.alertmanagers).find((peer) => peer !== firstInLine)!;
    // Through cryo-ops' own API v2 client, as an operator would make it.
    const id = await new Alertmanager(silencer.url).addSilence({
      matchers: [
        { name: "alertname", value: RESOLVING_PAGE, isRegex: false, isEqual: true },
        { name: "namespace", value: cell.config.app.namespace, isRegex: false, isEqual: true },
      ],
      endsAt: new Date(Date.now() + 60 * 60_000),
      createdBy: "e2e",
      comment: "e2e: silence on one peer, seen on all",
    });
    const seenOn = await waitFor(
      `the silence ${id} muting ${RESOLVING_PAGE} on every peer of ${cell.name}`,
      async () => {
        const views = await Promise.all(
          cell.live(cell.alertmanagers).map(async (peer) => ({
            peer: peer.name,
            alerts: (await alertmanagerAlerts(peer.url)).filter((a) => a.labels.alertname === RESOLVING_PAGE),
          })),
        );
        return views.every((v) => v.alerts.length > 0 && v.alerts.every((a) => a.status.silencedBy.includes(id)))
          ? views
          : undefined;
      },
      budget(60_000),
      500,
    );
    // The heartbeat must go on: two more after the kill, whichever peer sends them.
    await waitFor(
      `two heartbeats after the kill in ${cell.name}`,
      () => (webhookArrivals(cell.sinks, HEARTBEAT_PATH, "Watchdog").filter((t) => t > killedAt).length >= 2 ? true : undefined),
      budget(4 * 60_000),
      1000,
    ); // prettier-ignore
    await sleep(Math.min(window(cell), budget(window(cell))));
    return {
      sinks: snapshot(cell.sinks),
      faultAt,
      heldByPeers: held,
      prometheusAlerts: await finalState(cell),
      deliveries: await deliveries(cell, faultAt),
      killed: { alertmanager: firstInLine.name, at: killedAt },
      silence: { id, createdOn: silencer.name, seenOn },
    };
  })();

  const results = { delivery, failover };
  for (const p of Object.values(results)) p.catch(() => undefined);
  return { results };
}
