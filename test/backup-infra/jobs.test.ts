/** The CronJob builders, as pure functions of each stack's config. */
import * as fs from "fs";
import * as path from "path";
import { StackConfig } from "../../configs/types";
import {
  backupCronJob,
  BACKUP_UID,
  backupEnv,
  COPY_CREDENTIALS_DIR,
  JOB_LIMITS,
  SCHEDULED_MODES,
  TTL_SECONDS_AFTER_FINISHED,
} from "../../components/backup/jobs";
import { PROJECT_ROOT, readStackFile } from "../../scripts/lib/mock-runtime";
import { STACKS } from "../harness/stack";

const config = (stack: string) => readStackFile(stack).plain as unknown as StackConfig;
const inputs = { image: "registry.example/backup@sha256:abc", pushgatewayUrl: "http://pgw.monitoring.svc:9091" };

type Container = {
  name: string;
  image: string;
  args?: string[];
  restartPolicy?: string;
  env: { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[];
  resources: unknown;
  securityContext: Record<string, unknown>;
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
  startupProbe?: unknown;
};

function podOf(job: ReturnType<typeof backupCronJob>) {
  return job.spec.jobTemplate.spec.template.spec as unknown as {
    containers: Container[];
    initContainers?: Container[];
    volumes: { name: string; emptyDir?: { sizeLimit?: string; medium?: string }; secret?: { secretName: string } }[];
    securityContext: Record<string, unknown>;
    restartPolicy: string;
    automountServiceAccountToken: boolean;
  };
}

function envMap(c: Container): Record<string, string | undefined> {
  return Object.fromEntries(
    c.env.map((e) => [e.name, e.value ?? `secret:${e.valueFrom!.secretKeyRef.name}/${e.valueFrom!.secretKeyRef.key}`]),
  );
}

describe.each(STACKS)("backup CronJobs of the %s stack", (stack) => {
  const c = config(stack);

  it.each(SCHEDULED_MODES)("%s: schedule, time zone, concurrency, deadlines and history", (mode) => {
    const job = backupCronJob(c, mode, inputs);
    expect(job.metadata.namespace).toBe(c.namespaces.backup);
    expect(job.spec.schedule).toBe(c.backup.schedules[mode]);
    expect(job.spec.timeZone).toBe(c.backup.timeZone);
    expect(job.spec.concurrencyPolicy).toBe("Forbid");
    expect(job.spec.startingDeadlineSeconds).toBeGreaterThan(0);
    expect(job.spec.successfulJobsHistoryLimit).toBeGreaterThan(0);
    expect(job.spec.failedJobsHistoryLimit).toBeGreaterThan(0);
    const jobSpec = job.spec.jobTemplate.spec;
    expect(jobSpec.backoffLimit).toBe(JOB_LIMITS[mode].backoffLimit);
    expect(jobSpec.activeDeadlineSeconds).toBe(JOB_LIMITS[mode].activeDeadlineSeconds);
    expect(jobSpec.ttlSecondsAfterFinished).toBe(TTL_SECONDS_AFTER_FINISHED);
    // Finished weekly jobs must survive until the next week's run is there to look at.
    expect(TTL_SECONDS_AFTER_FINISHED).toBeGreaterThan(7 * 86400);
    expect(job.spec.jobTemplate.metadata.labels["app.kubernetes.io/component"]).toBe(mode);
  });

  it.each(SCHEDULED_MODES)("%s: non-root, read-only, no capabilities, RuntimeDefault seccomp", (mode) => {
    const pod = podOf(backupCronJob(c, mode, inputs));
    expect(pod.restartPolicy).toBe("Never");
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
      seccompProfile: { type: "RuntimeDefault" },
    });
    for (const container of [...pod.containers, ...(pod.initContainers ?? [])]) {
      expect(container.securityContext).toMatchObject({
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
      });
      expect(container.resources).toEqual({ requests: c.backup.resources, limits: c.backup.resources });
    }
    const [backup] = pod.containers;
    expect(backup.securityContext.runAsUser).toBe(10001);
    expect(backup.image).toBe(inputs.image);
    expect(backup.args).toEqual([mode]);
    const scratch = backup.volumeMounts.find((m) => m.mountPath === "/scratch")!;
    expect(pod.volumes.find((v) => v.name === scratch.name)!.emptyDir).toBeDefined();
    expect(envMap(backup).TMPDIR).toBe("/scratch");
  });

  it.each(SCHEDULED_MODES)("%s: the script's environment", (mode) => {
    const env = envMap(podOf(backupCronJob(c, mode, inputs)).containers[0]);
    const { database, retention } = c.backup;
    const primary = c.backup.targets.find((t) => t.kind === "s3" && t.primary) as { region: string; bucket: string };
    expect(env).toMatchObject({
      ENVIRONMENT: c.environment,
      BACKUP_HOST: `cryoprotect-${c.environment}`,
      PGHOST: database.host,
      PGPORT: String(database.port),
      PGDATABASE: database.name,
      PGUSER: database.user,
      PGSSLMODE: database.sslmode,
      PGPASSWORD: "secret:cryoprotect-backup-db/PGPASSWORD",
      RESTIC_REPOSITORY: `s3:s3.${primary.region}.amazonaws.com/${primary.bucket}/cryoprotect`,
      RESTIC_PASSWORD: "secret:cryoprotect-backup-restic/RESTIC_PASSWORD",
      RETENTION_DAILY: String(retention.daily),
      RETENTION_WEEKLY: String(retention.weekly),
      RETENTION_MONTHLY: String(retention.monthly),
      RETENTION_YEARLY: String(retention.yearly),
      CHECK_ROTATION_WEEKS: String(c.backup.checkRotationWeeks),
      BACKUP_SCHEMAS: JSON.stringify(c.backup.schemas),
      PUSHGATEWAY_URL: inputs.pushgatewayUrl,
      COPY_CREDENTIALS_DIR,
    });
    const secondaries = c.backup.targets.filter((t) => t.kind !== "s3" || !t.primary);
    expect(env.COPY_REPOSITORIES!.split(" ").filter(Boolean)).toHaveLength(secondaries.length);
    expect(env.DRILL_PGHOST === undefined).toBe(mode !== "drill");
  });

  it("runs the drill against a native postgres sidecar of the server's major version, on emptyDirs", () => {
    const pod = podOf(backupCronJob(c, "drill", inputs));
    const [sidecar] = pod.initContainers!;
    expect(sidecar.image).toBe(`postgres:${c.backup.database.serverMajorVersion}`);
    expect(sidecar.restartPolicy).toBe("Always");
    expect(sidecar.startupProbe).toBeDefined();
    expect(sidecar.securityContext.runAsUser).toBe(999);
    for (const mount of sidecar.volumeMounts) {
      expect(pod.volumes.find((v) => v.name === mount.name)!.emptyDir).toBeDefined();
    }
    const env = envMap(pod.containers[0]);
    expect(env.DRILL_PGHOST).toBe("127.0.0.1");
    expect(sidecar.args).toContain("listen_addresses=127.0.0.1");
    expect(sidecar.args).toContain(`port=${env.DRILL_PGPORT}`);
    for (const mode of ["backup", "full"] as const)
      expect(podOf(backupCronJob(c, mode, inputs)).initContainers).toBeUndefined();
  });
});

describe("copy targets in the job environment", () => {
  it("lists every secondary target and mounts the credentials of restic targets", () => {
    const base = config("prod");
    const c: StackConfig = {
      ...base,
      backup: {
        ...base.backup,
        targets: [
          ...base.backup.targets,
          { name: "nas", kind: "restic", repository: "sftp:nas:/srv/restic", credentialsSecret: "nasEnv" },
        ],
      },
    };
    const env = backupEnv(c, "full", inputs.pushgatewayUrl);
    expect(env.find((e) => e.name === "COPY_REPOSITORIES")!.value).toBe(
      "offsite=s3:s3.eu-west-1.amazonaws.com/cryoprotect-prod-backups-offsite/cryoprotect nas=sftp:nas:/srv/restic",
    );
    const pod = podOf(backupCronJob(c, "full", inputs));
    const mount = pod.containers[0].volumeMounts.find((m) => m.mountPath === `${COPY_CREDENTIALS_DIR}/nas`)!;
    expect(mount.readOnly).toBe(true);
    expect(pod.volumes.find((v) => v.name === mount.name)!.secret!.secretName).toBe("cryoprotect-backup-target-nas");
  });

  it("is empty without secondary targets", () => {
    const env = backupEnv(config("dev"), "full", inputs.pushgatewayUrl);
    expect(env.find((e) => e.name === "COPY_REPOSITORIES")!.value).toBe("");
  });
});

describe("contract with the backup script", () => {
  const header = fs
    .readFileSync(path.join(PROJECT_ROOT, "components/backup/image/cryo-backup.sh"), "utf8")
    .split(/^set -euo/m)[0];
  // Read by restic, the shell or mktemp themselves rather than by the script.
  const standard = ["TMPDIR", "HOME", "RESTIC_CACHE_DIR"];

  it.each(STACKS.flatMap((stack) => SCHEDULED_MODES.map((mode) => [stack, mode] as const)))(
    "%s %s: every variable the job sets is one the script documents, and the mode is one it has",
    (stack, mode) => {
      const container = podOf(backupCronJob(config(stack), mode, inputs)).containers[0];
      for (const { name } of container.env.filter((e) => !standard.includes(e.name))) {
        expect(header).toMatch(new RegExp(`\\b${name}\\b`));
      }
      expect(header).toMatch(new RegExp(`cryo-backup\\.sh ${mode}\\b`));
    },
  );

  it("runs the image's entrypoint (the script) with the mode as its argument, as the image's user", () => {
    const dockerfile = fs.readFileSync(path.join(PROJECT_ROOT, "components/backup/image/Dockerfile"), "utf8");
    expect(dockerfile).toMatch(/^ENTRYPOINT \["[^"]*\/cryo-backup\.sh"\]$/m);
    expect(dockerfile).toMatch(new RegExp(`^USER ${BACKUP_UID}(:${BACKUP_UID})?$`, "m"));
    // The build argument the stack passes.
    expect(dockerfile).toMatch(/^ARG PG_MAJOR\b/m);
    const [container] = podOf(backupCronJob(config("dev"), "backup", inputs)).containers;
    expect(container).not.toHaveProperty("command");
  });
});
