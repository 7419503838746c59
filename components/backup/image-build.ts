/**
 * The backup image's build, as pure data: its context (the Dockerfile and script in ./image) and
 * the content-addressed tag of a build. image.ts builds and pushes it.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

/** Build context relative to the project root, where Pulumi runs the program (keeps synth output machine-independent). */
export const IMAGE_CONTEXT = "components/backup/image";
export const IMAGE_CONTEXT_ABSOLUTE = path.join(__dirname, "image");

/**
 * Tag of a build: the PostgreSQL major plus a digest of every file of the
 * build context. The ECR tags are immutable, so a tag must name exactly one
 * build; and an unchanged context keeps its tag, so `pulumi up` pushes nothing.
 */
export function imageTag(contextDir: string, pgMajor: number): string {
  const files = listFiles(contextDir);
  if (!files.includes("Dockerfile")) throw new Error(`No Dockerfile in the backup image context ${contextDir}`);
  const hash = crypto.createHash("sha256");
  for (const rel of files) {
    hash.update(`${rel}\0`);
    hash.update(fs.readFileSync(path.join(contextDir, rel)));
    hash.update("\0");
  }
  return `pg${pgMajor}-${hash.digest("hex").slice(0, 16)}`;
}

function listFiles(dir: string, prefix = ""): string[] {
  return fs
    .readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .flatMap((e) => {
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      return e.isDirectory() ? listFiles(dir, rel) : [rel];
    })
    .sort();
}
