import * as fs from "fs";
import * as path from "path";
import { StackConfig } from "../../configs/types";
import { referencedSecretKeys, validateStackConfig } from "../../configs/validate";
import { PROJECT_ROOT, readStackFile } from "./mock-runtime";

/** Stacks are the Pulumi.<stack>.yaml files next to Pulumi.yaml. */
export function stackNames(root = PROJECT_ROOT): string[] {
  return fs
    .readdirSync(root)
    .map((f) => /^Pulumi\.([a-z0-9-]+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

/**
 * A stack's validated settings, read straight from its stack file, for the
 * pure generators. Secrets are assumed set: they never reach generated files.
 */
export function stackConfig(stack: string, root = PROJECT_ROOT): StackConfig {
  const { plain } = readStackFile(stack, root);
  let secretKeys: string[] = [];
  try {
    secretKeys = referencedSecretKeys(plain as unknown as StackConfig).map((s) => s.key);
  } catch {
    // Invalid settings: validation below lists the problems.
  }
  return validateStackConfig(stack, plain, new Set(secretKeys));
}

export function allStackConfigs(root = PROJECT_ROOT): StackConfig[] {
  return stackNames(root).map((s) => stackConfig(s, root));
}

export function writeFiles(dir: string, files: Record<string, string>): string[] {
  const written: string[] = [];
  for (const [rel, content] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    written.push(rel);
  }
  return written;
}
