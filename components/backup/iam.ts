/** The IAM role the backup pods assume through IRSA; no static access keys exist. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../configs/types";
import { SERVICE_ACCOUNT_NAME } from "./names";
import { backupRolePolicy, irsaTrustPolicy } from "./policies";
import { BackupStorage } from "./storage";

export function backupRole(
  name: string,
  config: StackConfig,
  storage: BackupStorage,
  opts: { parent: pulumi.Resource; provider: aws.Provider },
): aws.iam.Role {
  const role = new aws.iam.Role(
    `${name}-role`,
    {
      description: `restic backups of CryoProtect ${config.environment} (ServiceAccount ${config.namespaces.backup}/${SERVICE_ACCOUNT_NAME})`,
      assumeRolePolicy: irsaTrustPolicy(config),
    },
    opts,
  );
  const bucketArns = pulumi.all(storage.buckets.map((b) => b.bucket.arn));
  const keyArns = pulumi.all([...storage.keys.values()].map((k) => k.arn));
  new aws.iam.RolePolicy(
    `${name}-role-policy`,
    {
      role: role.id,
      policy: pulumi.all([bucketArns, keyArns]).apply(([buckets, keys]) => backupRolePolicy(buckets, keys)),
    },
    { ...opts, parent: role },
  );
  return role;
}
