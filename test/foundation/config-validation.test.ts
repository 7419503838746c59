import { ConfigError, isValidCron, validateStackConfig } from "../../configs/validate";
import { lastRecorded, readStackFile, runStack } from "../../scripts/lib/mock-runtime";

// Edits reach arbitrary settings and put wrong types into them on purpose.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Settings = Record<string, any>;

const base = () => readStackFile("dev").plain as Record<string, Record<string, unknown>>;
const allSecrets = new Set(["dbPassword", "slackWebhookUrl", "heartbeatUrl"]);

/** Deep copy of the dev settings with one edit applied. */
function devWith(edit: (c: Settings) => void): Record<string, unknown> {
  const c = structuredClone(base());
  edit(c);
  return c;
}

function problemsOf(raw: unknown, secrets = allSecrets): string[] {
  try {
    validateStackConfig("test", raw, secrets);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe("stack config schema", () => {
  it.each(["dev", "prod"])("accepts the %s stack file", (stack) => {
    const { plain } = readStackFile(stack);
    const secrets = new Set(["dbPassword", "slackWebhookUrl", "heartbeatUrl", "pagerdutyRoutingKey", "smtpPassword"]);
    expect(problemsOf(plain, secrets)).toEqual([]);
  });

  // Each case is a different mistake; every one must be reported with its path and rule.
  const badConfigs: [string, (c: Settings) => void, string[]][] = [
    [
      "daily retention below 1",
      (c) => (c.backup.retention.daily = 0),
      ["backup.retention.daily: must be >= 1 (minimum)"],
    ],
    [
      "scrape interval without unit",
      (c) => (c.monitoring.prometheus.scrapeInterval = "30"),
      ['monitoring.prometheus.scrapeInterval: must match pattern "^[0-9]+(s|m)$" (pattern)'],
    ],
    [
      "unknown key",
      (c) => (c.monitoring.prometheus.retentionDays = 3),
      ["monitoring.prometheus.retentionDays: unknown key (additionalProperties"],
    ],
    [
      "malformed cron schedule",
      (c) => (c.backup.schedules.full = "0 25 * * 0"),
      ["backup.schedules.full: must be a valid cron (format)"],
    ],
    [
      "cron with six fields",
      (c) => (c.backup.schedules.backup = "0 0 2 * * 1"),
      ["backup.schedules.backup: must be a valid cron"],
    ],
    [
      "missing required setting",
      (c) => delete c.backup.database.host,
      ["backup.database.host: is required (required)"],
    ],
    [
      "wrong type",
      (c) => (c.logging.elasticsearch.nodeCount = "three"),
      ["logging.elasticsearch.nodeCount: must be integer (type)"],
    ],
    [
      "bad log format",
      (c) => (c.app.logFormat = "text"),
      ["app.logFormat: must be equal to one of the allowed values (enum)"],
    ],
    [
      "routing to an undefined receiver",
      (c) => (c.monitoring.alertmanager.routing.critical = ["pager-that-does-not-exist"]),
      ['monitoring.alertmanager.routing.critical[0]: receiver "pager-that-does-not-exist" is not defined'],
    ],
    [
      "two Elasticsearch nodes",
      (c) => (c.logging.elasticsearch.nodeCount = 2),
      ["logging.elasticsearch.nodeCount: must be 1 or at least 3"],
    ],
    [
      "no primary backup target",
      (c) => (c.backup.targets[0].primary = false),
      ["backup.targets: exactly one s3 target must have primary: true (found 0)"],
    ],
    [
      "warning threshold above critical",
      (c) => (c.monitoring.thresholds.diskWarningPercent = 95),
      ["monitoring.thresholds.diskWarningPercent: must be below diskCriticalPercent"],
    ],
    [
      "clear-text secret in a receiver",
      (c) => (c.monitoring.alertmanager.receivers[0].apiUrl = "https://hooks.slack.com/services/T0/B0/xyz"),
      ["monitoring.alertmanager.receivers[0].apiUrl: unknown key (additionalProperties"],
    ],
    [
      "same namespace for two components",
      (c) => (c.namespaces.backup = "monitoring"),
      ["namespaces: monitoring, logging, backup and nodeExporter must be four different namespaces"],
    ],
    [
      "an ingress whose TLS Secret nothing provides",
      (c) => (c.monitoring.grafana.ingress = { host: "g.example", className: "nginx", tls: { secretName: "g-tls" } }),
      [
        "monitoring.grafana.ingress.tls: nothing provides Secret g-tls; set tls.issuer (cert-manager issues it) or tls.existingSecret: true",
      ],
    ],
    [
      "an ingress with both an issuer and an existing Secret",
      (c) =>
        (c.logging.kibana.ingress = {
          host: "k.example",
          className: "nginx",
          tls: { secretName: "k-tls", existingSecret: true, issuer: { kind: "Issuer", name: "local" } },
        }),
      ["logging.kibana.ingress.tls: set either issuer (cert-manager creates k-tls) or existingSecret, not both"],
    ],
    [
      "an issuer of an unknown kind",
      (c) =>
        (c.monitoring.grafana.ingress = {
          host: "g.example",
          className: "nginx",
          tls: { secretName: "g-tls", issuer: { kind: "Vault", name: "v" } },
        }),
      ["monitoring.grafana.ingress.tls.issuer.kind: must be equal to one of the allowed values (enum)"],
    ],
    [
      "a certificate page threshold above its warning",
      (c) => (c.monitoring.thresholds.certificateExpiryCriticalDays = 30),
      ["monitoring.thresholds.certificateExpiryCriticalDays: must be below certificateExpiryWarningDays"],
    ],
    [
      "cert-manager in a namespace of the platform",
      (c) => (c.certManager = { namespace: "monitoring", resources: { cpu: "10m", memory: "32Mi" } }),
      ["certManager.namespace: must not be one of the namespaces of namespaces.*"],
    ],
    [
      "runbook URL with trailing slash",
      (c) => (c.runbookBaseUrl = "https://example.com/runbooks/"),
      ["runbookBaseUrl: must match pattern"],
    ],
  ];

  it.each(badConfigs)("rejects %s with the path and rule", (_what, edit, expected) => {
    const problems = problemsOf(devWith(edit));
    for (const e of expected) expect(problems.some((p) => p.startsWith(e))).toBe(true);
    expect(problems.length).toBe(expected.length);
  });

  it("lists every problem of a config with several mistakes in one message", () => {
    const raw = devWith((c) => {
      c.backup.retention.daily = 0;
      c.monitoring.prometheus.scrapeInterval = "thirty";
      c.backup.schedules.drill = "every sunday";
      c.logging.bogus = true;
    });
    expect(() => validateStackConfig("dev", raw, allSecrets)).toThrow(ConfigError);
    const problems = problemsOf(raw);
    expect(problems).toHaveLength(4);
    const message = (() => {
      try {
        validateStackConfig("dev", raw, allSecrets);
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(message).toContain('Stack "dev" has 4 configuration error(s); nothing was deployed');
    for (const p of problems) expect(message).toContain(p);
  });

  it("names a referenced secret that is not set, with the command that sets it", () => {
    const problems = problemsOf(base(), new Set(["dbPassword", "heartbeatUrl"]));
    expect(problems).toEqual([
      'monitoring.alertmanager.receivers[0].secret: secret "slackWebhookUrl" is not set; run `pulumi config set --secret slackWebhookUrl <value>` (secret)',
    ]);
  });

  it("checks cron expressions with the CronJob five-field syntax", () => {
    expect(isValidCron("0 2 * * 1-6")).toBe(true);
    expect(isValidCron("*/15 * * * *")).toBe(true);
    expect(isValidCron("0 2 * *")).toBe(false);
    expect(isValidCron("61 2 * * *")).toBe(false);
  });
});

describe("a bad stack registers nothing", () => {
  const cases: [string, Record<string, unknown>][] = [
    ["schema error", { backup: devWith((c) => (c.backup.retention.daily = 0)).backup }],
    ["cross-field error", { namespaces: { monitoring: "ops", logging: "ops", backup: "ops", nodeExporter: "ops" } }],
    ["unknown top-level key", { grafanaPassword: "hunter2" }],
  ];

  it.each(cases)("%s: the program throws before any resource", async (_what, overrides) => {
    await expect(runStack({ stack: "dev", overrides })).rejects.toThrow(ConfigError);
    const registered = lastRecorded().filter((r) => r.type !== "pulumi:pulumi:Stack");
    expect(registered).toEqual([]);
  });

  it("a missing secret fails the run the same way", async () => {
    await expect(runStack({ stack: "dev", secrets: { dbPassword: "x" } })).rejects.toThrow(/slackWebhookUrl/);
    expect(lastRecorded().filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
  });
});
