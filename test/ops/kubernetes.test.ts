/**
 * cryo-ops' Kubernetes side against a local fake of the Kubernetes API (test/ops/fake-kube.ts):
 * the exact Job it creates from the stack's CronJob (the synth's own object), the log it follows,
 * the exit code from the Job's result, suspending the CronJobs, and a port-forward to a Service.
 * There is no cluster here; the fake answers exactly the requests @kubernetes/client-node makes.
 */
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import { CRONJOB_NAMES } from "../../components/backup/names";
import { stackRun } from "../harness/stack";
import { cryoOps } from "./cli";
import { FakeKube, tmpDir } from "./fake-kube";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let fake: FakeKube;
let dir: string;
let kubeconfig: string;
let alertmanagerStub: http.Server;
const cronJobs: Record<string, Json> = {};
let snapshotsJson = "";
let failJobs = false;

beforeAll(async () => {
  const run = await stackRun("dev");
  for (const r of run.resources.filter((x) => x.inputs.kind === "CronJob")) {
    const obj = structuredClone(r.rawInputs) as Json;
    obj.metadata.uid = `uid-${obj.metadata.name}`;
    cronJobs[`backup/${obj.metadata.name}`] = obj;
  }
  snapshotsJson = JSON.stringify({
    host: "cryoprotect-dev",
    snapshots: [
      { id: "a".repeat(64), short_id: "aaaaaaaa", time: "2026-12-03T02:00:05Z", size_bytes: 52428800, tables: 12 },
    ],
  });
  alertmanagerStub = http.createServer((req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(req.url === "/api/v2/silences" ? "[]" : "{}");
  });
  await new Promise<void>((resolve) => alertmanagerStub.listen(0, "127.0.0.1", resolve));
  fake = new FakeKube({
    cronJobs,
    jobs: {},
    jobOutcome: (job) => {
      const args = job.spec.template.spec.containers[0].args as string[];
      if (args[0] === "snapshots")
        return { log: `2026-12-03T10:00:00Z cryo-backup snapshots: listing\n${snapshotsJson}\n`, succeeded: true };
      return { log: `cryo-backup ${args[0]}: dumping\ncryo-backup ${args[0]}: done in 3.2s\n`, succeeded: !failJobs };
    },
    services: {
      "monitoring/kube-prometheus-stack-alertmanager": {
        selector: { "app.kubernetes.io/name": "alertmanager" },
        targetPort: (alertmanagerStub.address() as net.AddressInfo).port,
      },
    },
  });
  await fake.start();
  dir = tmpDir();
  kubeconfig = fake.kubeconfig(dir);
});

afterAll(async () => {
  await fake?.stop();
  await new Promise<void>((resolve) => (alertmanagerStub ? alertmanagerStub.close(() => resolve()) : resolve()));
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const created = () =>
  fake.requests.filter((r) => r.method === "POST" && r.path === "/apis/batch/v1/namespaces/backup/jobs");

describe("cryo-ops backup, against a fake Kubernetes API", () => {
  it("run --mode full --follow: a Job from the CronJob as kubectl create job --from makes it, its log, exit 0", async () => {
    const result = await cryoOps([
      "--stack",
      "dev",
      "--kubeconfig",
      kubeconfig,
      "backup",
      "run",
      "--mode",
      "full",
      "--follow",
    ]);
    expect(result.stderr).toMatch(
      /created Job backup\/cryoprotect-backup-weekly-full-manual-\d+ from CronJob cryoprotect-backup-weekly-full/,
    );
    expect(result.stdout).toContain("cryo-backup full: done in 3.2s");
    expect(result.status).toBe(0);
    const [post] = created();
    const cronJob = cronJobs[`backup/${CRONJOB_NAMES.full}`];
    const job = post.body as Json;
    expect(job).toEqual({
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: {
        name: expect.stringMatching(/^cryoprotect-backup-weekly-full-manual-\d+$/),
        namespace: "backup",
        labels: cronJob.spec.jobTemplate.metadata.labels,
        annotations: { "cronjob.kubernetes.io/instantiate": "manual" },
        ownerReferences: [
          {
            apiVersion: "batch/v1",
            kind: "CronJob",
            name: CRONJOB_NAMES.full,
            uid: `uid-${CRONJOB_NAMES.full}`,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: cronJob.spec.jobTemplate.spec,
    });
    const log = fake.requests.find((r) => r.path.endsWith("/log"))!;
    expect(log.query.get("follow")).toBe("true");
    expect(log.query.get("container")).toBe("backup");
  });

  it("run --follow exits 1 when the Job fails", async () => {
    failJobs = true;
    try {
      const result = await cryoOps(["--stack", "dev", "--kubeconfig", kubeconfig, "backup", "run", "--follow"]);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/Job cryoprotect-backup-daily-manual-\d+ failed/);
    } finally {
      failJobs = false;
    }
  });

  it("snapshots: a Job of the same image in snapshots mode; its JSON, as a table or --json", async () => {
    const text = await cryoOps(["--stack", "dev", "--kubeconfig", kubeconfig, "backup", "snapshots"]);
    expect(text.status).toBe(0);
    expect(text.stdout).toBe(
      "snapshots of host cryoprotect-dev, newest first:\naaaaaaaa  2026-12-03 02:00:05       50.0 MiB    12 tables\n",
    );
    const job = created().at(-1)!.body as Json;
    expect(job.spec.template.spec.containers[0].args).toEqual(["snapshots"]);
    expect(job.metadata.ownerReferences[0].name).toBe(CRONJOB_NAMES.backup);
    const json = await cryoOps(["--stack", "dev", "--kubeconfig", kubeconfig, "--json", "backup", "snapshots"]);
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(snapshotsJson));
  });

  it("pause and resume: merge-patch spec.suspend of every backup CronJob of the stack", async () => {
    const before = fake.requests.length;
    const paused = await cryoOps(["--stack", "dev", "--kubeconfig", kubeconfig, "backup", "pause"]);
    expect(paused.status).toBe(0);
    expect(paused.stdout).toBe(`suspended: ${Object.values(CRONJOB_NAMES).join(", ")}\n`);
    const patches = fake.requests.slice(before).filter((r) => r.method === "PATCH");
    expect(patches.map((p) => [p.path, p.contentType, p.body])).toEqual(
      Object.values(CRONJOB_NAMES).map((name) => [
        `/apis/batch/v1/namespaces/backup/cronjobs/${name}`,
        "application/merge-patch+json",
        { spec: { suspend: true } },
      ]),
    );
    for (const name of Object.values(CRONJOB_NAMES)) expect(cronJobs[`backup/${name}`].spec.suspend).toBe(true);
    expect((await cryoOps(["--stack", "dev", "--kubeconfig", kubeconfig, "backup", "resume"])).status).toBe(0);
    for (const name of Object.values(CRONJOB_NAMES)) expect(cronJobs[`backup/${name}`].spec.suspend).toBe(false);
  });
});

describe("cryo-ops without endpoint flags", () => {
  it("port-forwards to the stack's Alertmanager Service through its running pod", async () => {
    const result = await cryoOps(["--stack", "dev", "--kubeconfig", kubeconfig, "silence", "list"]);
    expect(result.stdout).toBe("no active or pending silences\n");
    expect(result.status).toBe(0);
    const upgrade = fake.requests.find((r) => r.method === "UPGRADE")!;
    expect(upgrade.path).toBe("/api/v1/namespaces/monitoring/pods/kube-prometheus-stack-alertmanager-0/portforward");
    expect(upgrade.query.get("ports")).toBe("9093");
  });

  it("names the context it cannot find in the kubeconfig", async () => {
    const result = await cryoOps([
      "--stack",
      "dev",
      "--kubeconfig",
      kubeconfig,
      "--context",
      "nope",
      "backup",
      "pause",
    ]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe("cryo-ops: kubeconfig has no context nope\n");
  });
});
