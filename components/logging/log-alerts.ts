/**
 * Error-log alerts: each is a LogAlert (the shared alert definition, with its
 * runbook) plus the ElastAlert2 rule that evaluates it. elastalert.ts turns
 * them into rule files that post to the monitoring stack's Alertmanager.
 */
import { appLabelSelector } from "../shared/app";
import { StackConfig } from "../../configs/types";
import { LogAlert } from "../shared/alert";
import { dataStreams } from "./ecs-mapping";
import { ERROR_QUERY, kibanaDashboardUrl } from "./kibana-objects";
import { LOGGING_DASHBOARD_UID } from "./dashboards/logging";
import { elasticsearchName, kibanaName } from "./names";

/** How ElastAlert2 evaluates one LogAlert. */
export type LogRule =
  | { type: "frequency"; numEvents: number; timeframeMinutes: number }
  | { type: "new_term"; field: string; termsWindowDays: number }
  | { type: "any" };

export interface LogAlertDefinition {
  alert: LogAlert;
  rule: LogRule;
  /** Elasticsearch query DSL filters, the same condition as alert.kibanaQuery. */
  filter: object[];
  /** Alertmanager labels taken from the first matching line (label -> field). */
  labelFields: Record<string, string>;
  /** One notification per this many minutes (per labelFields value). */
  realertMinutes: number;
}

const ERROR_FILTER = { terms: { "log.level": ["error", "critical"] } };
const CRITICAL_FILTER = { term: { "log.level": "critical" } };

/** kubectl commands every log alert's diagnosis starts from. */
function logCommands(config: StackConfig): string[] {
  const app = config.app;
  const selector = appLabelSelector(config);
  const ns = config.namespaces.logging;
  return [
    `kubectl -n ${app.namespace} get pods -l ${selector}`,
    `kubectl -n ${app.namespace} logs -l ${selector} --since=15m --tail=200 | grep -Ei '"level": ?"(ERROR|CRITICAL)"'`,
    `kubectl -n ${app.namespace} rollout history deployment/${app.name}`,
    `kubectl -n ${ns} logs deploy/elastalert2 --since=30m | grep -i alert`,
    `kubectl -n ${ns} get elasticsearch ${elasticsearchName}`,
    `kubectl -n ${ns} get kibana ${kibanaName}`,
  ];
}

export function logAlertDefinitions(config: StackConfig): LogAlertDefinition[] {
  const app = config.app.name;
  const env = config.environment;
  const spike = config.logging.alerts.errorSpikeCount;
  const dashboard = kibanaDashboardUrl(config);
  const commands = logCommands(config);
  // new_term learns the known types from this window; it cannot look further back than retention.
  const termsWindowDays = Math.min(30, config.logging.retention.app.deleteAfterDays);
  return [
    {
      alert: {
        source: "elastalert",
        name: "ErrorLogSpike",
        severity: "warning",
        summary: `${app} wrote ${spike} or more error lines in 5 minutes (${env})`,
        description:
          `At least ${spike} lines with log.level error or critical reached ${dataStreams(config)[0].name} ` +
          "within 5 minutes. The error counter on the metrics side may stay quiet when the errors are handled ones.",
        dashboardUid: LOGGING_DASHBOARD_UID,
        kibanaQuery: ERROR_QUERY,
        runbook: {
          meaning:
            `The API logged at least ${spike} error or critical lines within five minutes, counted by ElastAlert2 ` +
            "over the app's log data stream.",
          impact:
            "Requests are failing or degrading in a way the app notices (exceptions, failed dependencies), even " +
            "if the HTTP error ratio has not crossed its own threshold yet.",
          diagnosis: [
            `Open the Kibana logs dashboard (${dashboard}) and look at "Errors by endpoint and type": is it one endpoint, one exception type, or everything?`,
            "Open the saved search CryoProtect errors and read the newest lines: error.type, error.message and url.path.",
            "Follow one failing request end to end with the saved search CryoProtect request by correlation id (trace.id).",
            "Compare the start of the spike with the last deployment (rollout history) and with database alerts.",
          ],
          mitigation: [
            `If the spike started with a deployment, roll it back: kubectl -n ${config.app.namespace} rollout undo deployment/${app}.`,
            "If one dependency fails (database, storage), follow that component's alert and runbook.",
            `If the errors are expected noise, fix the log level in the app; raise logging.alerts.errorSpikeCount only with a reason.`,
          ],
          escalation:
            "If the spike lasts longer than 30 minutes or HighErrorRate fires as well, call the API on-call engineer.",
        },
        commands,
      },
      rule: { type: "frequency", numEvents: spike, timeframeMinutes: 5 },
      filter: [ERROR_FILTER],
      labelFields: {},
      realertMinutes: 30,
    },
    {
      alert: {
        source: "elastalert",
        name: "NewExceptionType",
        severity: "warning",
        summary: `${app} raised an exception type not seen in the last ${termsWindowDays} days (${env})`,
        description:
          `A line of ${app} carries an error.type that did not occur in the previous ${termsWindowDays} days: ` +
          "a new failure mode, often from a recent change.",
        dashboardUid: LOGGING_DASHBOARD_UID,
        kibanaQuery: "error.type : *",
        runbook: {
          meaning: `ElastAlert2 saw an error.type value in the app's logs that it had not seen in the last ${termsWindowDays} days.`,
          impact:
            "Possibly none yet; a new exception type usually means new code or new input reaches an unhandled path.",
          diagnosis: [
            'Read the alert\'s error_type label, then search error.type : "<type>" in Kibana (saved search CryoProtect errors).',
            "Read error.stack_trace of the first line and note url.path and the correlation id.",
            "Check whether a deployment or a configuration change happened shortly before the first occurrence.",
          ],
          mitigation: [
            "If users are affected, roll back the change that introduced it.",
            "Otherwise open a ticket for the API team with the stack trace and the correlation id.",
          ],
          escalation: "During working hours to the API team; page only if ErrorLogSpike or HighErrorRate fires too.",
        },
        commands,
      },
      rule: { type: "new_term", field: "error.type", termsWindowDays },
      filter: [{ exists: { field: "error.type" } }],
      labelFields: { error_type: "error.type" },
      realertMinutes: 60,
    },
    {
      alert: {
        source: "elastalert",
        name: "CriticalLogLine",
        severity: "critical",
        summary: `${app} logged a critical line (${env})`,
        description: `${app} wrote a line with log.level critical, which it only does when it cannot continue normally.`,
        dashboardUid: LOGGING_DASHBOARD_UID,
        kibanaQuery: 'log.level : "critical"',
        runbook: {
          meaning: "The API wrote at least one line at level CRITICAL.",
          impact:
            "The app reports a condition it cannot handle (for example a lost database or a corrupt state); " +
            "requests are likely failing.",
          diagnosis: [
            'Search log.level : "critical" in Kibana and read message, error.type and error.stack_trace.',
            "Check the API pods for restarts and readiness.",
            "Check the database and the API metric alerts (ApiServiceDown, HighErrorRate) for the same time.",
          ],
          mitigation: [
            "Restore the failing dependency first (database, storage, secrets).",
            "Restart the affected pod if its state is corrupt: kubectl delete pod <pod> (the Deployment recreates it).",
            "Roll back a deployment that introduced the condition.",
          ],
          escalation: "Page the API on-call engineer now; involve the database owner if the database is the cause.",
        },
        commands,
      },
      rule: { type: "any" },
      filter: [CRITICAL_FILTER],
      labelFields: {},
      realertMinutes: 15,
    },
  ];
}
