/**
 * The backup buckets: one per s3 target, each in its own region through an
 * aws.Provider of that region, encrypted with a KMS key of that region,
 * versioned, private, TLS-only, with lifecycle rules and optional Object Lock.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../configs/types";
import { bucketLifecycleRules, objectLockRule, tlsOnlyBucketPolicy } from "./policies";
import { bucketRegions, S3Target, s3Targets } from "./targets";

export interface BackupBucket {
  target: S3Target;
  bucket: aws.s3.Bucket;
}

export interface BackupStorage {
  /** One per bucket region, keyed by region; the primary's region is also used for IAM and ECR. */
  providers: Map<string, aws.Provider>;
  keys: Map<string, aws.kms.Key>;
  buckets: BackupBucket[];
}

export function backupStorage(
  name: string,
  config: StackConfig,
  parent: pulumi.Resource,
  tags: Record<string, string>,
): BackupStorage {
  const providers = new Map<string, aws.Provider>();
  const keys = new Map<string, aws.kms.Key>();
  for (const region of bucketRegions(config)) {
    const provider = new aws.Provider(`${name}-aws-${region}`, { region, defaultTags: { tags } }, { parent });
    providers.set(region, provider);
    keys.set(
      region,
      new aws.kms.Key(
        `${name}-key-${region}`,
        {
          description: `CryoProtect ${config.environment} backups (${region})`,
          enableKeyRotation: true,
          deletionWindowInDays: 30,
        },
        // Deleting the key would make every backup in its region unreadable.
        { parent, provider, protect: true },
      ),
    );
  }
  const buckets = s3Targets(config).map((target) => ({
    target,
    bucket: hardenedBucket(`${name}-${target.name}`, config, target, {
      parent,
      provider: providers.get(target.region)!,
      key: keys.get(target.region)!,
    }),
  }));
  return { providers, keys, buckets };
}

function hardenedBucket(
  name: string,
  config: StackConfig,
  target: S3Target,
  { parent, provider, key }: { parent: pulumi.Resource; provider: aws.Provider; key: aws.kms.Key },
): aws.s3.Bucket {
  const opts = { parent, provider };
  // Object Lock can only be switched on when the bucket is created.
  const bucket = new aws.s3.Bucket(
    name,
    { bucket: target.bucket, objectLockEnabled: target.objectLock },
    { ...opts, protect: true },
  );
  const child = { ...opts, parent: bucket };
  const publicAccess = new aws.s3.BucketPublicAccessBlock(
    `${name}-public-access`,
    {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    child,
  );
  const versioning = new aws.s3.BucketVersioning(
    `${name}-versioning`,
    { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
    child,
  );
  new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-sse`,
    {
      bucket: bucket.id,
      rules: [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn },
          bucketKeyEnabled: true,
        },
      ],
    },
    child,
  );
  // After the public access block, so the policy is never briefly evaluated without it.
  new aws.s3.BucketPolicy(
    `${name}-policy`,
    { bucket: bucket.id, policy: bucket.arn.apply(tlsOnlyBucketPolicy) },
    { ...child, dependsOn: [publicAccess] },
  );
  // Lifecycle rules on noncurrent versions need versioning to be on first.
  new aws.s3.BucketLifecycleConfiguration(
    `${name}-lifecycle`,
    { bucket: bucket.id, rules: bucketLifecycleRules(config) },
    { ...child, dependsOn: [versioning] },
  );
  if (target.objectLock) {
    new aws.s3.BucketObjectLockConfiguration(
      `${name}-object-lock`,
      { bucket: bucket.id, objectLockEnabled: "Enabled", rule: objectLockRule() },
      { ...child, dependsOn: [versioning] },
    );
  }
  return bucket;
}
