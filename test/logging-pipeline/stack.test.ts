/** The logging pipeline's resources in both stacks, under Pulumi mocks. */
import * as yaml from "js-yaml";
import { allAlerts } from "../../components/catalog";
import { alertmanagerUrl, charts } from "../../components/shared/platform";
import { pipelineConfigFiles } from "../../components/logging/pipeline-synth-files";
import { setupFiles, setupResourceName } from "../../components/logging/setup-job";
import { stackConfig } from "../../scripts/lib/stack-config";
import { k8sObjects, one, runWith, stackRun, STACKS, StackRun } from "../harness/stack";

const retentionDays = { dev: { app: 7, kubernetes: 3 }, prod: { app: 30, kubernetes: 14 } } as const;

function setupJobOf(run: StackRun) {
  const jobs = k8sObjects(run, "Job").filter((r) =>
    String((r.inputs.metadata as { name: string }).name).startsWith("cryoprotect-logging-setup-"),
  );
  expect(jobs).toHaveLength(1);
  return jobs[0];
}

function configMapData(run: StackRun, name: string): Record<string, string> {
  const [cm] = k8sObjects(run, "ConfigMap", name);
  expect(cm).toBeDefined();
  return cm.inputs.data as Record<string, string>;
}

describe.each(STACKS)("%s stack", (stack) => {
  const config = stackConfig(stack);

  test("the pipeline ConfigMap the Logstash resource mounts holds the generated pipelines", async () => {
    const run = await stackRun(stack);
    const [cm] = k8sObjects(run, "ConfigMap", "cryoprotect-logstash-pipeline");
    expect((cm.inputs.metadata as { namespace: string }).namespace).toBe(config.namespaces.logging);
    expect(cm.inputs.data).toEqual(pipelineConfigFiles(config));
    const [logstash] = run.resources.filter((r) => r.inputs.kind === "Logstash");
    expect(JSON.stringify(logstash.inputs)).toContain('"configMap":{"name":"cryoprotect-logstash-pipeline"}');
  });

  test("the setup Job runs the generated content, named by its hash, in the logging namespace", async () => {
    const run = await stackRun(stack);
    const job = setupJobOf(run);
    const name = (job.inputs.metadata as { name: string }).name;
    expect(name).toBe(setupResourceName(setupFiles(config)));
    expect((job.inputs.metadata as { namespace: string }).namespace).toBe(config.namespaces.logging);
    expect(configMapData(run, name)).toEqual(setupFiles(config));
    expect(job.dependsOn.some((d) => d.endsWith("-elasticsearch"))).toBe(true);
    expect(job.dependsOn.some((d) => d.endsWith("-kibana"))).toBe(true);
  });

  test("ILM phases in the deployed content equal the stack's retention", async () => {
    const data = configMapData(await stackRun(stack), setupJobName(await stackRun(stack)));
    for (const [dataset, key] of [
      ["cryoprotect", "app"],
      ["kubernetes", "kubernetes"],
    ] as const) {
      const policy = JSON.parse(data[`ilm-logs-${dataset}-${stack}.json`]).policy;
      expect(policy.phases.delete.min_age).toBe(`${retentionDays[stack][key]}d`);
      expect(policy.phases.hot.actions.rollover).toEqual({
        max_age: config.logging.retention[key].rolloverMaxAge,
        max_primary_shard_size: config.logging.retention[key].rolloverMaxPrimaryShardSize,
      });
    }
  });

  test("ElastAlert2: pinned chart in the logging namespace, rules posting to the monitoring Alertmanager", async () => {
    const run = await stackRun(stack);
    const release = one(run, "kubernetes:helm.sh/v3:Release", /-elastalert2$/);
    expect(release.inputs).toMatchObject({
      chart: "elastalert2",
      version: charts.elastalert.version,
      namespace: config.namespaces.logging,
      repositoryOpts: { repo: "https://jertel.github.io/elastalert2/" },
    });
    const values = release.inputs.values as { rules: Record<string, string>; nameOverride: string };
    expect(values.nameOverride).toBe("elastalert2");
    const catalog = allAlerts(config);
    for (const [name, text] of Object.entries(values.rules)) {
      const rule = yaml.load(text) as {
        alertmanager_hosts: string[];
        alertmanager_annotations: { runbook_url: string };
      };
      expect(rule.alertmanager_hosts).toEqual([alertmanagerUrl(config)]);
      expect(rule.alertmanager_annotations.runbook_url).toBe(`${config.runbookBaseUrl}/${name}.md`);
      expect(catalog.some((c) => c.alert.name === name && c.alert.source === "elastalert")).toBe(true);
    }
    expect(Object.keys(values.rules).sort()).toEqual(["CriticalLogLine", "ErrorLogSpike", "NewExceptionType"]);
  });
});

function setupJobName(run: StackRun): string {
  return (setupJobOf(run).inputs.metadata as { name: string }).name;
}

test("a retention change makes a new setup Job; dev and prod differ", async () => {
  const devName = setupJobName(await stackRun("dev"));
  expect(setupJobName(await stackRun("prod"))).not.toBe(devName);
  const logging = stackConfig("dev").logging;
  const changed = await runWith({
    stack: "dev",
    overrides: {
      logging: {
        ...logging,
        retention: { ...logging.retention, kubernetes: { ...logging.retention.kubernetes, deleteAfterDays: 5 } },
      },
    },
  });
  const changedName = setupJobName(changed);
  expect(changedName).not.toBe(devName);
  const policy = JSON.parse(configMapData(changed, changedName)["ilm-logs-kubernetes-dev.json"]).policy;
  expect(policy.phases.delete.min_age).toBe("5d");
});
