/**
 * The restore procedure's commands name the stack's real objects, and its
 * Job edits (jq programs) really turn a Job of the daily CronJob into a
 * restore or a snapshot listing: they are run with jq on such a Job.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { StackConfig } from "../../configs/types";
import { backupCronJob } from "../../components/backup/jobs";
import { CRONJOB_NAMES, snapshotHost } from "../../components/backup/names";
import { restoreProcedure } from "../../components/backup/restore-procedure";
import { readStackFile } from "../../scripts/lib/mock-runtime";
import { STACKS } from "../harness/stack";

const config = (stack: string) => readStackFile(stack).plain as unknown as StackConfig;

/** What `kubectl create job --from=cronjob/<daily>` would print: a Job with the CronJob's job template. */
function jobFromDaily(c: StackConfig) {
  const cronJob = backupCronJob(c, "backup", { image: "img@sha256:1", pushgatewayUrl: "http://pgw:9091" });
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: "x", namespace: c.namespaces.backup },
    spec: cronJob.spec.jobTemplate.spec,
  };
}

type Container = {
  command?: string[];
  args: string[];
  env: { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string } } }[];
};

/** Runs a step's kubectl|jq|kubectl pipeline with the kubectl ends replaced by the given Job and `cat`. */
function runPipeline(
  command: string,
  job: object,
  env: Record<string, string>,
): { spec: { backoffLimit: number; template: { spec: { containers: Container[] } } } } {
  const lines = command.split("\n");
  expect(lines[0]).toMatch(/^kubectl -n \S+ create job .+ --from=cronjob\/\S+ --dry-run=client -o json \\$/);
  expect(lines[lines.length - 1].trim()).toBe("| kubectl apply -f -");
  const script = ["cat job.json \\", ...lines.slice(1, -1), "  | cat"].join("\n");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "restore-"));
  try {
    fs.writeFileSync(`${dir}/job.json`, JSON.stringify(job));
    const result = spawnSync("bash", ["-euo", "pipefail", "-c", script], {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, ...env },
      timeout: 20_000,
    });
    if (result.error) throw result.error;
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    return JSON.parse(result.stdout);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe.each(STACKS)("restore procedure of the %s stack", (stack) => {
  const c = config(stack);
  const procedure = restoreProcedure(c);
  const step = (title: RegExp) => procedure.inCluster.find((s) => title.test(s.title))!;

  it("uses the stack's namespace, CronJobs and snapshot host", () => {
    const text = JSON.stringify(procedure);
    expect(text).toContain(`kubectl -n ${c.namespaces.backup} `);
    for (const name of Object.values(CRONJOB_NAMES)) expect(text).toContain(name);
    expect(text).toContain(`--host ${snapshotHost(c)}`);
    for (const s of [...procedure.inCluster, ...procedure.disasterRecovery]) {
      expect(s.text.length).toBeGreaterThan(20);
      expect(s.commands.length).toBeGreaterThan(0);
    }
  });

  it("turns a Job of the daily CronJob into a restore of the chosen snapshot into the target database", () => {
    const command = step(/Run the restore/).commands.find((x) => x.includes("create job"))!;
    const env = {
      SNAPSHOT: "4f3a2b1c",
      BEFORE: "",
      TARGET_HOST: "db.new",
      TARGET_DB: "restored",
      TARGET_USER: "owner",
    };
    const job = runPipeline(command, jobFromDaily(c), env);
    expect(job.spec.backoffLimit).toBe(0);
    const [container] = job.spec.template.spec.containers;
    expect(container.args).toEqual(["restore", "--snapshot", "4f3a2b1c"]);
    const byName = Object.fromEntries(container.env.map((e) => [e.name, e]));
    expect(byName.PGHOST.value).toBe("db.new");
    expect(byName.PGDATABASE.value).toBe("restored");
    expect(byName.PGUSER.value).toBe("owner");
    expect(byName.PGPASSWORD.valueFrom!.secretKeyRef.name).toBe("cryoprotect-restore-target");
    // Everything else (repository, password, pushgateway) stays as the CronJob has it.
    expect(byName.RESTIC_REPOSITORY.value).toMatch(/^s3:s3\./);
    expect(byName.RESTIC_PASSWORD.valueFrom!.secretKeyRef.name).toBe("cryoprotect-backup-restic");

    const before = runPipeline(command, jobFromDaily(c), { ...env, SNAPSHOT: "latest", BEFORE: "2026-01-31 18:00" });
    expect(before.spec.template.spec.containers[0].args).toEqual([
      "restore",
      "--snapshot",
      "latest",
      "--before",
      "2026-01-31 18:00",
    ]);
  });

  it("lists the snapshots with restic itself", () => {
    const command = step(/Choose the snapshot/).commands.find((x) => x.includes("create job"))!;
    const [container] = runPipeline(command, jobFromDaily(c), {}).spec.template.spec.containers;
    expect(container.command).toEqual(["restic"]);
    expect(container.args).toEqual(["snapshots", "--host", snapshotHost(c), "--tag", "cryoprotect"]);
  });

  it("recovers without the cluster from every bucket, the off-site one included", () => {
    const text = JSON.stringify(procedure.disasterRecovery);
    expect(text).toContain(`pulumi stack output resticPassword --show-secrets --stack ${c.environment}`);
    for (const t of c.backup.targets) {
      if (t.kind === "s3") expect(text).toContain(`s3:s3.${t.region}.amazonaws.com/${t.bucket}/cryoprotect`);
    }
    expect(text).toContain("cryo-backup.sh restore");
  });
});
