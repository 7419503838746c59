/**
 * The pod templates inside a Kubernetes object, for the checks that apply to every pod
 * (Pod Security, resources): core workloads and the ECK kinds whose podTemplates the
 * operator turns into pods.
 */
import { PodSpecLike } from "./pod-security";

export interface PodTemplateOf {
  /** `<kind>/<metadata.name>`, the key of the Pod Security exceptions. */
  workload: string;
  /** Where in the object the template is, for messages. */
  path: string;
  spec: PodSpecLike & { containers?: { name: string; resources?: unknown }[] };
}

type Obj = { kind?: string; metadata?: { name?: string }; spec?: Record<string, unknown> };
type Spec = PodTemplateOf["spec"];

const at = (o: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], o);

/** Every pod template of the object (none for kinds without pods). */
export function podTemplatesOf(obj: Obj): PodTemplateOf[] {
  const workload = `${obj.kind}/${obj.metadata?.name}`;
  const found: PodTemplateOf[] = [];
  const add = (path: string, spec: unknown) => {
    if (spec) found.push({ workload, path, spec: spec as Spec });
  };
  switch (obj.kind) {
    case "Pod":
      add("spec", obj.spec);
      break;
    case "Deployment":
    case "StatefulSet":
    case "DaemonSet":
    case "ReplicaSet":
    case "Job":
      add("spec.template.spec", at(obj.spec, "template", "spec"));
      break;
    case "CronJob":
      add("spec.jobTemplate.spec.template.spec", at(obj.spec, "jobTemplate", "spec", "template", "spec"));
      break;
    case "Elasticsearch":
      ((obj.spec?.nodeSets ?? []) as unknown[]).forEach((n, i) =>
        add(`spec.nodeSets[${i}].podTemplate.spec`, at(n, "podTemplate", "spec")),
      );
      break;
    case "Kibana":
    case "Logstash":
      add("spec.podTemplate.spec", at(obj.spec, "podTemplate", "spec"));
      break;
    case "Beat":
      add("spec.daemonSet.podTemplate.spec", at(obj.spec, "daemonSet", "podTemplate", "spec"));
      add("spec.deployment.podTemplate.spec", at(obj.spec, "deployment", "podTemplate", "spec"));
      break;
  }
  return found;
}
