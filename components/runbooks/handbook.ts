/**
 * The hand-written operations handbook under runbooks/. Listed here so the
 * generated index links every chapter and the tests can tell a chapter from
 * an alert's page.
 */
export interface HandbookPage {
  file: string;
  title: string;
  /** What an operator opens it for. */
  about: string;
}

export const HANDBOOK_PAGES: readonly HandbookPage[] = [
  {
    file: "runbooks.md",
    title: "Common procedures",
    about:
      "deploy and upgrade with Pulumi, preview in PRs, scale Elasticsearch, expand a volume, rotate a secret, add a receiver, silence an alert, pause backups, collect diagnostics",
  },
  {
    file: "monitoring_alerting.md",
    title: "Monitoring and alerting",
    about: "architecture, the metrics contract, SLOs and error budgets, severities and routing, how to add an alert",
  },
  {
    file: "backup_recovery.md",
    title: "Backup and recovery",
    about:
      "schedules, retention, encryption and the repository password, restore step by step, disaster recovery, RPO and RTO",
  },
  {
    file: "incident_response.md",
    title: "Incident response",
    about: "severity levels, roles, communication, timeline, postmortem template",
  },
  {
    file: "performance_tuning.md",
    title: "Performance tuning",
    about: "Elasticsearch heap and shards, Prometheus retention and cardinality, Logstash workers and batch size, backup window",
  },
  {
    file: "health_check_strategy.md",
    title: "Health check strategy",
    about: "liveness, readiness and startup checks, synthetic checks, the Watchdog dead man's switch",
  },
];

/** The generated index of all runbooks. */
export const INDEX_PAGE = "README.md";
