/**
 * The restore procedure as data, with this stack's real names, so the
 * runbooks generator renders `runbooks/restore.md` and the handbook's backup
 * and recovery chapter from the same steps the docs and tests use.
 */
import { StackConfig } from "../../configs/types";
import { CRONJOB_NAMES, SECRET_NAMES, snapshotHost } from "./names";
import { primaryTarget, resticRepositoryUrl, S3Target, s3Targets } from "./targets";

export interface ProcedureStep {
  title: string;
  /** What the step does and why, in plain words. */
  text: string;
  /** Shell commands, in order; copy-pasteable after setting the variables named in `text`. */
  commands: string[];
}

export interface RestoreProcedure {
  title: string;
  summary: string;
  /** What this procedure does not cover. */
  outOfScope: string[];
  /** Restore from inside the cluster, through a one-off Job of the backup image. */
  inCluster: ProcedureStep[];
  /** Restore without the cluster: from a workstation, from the primary or the off-site bucket. */
  disasterRecovery: ProcedureStep[];
}

/** A one-off Job from the daily CronJob (same image, service account, secrets), with a jq edit applied. */
function jobFromCronJob(config: StackConfig, jobName: string, jqArgs: string, jqProgram: string): string {
  const ns = config.namespaces.backup;
  return (
    `kubectl -n ${ns} create job ${jobName} --from=cronjob/${CRONJOB_NAMES.backup} --dry-run=client -o json \\\n` +
    `  | jq ${jqArgs}'${jqProgram}' \\\n` +
    `  | kubectl apply -f -`
  );
}

export function restoreProcedure(config: StackConfig): RestoreProcedure {
  const ns = config.namespaces.backup;
  const host = snapshotHost(config);
  const db = config.backup.database;
  const container = ".spec.template.spec.containers[0]";
  const offsite = s3Targets(config).filter((t) => !t.primary);
  const restoreSources: S3Target[] = [primaryTarget(config), ...offsite];

  const inCluster: ProcedureStep[] = [
    {
      title: "Stop the writers",
      text:
        "A restore replaces the target database's content. When restoring over the live database, first stop the " +
        "application from writing (scale its Deployment to zero, remembering its replica count) and pause the backup " +
        "CronJobs, so no backup of a half-restored database replaces a good snapshot in the retention. Restoring into " +
        "a new database needs neither.",
      commands: [
        `REPLICAS=$(kubectl -n ${config.app.namespace} get deployment ${config.app.name} -o jsonpath='{.spec.replicas}')`,
        `kubectl -n ${config.app.namespace} scale deployment ${config.app.name} --replicas=0`,
        ...Object.values(CRONJOB_NAMES).map(
          (name) => `kubectl -n ${ns} patch cronjob ${name} -p '{"spec":{"suspend":true}}'`,
        ),
      ],
    },
    {
      title: "Choose the snapshot",
      text:
        `List the snapshots of host ${host} in the primary repository. Note the id to restore, or use \`latest\`, ` +
        'or restore "the last snapshot before a time" with `--before` in the next step.',
      commands: [
        jobFromCronJob(
          config,
          "cryoprotect-snapshots-$(date +%s)",
          "",
          `${container}.command = ["restic"] | ${container}.args = ["snapshots", "--host", "${host}", "--tag", "cryoprotect"]`,
        ),
        `kubectl -n ${ns} logs -f job/$(kubectl -n ${ns} get jobs -o name --sort-by=.metadata.creationTimestamp | grep cryoprotect-snapshots- | tail -n 1 | cut -d/ -f2)`,
      ],
    },
    {
      title: "Give the restore the target database's credentials",
      text:
        "Set TARGET_HOST, TARGET_DB and TARGET_USER to the database to restore into; the user must own it or be " +
        `allowed to create it (the backup user ${db.user} only reads). Prefer a new database (e.g. ${db.name}_restored) ` +
        "and switch the application over after checking it. The password goes into a Secret of its own, never into the Job.",
      commands: [
        `read -rs TARGET_PASSWORD && kubectl -n ${ns} create secret generic cryoprotect-restore-target --from-literal=PGPASSWORD="$TARGET_PASSWORD"`,
      ],
    },
    {
      title: "On Supabase or another managed provider",
      text:
        "Restore as the project's database owner (`postgres` on Supabase: not a superuser, but CREATEROLE and " +
        "BYPASSRLS), into the project's database or a new project. `public`, the `extensions` schema and the " +
        "provider's extensions already exist there: the snapshot creates its schemas only if missing " +
        "(`CREATE SCHEMA IF NOT EXISTS`) and its extensions only where absent. Snapshots of a provider database " +
        `are taken with \`backup.schemas\` (here: ${config.backup.schemas ? config.backup.schemas.join(", ") : "the whole database"}); ` +
        "what they leave out (the provider's schemas, publications, extensions outside those schemas) is listed in " +
        "the snapshot's header as `not-carried` lines and must come from the provider. Add `--create-roles` when the " +
        "app's roles are missing (a new project); the owner's CREATEROLE suffices.",
      commands: [
        `restic dump --host ${host} --tag cryoprotect latest /${db.name}.sql | sed -n '1,/^-- cryo-backup header end/p'  # mode, schemas, roles, not-carried`,
      ],
    },
    {
      title: "Run the restore",
      text:
        "The script restores the snapshot in one transaction: nothing in the snapshot can end it, and before COMMIT " +
        "it verifies that every recorded table has its recorded row count and every large object exists. The first " +
        'error rolls everything back: the log says "nothing was committed" and the target is as it was (a database ' +
        "the restore created is dropped again). It refuses a non-empty target (exit status 3) unless `--overwrite` " +
        "is added, which empties the restored schemas (keeping extensions), unlinks the target's large objects and " +
        "drops its publications inside the same transaction. Set BEFORE (e.g. '2026-01-31 18:00+01:00'; " +
        "UTC without an offset) to restore the last snapshot before that time instead. Add `--create-roles` to the " +
        "arguments when the target server lacks roles the dump grants to. Large databases may need a longer " +
        "`.spec.activeDeadlineSeconds`.",
      commands: [
        'SNAPSHOT=latest BEFORE=""  # or SNAPSHOT=<id from the listing>, or BEFORE=<time>',
        jobFromCronJob(
          config,
          "cryoprotect-restore-$(date +%s)",
          '--arg snap "$SNAPSHOT" --arg before "$BEFORE" --arg host "$TARGET_HOST" --arg db "$TARGET_DB" --arg user "$TARGET_USER" ',
          `.spec.backoffLimit = 0 ` +
            `| ${container}.args = ["restore", "--snapshot", $snap] + (if $before == "" then [] else ["--before", $before] end) ` +
            `| ${container}.env |= map(if .name == "PGHOST" then .value = $host ` +
            `elif .name == "PGDATABASE" then .value = $db elif .name == "PGUSER" then .value = $user ` +
            `elif .name == "PGPASSWORD" then .valueFrom.secretKeyRef.name = "cryoprotect-restore-target" else . end)`,
        ),
        `kubectl -n ${ns} logs -f job/$(kubectl -n ${ns} get jobs -o name --sort-by=.metadata.creationTimestamp | grep cryoprotect-restore- | tail -n 1 | cut -d/ -f2)`,
      ],
    },
    {
      title: "Check the result",
      text:
        'The log ends with "restored snapshot <id> into <database>: N tables and M large objects verified" and the ' +
        "Job completes. Any other end is a failed restore that committed nothing, except one that says the connection " +
        "ended after COMMIT was sent: then inspect the target before using it. Compare a few row counts with what the application expects, then point the " +
        "application at the restored database if it is a new one.",
      commands: [
        `kubectl -n ${ns} get jobs --sort-by=.metadata.creationTimestamp`,
        `PGPASSWORD="$TARGET_PASSWORD" psql "host=$TARGET_HOST dbname=$TARGET_DB user=$TARGET_USER sslmode=${db.sslmode}" -c '\\dt+'`,
      ],
    },
    {
      title: "Resume and take a fresh backup",
      text:
        "Start the application again, resume the CronJobs and run a backup by hand, so the restored state is " +
        "itself backed up. Delete the restore Secret.",
      commands: [
        `kubectl -n ${config.app.namespace} scale deployment ${config.app.name} --replicas="$REPLICAS"`,
        ...Object.values(CRONJOB_NAMES).map(
          (name) => `kubectl -n ${ns} patch cronjob ${name} -p '{"spec":{"suspend":false}}'`,
        ),
        `kubectl -n ${ns} create job --from=cronjob/${CRONJOB_NAMES.backup} ${CRONJOB_NAMES.backup}-manual-$(date +%s)`,
        `kubectl -n ${ns} delete secret cryoprotect-restore-target`,
      ],
    },
  ];

  const disasterRecovery: ProcedureStep[] = [
    {
      title: "Get the repository password from Pulumi",
      text:
        `The restic password is a secret output of the ${config.environment} stack (it is also in the Secret ` +
        `${SECRET_NAMES.restic} of namespace ${ns}, if the cluster still exists). Without it no snapshot can be read: ` +
        "keep access to the Pulumi state as carefully as to the buckets.",
      commands: [
        `export RESTIC_PASSWORD="$(pulumi stack output resticPassword --show-secrets --stack ${config.environment})"`,
      ],
    },
    {
      title: "Point restic at a repository",
      text:
        "Use AWS credentials of an administrator (the backup role can only be assumed from the cluster) that may read " +
        "the bucket and decrypt with its region's KMS key. Pick the primary repository, or the off-site one when the " +
        "primary region or bucket is lost.",
      commands: [
        ...restoreSources.map(
          (t) =>
            `export RESTIC_REPOSITORY=${resticRepositoryUrl(t)}  # ${t.primary ? "primary" : "off-site"}, ${t.region}`,
        ),
        `restic snapshots --host ${host} --tag cryoprotect`,
      ],
    },
    {
      title: "Restore with the same script",
      text:
        "From a checkout of this repository, on a machine with restic, jq, curl, setpriv (util-linux) and the " +
        `PostgreSQL ${db.serverMajorVersion} client, or inside the backup image. Set PGHOST, PGPORT, PGDATABASE, ` +
        "PGUSER, PGPASSWORD and PGSSLMODE to the new database server. The same rules apply: one verified " +
        "transaction, the first error rolls it back, a non-empty target is refused without --overwrite.",
      commands: [
        `ENVIRONMENT=${config.environment} components/backup/image/cryo-backup.sh restore --snapshot latest --create-roles`,
      ],
    },
  ];

  return {
    title: `Restore the CryoProtect database (${config.environment})`,
    summary:
      `Every snapshot is a restic snapshot of host ${host} holding a plain SQL dump of ${db.name} and the fingerprint ` +
      "recorded with it (per table rows and checksum, large objects, sequences). The weekly drill restores the latest " +
      "one and compares it automatically; this procedure restores a chosen one into a real database.",
    outOfScope: [
      "Point-in-time recovery inside the database provider (e.g. Supabase PITR): use the provider's console; the " +
        "restic snapshots are daily logical dumps.",
      "Restoring a single table: restore into a new database and copy the table from there.",
    ],
    inCluster,
    disasterRecovery,
  };
}
