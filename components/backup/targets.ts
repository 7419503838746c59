/** Which repositories the backup writes to, as pure functions of the stack config. */
import { BackupTarget, StackConfig } from "../../configs/types";

export type S3Target = Extract<BackupTarget, { kind: "s3" }>;
export type ResticTarget = Extract<BackupTarget, { kind: "restic" }>;

/** Prefix inside every bucket, so a bucket could later hold other data next to the repository. */
export const REPOSITORY_PREFIX = "cryoprotect";

export function s3Targets(config: StackConfig): S3Target[] {
  return config.backup.targets.filter((t): t is S3Target => t.kind === "s3");
}

export function resticTargets(config: StackConfig): ResticTarget[] {
  return config.backup.targets.filter((t): t is ResticTarget => t.kind === "restic");
}

/** The repository every backup writes to: the one s3 target marked primary. */
export function primaryTarget(config: StackConfig): S3Target {
  // configs/validate.ts guarantees exactly one; this guards callers with hand-made configs.
  const primary = s3Targets(config).find((t) => t.primary);
  if (!primary) throw new Error("backup.targets has no s3 target with primary: true");
  return primary;
}

/** Targets the weekly full run copies snapshots to (`restic copy`), in config order. */
export function secondaryTargets(config: StackConfig): BackupTarget[] {
  return config.backup.targets.filter((t) => t.kind !== "s3" || !t.primary);
}

export function resticRepositoryUrl(target: BackupTarget): string {
  if (target.kind === "restic") return target.repository;
  return `s3:s3.${target.region}.amazonaws.com/${target.bucket}/${REPOSITORY_PREFIX}`;
}

/** Regions that hold a bucket, the primary's first: one KMS key and one aws.Provider each. */
export function bucketRegions(config: StackConfig): string[] {
  return [...new Set([primaryTarget(config).region, ...s3Targets(config).map((t) => t.region)])];
}

/**
 * The credentials of a `kind: restic` target, given as a JSON object of
 * environment variables, as the KEY=VALUE lines the script reads from
 * COPY_CREDENTIALS_DIR/<name>/env. Runs on the secret value inside apply(),
 * so errors name the target, never the content.
 */
export function targetEnvFile(target: string, json: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error(`The credentials secret of backup target "${target}" is not JSON`);
  }
  const entries = parsed && typeof parsed === "object" && !Array.isArray(parsed) ? Object.entries(parsed) : [];
  const valid = ([k, v]: [string, unknown]) =>
    /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) && typeof v === "string" && !/[\r\n]/.test(v);
  if (entries.length === 0 || !entries.every(valid)) {
    throw new Error(
      `The credentials secret of backup target "${target}" must be a non-empty JSON object of environment variable names to one-line strings`,
    );
  }
  return entries.map(([k, v]) => `${k}=${v}\n`).join("");
}
