/**
 * The dev stack's generated Alertmanager configuration with every receiver
 * redirected to the local webhook sink. Routes, matchers, inhibitions and
 * group_by stay as generated; only group_wait and group_interval are
 * shortened so a run fits in minutes (said in docs/e2e.md).
 */
import * as path from "path";
import { durationSeconds } from "./rules";

type Yaml = Record<string, unknown>;

export const E2E_GROUP_WAIT = "1s";
export const E2E_GROUP_INTERVAL = "5s";

/**
 * A clustered Alertmanager's peer at position p waits p x peer_timeout before it reads the gossiped
 * notification log. A route whose group_interval is not longer than (peers - 1) x peer_timeout lets
 * the last peer's check of one flush land on the first peer's next flush: both send (the first
 * prod-topology run delivered pages and heartbeats twice and thrice with 5s and the default 15s).
 * The generated config keeps that margin (5m and 1m against 2 x 15s); the prod cells shorten both
 * timers and keep it too.
 */
export const E2E_CLUSTER_GROUP_INTERVAL = "10s";
export const E2E_PEER_TIMEOUT = "2s";
/** Alertmanager's own default, which the chart leaves as it is. */
export const DEFAULT_PEER_TIMEOUT = "15s";

interface Route extends Yaml {
  routes?: Route[];
}

function shortenTimers(route: Route, groupInterval: string): void {
  if (route.group_wait !== undefined) route.group_wait = E2E_GROUP_WAIT;
  if (route.group_interval !== undefined) route.group_interval = groupInterval;
  for (const child of route.routes ?? []) shortenTimers(child, groupInterval);
}

/** The group_interval of every route (a route without one inherits its parent's). */
export function groupIntervals(route: Route, inherited?: string): string[] {
  const own = (route.group_interval as string | undefined) ?? inherited;
  return [...(own ? [own] : []), ...(route.routes ?? []).flatMap((child) => groupIntervals(child, own))];
}

/** Routes' group_intervals that a cluster of `peers` with this peer timeout could notify twice for. */
export function intervalsTooShortForCluster(route: Route, peers: number, peerTimeout: string): string[] {
  const waitS = (peers - 1) * durationSeconds(peerTimeout);
  return groupIntervals(route).filter((interval) => durationSeconds(interval) <= waitS);
}

/**
 * @param generated the parsed generated alertmanager.yaml
 * @param webhookUrl where a receiver's notifications go (one URL per receiver name)
 * @param templateDir where the generated template files were written locally
 */
export function redirectReceivers(
  generated: Yaml,
  webhookUrl: (receiver: string) => string,
  templateDir: string,
): Yaml {
  const config = structuredClone(generated) as Yaml & { receivers?: Yaml[]; route?: Route; templates?: string[] };
  if (!config.route || !Array.isArray(config.receivers)) throw new Error("alertmanager.yaml has no route or receivers");
  config.receivers = config.receivers.map((receiver) => {
    const integrations = Object.keys(receiver).filter((k) => k.endsWith("_configs"));
    // A receiver without integrations (the null receiver) drops alerts; it stays that way.
    if (integrations.length === 0) return receiver;
    const name = String(receiver.name);
    return { name, webhook_configs: [{ url: webhookUrl(name), send_resolved: true }] };
  });
  config.route.group_wait = E2E_GROUP_WAIT;
  config.route.group_interval = E2E_GROUP_INTERVAL;
  shortenTimers(config.route, E2E_GROUP_INTERVAL);
  if (config.templates) config.templates = config.templates.map((t) => path.join(templateDir, path.basename(t)));
  return config;
}

/**
 * A stack's generated configuration with every receiver keeping its real integration: only the
 * endpoints move to the local sinks (PagerDuty's events URL, the SMTP smarthost without TLS; Slack
 * and webhook URLs are the secrets themselves, so the secret lookup gives the sinks' URLs), and the
 * timers are shortened. Listed in docs/e2e.md.
 */
export function localIntegrations(
  generated: Yaml,
  endpoints: { pagerdutyUrl: string; smarthost: string },
  templateDir: string,
  groupInterval = E2E_GROUP_INTERVAL,
): Yaml {
  const config = structuredClone(generated) as Yaml & { receivers: Yaml[]; route: Route; templates?: string[] };
  for (const receiver of config.receivers) {
    for (const pd of (receiver.pagerduty_configs ?? []) as Yaml[]) pd.url = endpoints.pagerdutyUrl;
    for (const mail of (receiver.email_configs ?? []) as Yaml[]) {
      mail.smarthost = endpoints.smarthost;
      mail.require_tls = false;
    }
  }
  config.route.group_wait = E2E_GROUP_WAIT;
  config.route.group_interval = groupInterval;
  shortenTimers(config.route, groupInterval);
  if (config.templates) config.templates = config.templates.map((t) => path.join(templateDir, path.basename(t)));
  return config;
}
