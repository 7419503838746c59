/**
 * A first `pulumi up` (and `pulumi preview`) on an empty cluster works only if
 * every custom resource depends on the resource that installs its CRD.
 */
import { RecordedResource, stackRun, STACKS } from "../harness/stack";

const bundleOf: [RegExp, RegExp][] = [
  [/^monitoring\.coreos\.com\//, /prometheus-operator/],
  [/\.k8s\.elastic\.co\//, /\/eck\//],
];

function key(r: RecordedResource): string {
  return `${r.type}::${r.name}`;
}

describe.each(STACKS)("CRD ordering in the %s stack", (stack) => {
  it("every custom resource depends, directly or through its dependencies, on its CRD bundle", async () => {
    const run = await stackRun(stack);
    const byKey = new Map(run.resources.map((r) => [key(r), r]));
    const reaches = (from: RecordedResource, target: RegExp): boolean => {
      const seen = new Set<string>();
      const queue = [...from.dependsOn];
      while (queue.length > 0) {
        const k = queue.pop()!;
        if (seen.has(k)) continue;
        seen.add(k);
        const r = byKey.get(k);
        if (!r) continue;
        if (r.type === "kubernetes:yaml/v2:ConfigFile" && target.test(String(r.inputs.file))) return true;
        queue.push(...r.dependsOn);
      }
      return false;
    };
    const customResources = run.resources.filter(
      (r) => r.type.startsWith("kubernetes:") && bundleOf.some(([api]) => api.test(String(r.inputs.apiVersion))),
    );
    expect(customResources.length).toBeGreaterThan(0);
    const missing = customResources
      .filter((r) => !reaches(r, bundleOf.find(([api]) => api.test(String(r.inputs.apiVersion)))![1]))
      .map((r) => `${r.inputs.kind}/${r.name}`);
    expect(missing).toEqual([]);
  });
});
