/** Kubernetes and Grafana names of the backup concern, shared by resources, alerts, runbooks and docs. */
import { StackConfig } from "../../configs/types";
import { BackupMode } from "./metrics";

export const SERVICE_ACCOUNT_NAME = "cryoprotect-backup";

/** The scheduled script modes and the CronJob that runs each. */
export const CRONJOB_NAMES = {
  backup: "cryoprotect-backup-daily",
  full: "cryoprotect-backup-weekly-full",
  drill: "cryoprotect-restore-drill",
} as const satisfies Partial<Record<BackupMode, string>>;

export type ScheduledMode = keyof typeof CRONJOB_NAMES;

export const SECRET_NAMES = {
  /** RESTIC_PASSWORD: the repository password of every target. */
  restic: "cryoprotect-backup-restic",
  /** PGPASSWORD of the backup database user. */
  database: "cryoprotect-backup-db",
} as const;

/** Secret with the environment variables restic needs for one `kind: restic` target. */
export function targetSecretName(targetName: string): string {
  return `cryoprotect-backup-target-${targetName}`;
}

export const BACKUP_DASHBOARD_UID = "cryoprotect-backups";

/**
 * The restic host every snapshot of the stack is taken as (BACKUP_HOST):
 * retention and `latest` group snapshots by it, so it must never change.
 */
export function snapshotHost(config: StackConfig): string {
  return `cryoprotect-${config.environment}`;
}
