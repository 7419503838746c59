/**
 * Offline synth: `npm run synth -- --stack <name> [--out DIR]`.
 * Evaluates the real program under the mock runtime and writes what it would
 * deploy, without a cluster, cloud account or Pulumi CLI.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { stackArtifacts } from "../components/artifacts";
import { ConfigError } from "../configs/validate";
import { runStack } from "./lib/mock-runtime";
import { renderSynth } from "./lib/render";
import { writeFiles } from "./lib/stack-config";
import { StackConfig } from "../configs/types";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { stack: { type: "string" }, out: { type: "string" }, "stack-file": { type: "string" } },
  });
  if (!values.stack) {
    console.error("usage: npm run synth -- --stack <name> [--out DIR] [--stack-file FILE]");
    return 2;
  }
  const out = path.resolve(values.out ?? path.join("out", values.stack));
  let run;
  try {
    run = await runStack({ stack: values.stack, stackFile: values["stack-file"] });
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      return 1;
    }
    throw e;
  }
  fs.rmSync(out, { recursive: true, force: true });
  const files = {
    ...renderSynth(run),
    ...stackArtifacts(run.config as unknown as StackConfig),
  };
  const written = writeFiles(out, files);

  const byType = new Map<string, number>();
  for (const r of run.resources) byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
  console.log(`Stack ${run.stack}: ${run.resources.length} resources`);
  for (const [type, n] of [...byType].sort()) console.log(`  ${String(n).padStart(3)}  ${type}`);
  const byDir = new Map<string, number>();
  for (const f of written) {
    const dir = f.includes("/") ? f.slice(0, f.indexOf("/")) : ".";
    byDir.set(dir, (byDir.get(dir) ?? 0) + 1);
  }
  console.log(`Wrote ${written.length} files to ${path.relative(process.cwd(), out) || "."}:`);
  for (const [dir, n] of [...byDir].sort()) console.log(`  ${String(n).padStart(3)}  ${dir}/`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
