/**
 * Reads what the integration sinks received as the on-call sees it: which alert a PagerDuty event,
 * Slack message or e-mail is about (from the title every notification gets from the generated
 * `cryoprotect.title` template), whether it fires or resolves, and how the heartbeat repeats.
 */
import { IntegrationSinks, Mail, PagerDutyEvent, Received, SlackMessage } from "./integration-sinks";

export type Status = "firing" | "resolved";

/** "[FIRING:2] HighErrorRate (critical) in cryoprotect" -> firing, HighErrorRate. */
export function parseTitle(title: string): { status: Status; alertname: string } | undefined {
  const match = /^\[(FIRING:\d+|RESOLVED)\] (\S+)/.exec(title);
  if (!match) return undefined;
  return { status: match[1] === "RESOLVED" ? "resolved" : "firing", alertname: match[2] };
}

const about = (title: string, alertname: string, status: Status) => {
  const parsed = parseTitle(title);
  return parsed?.alertname === alertname && parsed.status === status;
};

export function pagerdutyEvents(
  sinks: Pick<IntegrationSinks, "pagerduty">,
  alertname: string,
  status: Status,
): (PagerDutyEvent & Received)[] {
  const action = status === "firing" ? "trigger" : "resolve";
  return sinks.pagerduty.filter((e) => e.event_action === action && about(e.payload.summary, alertname, status));
}

export function slackMessages(
  sinks: Pick<IntegrationSinks, "slack">,
  alertname: string,
  status: Status,
): ({ path: string; message: SlackMessage } & Received)[] {
  return sinks.slack.filter((m) => m.message.attachments.some((a) => about(a.title, alertname, status)));
}

export function mails(sinks: Pick<IntegrationSinks, "mails">, alertname: string, status: Status): (Mail & Received)[] {
  return sinks.mails.filter((m) => about(m.subject, alertname, status));
}

/** The alert names of one webhook notification (Alertmanager's webhook payload). */
function webhookAlertnames(webhook: { body: unknown }): string[] {
  return ((webhook.body as { alerts?: { labels: Record<string, string> }[] }).alerts ?? []).map(
    (a) => a.labels.alertname,
  );
}

/** Every alert name any channel of the sinks heard about, per channel. */
export function alertnamesByChannel(sinks: Pick<IntegrationSinks, "pagerduty" | "slack" | "mails" | "webhooks">) {
  const names = (titles: string[]) => new Set(titles.map((t) => parseTitle(t)?.alertname ?? t));
  return {
    pagerduty: names(sinks.pagerduty.map((e) => e.payload.summary)),
    slack: names(sinks.slack.flatMap((m) => m.message.attachments.map((a) => a.title))),
    email: names(sinks.mails.map((m) => m.subject)),
    webhook: new Set(sinks.webhooks.flatMap(webhookAlertnames)),
  };
}

/** Arrival times of the webhook notifications posted to `path` that carry `alertname`. */
export function webhookArrivals(sinks: Pick<IntegrationSinks, "webhooks">, path: string, alertname: string): number[] {
  return sinks.webhooks
    .filter((w) => w.path === path && webhookAlertnames(w).includes(alertname))
    .map((w) => w.receivedAt);
}

/** Seconds between consecutive times. */
export function gapsSeconds(times: number[]): number[] {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted.slice(1).map((t, i) => (t - sorted[i]) / 1000);
}
