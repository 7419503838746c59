/**
 * The operations handbook: every chapter exists and covers its topics, the
 * flows are drawn, and every kubectl, amtool and helm command in it names
 * namespaces, workloads, Secrets, CronJobs and releases that the stacks
 * really have (read from a mocked run of the program).
 */
import * as fs from "fs";
import * as path from "path";
import { allAlerts } from "../../components/catalog";
import { HANDBOOK_PAGES } from "../../components/runbooks/handbook";
import { RESTORE_PAGE } from "../../components/runbooks/restore-page";
import { PROJECT_ROOT } from "../../scripts/lib/mock-runtime";
import { allStackConfigs } from "../../scripts/lib/stack-config";
import { k8sObjects, stackRun, STACKS } from "../harness/stack";
import { codeBlocks, headings, sectionAt } from "./markdown";
import {
  amtoolReferences,
  createdObjects,
  helmReleaseReferences,
  kubectlReferences,
  PlatformNames,
  platformNames,
  shellLines,
  unknownNames,
} from "./platform-names";

/** Headings (any level) each chapter must have: the topics the issue lists for it. */
const REQUIRED_HEADINGS: Record<string, string[]> = {
  "runbooks.md": [
    "Deploy and upgrade with Pulumi",
    "Preview in pull requests",
    "Scale Elasticsearch",
    "Expand a volume",
    "Rotate a secret",
    "Add a receiver",
    "Silence an alert",
    "Pause backups",
  ],
  "monitoring_alerting.md": [
    "Architecture",
    "Alert flow",
    "Log flow",
    "Metrics contract",
    "SLOs and error budgets",
    "Severities and routing",
    "How to add an alert",
  ],
  "backup_recovery.md": [
    "Backup flow",
    "Schedules",
    "Retention",
    "Encryption and the repository password",
    "Restore step by step",
    "Disaster recovery from the off-site copy",
    "RPO and RTO",
    "Out of scope: point-in-time recovery",
  ],
  "incident_response.md": ["Severity levels", "Roles", "Communication", "Timeline", "Postmortem template"],
  "performance_tuning.md": [
    "Elasticsearch heap and shards",
    "Prometheus retention and cardinality",
    "Logstash workers and batch size",
    "Backup window",
  ],
  "health_check_strategy.md": [
    "Liveness, readiness and startup checks",
    "Synthetic checks",
    "Watchdog dead man's switch",
  ],
};

/** Sections that must hold a Mermaid diagram: the architecture, the alert, log and backup flows. */
const DIAGRAMS: [string, string][] = [
  ["monitoring_alerting.md", "Architecture"],
  ["monitoring_alerting.md", "Alert flow"],
  ["monitoring_alerting.md", "Log flow"],
  ["backup_recovery.md", "Backup flow"],
];

function read(file: string): string {
  return fs.readFileSync(path.join(PROJECT_ROOT, "runbooks", file), "utf8");
}

function allHeadings(markdown: string): string[] {
  return [1, 2, 3, 4].flatMap((level) => headings(markdown, level));
}

describe("handbook chapters", () => {
  it("are exactly the chapters the index links", () => {
    expect(HANDBOOK_PAGES.map((p) => p.file).sort()).toEqual(Object.keys(REQUIRED_HEADINGS).sort());
  });

  it.each(Object.entries(REQUIRED_HEADINGS))("%s covers its topics", (file, required) => {
    expect(fs.existsSync(path.join(PROJECT_ROOT, "runbooks", file))).toBe(true);
    const text = read(file);
    expect(allHeadings(text)).toEqual(expect.arrayContaining(required));
    for (const heading of required) expect(sectionAt(text, heading)!.trim().length).toBeGreaterThan(200);
  });

  it.each(DIAGRAMS)("%s draws the %s as a Mermaid diagram", (file, heading) => {
    const blocks = codeBlocks(sectionAt(read(file), heading) ?? "");
    const mermaid = blocks.filter((b) => b.language === "mermaid");
    expect(mermaid.length).toBeGreaterThan(0);
    expect(mermaid[0].body).toMatch(/^(flowchart|graph|sequenceDiagram)\b/);
  });
});

describe("the command checker", () => {
  const names: PlatformNames = {
    namespaces: new Set(["backup", "monitoring"]),
    objects: new Set(["CronJob/backup/nightly", "Service/monitoring/alertmanager-main", "Secret/backup/restic"]),
    helmReleases: new Set(["monitoring/stack"]),
  };
  const problems = (line: string) => [
    ...kubectlReferences(line).flatMap((ref) => unknownNames(ref, names)),
    ...amtoolReferences(line).flatMap((ref) => unknownNames(ref, names)),
  ];

  it("accepts names the stack has, in any of kubectl's spellings", () => {
    for (const line of [
      "kubectl -n backup get cronjob nightly -o wide",
      "kubectl --namespace=backup patch cronjobs nightly -p '{\"spec\":{\"suspend\":true}}'",
      "kubectl -n backup create job --from=cronjob/nightly nightly-manual-$(date +%s)",
      "kubectl --namespace monitoring port-forward svc/alertmanager-main 9093:9093 &",
      "PW=$(kubectl -n backup get secret restic -o jsonpath='{.data.x}' | base64 -d)",
      "kubectl -n backup logs job/anything-made-at-runtime",
      "kubectl -n backup get cronjob <name>",
      "amtool --alertmanager.url=http://alertmanager-main.monitoring.svc:9093 silence query",
    ]) {
      expect({ line, problems: problems(line) }).toEqual({ line, problems: [] });
    }
  });

  it("reports unknown namespaces, objects, Services and releases", () => {
    expect(problems("kubectl -n monitor get pods")).toEqual(["namespace monitor in: kubectl -n monitor get pods"]);
    expect(problems("kubectl -n backup patch cronjob daily -p '{}'")).toHaveLength(1);
    expect(problems("kubectl -n backup create job --from=cronjob/daily x")).toEqual([
      "CronJob daily in backup in: kubectl -n backup create job --from=cronjob/daily x",
    ]);
    // The CronJob exists, but not in that namespace.
    expect(problems("kubectl -n monitoring get cronjob nightly")).toHaveLength(1);
    // Every further word of `get <kind>` is a name of that kind.
    expect(problems("kubectl -n backup get cronjob nightly weekly")).toEqual([
      "CronJob weekly in backup in: kubectl -n backup get cronjob nightly weekly",
    ]);
    expect(problems("kubectl -n monitoring port-forward svc/alertmanager 9093")).toHaveLength(1);
    // Command substitutions are checked on their own and do not hide the rest of the command.
    expect(problems("kubectl -n backup create job x-$(date +%s) --from=cronjob/daily")).toHaveLength(1);
    expect(problems("kubectl -n backup logs job/$(kubectl -n backup get cronjob daily -o name)")).toHaveLength(1);
    expect(problems("amtool --alertmanager.url=http://alertmanager.monitoring.svc:9093 silence query")).toHaveLength(1);
    expect(helmReleaseReferences("helm -n monitoring history stack")).toEqual([
      { namespace: "monitoring", release: "stack", command: "helm -n monitoring history stack" },
    ]);
  });

  it("knows which objects a command creates", () => {
    expect(createdObjects("read -rs PW && kubectl -n backup create secret generic target --from-literal=P=x")).toEqual([
      "Secret/backup/target",
    ]);
    expect(createdObjects("kubectl -n backup create job x --from=cronjob/nightly")).toEqual([]);
    expect(createdObjects("kubectl -n backup get secret target")).toEqual([]);
  });

  it("reads commands from shell blocks, indented ones too, joining continuation lines", () => {
    const markdown = [
      "1. Step:",
      "",
      "   ```sh",
      "   kubectl -n backup get cronjob \\",
      "     nightly   # the daily one",
      "   ```",
      "",
      "```yaml",
      "kubectl: not a command",
      "```",
    ].join("\n");
    expect(shellLines(codeBlocks(markdown))).toEqual(["kubectl -n backup get cronjob nightly"]);
  });
});

describe.each(STACKS)("commands against the %s stack", (stack) => {
  const config = allStackConfigs().find((c) => c.environment === stack)!;
  let names: PlatformNames;
  beforeAll(async () => {
    // The API's own objects are not in the synth output: the platform monitors its namespace and
    // knows it by the name the stack config gives it (app.name), taken as its Deployment's and Service's name.
    names = platformNames(await stackRun(stack), [config.app.namespace]);
    for (const kind of ["Deployment", "Service"]) names.objects.add(`${kind}/${config.app.namespace}/${config.app.name}`);
  });

  // The hand-written chapters and the generated restore procedure.
  const handbookLines = [...HANDBOOK_PAGES.map((p) => p.file), RESTORE_PAGE.file].flatMap((file) =>
    shellLines(codeBlocks(read(file))).map((line) => [file, line] as const),
  );

  it("the handbook has commands to check", () => {
    expect(handbookLines.filter(([, l]) => l.includes("kubectl")).length).toBeGreaterThan(20);
  });

  it("every kubectl command in the handbook names namespaces and objects the stack has", () => {
    // Objects a page creates itself (a Secret for the restore target) count from there on.
    const created = new Map<string, Set<string>>();
    const problems = handbookLines.flatMap(([file, line]) => {
      const own = created.get(file) ?? new Set<string>();
      const known = { ...names, objects: new Set([...names.objects, ...own]) };
      createdObjects(line).forEach((o) => own.add(o));
      created.set(file, own);
      return kubectlReferences(line).flatMap((ref) => unknownNames(ref, known).map((p) => `${file}: ${p}`));
    });
    expect(problems).toEqual([]);
  });

  it("every amtool and helm command in the handbook addresses a Service and release the stack has", () => {
    const problems = handbookLines.flatMap(([file, line]) => [
      ...amtoolReferences(line).flatMap((ref) => unknownNames(ref, names).map((p) => `${file}: ${p}`)),
      ...helmReleaseReferences(line)
        .filter((ref) => ![...names.helmReleases].some((r) => r === `${ref.namespace}/${ref.release}` || (!ref.namespace && r.endsWith(`/${ref.release}`))))
        .map((ref) => `${file}: helm release ${ref.release} in: ${ref.command}`),
    ]);
    expect(problems).toEqual([]);
  });

  it("every `pulumi stack output` in the handbook reads an output the stack exports", async () => {
    const outputs = Object.keys((await stackRun(stack)).outputs);
    const read = handbookLines.flatMap(([file, line]) =>
      [...line.matchAll(/pulumi stack output ([A-Za-z][A-Za-z0-9]*)/g)].map((m) => [file, m[1]] as const),
    );
    expect(read.length).toBeGreaterThan(0);
    expect(read.filter(([, output]) => !outputs.includes(output))).toEqual([]);
  });

  it("every alert's diagnosis commands name namespaces and objects the stack has", () => {
    const problems = allAlerts(config).flatMap(({ alert }) =>
      alert.commands.flatMap((line) =>
        kubectlReferences(line).flatMap((ref) => unknownNames(ref, names).map((p) => `${alert.name}: ${p}`)),
      ),
    );
    expect(problems).toEqual([]);
  });

  it("the silence procedure port-forwards to the Alertmanager Service of the stack", () => {
    const silence = sectionAt(read("runbooks.md"), "Silence an alert")!;
    const lines = shellLines(codeBlocks(silence));
    expect(lines.some((l) => /amtool .*silence add/.test(l))).toBe(true);
    const forwarded = lines
      .flatMap((l) => kubectlReferences(l))
      .filter((r) => r.kind === "Service" && /alertmanager/.test(r.name ?? ""));
    expect(forwarded.length).toBeGreaterThan(0);
    for (const ref of forwarded) expect(unknownNames(ref, names)).toEqual([]);
  });

  it("pausing backups suspends and resumes every backup CronJob", async () => {
    const cronJobs = k8sObjects(await stackRun(stack), "CronJob").map(
      (r) => (r.inputs.metadata as { name: string; namespace: string }),
    );
    expect(cronJobs.length).toBeGreaterThan(0);
    const pause = shellLines(codeBlocks(sectionAt(read("runbooks.md"), "Pause backups")!));
    for (const { name, namespace } of cronJobs) {
      for (const suspend of [true, false]) {
        expect(pause).toContainEqual(
          `kubectl -n ${namespace} patch cronjob ${name} -p '{"spec":{"suspend":${suspend}}}'`,
        );
      }
    }
  });

  it("the backup chapter lists every CronJob with this stack's schedule", async () => {
    const table = sectionAt(read("backup_recovery.md"), "Schedules")!
      .split("\n")
      .filter((l) => l.startsWith("|"))
      .map((l) => l.split("|").map((c) => c.trim()));
    const column = table[0].indexOf(stack);
    expect(column).toBeGreaterThan(0);
    for (const r of k8sObjects(await stackRun(stack), "CronJob")) {
      const { name } = r.inputs.metadata as { name: string };
      const { schedule } = r.inputs.spec as { schedule: string };
      const row = table.find((cells) => cells[1] === `\`${name}\``);
      expect({ name, cell: row?.[column] }).toEqual({ name, cell: expect.stringContaining(`\`${schedule}\``) });
    }
  });
});
