/**
 * The general AWS rules, from @pulumi/awsguard, configured (not re-implemented): everything
 * mandatory, except the rules that cannot see this program's resources as they are declared.
 * Run beside the platform's own pack: `pulumi preview --policy-pack policy --policy-pack policy/awsguard`.
 */
import { AwsGuard } from "@pulumi/awsguard";

new AwsGuard({
  all: "mandatory",
  // awsguard 0.3 reads the inline `loggings` of aws.s3.Bucket (pre-v6 shape); this program configures buckets
  // through their own resources (components/backup/storage.ts), and access to the backup buckets is audited by
  // CloudTrail data events of the account, not S3 server access logs.
  s3BucketLoggingEnabled: "disabled",
  // Reads IAM access keys through the AWS API at preview time; the program creates no users or keys (IRSA only),
  // which test/backup-infra/stack.test.ts asserts.
  iamAccessKeysRotated: "disabled",
});
