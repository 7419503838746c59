/**
 * Calls the pack's policies the way the Pulumi engine does, on a mocked run of the real program:
 * each resource as ResourceValidationArgs (type, name, URN, input properties with secrets
 * unwrapped, as the engine passes them), and the whole stack as StackValidationArgs (every
 * resource with its provider and the stack's outputs), through toPulumiPolicies().
 */
import type {
  PolicyResource as EnginePolicyResource,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import { mockState, projectName, RecordedResource, StackRun } from "../../scripts/lib/mock-runtime";
import { contextOf, PlatformPolicy, PolicyContext, toPulumiPolicies } from "../../policy/framework";

const project = projectName();

export function urnOf(stack: string, type: string, name: string): string {
  return `urn:pulumi:${stack}::${project}::${type}::${name}`;
}

export interface EngineResource {
  type: string;
  name: string;
  urn: string;
  props: Record<string, unknown>;
  provider?: { type: string; name: string; urn: string; props: Record<string, unknown> };
}

/** Every resource of the run as the engine describes it to a policy, the stack (with its outputs) first. */
export function engineResources(run: StackRun): EngineResource[] {
  const byKey = new Map(run.resources.map((r) => [`${r.type}::${r.name}`, r]));
  const providerOf = (r: RecordedResource) => {
    // "<provider urn>::<id>": the URN ends in "::pulumi:providers:<pkg>::<name>".
    const parts = r.provider?.split("::");
    // The type is qualified by the parents' types ("cryoprotect:backup:BackupStack$pulumi:providers:aws").
    const p = parts && parts.length >= 4 ? byKey.get(`${parts[2].split("$").pop()}::${parts[3]}`) : undefined;
    return p ? { type: p.type, name: p.name, urn: urnOf(run.stack, p.type, p.name), props: p.rawInputs } : undefined;
  };
  return [
    {
      type: "pulumi:pulumi:Stack",
      name: `${project}-${run.stack}`,
      urn: urnOf(run.stack, "pulumi:pulumi:Stack", `${project}-${run.stack}`),
      props: run.rawOutputs,
    },
    ...run.resources.map((r) => ({
      type: r.type,
      name: r.name,
      urn: urnOf(run.stack, r.type, r.name),
      props: { id: `${r.name}-id`, ...mockState(r.type, r.name, r.rawInputs) },
      provider: providerOf(r),
    })),
  ];
}

export interface Reported {
  message: string;
  urn?: string;
}

/** Every violation one policy reports over the stack: per resource, or once for the stack. */
export async function evaluate(
  policy: PlatformPolicy,
  resources: EngineResource[],
  contextFor: (urn: string) => PolicyContext = contextOf,
): Promise<Reported[]> {
  const [engine] = toPulumiPolicies([policy], contextFor);
  const reported: Reported[] = [];
  const noOptions = {
    protect: false,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
  };
  if ("validateResource" in engine) {
    for (const r of resources) {
      const validate = (engine as ResourceValidationPolicy).validateResource as (
        a: never,
        report: (m: string) => void,
      ) => unknown;
      await validate(
        { ...r, opts: noOptions, isType: () => false, asType: () => undefined, getConfig: () => ({}) } as never,
        (message: string) => reported.push({ message, urn: r.urn }),
      );
    }
  } else {
    const stackResources = resources.map(
      (r) =>
        ({
          ...r,
          opts: noOptions,
          dependencies: [],
          propertyDependencies: {},
          isType: () => false,
          asType: () => undefined,
        }) as unknown as EnginePolicyResource,
    );
    const validate = (engine as StackValidationPolicy).validateStack as (
      a: never,
      report: (m: string, urn?: string) => void,
    ) => unknown;
    await validate({ resources: stackResources, getConfig: () => ({}) } as never, (message: string, urn?: string) =>
      reported.push({ message, urn }),
    );
  }
  return reported;
}
