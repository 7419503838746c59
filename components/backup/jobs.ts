/**
 * The backup CronJobs as pure functions of the config, the image and the
 * names of the objects they refer to; components/backup/index.ts only hands
 * the results to Pulumi.
 */
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../configs/types";
import { managedByLabels } from "../shared/namespace";
import {
  CRONJOB_NAMES,
  ScheduledMode,
  SECRET_NAMES,
  SERVICE_ACCOUNT_NAME,
  snapshotHost,
  targetSecretName,
} from "./names";
import { primaryTarget, resticRepositoryUrl, resticTargets, secondaryTargets } from "./targets";

export const BACKUP_UID = 10001;
/** The uid of the postgres user in the official postgres images. */
export const POSTGRES_UID = 999;
export const SCRATCH_DIR = "/scratch";
/** The script reads a copy target's credentials from <dir>/<target name>/env (KEY=VALUE lines). */
export const COPY_CREDENTIALS_DIR = "/etc/cryo-backup/copy";
/** The drill's scratch PostgreSQL listens here, inside the pod only. */
export const DRILL_PORT = 5432;

/** Per mode: how long a run may take and how often Kubernetes retries a failed pod. */
export const JOB_LIMITS: Record<ScheduledMode, { activeDeadlineSeconds: number; backoffLimit: number }> = {
  backup: { activeDeadlineSeconds: 2 * 3600, backoffLimit: 2 },
  // backup + check + forget/prune + copy to every secondary target.
  full: { activeDeadlineSeconds: 3 * 3600, backoffLimit: 1 },
  drill: { activeDeadlineSeconds: 3 * 3600, backoffLimit: 1 },
};
/** A run that could not start within an hour of its slot is skipped; BackupTooOld reports the gap. */
export const STARTING_DEADLINE_SECONDS = 3600;
/** Finished Jobs (and their logs) stay 8 days, so last week's full and drill are still there to read. */
export const TTL_SECONDS_AFTER_FINISHED = 8 * 24 * 3600;
export const HISTORY_LIMITS = { successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 3 };
/** restic's cache and temporary files; the dump itself is streamed, never written to disk. */
export const SCRATCH_SIZE_LIMIT = "4Gi";

export function backupLabels(mode?: ScheduledMode): Record<string, string> {
  return {
    ...managedByLabels,
    "app.kubernetes.io/name": "cryoprotect-backup",
    ...(mode ? { "app.kubernetes.io/component": mode } : {}),
  };
}

const restrictedContainer = {
  runAsNonRoot: true,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

export interface EnvVar {
  name: string;
  value?: pulumi.Input<string>;
  valueFrom?: { secretKeyRef: { name: string; key: string } };
}

function secretEnv(name: string, secret: string, key: string): EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: secret, key } } };
}

/** The script's environment (documented in the header of components/backup/image/cryo-backup.sh) for one mode. */
export function backupEnv(config: StackConfig, mode: ScheduledMode, pushgatewayUrl: pulumi.Input<string>): EnvVar[] {
  const { database, retention } = config.backup;
  const copies = secondaryTargets(config);
  const env: EnvVar[] = [
    { name: "ENVIRONMENT", value: config.environment },
    { name: "BACKUP_HOST", value: snapshotHost(config) },
    { name: "PGHOST", value: database.host },
    { name: "PGPORT", value: String(database.port) },
    { name: "PGDATABASE", value: database.name },
    { name: "PGUSER", value: database.user },
    { name: "PGSSLMODE", value: database.sslmode },
    secretEnv("PGPASSWORD", SECRET_NAMES.database, "PGPASSWORD"),
    { name: "RESTIC_REPOSITORY", value: resticRepositoryUrl(primaryTarget(config)) },
    secretEnv("RESTIC_PASSWORD", SECRET_NAMES.restic, "RESTIC_PASSWORD"),
    { name: "RETENTION_DAILY", value: String(retention.daily) },
    { name: "RETENTION_WEEKLY", value: String(retention.weekly) },
    { name: "RETENTION_MONTHLY", value: String(retention.monthly) },
    { name: "RETENTION_YEARLY", value: String(retention.yearly) },
    { name: "CHECK_ROTATION_WEEKS", value: String(config.backup.checkRotationWeeks) },
    ...(config.backup.schemas ? [{ name: "BACKUP_SCHEMAS", value: JSON.stringify(config.backup.schemas) }] : []),
    { name: "COPY_REPOSITORIES", value: copies.map((t) => `${t.name}=${resticRepositoryUrl(t)}`).join(" ") },
    { name: "COPY_CREDENTIALS_DIR", value: COPY_CREDENTIALS_DIR },
    // The repositories live in buckets this stack creates, so a missing one is new, not mistyped
    // (the script only creates them in backup and full mode).
    { name: "RESTIC_INIT_IF_MISSING", value: "true" },
    { name: "PUSHGATEWAY_URL", value: pushgatewayUrl },
    { name: "TMPDIR", value: SCRATCH_DIR },
    { name: "HOME", value: SCRATCH_DIR },
    { name: "RESTIC_CACHE_DIR", value: `${SCRATCH_DIR}/restic-cache` },
  ];
  if (mode === "drill") {
    env.push(
      { name: "DRILL_PGHOST", value: "127.0.0.1" },
      { name: "DRILL_PGPORT", value: String(DRILL_PORT) },
      { name: "DRILL_PGUSER", value: "postgres" },
    );
  }
  return env;
}

/** The throwaway PostgreSQL of the drill: a native sidecar, so the Job completes when the script exits. */
function drillDatabase(config: StackConfig) {
  const major = config.backup.database.serverMajorVersion;
  return {
    name: "postgres",
    image: `postgres:${major}`,
    restartPolicy: "Always",
    // Reachable only from inside the pod; trust auth is therefore limited to the drill itself.
    args: ["-c", "listen_addresses=127.0.0.1", "-c", `port=${DRILL_PORT}`],
    env: [
      { name: "POSTGRES_HOST_AUTH_METHOD", value: "trust" },
      { name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" },
    ],
    startupProbe: {
      exec: { command: ["pg_isready", "-h", "127.0.0.1", "-p", String(DRILL_PORT), "-U", "postgres"] },
      periodSeconds: 2,
      failureThreshold: 60,
    },
    resources: resources(config),
    securityContext: { ...restrictedContainer, runAsUser: POSTGRES_UID, runAsGroup: POSTGRES_UID },
    volumeMounts: [
      { name: "drill-data", mountPath: "/var/lib/postgresql/data" },
      { name: "drill-run", mountPath: "/var/run/postgresql" },
      { name: "drill-tmp", mountPath: "/tmp" },
    ],
  };
}

function resources(config: StackConfig) {
  const { cpu, memory } = config.backup.resources;
  return { requests: { cpu, memory }, limits: { cpu, memory } };
}

export interface CronJobInputs {
  image: pulumi.Input<string>;
  pushgatewayUrl: pulumi.Input<string>;
}

export function backupCronJob(config: StackConfig, mode: ScheduledMode, inputs: CronJobInputs) {
  const labels = backupLabels(mode);
  const targetVolumes = resticTargets(config).map((t) => ({
    name: `target-${t.name}`,
    secret: { secretName: targetSecretName(t.name), defaultMode: 0o440 },
  }));
  const volumes = [
    { name: "scratch", emptyDir: { sizeLimit: SCRATCH_SIZE_LIMIT } },
    ...targetVolumes,
    ...(mode === "drill"
      ? [
          { name: "drill-data", emptyDir: {} },
          { name: "drill-run", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
          { name: "drill-tmp", emptyDir: { sizeLimit: "64Mi" } },
        ]
      : []),
  ];
  return {
    metadata: { name: CRONJOB_NAMES[mode], namespace: config.namespaces.backup, labels },
    spec: {
      schedule: config.backup.schedules[mode],
      timeZone: config.backup.timeZone,
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: STARTING_DEADLINE_SECONDS,
      ...HISTORY_LIMITS,
      jobTemplate: {
        metadata: { labels },
        spec: {
          ...JOB_LIMITS[mode],
          ttlSecondsAfterFinished: TTL_SECONDS_AFTER_FINISHED,
          template: {
            metadata: { labels },
            spec: {
              serviceAccountName: SERVICE_ACCOUNT_NAME,
              // The script never talks to the Kubernetes API; IRSA mounts its own token.
              automountServiceAccountToken: false,
              restartPolicy: "Never",
              securityContext: {
                runAsNonRoot: true,
                runAsUser: BACKUP_UID,
                runAsGroup: BACKUP_UID,
                fsGroup: BACKUP_UID,
                seccompProfile: { type: "RuntimeDefault" },
              },
              ...(mode === "drill" ? { initContainers: [drillDatabase(config)] } : {}),
              containers: [
                {
                  name: "backup",
                  image: inputs.image,
                  args: [mode],
                  env: backupEnv(config, mode, inputs.pushgatewayUrl),
                  resources: resources(config),
                  securityContext: { ...restrictedContainer, runAsUser: BACKUP_UID, runAsGroup: BACKUP_UID },
                  volumeMounts: [
                    { name: "scratch", mountPath: SCRATCH_DIR },
                    ...resticTargets(config).map((t) => ({
                      name: `target-${t.name}`,
                      mountPath: `${COPY_CREDENTIALS_DIR}/${t.name}`,
                      readOnly: true,
                    })),
                  ],
                },
              ],
              volumes,
            },
          },
        },
      },
    },
  };
}

export const SCHEDULED_MODES = Object.keys(CRONJOB_NAMES) as ScheduledMode[];
