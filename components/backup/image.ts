/**
 * The backup image: built with @pulumi/docker from the context of image-build.ts and pushed to
 * an ECR repository of the stack, unless the config names a prebuilt image.
 */
import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../configs/types";
import { IMAGE_CONTEXT, IMAGE_CONTEXT_ABSOLUTE, imageTag } from "./image-build";
import { ecrLifecyclePolicy } from "./policies";

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
