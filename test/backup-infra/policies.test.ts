/** Pure policy documents, target selection, schedules and the image tag. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { StackConfig } from "../../configs/types";
import { imageTag } from "../../components/backup/image-build";
import {
  backupRolePolicy,
  bucketLifecycleRules,
  ecrLifecyclePolicy,
  irsaTrustPolicy,
  OBJECT_LOCK_DAYS,
  retentionHorizonDays,
  tlsOnlyBucketPolicy,
} from "../../components/backup/policies";
import { longestGapSeconds } from "../../components/backup/schedule";
import {
  bucketRegions,
  primaryTarget,
  resticRepositoryUrl,
  secondaryTargets,
  targetEnvFile,
} from "../../components/backup/targets";
import { readStackFile } from "../../scripts/lib/mock-runtime";

const prod = readStackFile("prod").plain as unknown as StackConfig;
const dev = readStackFile("dev").plain as unknown as StackConfig;

describe("retention horizon", () => {
  it.each([
    [{ daily: 7, weekly: 4, monthly: 6, yearly: 2 }, 732],
    [{ daily: 7, weekly: 4, monthly: 6, yearly: 0 }, 186],
    [{ daily: 7, weekly: 4, monthly: 0, yearly: 0 }, 28],
    [{ daily: 7, weekly: 0, monthly: 0, yearly: 0 }, 7],
  ])("%j keeps noncurrent versions %i days", (retention, days) => {
    expect(retentionHorizonDays(retention)).toBe(days);
    const rules = bucketLifecycleRules({ ...dev, backup: { ...dev.backup, retention } });
    expect(rules.find((r) => r.noncurrentVersionExpiration)!.noncurrentVersionExpiration!.noncurrentDays).toBe(days);
  });

  it("keeps the Object Lock default retention below the stacks' horizons", () => {
    for (const c of [dev, prod]) expect(OBJECT_LOCK_DAYS).toBeLessThan(retentionHorizonDays(c.backup.retention));
  });
});

describe("policy documents", () => {
  it("denies every request without TLS on the bucket and its objects", () => {
    const doc = JSON.parse(tlsOnlyBucketPolicy("arn:aws:s3:::b"));
    expect(doc.Statement).toEqual([
      expect.objectContaining({
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      }),
    ]);
  });

  it("accepts an OIDC issuer URL given with its scheme", () => {
    const c = { ...dev, cluster: { ...dev.cluster, oidcProviderUrl: `https://${dev.cluster.oidcProviderUrl}` } };
    const condition = JSON.parse(irsaTrustPolicy(c)).Statement[0].Condition.StringEquals;
    expect(Object.keys(condition).sort()).toEqual([
      `${dev.cluster.oidcProviderUrl}:aud`,
      `${dev.cluster.oidcProviderUrl}:sub`,
    ]);
  });

  it("grants object access only below the given buckets and key use only on the given keys", () => {
    const doc = JSON.parse(backupRolePolicy(["arn:aws:s3:::a", "arn:aws:s3:::b"], ["arn:aws:kms:k1"]));
    const resources = doc.Statement.map((s: { Resource: string[] }) => s.Resource);
    expect(resources).toEqual([
      ["arn:aws:s3:::a", "arn:aws:s3:::b"],
      ["arn:aws:s3:::a/*", "arn:aws:s3:::b/*"],
      ["arn:aws:kms:k1"],
    ]);
  });

  it("expires ECR images beyond a count", () => {
    const rule = JSON.parse(ecrLifecyclePolicy()).rules[0];
    expect(rule.selection).toMatchObject({ tagStatus: "any", countType: "imageCountMoreThan" });
    expect(rule.selection.countNumber).toBeGreaterThan(1);
  });
});

describe("targets", () => {
  it("finds the primary and the secondaries", () => {
    expect(primaryTarget(prod).name).toBe("primary");
    expect(secondaryTargets(prod).map((t) => t.name)).toEqual(["offsite"]);
    expect(secondaryTargets(dev)).toEqual([]);
    expect(bucketRegions(prod)).toEqual(["eu-central-1", "eu-west-1"]);
    expect(bucketRegions(dev)).toEqual(["eu-central-1"]);
  });

  it("refuses a config without a primary s3 target", () => {
    const c = { ...dev, backup: { ...dev.backup, targets: [] } };
    expect(() => primaryTarget(c)).toThrow(/primary/);
  });

  it("uses a restic target's URL as given", () => {
    const target = { name: "b2", kind: "restic" as const, repository: "b2:x:y", credentialsSecret: "k" };
    expect(resticRepositoryUrl(target)).toBe("b2:x:y");
  });

  it("turns a credentials JSON object into KEY=VALUE lines", () => {
    expect(targetEnvFile("b2", '{"B2_ACCOUNT_ID":"a","B2_ACCOUNT_KEY":"b=c"}')).toBe(
      "B2_ACCOUNT_ID=a\nB2_ACCOUNT_KEY=b=c\n",
    );
  });

  it.each(["not json", "[1]", "{}", '{"lower-case":"x"}', '{"A":1}', '{"A":"two\\nlines"}', "null"])(
    "rejects %s without printing it",
    (json) => {
      let message = "";
      try {
        targetEnvFile("b2", json);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(/backup target "b2"/);
      if (json.length > 4) expect(message).not.toContain(json);
    },
  );
});

describe("schedule gaps", () => {
  it("is a day for daily backups with a weekly full, 25 hours on the autumn DST night", () => {
    expect(longestGapSeconds(["0 2 * * 1-6", "0 2 * * 0"], "Etc/UTC")).toBe(24 * 3600);
    expect(longestGapSeconds(["0 2 * * 1-6", "0 2 * * 0"], "Europe/Berlin")).toBe(25 * 3600);
  });

  it("is a week for a weekly drill and two days when a day is skipped", () => {
    expect(longestGapSeconds(["0 5 * * 0"], "Etc/UTC")).toBe(7 * 86400);
    expect(longestGapSeconds(["0 2 * * 1-5"], "Etc/UTC")).toBe(3 * 86400);
  });
});

describe("image tag", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "backup-image-"));
    fs.writeFileSync(path.join(dir, "Dockerfile"), "FROM debian\n");
    fs.mkdirSync(path.join(dir, "lib"));
    fs.writeFileSync(path.join(dir, "lib", "x.sh"), "echo 1\n");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("names the PostgreSQL major and changes with any file of the context", () => {
    const first = imageTag(dir, 15);
    expect(first).toMatch(/^pg15-[0-9a-f]{16}$/);
    expect(imageTag(dir, 15)).toBe(first);
    expect(imageTag(dir, 16)).toBe(first.replace("pg15", "pg16"));
    fs.writeFileSync(path.join(dir, "lib", "x.sh"), "echo 2\n");
    expect(imageTag(dir, 15)).not.toBe(first);
  });

  it("refuses a context without a Dockerfile", () => {
    fs.rmSync(path.join(dir, "Dockerfile"));
    expect(() => imageTag(dir, 15)).toThrow(/No Dockerfile/);
  });
});
