/**
 * The runbook page of one alert: what it means, what it costs, how to find the
 * cause and what to do, with the alert's own query, dashboard and commands.
 */
import { AlertDefinition, dashboardUrl } from "../shared/alert";
import { block, cell, fence, inline, numbered } from "./markdown";
import { AlertAcrossStacks, SEVERITY_ORDER, shareAcrossStacks, StackAlert } from "./stacks";

/** The five sections every runbook page has, in this order. */
export const RUNBOOK_SECTIONS = ["Meaning", "Impact", "Diagnosis", "Mitigation", "Escalation"] as const;

const SOURCE_LABEL = {
  prometheus: "Prometheus",
  elastalert: "ElastAlert2",
} as const;

interface Query {
  source: AlertDefinition["source"];
  text: string;
  /** How long the condition must hold before the alert fires (Prometheus only). */
  for?: string;
}

/**
 * Notification summaries end with their stack, e.g. "... (dev)"; the page says where each applies
 * itself, so the suffix would read twice: "(dev) (dev)".
 */
function withoutEnvironment(summary: string, environment: string): string {
  const suffix = ` (${environment})`;
  return summary.endsWith(suffix) ? summary.slice(0, -suffix.length) : summary;
}

function query(alert: AlertDefinition): Query {
  return alert.source === "prometheus"
    ? { source: alert.source, text: alert.expr, for: alert.for }
    : { source: alert.source, text: alert.kibanaQuery };
}

function queryBlock(q: Query): string {
  if (q.source === "prometheus") {
    const pending = q.for ? `Fires when the expression returns series for \`${q.for}\`.` : "Fires at once.";
    return `${fence("promql", q.text)}\n\n${pending}`;
  }
  return `${fence("kql", q.text)}\n\nElastAlert2 runs this query against the log data streams and posts to Alertmanager.`;
}

const HOW_TO_RUN = {
  prometheus:
    "Run the alert's expression in Grafana → Explore (Prometheus data source) or the Prometheus UI; drop the comparison to see the current values:",
  elastalert:
    "Paste the query into Kibana → Discover (log data streams `logs-*`) and widen the time range to before the alert fired:",
} as const;

/** The severities of each stack, e.g. "`critical`, `warning`", or per stack where they differ. */
function severityCell(entry: AlertAcrossStacks): string {
  const byStack = new Map<string, string[]>();
  for (const stack of entry.stacks) {
    const severities = SEVERITY_ORDER.filter((s) =>
      entry.instances.some((i) => i.config.environment === stack && i.alert.severity === s),
    );
    const key = severities.map((s) => `\`${s}\``).join(", ");
    byStack.set(key, [...(byStack.get(key) ?? []), stack]);
  }
  if (byStack.size === 1) return [...byStack.keys()][0];
  return [...byStack.entries()].map(([severities, stacks]) => `${severities} (${stacks.join(", ")})`).join("; ");
}

/** `dashboards` maps uid to title, so a link reads as the dashboard's name. */
export function alertPage(entry: AlertAcrossStacks, dashboards: ReadonlyMap<string, string>): string {
  const share = <T>(pick: (i: StackAlert) => T) => shareAcrossStacks(entry, pick);
  // One link per stack; the definitions of one stack share their dashboard.
  const dashboardLinks = entry.stacks.map((stack) => {
    const { config, alert } = entry.instances.find((i) => i.config.environment === stack)!;
    const title = dashboards.get(alert.dashboardUid) ?? alert.dashboardUid;
    return { stack, title, url: dashboardUrl(config, alert.dashboardUid) };
  });
  const stacksCell =
    entry.missingIn.length === 0
      ? entry.stacks.join(", ")
      : `${entry.stacks.join(", ")} only (not defined in ${entry.missingIn.join(", ")})`;

  const header = [
    `# ${entry.name}`,
    "",
    `> ${cell(inline(share((i) => withoutEnvironment(i.alert.summary, i.config.environment)), (s) => s))}`,
    "",
    "| | |",
    "|---|---|",
    `| Severity | ${severityCell(entry)} |`,
    `| Component | ${inline(
      share((i) => i.component),
      (c) => c,
    )} |`,
    `| Source | ${inline(
      share((i) => SOURCE_LABEL[i.alert.source]),
      (s) => s,
    )} |`,
    `| Stacks | ${stacksCell} |`,
    `| Dashboard | ${dashboardLinks.map((d) => `[${d.stack}](${d.url})`).join(" · ")} |`,
    "",
    "Expression:",
    "",
    block(share((i) => query(i.alert)), queryBlock),
  ];

  /** The stacks the alert exists in, as cryo-ops' --stack choice. */
  const stackChoice = entry.stacks.length === 1 ? entry.stacks[0] : `<${entry.stacks.join("|")}>`;
  const diagnosis = [
    "Dashboard:",
    "",
    dashboardLinks.map((d) => `- ${d.stack}: [${d.title}](${d.url})`).join("\n"),
    "",
    [...new Set(entry.instances.map((i) => HOW_TO_RUN[i.alert.source]))].join(" "),
    "",
    block(
      share((i) => query(i.alert)),
      (q) => fence(q.source === "prometheus" ? "promql" : "kql", q.text),
    ),
    "",
    "Steps:",
    "",
    block(
      share((i) => i.alert.runbook.diagnosis),
      (steps) => numbered(steps),
    ),
    "",
    "Commands:",
    "",
    block(
      share((i) => i.alert.commands),
      (commands) => fence("sh", commands.join("\n")),
    ),
  ];

  const sections: Record<(typeof RUNBOOK_SECTIONS)[number], string> = {
    Meaning: block(
      share((i) => i.alert.runbook.meaning),
      (t) => t,
    ),
    Impact: block(
      share((i) => i.alert.runbook.impact),
      (t) => t,
    ),
    Diagnosis: diagnosis.join("\n"),
    Mitigation: `Safe steps come first; go down the list only as far as needed.\n\n${block(
      share((i) => i.alert.runbook.mitigation),
      (steps) => numbered(steps),
    )}\n\nWhile you work on it, silence it on every Alertmanager peer (fallback: amtool, [procedures](runbooks.md#silence-an-alert)):\n\n${fence(
      "sh",
      `cryo-ops --stack ${stackChoice} silence add --matcher alertname=${entry.name} --duration 1h --reason "INC-...: what you are doing"`,
    )}`,
    Escalation: `${block(
      share((i) => i.alert.runbook.escalation),
      (t) => t,
    )}\n\nWhen you escalate, attach a support bundle (targets, rule errors, Alertmanager, backup metrics, pods; no secrets):\n\n${fence(
      "sh",
      `cryo-ops --stack ${stackChoice} diagnose --out ${entry.name}-$(date +%Y%m%dT%H%M).tar.gz`,
    )}\n\nSeverity levels, roles and the postmortem template: [incident response](incident_response.md).`,
  };

  const body = RUNBOOK_SECTIONS.map((s) => `## ${s}\n\n${sections[s]}`);
  const footer =
    "---\n\nGenerated by `npm run generate` from the alert's definition in its concern (`components/<concern>/alerts/`, listed by `mixin.ts`); " +
    "edit the definition, not this page. [All runbooks](README.md).";
  return [header.join("\n"), ...body, footer].join("\n\n") + "\n";
}
