/**
 * Committed generated files must equal what `npm run generate` writes now:
 * a definition change without regeneration fails here.
 */
import * as fs from "fs";
import * as path from "path";
import { repoArtifacts } from "../../components/artifacts";
import { PROJECT_ROOT } from "../../scripts/lib/mock-runtime";
import { allStackConfigs } from "../../scripts/lib/stack-config";

const expected = repoArtifacts(allStackConfigs());

function committed(dir: string, keep: (f: string) => boolean): string[] {
  const abs = path.join(PROJECT_ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  return fs
    .readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.relative(PROJECT_ROOT, path.join(d.parentPath, d.name)))
    .filter(keep);
}

describe("committed generated files", () => {
  it.each(Object.keys(expected))("%s is up to date (run `npm run generate`)", (rel) => {
    const file = path.join(PROJECT_ROOT, rel);
    expect(fs.existsSync(file)).toBe(true);
    expect(fs.readFileSync(file, "utf8")).toBe(expected[rel]);
  });

  it("has no generated file left over from a removed definition", () => {
    const onDisk = [...committed("configs/generated", () => true)];
    const stale = onDisk.filter((f) => !(f in expected));
    expect(stale).toEqual([]);
  });
});
