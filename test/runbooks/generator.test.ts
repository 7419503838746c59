/**
 * The runbook generator on alert definitions made up for the purpose, so every
 * rendering branch is exercised whatever the catalog holds today.
 */
import { StackConfig } from "../../configs/types";
import { HANDBOOK_PAGES } from "../../components/runbooks/handbook";
import { renderRunbooks } from "../../components/runbooks";
import { ProcedureStep, RestoreProcedure } from "../../components/backup/restore-procedure";
import { fence } from "../../components/runbooks/markdown";
import { RUNBOOK_SECTIONS } from "../../components/runbooks/page";
import { LogAlert, PrometheusAlert } from "../../components/shared/alert";
import { allStackConfigs } from "../../scripts/lib/stack-config";
import { codeBlocks, headings, section } from "./markdown";

const [dev, prod] = allStackConfigs();

function metricAlert(config: StackConfig, overrides: Partial<PrometheusAlert> = {}): PrometheusAlert {
  return {
    name: "HighErrorRate",
    source: "prometheus",
    severity: "critical",
    summary: "5xx ratio of {{ $labels.namespace }} is high",
    description: "description",
    dashboardUid: "api-uid",
    runbook: {
      meaning: "Too many requests fail. The rest is detail.",
      impact: "Users get errors.",
      diagnosis: ["Find the failing endpoint.", "Read its logs."],
      mitigation: ["Roll back the last deploy.", "Scale out.", "Fail over."],
      escalation: "Page the API owner.",
    },
    commands: [`kubectl --context ${config.cluster.name} -n ${config.app.namespace} get pods`],
    expr: `sum(rate(errors[5m])) > ${config.monitoring.thresholds.requestRatePerSecond}`,
    for: "2m",
    ...overrides,
  };
}

function logAlert(overrides: Partial<LogAlert> = {}): LogAlert {
  return {
    name: "ErrorLogSpike",
    source: "elastalert",
    severity: "warning",
    summary: "error spike",
    description: "description",
    dashboardUid: "logs-uid",
    runbook: {
      meaning: "Errors pile up in the logs",
      impact: "Some requests fail.",
      diagnosis: ["Open Discover."],
      mitigation: ["Find the exception type."],
      escalation: "Tell the API team.",
    },
    commands: ["kubectl -n logging get pods"],
    kibanaQuery: 'log.level: "error" and service.name: "cryoprotect-api"',
    ...overrides,
  };
}

const dashboards = new Map([["api-uid", "API performance"]]);

function page(files: Record<string, string>, name: string): string {
  const text = files[`runbooks/${name}.md`];
  expect(text).toBeDefined();
  return text;
}

describe("alert pages", () => {
  const files = renderRunbooks(
    [
      { config: dev, alerts: [{ component: "api", alert: metricAlert(dev, { severity: "warning", summary: "quiet in dev" }) }] },
      {
        config: prod,
        alerts: [
          { component: "api", alert: metricAlert(prod) },
          { component: "logging", alert: logAlert() },
        ],
      },
    ],
    dashboards,
  );

  it("writes one page per alert name plus the index", () => {
    expect(Object.keys(files).sort()).toEqual(
      ["runbooks/ErrorLogSpike.md", "runbooks/HighErrorRate.md", "runbooks/README.md"].sort(),
    );
  });

  it("has the five sections, in order, with the definition's text", () => {
    const text = page(files, "HighErrorRate");
    expect(headings(text, 2)).toEqual([...RUNBOOK_SECTIONS]);
    expect(section(text, "Meaning")).toContain("Too many requests fail.");
    expect(section(text, "Impact")).toContain("Users get errors.");
    expect(section(text, "Escalation")).toContain("Page the API owner.");
  });

  it("shows each stack's expression with its configured threshold, in the header and in Diagnosis", () => {
    const text = page(files, "HighErrorRate");
    const header = text.slice(0, text.indexOf("## Meaning"));
    const diagnosis = section(text, "Diagnosis")!;
    for (const config of [dev, prod]) {
      const expr = metricAlert(config).expr;
      expect(codeBlocks(header)).toContainEqual({ language: "promql", body: expr });
      expect(codeBlocks(diagnosis)).toContainEqual({ language: "promql", body: expr });
      expect(diagnosis).toContain(`**In ${config.environment}:**`);
    }
    expect(header).toContain("`2m`");
  });

  it("names severity, component and source, and tells the stacks apart where they differ", () => {
    const text = page(files, "HighErrorRate");
    expect(text).toMatch(/^\| Severity \| `warning` \(dev\); `critical` \(prod\) \|$/m);
    expect(text).toMatch(/^\| Component \| api \|$/m);
    expect(text).toMatch(/^\| Source \| Prometheus \|$/m);
    expect(text).toMatch(/^\| Stacks \| dev, prod \|$/m);
    expect(text).toContain(`> quiet in dev (dev); ${metricAlert(prod).summary} (prod)`);
  });

  it("links each stack's Grafana dashboard by its title", () => {
    const text = page(files, "HighErrorRate");
    for (const config of [dev, prod]) {
      const url = `${config.monitoring.grafana.url}/d/api-uid`;
      expect(section(text, "Diagnosis")).toContain(`- ${config.environment}: [API performance](${url})`);
      expect(text).toContain(`[${config.environment}](${url})`);
    }
  });

  it("gives the commands once when every stack has the same, and per stack when not", () => {
    const same = page(
      renderRunbooks(
        [dev, prod].map((config) => ({
          config,
          alerts: [{ component: "api", alert: metricAlert(config, { commands: ["kubectl -n x get pods"] }) }],
        })),
        dashboards,
      ),
      "HighErrorRate",
    );
    expect(codeBlocks(section(same, "Diagnosis")!).filter((b) => b.language === "sh")).toEqual([
      { language: "sh", body: "kubectl -n x get pods" },
    ]);
    expect(section(same, "Diagnosis")!.split("Commands:")[1]).not.toContain("**In ");

    const diagnosis = section(page(files, "HighErrorRate"), "Diagnosis")!;
    const shell = codeBlocks(diagnosis).filter((b) => b.language === "sh");
    expect(shell).toEqual([
      { language: "sh", body: `kubectl --context ${dev.cluster.name} -n ${dev.app.namespace} get pods` },
      { language: "sh", body: `kubectl --context ${prod.cluster.name} -n ${prod.app.namespace} get pods` },
    ]);
  });

  it("says when an alert fires without a pending period", () => {
    const text = page(
      renderRunbooks([{ config: prod, alerts: [{ component: "api", alert: metricAlert(prod, { for: "" }) }] }], dashboards),
      "HighErrorRate",
    );
    expect(text).toContain("Fires at once.");
    expect(text).not.toContain("Fires when the expression returns series");
  });

  it("numbers the mitigation steps in the order the definition lists them", () => {
    const mitigation = section(page(files, "HighErrorRate"), "Mitigation")!;
    expect(mitigation).toContain("1. Roll back the last deploy.\n2. Scale out.\n3. Fail over.");
  });

  it("renders a log alert with its Kibana query and says which stacks lack it", () => {
    const text = page(files, "ErrorLogSpike");
    expect(headings(text, 2)).toEqual([...RUNBOOK_SECTIONS]);
    expect(text).toMatch(/^\| Source \| ElastAlert2 \|$/m);
    expect(text).toMatch(/^\| Stacks \| prod only \(not defined in dev\) \|$/m);
    expect(codeBlocks(section(text, "Diagnosis")!)).toContainEqual({
      language: "kql",
      body: logAlert().kibanaQuery,
    });
    // No title known for this uid: the link still leads to the dashboard.
    expect(text).toContain(`- prod: [logs-uid](${prod.monitoring.grafana.url}/d/logs-uid)`);
  });

  it("refuses an alert defined twice with one severity in one stack", () => {
    const alert = { component: "api", alert: metricAlert(dev) };
    expect(() => renderRunbooks([{ config: dev, alerts: [alert, alert] }], dashboards)).toThrow(
      /HighErrorRate is defined twice with severity critical in stack dev/,
    );
  });
});

describe("an alert with a warning and a critical definition", () => {
  const meaning = (config: StackConfig) => `The budget is ${1 - config.monitoring.slo.availability}.`;
  const variants = (config: StackConfig) => [
    {
      component: "slo",
      alert: metricAlert(config, {
        expr: "page_expr > 14.4",
        for: "2m",
        runbook: { ...metricAlert(config).runbook, meaning: meaning(config) },
      }),
    },
    {
      component: "slo",
      alert: metricAlert(config, {
        severity: "warning",
        expr: `ticket_expr > ${config.monitoring.slo.availability}`,
        for: "15m",
        runbook: { ...metricAlert(config).runbook, meaning: meaning(config), mitigation: ["Open a ticket."] },
      }),
    },
  ];
  const files = renderRunbooks(
    // Listed warning first: the page still starts with the critical definition.
    [dev, prod].map((config) => ({ config, alerts: variants(config).reverse() })),
    dashboards,
  );
  const text = page(files, "HighErrorRate");

  it("gets one page that lists both severities", () => {
    expect(Object.keys(files).sort()).toEqual(["runbooks/HighErrorRate.md", "runbooks/README.md"]);
    expect(text).toMatch(/^\| Severity \| `critical`, `warning` \|$/m);
    expect(text).toMatch(/^\| Stacks \| dev, prod \|$/m);
  });

  it("labels each expression with its severity and the stacks that share it", () => {
    const diagnosis = section(text, "Diagnosis")!;
    expect(diagnosis).toContain("**`critical` in dev, prod:**\n\n```promql\npage_expr > 14.4\n```");
    for (const config of [dev, prod]) {
      expect(diagnosis).toContain(
        `**\`warning\` in ${config.environment}:**\n\n\`\`\`promql\nticket_expr > ${config.monitoring.slo.availability}\n\`\`\``,
      );
    }
    expect(text).toContain("`2m`");
    expect(text).toContain("`15m`");
    expect(diagnosis.indexOf("**`critical` in dev, prod:**")).toBeLessThan(diagnosis.indexOf("**`warning` in dev:**"));
  });

  it("shows text the definitions share once, and the rest by severity", () => {
    expect(section(text, "Impact")!.match(/Users get errors/g)).toHaveLength(1);
    // Text that differs only by stack is labelled by stack, not by each severity.
    for (const config of [dev, prod]) {
      expect(section(text, "Meaning")).toContain(`**In ${config.environment}:**\n\n${meaning(config)}`);
    }
    const mitigation = section(text, "Mitigation")!;
    expect(mitigation).toContain("**`critical` in dev, prod:**\n\n1. Roll back the last deploy.");
    expect(mitigation).toContain("**`warning` in dev, prod:**\n\n1. Open a ticket.");
    // One dashboard link per stack, not per definition.
    expect(section(text, "Diagnosis")!.match(/^- (dev|prod): /gm)).toEqual(["- dev: ", "- prod: "]);
  });

  it("is listed in the index under both severities, with each stack's meaning where they differ", () => {
    const index = files["runbooks/README.md"];
    expect(index).toContain(`| dev: ${meaning(dev)} prod: ${meaning(prod)} |`);
    expect(headings(index, 4)).toEqual(["critical", "warning"]);
    expect(index.match(/\| \[HighErrorRate\]\(HighErrorRate\.md\) \|/g)).toHaveLength(2);
  });
});

describe("the index", () => {
  it("groups alerts by component and then severity, critical first, and links every page", () => {
    const files = renderRunbooks(
      [
        {
          config: prod,
          alerts: [
            { component: "logging", alert: logAlert() },
            { component: "api", alert: metricAlert(prod, { name: "ApiInfo", severity: "info" }) },
            { component: "api", alert: metricAlert(prod) },
          ],
        },
      ],
      dashboards,
    );
    const index = files["runbooks/README.md"];
    expect(headings(index, 3)).toEqual(["api", "logging"]);
    const api = index.slice(index.indexOf("### api"), index.indexOf("### logging"));
    expect(headings(api, 4)).toEqual(["critical", "info"]);
    expect(api.indexOf("[HighErrorRate](HighErrorRate.md)")).toBeLessThan(api.indexOf("[ApiInfo](ApiInfo.md)"));
    expect(index).toContain("| [ErrorLogSpike](ErrorLogSpike.md) | ElastAlert2 | Errors pile up in the logs |");
    // The first sentence of the meaning describes the alert.
    expect(index).toContain("| Too many requests fail. |");
    for (const p of HANDBOOK_PAGES) expect(index).toContain(`](${p.file})`);
  });

  it("lists an alert under each grouping its stacks give it, naming the stacks", () => {
    const files = renderRunbooks(
      [
        { config: dev, alerts: [{ component: "api", alert: metricAlert(dev, { severity: "warning" }) }] },
        { config: prod, alerts: [{ component: "api", alert: metricAlert(prod) }] },
      ],
      dashboards,
    );
    const index = files["runbooks/README.md"];
    expect(index).toContain("#### critical\n\n| Alert | Source | Meaning |\n|---|---|---|\n| [HighErrorRate](HighErrorRate.md) (prod only)");
    expect(index).toContain("#### warning\n\n| Alert | Source | Meaning |\n|---|---|---|\n| [HighErrorRate](HighErrorRate.md) (dev only)");
  });

  it("says so when there are no alerts", () => {
    const files = renderRunbooks([{ config: dev, alerts: [] }], dashboards);
    expect(Object.keys(files)).toEqual(["runbooks/README.md"]);
    expect(files["runbooks/README.md"]).toContain("No alerts are defined yet.");
  });
});

describe("the restore page", () => {
  const step = (title: string, text: string, commands: string[]): ProcedureStep => ({ title, text, commands });
  const procedure = (config: StackConfig): RestoreProcedure => ({
    title: "Restore",
    summary: `Snapshots of host cryoprotect-${config.environment}.`,
    outOfScope: ["Point-in-time recovery inside the provider."],
    inCluster: [
      step("Stop the writers", "Pause the backups.", ["kubectl -n backup patch cronjob daily -p '{}'"]),
      step("Run the restore", "Run it.", [`restore --host cryoprotect-${config.environment}`]),
    ],
    disasterRecovery: [
      step("Get the password", "From Pulumi.", []),
      ...(config.environment === "prod" ? [step("Use the off-site copy", "eu-west-1.", ["restic snapshots"])] : []),
    ],
  });
  const files = renderRunbooks([], dashboards, [dev, prod].map((config) => ({ config, procedure: procedure(config) })));
  const text = files["runbooks/restore.md"];

  it("is written when the backup module has a procedure, and the index links it", () => {
    expect(text).toBeDefined();
    expect(files["runbooks/README.md"]).toContain("[Restore procedure](restore.md)");
    expect(renderRunbooks([], dashboards)["runbooks/restore.md"]).toBeUndefined();
  });

  it("numbers the steps of each part in order and shows a shared step once", () => {
    expect(headings(text, 2)).toEqual(["Out of scope", "Restore inside the cluster", "Disaster recovery without the cluster"]);
    expect(headings(text, 3)).toEqual([
      "1. Stop the writers",
      "2. Run the restore",
      "1. Get the password",
      "2. Use the off-site copy (prod only)",
    ]);
    const stop = text.slice(text.indexOf("### 1. Stop the writers"), text.indexOf("### 2. Run the restore"));
    expect(stop).not.toContain("**In ");
    expect(codeBlocks(stop)).toEqual([{ language: "sh", body: "kubectl -n backup patch cronjob daily -p '{}'" }]);
  });

  it("shows a step per stack where the stacks differ, and a step without commands as text only", () => {
    const run = text.slice(text.indexOf("### 2. Run the restore"), text.indexOf("## Disaster recovery"));
    for (const config of [dev, prod]) {
      expect(run).toContain(`**In ${config.environment}:**\n\nRun it.\n\n\`\`\`sh\nrestore --host cryoprotect-${config.environment}\n\`\`\``);
    }
    const password = text.slice(text.indexOf("### 1. Get the password"), text.indexOf("### 2. Use the off-site"));
    expect(codeBlocks(password)).toEqual([]);
    expect(text).toContain("**In dev:**\n\nSnapshots of host cryoprotect-dev.");
  });
});

describe("markdown helpers", () => {
  it("keeps a code block closed when the body holds backticks", () => {
    const body = "echo ```nested```";
    const block = fence("sh", body);
    expect(block.startsWith("````sh\n")).toBe(true);
    expect(codeBlocks(block)).toEqual([{ language: "sh", body }]);
  });
});
