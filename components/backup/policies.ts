/**
 * Bucket, IAM and ECR policy documents of the backup storage, as pure
 * functions of the config and the ARNs they name, so tests can check them
 * without Pulumi.
 */
import { BackupConfig, StackConfig } from "../../configs/types";
import { SERVICE_ACCOUNT_NAME } from "./names";

/** Incomplete multipart uploads (a killed restic run) are cleaned up after this. */
export const ABORT_MULTIPART_DAYS = 2;

/**
 * Default GOVERNANCE retention of every object version in an Object Lock
 * bucket. restic prune and lock-file removal issue plain DELETEs, which on a
 * versioned bucket only add a delete marker and are allowed under Object
 * Lock; the locked version stays recoverable for this long even against
 * someone holding the backup role. Two weekly full/check/drill cycles:
 * long enough for RepositoryCheckFailed or RestoreDrillFailed to notice a
 * tampered repository, short enough that the pruned data it pins costs
 * little. (Lifecycle expiry of a still-locked version simply waits.)
 */
export const OBJECT_LOCK_DAYS = 14;

/** ECR keeps this many images; older ones (never referenced by the CronJobs) expire. */
export const ECR_KEEP_IMAGES = 10;

/**
 * Days the oldest snapshot of the GFS policy can reach: the coarsest tier
 * that keeps anything decides. Noncurrent object versions (what prune and
 * forget leave behind) are kept as long, so the repository as it was at any
 * point within the retention can be rebuilt from the bucket's versions.
 */
export function retentionHorizonDays(retention: BackupConfig["retention"]): number {
  if (retention.yearly > 0) return retention.yearly * 366;
  if (retention.monthly > 0) return retention.monthly * 31;
  if (retention.weekly > 0) return retention.weekly * 7;
  return retention.daily;
}

/** Whole bucket; an explicit empty prefix, since the provider warns on an empty `filter {}`. */
const WHOLE_BUCKET = { prefix: "" };

export function bucketLifecycleRules(config: StackConfig) {
  return [
    {
      id: "expire-noncurrent-versions",
      status: "Enabled",
      filter: WHOLE_BUCKET,
      noncurrentVersionExpiration: { noncurrentDays: retentionHorizonDays(config.backup.retention) },
      // Delete markers whose versions all expired are just clutter.
      expiration: { expiredObjectDeleteMarker: true },
    },
    {
      id: "abort-incomplete-multipart-uploads",
      status: "Enabled",
      filter: WHOLE_BUCKET,
      abortIncompleteMultipartUpload: { daysAfterInitiation: ABORT_MULTIPART_DAYS },
    },
  ];
}

export function objectLockRule() {
  return { defaultRetention: { mode: "GOVERNANCE", days: OBJECT_LOCK_DAYS } };
}

/** Bucket policy: nothing reaches the bucket over plain HTTP. */
export function tlsOnlyBucketPolicy(bucketArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  });
}

/**
 * IRSA trust: only the backup ServiceAccount of this cluster's OIDC provider,
 * and only for tokens minted for STS.
 */
export function irsaTrustPolicy(config: StackConfig): string {
  const issuer = config.cluster.oidcProviderUrl.replace(/^https:\/\//, "");
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: config.cluster.oidcProviderArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${issuer}:sub`]: `system:serviceaccount:${config.namespaces.backup}:${SERVICE_ACCOUNT_NAME}`,
            [`${issuer}:aud`]: "sts.amazonaws.com",
          },
        },
      },
    ],
  });
}

/**
 * What restic needs on its buckets and nothing more. No s3:DeleteObjectVersion
 * and no s3:BypassGovernanceRetention: the role can hide objects behind delete
 * markers but never destroy a version, so a leaked pod token cannot erase
 * the backups.
 */
export function backupRolePolicy(bucketArns: string[], keyArns: string[]): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ListBackupBuckets",
        Effect: "Allow",
        Action: ["s3:ListBucket", "s3:GetBucketLocation"],
        Resource: bucketArns,
      },
      {
        Sid: "ReadWriteRepositoryObjects",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        Resource: bucketArns.map((arn) => `${arn}/*`),
      },
      {
        Sid: "UseBackupKeys",
        Effect: "Allow",
        Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
        Resource: keyArns,
      },
    ],
  });
}

export function ecrLifecyclePolicy(): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `Keep the last ${ECR_KEEP_IMAGES} images`,
        selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: ECR_KEEP_IMAGES },
        action: { type: "expire" },
      },
    ],
  });
}
