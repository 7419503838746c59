/**
 * The lint gate enforces the layering (eslint.config.mjs): imports point down only, and a
 * concern reaches another only through component Args or components/shared/platform.ts.
 * Each case lints a probe file at a real path and expects the rule to catch (or allow) it.
 */
import { spawnSync } from "child_process";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");

// ESLint loads eslint.config.mjs with a dynamic import, which Jest's module sandbox refuses:
// the probes are linted by ESLint's own API in a child Node process.
const LINT_PROBES = `
import { ESLint } from "eslint";
const eslint = new ESLint({ cwd: process.cwd() });
const out = [];
for (const [file, specifier] of JSON.parse(process.argv[1])) {
  const code = "import { x } from " + JSON.stringify(specifier) + ";\\nexport const y = x;\\n";
  const [result] = await eslint.lintText(code, { filePath: file });
  out.push(result.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message));
}
console.log(JSON.stringify(out));
`;

function restrictedImports(cases: [string, string][]): string[][] {
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", LINT_PROBES, JSON.stringify(cases)], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 60_000,
  });
  if (result.status !== 0) throw new Error(`eslint probe failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as string[][];
}

const FORBIDDEN: [string, string][] = [
  ["components/backup/probe.ts", "../monitoring/engine"],
  ["components/logging/probe.ts", "../backup/metrics"],
  ["components/monitoring/rules/probe.ts", "../../logging/names"],
  ["components/monitoring/probe.ts", "../catalog"],
  ["components/shared/probe.ts", "../logging/names"],
  ["components/backup/probe.ts", "../../scripts/lib/render"],
  ["components/logging/probe.ts", "../../test/harness/stack"],
  ["configs/probe.ts", "../components/shared/app"],
  ["components/runbooks/probe.ts", "../../scripts/lib/stack-config"],
  ["scripts/probe.ts", "../test/harness/stack"],
  ["scripts/lib/probe.ts", "../../e2e/lib/ports"],
  ["components/shared/probe.ts", "../../policy/rules/aws"],
  ["index.ts", "./policy/policies"],
  ["policy/rules/probe.ts", "../../test/harness/stack"],
];
const ALLOWED: [string, string][] = [
  ["components/backup/probe.ts", "./metrics"],
  ["components/backup/probe.ts", "../shared/platform"],
  ["components/logging/probe.ts", "../../configs/types"],
  ["components/catalog.ts", "./logging/mixin"],
  ["components/runbooks/probe.ts", "../backup/restore-procedure"],
  ["scripts/probe.ts", "../components/artifacts"],
  ["e2e/probe.ts", "../scripts/lib/render"],
  ["policy/rules/probe.ts", "../../components/catalog"],
];

describe("the layering rule", () => {
  const messages = restrictedImports([...FORBIDDEN, ...ALLOWED]);

  it.each(FORBIDDEN.map((c, i) => [...c, messages[i]] as const))("%s may not import %s", (_file, _spec, found) => {
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/may only import layers below it/);
  });

  it.each(ALLOWED.map((c, i) => [...c, messages[FORBIDDEN.length + i]] as const))(
    "%s may import %s",
    (_file, _spec, found) => {
      expect(found).toEqual([]);
    },
  );
});
