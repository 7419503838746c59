/**
 * Every AWS and Kubernetes resource of the backup concern, from mocked runs of
 * the real program with each stack's own config (and overrides for the
 * branches the stack files do not take).
 */
import { BackupConfig, StackConfig } from "../../configs/types";
import { referencedSecretKeys } from "../../configs/validate";
import { placeholderSecret, readStackFile, SECRET_MARK } from "../../scripts/lib/mock-runtime";
import { k8sObjects, ofType, one, RecordedResource, runWith, stackRun, STACKS, StackRun } from "../harness/stack";
import { SERVICE_ACCOUNT_NAME } from "../../components/backup/names";
import { backupRoleTrustViolations, bucketHardeningViolations, iamWildcardViolations } from "../../policy/rules/aws";
import { engineResources } from "../policy/engine";

/** The run's resources as the policy rules read them. */
function policyResources(run: StackRun) {
  return engineResources(run);
}

const BUCKET = "aws:s3/bucket:Bucket";

function stackConfig(stack: string): StackConfig {
  return readStackFile(stack).plain as unknown as StackConfig;
}

function s3TargetsOf(stack: string) {
  return stackConfig(stack).backup.targets.flatMap((t) => (t.kind === "s3" ? [t] : []));
}

function bucketResource(run: StackRun, bucketName: string): RecordedResource {
  const found = ofType(run, BUCKET).filter((r) => r.inputs.bucket === bucketName);
  expect(found).toHaveLength(1);
  return found[0];
}

/** Resources of `type` that configure the bucket resource `bucket` (they take its id). */
function configOf(run: StackRun, type: string, bucket: RecordedResource): RecordedResource[] {
  return ofType(run, type).filter((r) => r.inputs.bucket === `${bucket.name}-id`);
}

/** The ARN the mock runtime gives a resource. */
function arnOf(r: RecordedResource): string {
  return `arn:aws:${r.type.split(":")[1]}:::${r.name}`;
}

function providerName(r: RecordedResource): string | undefined {
  // "<urn>::<id>" where the urn ends in "::pulumi:providers:aws::<name>".
  return r.provider?.split("::")[3];
}

function policyOf(r: RecordedResource, key = "policy") {
  return JSON.parse(String(r.rawInputs[key])) as {
    Statement: {
      Sid?: string;
      Effect: string;
      Action: string | string[];
      Resource: string | string[];
      [k: string]: unknown;
    }[];
  };
}

describe.each(STACKS)("backup storage of the %s stack", (stack) => {
  const targets = s3TargetsOf(stack);
  const config = stackConfig(stack);

  it("creates exactly one bucket per s3 target, with the configured names", async () => {
    const run = await stackRun(stack);
    expect(
      ofType(run, BUCKET)
        .map((r) => r.inputs.bucket)
        .sort(),
    ).toEqual(targets.map((t) => t.bucket).sort());
  });

  it.each(targets.map((t) => [t.name, t] as const))(
    "creates bucket %s through an aws provider of its region",
    async (_, target) => {
      const run = await stackRun(stack);
      const bucket = bucketResource(run, target.bucket);
      const provider = one(run, "pulumi:providers:aws", providerName(bucket)!);
      expect(provider.inputs.region).toBe(target.region);
    },
  );

  it("has one aws provider and one rotating KMS key per bucket region", async () => {
    const run = await stackRun(stack);
    const regions = [...new Set(targets.map((t) => t.region))].sort();
    expect(
      ofType(run, "pulumi:providers:aws")
        .map((p) => p.inputs.region)
        .sort(),
    ).toEqual(regions);
    const keys = ofType(run, "aws:kms/key:Key");
    expect(keys).toHaveLength(regions.length);
    for (const key of keys) {
      expect(key.inputs.enableKeyRotation).toBe(true);
      const region = one(run, "pulumi:providers:aws", providerName(key)!).inputs.region;
      expect(key.name.endsWith(`-${region}`)).toBe(true);
    }
  });

  it.each(targets.map((t) => [t.name, t] as const))("hardens bucket %s", async (_, target) => {
    const run = await stackRun(stack);
    const bucket = bucketResource(run, target.bucket);
    const bucketProvider = providerName(bucket);

    // The hardening rules themselves are the policy pack's (one definition): versioning, SSE-KMS, public access, TLS, lifecycle, lock.
    const violations = bucketHardeningViolations(policyResources(run), config).filter((v) =>
      v.message.includes(` ${target.bucket}:`),
    );
    expect(violations).toEqual([]);

    // What only this stack's wiring says: the key of the bucket's own region, retention-derived days, one provider.
    const [versioning] = configOf(run, "aws:s3/bucketVersioning:BucketVersioning", bucket);
    const [sse] = configOf(
      run,
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      bucket,
    );
    const rule = (sse.inputs.rules as Record<string, unknown>[])[0] as {
      applyServerSideEncryptionByDefault: { sseAlgorithm: string; kmsMasterKeyId: string };
      bucketKeyEnabled: boolean;
    };
    expect(rule.bucketKeyEnabled).toBe(true);
    // The key of the bucket's own region (the mock's ARN ends in the key's resource name).
    expect(rule.applyServerSideEncryptionByDefault.kmsMasterKeyId).toMatch(new RegExp(`-key-${target.region}$`));

    const [block] = configOf(run, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", bucket);
    const [policy] = configOf(run, "aws:s3/bucketPolicy:BucketPolicy", bucket);
    const deny = policyOf(policy).Statement.find((s) => s.Effect === "Deny")!;
    expect(deny.Resource).toEqual([arnOf(bucket), `${arnOf(bucket)}/*`]);
    expect(policy.dependsOn).toContain(`${block.type}::${block.name}`);

    const [lifecycle] = configOf(run, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", bucket);
    const rules = lifecycle.inputs.rules as Record<string, { noncurrentDays?: number; daysAfterInitiation?: number }>[];
    const noncurrent = rules.find((r) => r.noncurrentVersionExpiration)!.noncurrentVersionExpiration;
    const { retention } = config.backup;
    expect(noncurrent.noncurrentDays).toBe(retention.yearly * 366);
    const abort = rules.find((r) => r.abortIncompleteMultipartUpload)!.abortIncompleteMultipartUpload;
    expect(abort.daysAfterInitiation).toBeGreaterThanOrEqual(1);
    expect(abort.daysAfterInitiation).toBeLessThanOrEqual(7);
    for (const r of rules) expect(r.filter).toEqual({ prefix: "" });

    const lock = configOf(run, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", bucket);
    expect(bucket.inputs.objectLockEnabled).toBe(target.objectLock);
    if (target.objectLock) {
      const retentionRule = (lock[0].inputs.rule as { defaultRetention: { mode: string; days: number } })
        .defaultRetention;
      expect(retentionRule.mode).toBe("GOVERNANCE");
      expect(retentionRule.days).toBeLessThan(noncurrent.noncurrentDays!);
    } else {
      expect(lock).toHaveLength(0);
    }

    for (const r of [versioning, sse, block, policy, lifecycle, ...lock]) expect(providerName(r)).toBe(bucketProvider);
  });
});

describe("off-site bucket", () => {
  it("exists in prod only, in another region than the cluster, through a second provider", async () => {
    const prod = await stackRun("prod");
    const dev = await stackRun("dev");
    const offsite = s3TargetsOf("prod").find((t) => !t.primary)!;
    expect(offsite.region).not.toBe(stackConfig("prod").cluster.region);
    expect(one(prod, "pulumi:providers:aws", /eu-west-1$/).inputs.region).toBe(offsite.region);
    expect(ofType(prod, "pulumi:providers:aws")).toHaveLength(2);
    expect(ofType(dev, "pulumi:providers:aws")).toHaveLength(1);
    expect(ofType(dev, "pulumi:providers:aws")[0].inputs.region).toBe(stackConfig("dev").cluster.region);
  });
});

describe.each(STACKS)("backup IAM of the %s stack", (stack) => {
  const config = stackConfig(stack);

  it("trusts only the backup ServiceAccount through the cluster's OIDC provider", async () => {
    const run = await stackRun(stack);
    const role = one(run, "aws:iam/role:Role", `cryoprotect-${stack}-backup-role`);
    expect(backupRoleTrustViolations(role.rawInputs.assumeRolePolicy, config, SERVICE_ACCOUNT_NAME)).toEqual([]);
  });

  it("limits the role policy to the backup buckets and keys, without version deletion", async () => {
    const run = await stackRun(stack);
    const policy = one(run, "aws:iam/rolePolicy:RolePolicy");
    expect(policy.inputs.role).toBe(`cryoprotect-${stack}-backup-role-id`);
    const bucketArns = ofType(run, BUCKET).map(arnOf).sort();
    const keyArns = ofType(run, "aws:kms/key:Key").map(arnOf).sort();
    const statements = policyOf(policy).Statement;
    const resources = (s: (typeof statements)[number]) => [s.Resource].flat().sort();
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(statements.every((s) => s.Effect === "Allow")).toBe(true);
    expect(iamWildcardViolations(policy.rawInputs.policy)).toEqual([]);
    for (const s of statements) {
      const res = resources(s);
      expect(res).not.toContain("*");
      const onlyBuckets = JSON.stringify(res) === JSON.stringify(bucketArns);
      const onlyObjects = JSON.stringify(res) === JSON.stringify(bucketArns.map((a) => `${a}/*`));
      const onlyKeys = JSON.stringify(res) === JSON.stringify(keyArns);
      expect(onlyBuckets || onlyObjects || onlyKeys).toBe(true);
    }
    expect(actions).toEqual(expect.arrayContaining(["s3:GetObject", "s3:PutObject", "s3:ListBucket", "kms:Decrypt"]));
    for (const forbidden of ["s3:*", "s3:DeleteObjectVersion", "s3:BypassGovernanceRetention", "kms:*"]) {
      expect(actions).not.toContain(forbidden);
    }
  });

  it("creates no static access keys", async () => {
    const run = await stackRun(stack);
    expect(run.resources.filter((r) => /aws:iam\/(accessKey|user)/.test(r.type))).toHaveLength(0);
  });
});

describe.each(STACKS)("backup Kubernetes objects of the %s stack", (stack) => {
  const config = stackConfig(stack);
  const ns = config.namespaces.backup;

  it("annotates the ServiceAccount with the role's ARN", async () => {
    const run = await stackRun(stack);
    const [sa] = k8sObjects(run, "ServiceAccount", "cryoprotect-backup");
    const meta = sa.inputs.metadata as { namespace: string; annotations: Record<string, string> };
    expect(meta.namespace).toBe(ns);
    expect(meta.annotations["eks.amazonaws.com/role-arn"]).toBe(arnOf(one(run, "aws:iam/role:Role")));
  });

  it("keeps the repository and database passwords secret, in Secrets", async () => {
    const run = await stackRun(stack);
    const password = one(run, "random:index/randomPassword:RandomPassword", /-backup-restic-password$/);
    expect(password.inputs.length).toBe(48);
    const [restic] = k8sObjects(run, "Secret", "cryoprotect-backup-restic");
    expect(restic.inputs.stringData).toBe(SECRET_MARK);
    expect(restic.rawInputs.stringData).toEqual({ RESTIC_PASSWORD: `random-${password.name}` });
    const [db] = k8sObjects(run, "Secret", "cryoprotect-backup-db");
    expect(db.inputs.stringData).toBe(SECRET_MARK);
    expect(db.rawInputs.stringData).toEqual({
      PGPASSWORD: run.secretValues[config.backup.database.passwordSecret],
    });
    const clear = JSON.stringify(run.resources.filter((r) => r !== restic).map((r) => r.inputs));
    expect(clear).not.toContain(`random-${password.name}`);
  });

  it("exports the bucket names, and the repository password only as a secret", async () => {
    const run = await stackRun(stack);
    expect(run.outputs.backupBuckets).toEqual(s3TargetsOf(stack).map((t) => t.bucket));
    expect(run.secretOutputs).toContain("resticPassword");
    expect(run.outputs.resticPassword).toBe(SECRET_MARK);
  });

  it.each([
    ["cryoprotect-backup-daily", "backup"],
    ["cryoprotect-backup-weekly-full", "full"],
    ["cryoprotect-restore-drill", "drill"],
  ] as const)("runs %s on the stack's schedule and time zone", async (name, mode) => {
    const run = await stackRun(stack);
    const [cronJob] = k8sObjects(run, "CronJob", name);
    const spec = cronJob.inputs.spec as Record<string, unknown>;
    expect((cronJob.inputs.metadata as { namespace: string }).namespace).toBe(ns);
    expect(spec.schedule).toBe(config.backup.schedules[mode]);
    expect(spec.timeZone).toBe(config.backup.timeZone);
    expect(spec.concurrencyPolicy).toBe("Forbid");
    const pod = (spec.jobTemplate as { spec: { template: { spec: Record<string, unknown> } } }).spec.template.spec;
    expect(pod.serviceAccountName).toBe("cryoprotect-backup");
    const [container] = pod.containers as { image: string; args: string[]; resources: unknown; env: unknown[] }[];
    expect(container.args).toEqual([mode]);
    expect(container.resources).toEqual({ requests: config.backup.resources, limits: config.backup.resources });
    // Built here: the image is pinned by digest, in the stack's ECR repository.
    expect(container.image).toMatch(
      new RegExp(`/cryoprotect-${stack}-backup-image-repo:pg${config.backup.database.serverMajorVersion}-.*@sha256:`),
    );
    expect(JSON.stringify(container.env)).toContain(`"name":"RESTIC_REPOSITORY","value":"s3:s3.`);
    // The monitoring stack's Pushgateway, in its namespace.
    const pushgateway = (container.env as { name: string; value?: string }[]).find((e) => e.name === "PUSHGATEWAY_URL");
    expect(pushgateway?.value).toMatch(new RegExp(`^http://[a-z-]+\\.${config.namespaces.monitoring}\\.svc:9091$`));
  });
});

describe("prebuilt image and extra restic targets (overrides)", () => {
  const base = stackConfig("prod");
  const backup: BackupConfig = {
    ...base.backup,
    image: "registry.example.com/cryoprotect/backup:1.2.3",
    targets: [
      ...base.backup.targets,
      { name: "b2", kind: "restic", repository: "b2:cryo-backups:prod", credentialsSecret: "b2Credentials" },
    ],
  };
  const credentials = JSON.stringify({ B2_ACCOUNT_ID: "id-1", B2_ACCOUNT_KEY: "K3Y-never-in-clear" });
  let run: StackRun;

  beforeAll(async () => {
    const plain = { ...readStackFile("prod").plain, backup } as unknown as StackConfig;
    const secrets = Object.fromEntries(referencedSecretKeys(plain).map(({ key }) => [key, placeholderSecret(key)]));
    run = await runWith({ stack: "prod", overrides: { backup }, secrets: { ...secrets, b2Credentials: credentials } });
  });

  it("builds and pushes nothing when an image is configured, and runs that image", async () => {
    expect(ofType(run, "aws:ecr/repository:Repository")).toHaveLength(0);
    expect(ofType(run, "docker:index/image:Image")).toHaveLength(0);
    for (const cronJob of k8sObjects(run, "CronJob")) {
      expect(JSON.stringify(cronJob.inputs)).toContain(`"image":"${backup.image}"`);
    }
  });

  it("keeps a restic target's credentials in its own Secret, secret, and mounts it in the jobs", async () => {
    const [secret] = k8sObjects(run, "Secret", "cryoprotect-backup-target-b2");
    expect(secret.inputs.stringData).toBe(SECRET_MARK);
    expect(secret.rawInputs.stringData).toEqual({ env: "B2_ACCOUNT_ID=id-1\nB2_ACCOUNT_KEY=K3Y-never-in-clear\n" });
    const clear = JSON.stringify(run.resources.map((r) => r.inputs));
    expect(clear).not.toContain("K3Y-never-in-clear");
    const [full] = k8sObjects(run, "CronJob", "cryoprotect-backup-weekly-full");
    expect(JSON.stringify(full.inputs)).toContain('"secretName":"cryoprotect-backup-target-b2"');
    const env = JSON.stringify(full.inputs);
    expect(env).toContain(
      "offsite=s3:s3.eu-west-1.amazonaws.com/cryoprotect-prod-backups-offsite/cryoprotect b2=b2:cryo-backups:prod",
    );
    expect(env).toContain('"mountPath":"/etc/cryo-backup/copy/b2"');
  });

  it("still limits IAM to the s3 buckets", async () => {
    const policy = one(run, "aws:iam/rolePolicy:RolePolicy");
    expect(String(policy.rawInputs.policy)).not.toContain("b2");
  });
});

describe("stack without a prebuilt image", () => {
  it.each(STACKS)(
    "%s: one scanned, immutable ECR repository with a lifecycle policy and one image build",
    async (stack) => {
      const run = await stackRun(stack);
      const repo = one(run, "aws:ecr/repository:Repository");
      expect(repo.inputs.imageScanningConfiguration).toEqual({ scanOnPush: true });
      expect(repo.inputs.imageTagMutability).toBe("IMMUTABLE");
      const lifecycle = one(run, "aws:ecr/lifecyclePolicy:LifecyclePolicy");
      const rule = JSON.parse(String(lifecycle.inputs.policy)).rules[0];
      expect(rule.selection.countType).toBe("imageCountMoreThan");
      expect(rule.action.type).toBe("expire");
      const image = one(run, "docker:index/image:Image");
      const build = image.inputs.build as { args: Record<string, string>; context: string; dockerfile: string };
      expect(build.args.PG_MAJOR).toBe(String(stackConfig(stack).backup.database.serverMajorVersion));
      expect(build.dockerfile).toBe("components/backup/image/Dockerfile");
      // The ECR token makes the whole registry block secret.
      expect(image.inputs.registry).toBe(SECRET_MARK);
      const registry = image.rawInputs.registry as Record<string, unknown>;
      expect(registry.server).toBe(String(image.inputs.imageName).split(":")[0]);
      expect(registry.username).toBe("AWS");
    },
  );
});
