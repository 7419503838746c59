/**
 * Test helpers over a mocked run of the real program: find resources by type
 * and name, and keep runs cached per stack (one run costs about a second).
 */
import { RecordedResource, runStack, RunOptions, StackRun } from "../../scripts/lib/mock-runtime";

export type { RecordedResource, StackRun };
export { runStack };

const cache = new Map<string, Promise<StackRun>>();

/** The stack as its stack file says, run once per test file. */
export function stackRun(stack: string): Promise<StackRun> {
  if (!cache.has(stack)) cache.set(stack, runStack({ stack }));
  return cache.get(stack)!;
}

export function runWith(options: RunOptions): Promise<StackRun> {
  return runStack(options);
}

export function ofType(run: StackRun, type: string): RecordedResource[] {
  return run.resources.filter((r) => r.type === type);
}

export function one(run: StackRun, type: string, name?: string | RegExp): RecordedResource {
  const found = ofType(run, type).filter(
    (r) => name === undefined || (typeof name === "string" ? r.name === name : name.test(r.name)),
  );
  if (found.length !== 1) {
    throw new Error(
      `expected one ${type} ${name ?? ""}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`,
    );
  }
  return found[0];
}

/** Kubernetes objects by kind (and optionally metadata.name). */
export function k8sObjects(run: StackRun, kind: string, name?: string): RecordedResource[] {
  return run.resources.filter(
    (r) =>
      r.type.startsWith("kubernetes:") &&
      r.inputs.kind === kind &&
      (name === undefined || (r.inputs.metadata as { name?: string } | undefined)?.name === name),
  );
}

export const STACKS = ["dev", "prod"] as const;
