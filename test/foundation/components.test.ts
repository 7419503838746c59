import { SECRET_MARK } from "../../scripts/lib/mock-runtime";
import { one, ofType, stackRun, STACKS } from "../harness/stack";

describe.each(STACKS)("component structure of the %s stack", (stack) => {
  const components = [
    ["cryoprotect:monitoring:MonitoringStack", `cryoprotect-${stack}-monitoring`],
    ["cryoprotect:logging:LoggingStack", `cryoprotect-${stack}-logging`],
    ["cryoprotect:backup:BackupStack", `cryoprotect-${stack}-backup`],
    ["cryoprotect:tls:Tls", `cryoprotect-${stack}-tls`],
  ] as const;

  it.each(components)("registers %s as %s", async (type, name) => {
    const run = await stackRun(stack);
    expect(one(run, type).name).toBe(name);
  });

  it("names every child from its component and parents it there", async () => {
    const run = await stackRun(stack);
    const componentKeys = new Set(components.map(([t, n]) => `${t}::${n}`));
    const children = run.resources.filter((r) => r.parent && componentKeys.has(r.parent));
    expect(children.length).toBeGreaterThan(3);
    for (const child of children) {
      const parentName = child.parent!.split("::")[1];
      expect(child.name.startsWith(`${parentName}-`)).toBe(true);
    }
  });

  it("leaves no resource outside a component but the provider and the stack", async () => {
    const run = await stackRun(stack);
    const orphans = run.resources.filter((r) => !r.parent).map((r) => r.type);
    const allowed = ["pulumi:pulumi:Stack", "pulumi:providers:kubernetes", ...components.map(([t]) => t)];
    for (const type of orphans) expect(allowed).toContain(type);
  });

  it("deploys through one Kubernetes provider with the stack's kubeconfig context", async () => {
    const run = await stackRun(stack);
    const providers = ofType(run, "pulumi:providers:kubernetes");
    expect(providers).toHaveLength(1);
    const context = (run.config.cluster as { kubeconfigContext?: string }).kubeconfigContext;
    expect(providers[0].inputs.context).toBe(context);
  });

  it("exports the URLs, bucket names and runbook base URL", async () => {
    const run = await stackRun(stack);
    expect(run.outputs.grafanaUrl).toMatch(/^https:\/\//);
    expect(run.outputs.kibanaUrl).toMatch(/^https:\/\//);
    expect(run.outputs.runbookBaseUrl).toBe(run.config.runbookBaseUrl);
    expect(Array.isArray(run.outputs.backupBuckets)).toBe(true);
    expect(run.outputs.backupBuckets).toEqual(
      (run.config.backup as { targets: { kind: string; bucket?: string }[] }).targets
        .filter((t) => t.kind === "s3")
        .map((t) => t.bucket),
    );
  });

  it("exports the restic repository password only as a secret", async () => {
    const run = await stackRun(stack);
    expect(run.secretOutputs).toEqual(["resticPassword"]);
    expect(run.outputs.resticPassword).toBe(SECRET_MARK);
  });

  it("installs every CRD bundle before the custom resources that need it", async () => {
    const run = await stackRun(stack);
    const bundles = ofType(run, "kubernetes:yaml/v2:ConfigFile").map((r) => String(r.inputs.file));
    expect(bundles.some((f) => f.includes("prometheus-operator"))).toBe(true);
    expect(bundles.some((f) => f.includes("/eck/"))).toBe(true);
  });
});
