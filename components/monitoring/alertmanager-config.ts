/**
 * Alertmanager's configuration as a pure function of the stack config: the
 * routing tree by severity, inhibitions, receivers and templates. Secret
 * fields come from a lookup, so the same generator yields the deployed Secret
 * (real values, a Pulumi secret) and the committed file (placeholders).
 */
import * as yaml from "js-yaml";
import { Receiver, StackConfig } from "../../configs/types";
import { alertmanagerTemplate, TEMPLATE_FILE } from "./alertmanager-template";

/** How a secret value is used: URLs must parse as http(s) URLs even as placeholders. */
export type SecretUse = "url" | "token";
export type SecretLookup = (key: string, use: SecretUse) => string;

/** Placeholders of the committed files: valid where a URL is required, never resolvable (.invalid). */
export const fileSecretPlaceholder: SecretLookup = (key, use) =>
  use === "url" ? `https://secret.invalid/<secret:${key}>` : `<secret:${key}>`;

/** Receives what is deliberately dropped (info alerts when the stack has no ticket receiver). */
export const NULL_RECEIVER = "null";

export const CONFIG_FILE = "alertmanager.yaml";

/** Where the operator mounts the config Secret's keys. */
const TEMPLATES_DIR = "/etc/alertmanager/config";

const TITLE = '{{ template "cryoprotect.title" . }}';
const TEXT = '{{ template "cryoprotect.text" . }}';

interface Route {
  receiver: string;
  matchers?: string[];
  group_by?: string[];
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  continue?: boolean;
  routes?: Route[];
}

interface InhibitRule {
  source_matchers: string[];
  target_matchers: string[];
  equal?: string[];
}

export interface AlertmanagerConfig {
  global: { resolve_timeout: string };
  route: Route;
  inhibit_rules: InhibitRule[];
  receivers: Record<string, unknown>[];
  templates: string[];
}

function receiverConfig(r: Receiver, secret: SecretLookup): Record<string, unknown> {
  switch (r.type) {
    case "slack":
      return {
        name: r.name,
        slack_configs: [
          {
            api_url: secret(r.secret, "url"),
            channel: r.channel,
            send_resolved: true,
            title: TITLE,
            title_link: '{{ template "cryoprotect.dashboard_url" . }}',
            text: TEXT,
          },
        ],
      };
    case "pagerduty":
      return {
        name: r.name,
        pagerduty_configs: [
          {
            routing_key: secret(r.secret, "token"),
            send_resolved: true,
            // PagerDuty's own severity (critical, error, warning, info); Alertmanager sends "error" unless told.
            severity: '{{ or .CommonLabels.severity "error" }}',
            description: TITLE,
            links: [
              { href: '{{ template "cryoprotect.runbook_url" . }}', text: "Runbook" },
              { href: '{{ template "cryoprotect.dashboard_url" . }}', text: "Dashboard" },
            ],
          },
        ],
      };
    case "email":
      return {
        name: r.name,
        email_configs: [
          {
            to: r.to,
            from: r.from,
            smarthost: r.smarthost,
            auth_username: r.authUsername,
            auth_password: secret(r.secret, "token"),
            send_resolved: true,
            headers: { Subject: TITLE },
            text: TEXT,
            html: '{{ template "cryoprotect.html" . }}',
          },
        ],
      };
    case "webhook":
      // The payload carries every label and annotation, runbook and dashboard links included.
      return { name: r.name, webhook_configs: [{ url: secret(r.secret, "url"), send_resolved: true }] };
  }
}

/** One route per receiver; all but the last `continue`, so an alert reaches every one of them. */
function fanOut(severity: string, receivers: string[], extra: Partial<Route> = {}): Route[] {
  return receivers.map((receiver, i) => ({
    receiver,
    matchers: [`severity="${severity}"`],
    ...extra,
    ...(i < receivers.length - 1 ? { continue: true } : {}),
  }));
}

/**
 * @param apiAlertNames alerts silenced while ApiServiceDown fires (see apiAlertNamesOf).
 */
export function alertmanagerConfig(
  config: StackConfig,
  secret: SecretLookup,
  apiAlertNames: readonly string[],
): AlertmanagerConfig {
  const am = config.monitoring.alertmanager;
  const { routing } = am;
  const routes: Route[] = [
    // First: the dead man's switch must reach the heartbeat service often and never anyone else.
    {
      receiver: routing.heartbeat,
      matchers: ['alertname="Watchdog"'],
      group_wait: "0s",
      group_interval: "1m",
      repeat_interval: "1m",
    },
    ...fanOut("critical", routing.critical, { repeat_interval: "1h" }),
    ...fanOut("warning", routing.warning),
    { receiver: routing.info ?? NULL_RECEIVER, matchers: ['severity="info"'], repeat_interval: "24h" },
  ];
  return {
    global: { resolve_timeout: "5m" },
    route: {
      // Alerts with a missing or unknown severity are neither dropped nor paged: they go to chat.
      receiver: routing.warning[0],
      group_by: ["alertname", "namespace"],
      group_wait: "30s",
      group_interval: "5m",
      repeat_interval: "4h",
      routes,
    },
    inhibit_rules: [
      {
        source_matchers: ['severity="critical"'],
        target_matchers: ['severity="warning"'],
        equal: ["alertname", "namespace"],
      },
      // One API per stack: when its service is down, its symptoms are noise (no `equal` needed).
      {
        source_matchers: ['alertname="ApiServiceDown"'],
        // Alertmanager anchors the regex: it matches exactly these names.
        target_matchers: [`alertname=~"${apiAlertNames.join("|")}"`],
      },
    ],
    receivers: [...am.receivers.map((r) => receiverConfig(r, secret)), { name: NULL_RECEIVER }],
    templates: [`${TEMPLATES_DIR}/*.tmpl`],
  };
}

/**
 * The alerts ApiServiceDown silences: every alert of the api and slo rule groups
 * (the SLO burn-rate alerts included) and the API's probe (ApiProbeFailed), by name, so no rule has to carry an extra
 * label for it.
 */
export function apiAlertNamesOf(groups: { component: string; alerts: { name: string }[] }[]): string[] {
  const fromCatalog = groups
    .filter((g) => g.component === "api" || g.component === "slo" || g.component === "probes")
    // Of the probes, only the API's own (Api*): a failing ingress is not a symptom of the API being down.
    .flatMap((g) => (g.component === "probes" ? g.alerts.filter((a) => a.name.startsWith("Api")) : g.alerts));
  const names = new Set<string>(fromCatalog.map((a) => a.name));
  names.delete("ApiServiceDown");
  return [...names].sort();
}

export function renderAlertmanagerConfig(cfg: AlertmanagerConfig): string {
  return yaml.dump(cfg, { lineWidth: -1, noRefs: true });
}

/** The config Secret's keys (and the synth files under alertmanager/). */
export function alertmanagerSecretData(
  config: StackConfig,
  secret: SecretLookup,
  apiAlertNames: readonly string[],
): Record<string, string> {
  return {
    [CONFIG_FILE]: renderAlertmanagerConfig(alertmanagerConfig(config, secret, apiAlertNames)),
    [TEMPLATE_FILE]: alertmanagerTemplate(config),
  };
}
