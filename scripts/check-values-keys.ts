/**
 * `npx ts-node --transpile-only scripts/check-values-keys.ts [REFERENCE_DIR]`
 *
 * Helm ignores unknown values keys silently, so a typo turns a setting off
 * without a word. This checks, against the pinned charts' reference
 * values.yaml files (default /work/shared/reference), that
 *   1. every key path the engine's values builders set, for every stack, is
 *      in the committed allowlist (scripts/lib/allowed-value-paths.ts), and
 *   2. every allowlisted path is a key of the chart's values.yaml, or a key the
 *      file documents in a comment (e.g. `# configSecret:`).
 * Run by hand whenever a builder or a chart version changes; the tests check
 * only (1), because they must not read files outside the repository.
 */
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import { engineValuePaths } from "./lib/value-paths";
import { allowedValuePaths, ChartKey } from "./lib/allowed-value-paths";
import { allStackConfigs } from "./lib/stack-config";

/** Paths of every mapping key in a parsed values document. */
function realKeyPaths(doc: unknown, prefix = ""): Set<string> {
  const paths = new Set<string>();
  if (doc && typeof doc === "object" && !Array.isArray(doc)) {
    for (const [k, v] of Object.entries(doc)) {
      const p = prefix ? `${prefix}.${k}` : k;
      paths.add(p);
      realKeyPaths(v, p).forEach((x) => paths.add(x));
    }
  }
  return paths;
}

/**
 * Paths of keys that appear in the text, commented out or not: each `# key:`
 * line is read as if uncommented and placed by its indentation.
 */
function documentedKeyPaths(text: string): Set<string> {
  const paths = new Set<string>();
  const stack: { indent: number; key: string }[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/^(\s*)# ?(?=\s*[A-Za-z_][\w.-]*:(\s|$))/, "$1");
    const m = /^(\s*)([A-Za-z_][\w.-]*):(\s|$)/.exec(line);
    if (!m) continue;
    const indent = m[1].length;
    while (stack.length && stack[stack.length - 1].indent >= indent) stack.pop();
    stack.push({ indent, key: m[2] });
    paths.add(stack.map((s) => s.key).join("."));
  }
  return paths;
}

function main(referenceDir: string): number {
  let problems = 0;
  const report = (msg: string) => {
    problems++;
    console.error(`  ✗ ${msg}`);
  };
  const configs = allStackConfigs();
  for (const [chart, allow] of Object.entries(allowedValuePaths) as [
    ChartKey,
    (typeof allowedValuePaths)[ChartKey],
  ][]) {
    const file = path.join(referenceDir, allow.reference);
    const text = fs.readFileSync(file, "utf8");
    const real = realKeyPaths(yaml.load(text));
    const documented = documentedKeyPaths(text);
    const subchart: readonly string[] = "subchartPaths" in allow ? allow.subchartPaths : [];
    const allowed = new Set<string>([...allow.paths, ...subchart]);
    console.log(`${chart} (${allow.reference})`);
    for (const config of configs) {
      for (const p of engineValuePaths(config)[chart]) {
        if (!allowed.has(p)) report(`${config.environment}: ${p} is set but not in the allowlist`);
      }
    }
    for (const p of allow.paths) {
      if (real.has(p)) console.log(`  ✓ ${p}`);
      else if (documented.has(p)) console.log(`  ✓ ${p} (documented in a comment)`);
      else report(`${p} is not a key of ${allow.reference}`);
    }
    for (const p of subchart) {
      if (real.has(p) || documented.has(p)) report(`${p} is in the reference file: move it to paths`);
      else console.log(`  ~ ${p} (subchart key, not in ${allow.reference}: see docs/monitoring-engine.md)`);
    }
  }
  console.log(problems ? `${problems} problem(s)` : "All value key paths are known to their charts.");
  return problems ? 1 : 0;
}

process.exit(main(process.argv[2] ?? "/work/shared/reference"));
