/**
 * The dev stack's generated Alertmanager configuration with every receiver
 * redirected to the local webhook sink. Routes, matchers, inhibitions and
 * group_by stay as generated; only group_wait and group_interval are
 * shortened so a run fits in minutes (said in docs/e2e.md).
 */
import * as path from "path";

type Yaml = Record<string, unknown>;

export const E2E_GROUP_WAIT = "1s";
export const E2E_GROUP_INTERVAL = "5s";

interface Route extends Yaml {
  routes?: Route[];
}

function shortenTimers(route: Route): void {
  if (route.group_wait !== undefined) route.group_wait = E2E_GROUP_WAIT;
  if (route.group_interval !== undefined) route.group_interval = E2E_GROUP_INTERVAL;
  for (const child of route.routes ?? []) shortenTimers(child);
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
  shortenTimers(config.route);
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
  config.route.group_interval = E2E_GROUP_INTERVAL;
  shortenTimers(config.route);
  if (config.templates) config.templates = config.templates.map((t) => path.join(templateDir, path.basename(t)));
  return config;
}
