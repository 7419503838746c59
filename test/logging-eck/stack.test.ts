/** LoggingStack's ECK resources, as the real program registers them under the mock runtime. */
import { filebeatClusterRoleRules } from "../../components/logging/filebeat";
import { readStackFile } from "../../scripts/lib/mock-runtime";
import { k8sObjects, one, ofType, RecordedResource, runWith, stackRun, StackRun, STACKS } from "../harness/stack";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const ECK_KINDS = ["Elasticsearch", "Kibana", "Logstash", "Beat"];

function key(r: RecordedResource): string {
  return `${r.type}::${r.name}`;
}

function eckCustomResources(run: StackRun): RecordedResource[] {
  return run.resources.filter((r) => r.type.startsWith("kubernetes:") && ECK_KINDS.includes(String(r.inputs.kind)));
}

function eckCrdBundle(run: StackRun): RecordedResource[] {
  return ofType(run, "kubernetes:yaml/v2:ConfigFile").filter((r) => /\/eck\//.test(String(r.inputs.file)));
}

function operatorRelease(run: StackRun): RecordedResource[] {
  return ofType(run, RELEASE).filter((r) => r.inputs.chart === "eck-operator");
}

describe.each(STACKS)("LoggingStack ECK resources in the %s stack", (stack) => {
  it("installs the eck-operator chart 3.5.0 into elastic-system without its CRDs", async () => {
    const run = await stackRun(stack);
    const [release] = operatorRelease(run);
    expect(operatorRelease(run)).toHaveLength(1);
    expect(release.name).toBe(`cryoprotect-${stack}-logging-eck-operator`);
    expect(release.inputs).toMatchObject({
      chart: "eck-operator",
      version: "3.5.0",
      repositoryOpts: { repo: "https://helm.elastic.co" },
      namespace: "elastic-system",
      skipCrds: true,
    });
    expect(release.inputs.values).toMatchObject({ installCRDs: false, managedNamespaces: ["logging"] });
    const namespace = k8sObjects(run, "Namespace", "elastic-system");
    expect(namespace).toHaveLength(1);
    const watched = k8sObjects(run, "Namespace", "logging")[0];
    expect(release.dependsOn).toEqual(
      expect.arrayContaining([key(namespace[0]), key(watched), key(eckCrdBundle(run)[0])]),
    );
  });

  it("registers one of each ECK resource, each depending on the CRD bundle and the operator", async () => {
    const run = await stackRun(stack);
    const resources = eckCustomResources(run);
    expect(resources.map((r) => r.inputs.kind).sort()).toEqual([...ECK_KINDS].sort());
    const bundle = key(eckCrdBundle(run)[0]);
    const operator = key(operatorRelease(run)[0]);
    const namespace = key(k8sObjects(run, "Namespace", "logging")[0]);
    for (const r of resources) {
      expect(r.dependsOn).toEqual(expect.arrayContaining([bundle, operator, namespace]));
      expect(r.parent).toBe(`cryoprotect:logging:LoggingStack::cryoprotect-${stack}-logging`);
      expect((r.inputs.metadata as { namespace: string }).namespace).toBe("logging");
    }
  });

  it("gives Filebeat a service account bound to its cluster role before the Beat starts", async () => {
    const run = await stackRun(stack);
    const [sa] = k8sObjects(run, "ServiceAccount", "cryoprotect-filebeat");
    expect((sa.inputs.metadata as { namespace: string }).namespace).toBe("logging");
    const [role] = k8sObjects(run, "ClusterRole", "cryoprotect-filebeat");
    expect(role.inputs.rules).toEqual(filebeatClusterRoleRules);
    const [binding] = k8sObjects(run, "ClusterRoleBinding", "cryoprotect-filebeat");
    expect(binding.inputs.roleRef).toEqual({
      apiGroup: "rbac.authorization.k8s.io",
      kind: "ClusterRole",
      name: "cryoprotect-filebeat",
    });
    expect(binding.inputs.subjects).toEqual([
      { kind: "ServiceAccount", name: "cryoprotect-filebeat", namespace: "logging" },
    ]);
    const [beat] = k8sObjects(run, "Beat");
    expect(beat.dependsOn).toContain(key(binding));
    expect(binding.dependsOn).toEqual(expect.arrayContaining([key(sa), key(role)]));
  });
});

describe("Kibana exposure", () => {
  it("prod: an ingress with TLS to Kibana, and kibanaUrl is its https address", async () => {
    const run = await stackRun("prod");
    const ingress = one(run, "kubernetes:networking.k8s.io/v1:Ingress", "cryoprotect-prod-logging-kibana-ingress");
    const spec = ingress.inputs.spec as { tls: { hosts: string[]; secretName: string }[] };
    expect(spec.tls).toEqual([{ hosts: ["kibana.cryoprotect.example"], secretName: "kibana-tls" }]);
    expect(run.outputs.kibanaUrl).toBe("https://kibana.cryoprotect.example");
  });

  it("dev: no ingress to Kibana, and kibanaUrl is the in-cluster service", async () => {
    const run = await stackRun("dev");
    const kibanaIngresses = ofType(run, "kubernetes:networking.k8s.io/v1:Ingress").filter((r) =>
      JSON.stringify(r.inputs.spec).includes("cryoprotect-kb-http"),
    );
    expect(kibanaIngresses).toEqual([]);
    expect(run.outputs.kibanaUrl).toBe("https://cryoprotect-kb-http.logging.svc:5601");
  });
});

describe("a cluster that already runs the ECK operator (installOperator: false)", () => {
  let run: StackRun;
  beforeAll(async () => {
    const logging = readStackFile("dev").plain.logging as Record<string, unknown>;
    run = await runWith({ stack: "dev", overrides: { logging: { ...logging, installOperator: false } } });
  });

  it("installs neither the operator nor the ECK CRDs", () => {
    expect(operatorRelease(run)).toEqual([]);
    expect(eckCrdBundle(run)).toEqual([]);
    expect(k8sObjects(run, "Namespace", "elastic-system")).toEqual([]);
  });

  it("still deploys the ECK resources, after the logging namespace", () => {
    const resources = eckCustomResources(run);
    expect(resources).toHaveLength(ECK_KINDS.length);
    const namespace = key(k8sObjects(run, "Namespace", "logging")[0]);
    for (const r of resources) expect(r.dependsOn).toContain(namespace);
  });
});
