/**
 * Every Kubernetes object the program creates, in both stacks, against the upstream schemas: core
 * kinds against the Kubernetes OpenAPI schema with unknown fields as errors, custom resources
 * against their CRDs' schemas (scripts/lib/kubernetes-schema.mjs, in a child process because
 * the validators are ES modules). The ECK kinds' field names are also checked against the
 * CRDs in test/logging-eck/crd-conformance.test.ts.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { StackRun, stackRun, STACKS } from "../harness/stack";

type K8sObject = { apiVersion: string; kind: string; metadata?: { name?: string } } & Record<string, unknown>;
const VALIDATOR = path.join(__dirname, "../../scripts/lib/kubernetes-schema.mjs");

function validate(objects: K8sObject[]): { object: string; problems: string[] }[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8s-schema-"));
  try {
    const file = path.join(dir, "objects.json");
    fs.writeFileSync(file, JSON.stringify(objects));
    return JSON.parse(execFileSync("node", [VALIDATOR, file], { encoding: "utf8", timeout: 120_000 }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function objectsOf(run: StackRun): K8sObject[] {
  return (
    run.resources
      .filter((r) => r.type.startsWith("kubernetes:") && typeof r.inputs.kind === "string")
      // With secret values in place: the schema types them (a whole stringData map may be one secret).
      .map((r) => r.rawInputs as K8sObject)
  );
}

describe.each(STACKS)("Kubernetes objects of the %s stack", (stack) => {
  let objects: K8sObject[];
  beforeAll(async () => {
    objects = objectsOf(await stackRun(stack));
  });

  it("are each valid against their kind's upstream schema, with no unknown field", () => {
    expect(objects.length).toBeGreaterThan(40);
    const results = validate(objects);
    expect(results).toHaveLength(objects.length);
    expect(results.filter((r) => r.problems.length > 0)).toEqual([]);
  });

  it("would fail on a field the API does not have, a wrong type, or a CRD violation", () => {
    const cronJob = structuredClone(objects.find((o) => o.kind === "CronJob")!) as K8sObject & {
      spec: { jobTemplate: { spec: { template: { spec: { containers: Record<string, unknown>[] } } } } };
    };
    const container = cronJob.spec.jobTemplate.spec.template.spec.containers[0];
    container.securityContext = { ...(container.securityContext as object), readOnlyRootFS: true };
    container.imagePullPolicy = 3;
    const rule = structuredClone(objects.find((o) => o.kind === "PrometheusRule")!) as K8sObject & {
      spec: { groups: { rules: Record<string, unknown>[] }[] };
    };
    rule.spec.groups[0].rules[0].for = 300;
    const [job, prometheusRule] = validate([cronJob, rule]);
    expect(job.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/securityContext: unknown field "readOnlyRootFS"/),
        expect.stringMatching(/containers\[0\]\.imagePullPolicy: expected a string/),
      ]),
    );
    expect(prometheusRule.problems).toEqual([expect.stringMatching(/spec\.groups\.0\.rules\.0\.for: must be string/)]);
  });
});
