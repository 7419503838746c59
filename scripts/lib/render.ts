import * as yaml from "js-yaml";
import { RecordedResource, StackRun } from "./mock-runtime";

/** Kubernetes objects are registered with these types; everything else is cloud or Pulumi plumbing. */
function isKubernetesObject(r: RecordedResource): boolean {
  return (
    r.type.startsWith("kubernetes:") &&
    !r.type.startsWith("kubernetes:helm.sh/") &&
    !r.type.startsWith("kubernetes:yaml/") &&
    typeof r.inputs.kind === "string"
  );
}

function isHelm(r: RecordedResource): boolean {
  return r.type === "kubernetes:helm.sh/v3:Release" || r.type === "kubernetes:helm.sh/v4:Chart";
}

export function dump(obj: unknown): string {
  return yaml.dump(obj, { lineWidth: 120, noRefs: true, sortKeys: false });
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]/g, "_");
}

/** out/<stack>/manifests, helm and resources.json from one mocked run. */
export function renderSynth(run: StackRun): Record<string, string> {
  const files: Record<string, string> = {};
  for (const r of run.resources) {
    if (isKubernetesObject(r)) {
      const meta = (r.inputs.metadata ?? {}) as { name?: string; namespace?: string };
      const file = `manifests/${safeName(String(r.inputs.kind))}_${safeName(meta.namespace ?? "_cluster")}_${safeName(meta.name ?? r.name)}.yaml`;
      if (files[file]) throw new Error(`Two Kubernetes objects render to ${file}`);
      files[file] = dump(r.inputs);
    } else if (isHelm(r)) {
      const release = String(r.inputs.name ?? r.name);
      files[`helm/${safeName(release)}.values.yaml`] = dump({
        chart: r.inputs.chart,
        version: r.inputs.version,
        repository: (r.inputs.repositoryOpts as { repo?: string } | undefined)?.repo ?? r.inputs.repositoryOpts,
        namespace: r.inputs.namespace,
        values: r.inputs.values ?? {},
      });
    }
  }
  files["resources.json"] =
    JSON.stringify(
      run.resources.map((r) => ({ type: r.type, name: r.name, parent: r.parent ?? null, inputs: r.inputs })),
      null,
      2,
    ) + "\n";
  files["outputs.json"] = JSON.stringify(run.outputs, null, 2) + "\n";
  return files;
}
