/**
 * AWS rules of the backup storage: what every backup bucket and the IAM that reaches it must be.
 * Pure functions over the stack's resources; the policy pack and the unit tests both call them.
 */
import { StackConfig } from "../../configs/types";
import { PolicyResource, StackViolation } from "../framework";

export const TYPES = {
  bucket: "aws:s3/bucket:Bucket",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  objectLock: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
  kmsKey: "aws:kms/key:Key",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  policy: "aws:iam/policy:Policy",
} as const;

interface Statement {
  Effect: string;
  Action?: string | string[];
  Resource?: string | string[];
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

export function statementsOf(document: unknown): Statement[] {
  const doc = typeof document === "string" ? (JSON.parse(document) as { Statement?: unknown }) : document;
  const statements = (doc as { Statement?: Statement | Statement[] } | undefined)?.Statement ?? [];
  return [statements].flat();
}

const list = (v: string | string[] | undefined) => [v ?? []].flat();

/** The resources of `type` that configure `bucket` (they take its id, which is its name). */
function configOf(resources: PolicyResource[], type: string, bucket: PolicyResource): PolicyResource[] {
  const ids: unknown[] = [bucket.props.id, bucket.props.bucket].filter((x) => x !== undefined);
  return resources.filter((r) => r.type === type && ids.includes(r.props.bucket));
}

/** Every way a backup bucket falls short of versioned, KMS-encrypted, private, TLS-only, expiring and (where asked) locked. */
export function bucketHardeningViolations(resources: PolicyResource[], config: StackConfig): StackViolation[] {
  const keys = resources
    .filter((r) => r.type === TYPES.kmsKey)
    .flatMap((k) => [k.props.arn, k.props.keyId, k.props.id]);
  const found: StackViolation[] = [];
  for (const bucket of resources.filter((r) => r.type === TYPES.bucket)) {
    const name = String(bucket.props.bucket ?? bucket.name);
    const fail = (message: string) => found.push({ urn: bucket.urn, message: `bucket ${name}: ${message}` });
    const of = (type: string) => configOf(resources, type, bucket);

    const versioning = of(TYPES.versioning)[0]?.props.versioningConfiguration as { status?: string } | undefined;
    if (versioning?.status !== "Enabled")
      fail("versioning is not Enabled (add a BucketVersioning with status Enabled)");

    const rules = (of(TYPES.encryption)[0]?.props.rules ?? []) as {
      applyServerSideEncryptionByDefault?: { sseAlgorithm?: string; kmsMasterKeyId?: string };
    }[];
    const sse = rules[0]?.applyServerSideEncryptionByDefault;
    if (sse?.sseAlgorithm !== "aws:kms" || !keys.includes(sse.kmsMasterKeyId)) {
      fail("default encryption is not SSE-KMS with a customer key of this stack (aws:kms with the stack's KMS key)");
    }

    const block = of(TYPES.publicAccessBlock)[0]?.props ?? {};
    const open = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].filter(
      (flag) => block[flag] !== true,
    );
    if (open.length) fail(`public access is not fully blocked (${open.join(", ")} not true)`);

    const tlsOnly = of(TYPES.bucketPolicy).some((p) =>
      statementsOf(p.props.policy).some(
        (s) =>
          s.Effect === "Deny" &&
          list(s.Action).includes("s3:*") &&
          (s.Condition?.Bool as Record<string, unknown> | undefined)?.["aws:SecureTransport"] === "false",
      ),
    );
    if (!tlsOnly) fail("no bucket policy denies requests without TLS (Deny s3:* when aws:SecureTransport is false)");

    const lifecycle = (of(TYPES.lifecycle)[0]?.props.rules ?? []) as {
      status?: string;
      noncurrentVersionExpiration?: { noncurrentDays?: number };
    }[];
    if (!lifecycle.some((r) => r.status === "Enabled" && r.noncurrentVersionExpiration?.noncurrentDays)) {
      fail("no enabled lifecycle rule expires noncurrent versions");
    }

    const target = config.backup.targets.find((t) => t.kind === "s3" && t.bucket === name);
    if (target?.kind === "s3" && target.objectLock) {
      const lock = of(TYPES.objectLock)[0]?.props.rule as { defaultRetention?: { days?: number } } | undefined;
      if (bucket.props.objectLockEnabled !== true || !lock?.defaultRetention?.days) {
        fail("the stack config asks for Object Lock (objectLock: true), but the bucket has no default retention");
      }
    }
  }
  return found;
}

const WILDCARD_ACTIONS = /^(\*|s3:\*|kms:\*)$/;

/** IAM policy statements with wildcard actions, or wildcard resources for S3 or KMS actions. */
export function iamWildcardViolations(document: unknown): string[] {
  return statementsOf(document).flatMap((s, i) => {
    if (s.Effect !== "Allow") return [];
    const actions = list(s.Action);
    const problems: string[] = [];
    const wild = actions.filter((a) => WILDCARD_ACTIONS.test(a));
    if (wild.length) problems.push(`statement ${i} allows the wildcard action ${wild.join(", ")}: list the actions`);
    const touchesStorage = actions.some((a) => /^(s3|kms):|^\*$/.test(a));
    if (touchesStorage && list(s.Resource).includes("*")) {
      problems.push(`statement ${i} allows S3 or KMS actions on Resource "*": name the buckets and keys`);
    }
    return problems;
  });
}

/** The trust policy of a role that only the backup ServiceAccount may assume, through the stack's OIDC provider. */
export function backupRoleTrustViolations(
  assumeRolePolicy: unknown,
  config: StackConfig,
  serviceAccount: string,
): string[] {
  const statements = statementsOf(assumeRolePolicy);
  const issuer = config.cluster.oidcProviderUrl;
  const expected = {
    [`${issuer}:sub`]: `system:serviceaccount:${config.namespaces.backup}:${serviceAccount}`,
    [`${issuer}:aud`]: "sts.amazonaws.com",
  };
  const ok =
    statements.length === 1 &&
    statements[0].Effect === "Allow" &&
    JSON.stringify(list(statements[0].Action)) === JSON.stringify(["sts:AssumeRoleWithWebIdentity"]) &&
    JSON.stringify(statements[0].Principal) === JSON.stringify({ Federated: config.cluster.oidcProviderArn }) &&
    JSON.stringify(statements[0].Condition) === JSON.stringify({ StringEquals: expected });
  return ok
    ? []
    : [
        `the role must trust only system:serviceaccount:${config.namespaces.backup}:${serviceAccount} through ` +
          `${config.cluster.oidcProviderArn} (one AssumeRoleWithWebIdentity statement, StringEquals on sub and aud)`,
      ];
}
