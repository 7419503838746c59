/**
 * The backup image: the Dockerfile and script in ./image, built with
 * @pulumi/docker and pushed to an ECR repository of the stack, unless the
 * config names a prebuilt image.
 */
import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { StackConfig } from "../../configs/types";
import { ecrLifecyclePolicy } from "./policies";

/** Build context relative to the project root, where Pulumi runs the program (keeps synth output machine-independent). */
export const IMAGE_CONTEXT = "components/backup/image";
const IMAGE_CONTEXT_ABSOLUTE = path.join(__dirname, "image");

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

/** The image reference the CronJobs run: the configured one, or the digest of our own build. */
export function backupImage(
  name: string,
  config: StackConfig,
  opts: { parent: pulumi.Resource; provider: aws.Provider },
): pulumi.Output<string> {
  if (config.backup.image) return pulumi.output(config.backup.image);
  const repository = new aws.ecr.Repository(
    `${name}-image-repo`,
    {
      name: `cryoprotect-${config.environment}-backup`,
      imageScanningConfiguration: { scanOnPush: true },
      imageTagMutability: "IMMUTABLE",
    },
    opts,
  );
  new aws.ecr.LifecyclePolicy(
    `${name}-image-lifecycle`,
    { repository: repository.name, policy: ecrLifecyclePolicy() },
    { ...opts, parent: repository },
  );
  const auth = aws.ecr.getAuthorizationTokenOutput({ registryId: repository.registryId }, opts);
  const pgMajor = config.backup.database.serverMajorVersion;
  const image = new docker.Image(
    `${name}-image`,
    {
      imageName: pulumi.interpolate`${repository.repositoryUrl}:${imageTag(IMAGE_CONTEXT_ABSOLUTE, pgMajor)}`,
      build: {
        context: IMAGE_CONTEXT,
        dockerfile: `${IMAGE_CONTEXT}/Dockerfile`,
        args: { PG_MAJOR: String(pgMajor) },
        // EKS nodes are amd64; a build on an arm laptop must not push an arm image.
        platform: "linux/amd64",
      },
      registry: {
        server: repository.repositoryUrl,
        username: auth.userName,
        password: pulumi.secret(auth.password),
      },
    },
    { parent: opts.parent },
  );
  return image.repoDigest;
}
