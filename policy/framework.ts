/**
 * This platform's policies as data: each has a name, a description that says what to do about a
 * violation, an enforcement level, and a pure check over the resources the engine hands it. The
 * same checks run in the unit tests (test/policy/) and, through toPulumiPolicies(), in
 * `pulumi preview --policy-pack policy`. A check reads the stack's own settings (Pulumi.<stack>.yaml,
 * the stack named in each resource's URN) for what a stack declares: exceptions, targets, routes.
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { StackConfig } from "../configs/types";
import { stackConfig } from "../scripts/lib/stack-config";

/** What a check sees of one resource: the engine's type, name, URN and input properties. */
export interface PolicyResource {
  type: string;
  name: string;
  urn: string;
  props: Record<string, unknown>;
  /** URNs this resource depends on (stack checks only). */
  dependencies?: string[];
  /** The resource's provider, with its settings (e.g. an AWS provider's region); stack checks only. */
  provider?: { name: string; props: Record<string, unknown> };
}

export interface PolicyContext {
  stack: string;
  config: StackConfig;
}

interface PolicyBase {
  name: string;
  description: string;
  enforcementLevel: "mandatory" | "advisory";
}

export interface ResourcePolicy extends PolicyBase {
  /** Resource types the check reads; other resources are not passed to it. */
  appliesTo: (type: string) => boolean;
  validateResource: (resource: PolicyResource, context: PolicyContext) => string[];
}

export interface StackViolation {
  urn?: string;
  message: string;
}

export interface StackPolicy extends PolicyBase {
  validateStack: (resources: PolicyResource[], context: PolicyContext) => StackViolation[];
}

export type PlatformPolicy = ResourcePolicy | StackPolicy;

/** `urn:pulumi:<stack>::<project>::<type>::<name>` -> the stack. */
export function stackOfUrn(urn: string): string {
  const m = /^urn:pulumi:([^:]+)::/.exec(urn);
  if (!m) throw new Error(`not a Pulumi URN: ${urn}`);
  return m[1];
}

const contexts = new Map<string, PolicyContext>();

/** The stack's validated settings, read once per stack. */
export function contextOf(urn: string): PolicyContext {
  const stack = stackOfUrn(urn);
  if (!contexts.has(stack)) contexts.set(stack, { stack, config: stackConfig(stack) });
  return contexts.get(stack)!;
}

/** Whether the stack's `policyExceptions` list excuses this policy on this resource. */
export function excepted(config: StackConfig, policy: string, resourceName: string | undefined): boolean {
  return (config.policyExceptions ?? []).some((e) => e.policy === policy && e.resource === resourceName);
}

/** A URN's resource name (its last segment). */
export function nameOfUrn(urn: string | undefined): string | undefined {
  return urn?.split("::").pop();
}

/** The policies in the shape @pulumi/policy's PolicyPack takes, applying the stack's exceptions. */
export function toPulumiPolicies(
  policies: PlatformPolicy[],
  /** The stack's context from a resource's URN; the tests pass settings of their own. */
  contextFor: (urn: string) => PolicyContext = contextOf,
): (ResourceValidationPolicy | StackValidationPolicy)[] {
  return policies.map((p): ResourceValidationPolicy | StackValidationPolicy => {
    const { name, description, enforcementLevel } = p;
    if ("validateResource" in p) {
      return {
        name,
        description,
        enforcementLevel,
        validateResource: (args, reportViolation) => {
          if (!p.appliesTo(args.type)) return;
          const context = contextFor(args.urn);
          if (excepted(context.config, name, args.name)) return;
          const resource = { type: args.type, name: args.name, urn: args.urn, props: args.props };
          for (const message of p.validateResource(resource, context)) reportViolation(message);
        },
      };
    }
    return {
      name,
      description,
      enforcementLevel,
      validateStack: (args, reportViolation) => {
        if (args.resources.length === 0) return;
        const context = contextFor(args.resources[0].urn);
        const resources: PolicyResource[] = args.resources.map((r) => ({
          type: r.type,
          name: r.name,
          urn: r.urn,
          props: r.props,
          dependencies: r.dependencies.map((d) => d.urn),
          provider: r.provider ? { name: r.provider.name, props: r.provider.props } : undefined,
        }));
        for (const v of p.validateStack(resources, context)) {
          if (!excepted(context.config, name, nameOfUrn(v.urn))) reportViolation(v.message, v.urn);
        }
      },
    };
  });
}
