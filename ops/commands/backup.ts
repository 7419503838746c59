/**
 * `cryo-ops backup run|snapshots|pause|resume`: a Job from the stack's backup CronJob, its log,
 * its result; the repository's snapshots through a Job of the same image in `snapshots` mode;
 * the CronJobs suspended and resumed (the handbook's "pause backups").
 */
import { StackConfig } from "../../configs/types";
import { CRONJOB_NAMES, ScheduledMode } from "../../components/backup/names";
import { CheckFailed, UsageError } from "../errors";
import { Kube } from "../kube";
import { Progress } from "../output";

const MODES = Object.keys(CRONJOB_NAMES) as ScheduledMode[];
/** How long a Job may take to get a running pod. */
const POD_START_MS = 5 * 60 * 1000;

export function backupMode(text = "backup"): ScheduledMode {
  if (!MODES.includes(text as ScheduledMode)) throw new UsageError(`--mode must be one of ${MODES.join(", ")}`);
  return text as ScheduledMode;
}

function jobName(cronJob: string, now = Date.now()): string {
  // Kubernetes names: at most 63 characters; the CronJob name plus a time suffix, like kubectl users do.
  return `${cronJob}-manual-${Math.floor(now / 1000)}`.slice(0, 63);
}

async function waitForJob(kube: Kube, namespace: string, name: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await kube.jobStatus(namespace, name);
    if (state !== "running") return state;
    if (Date.now() > deadline)
      throw new CheckFailed(`Job ${namespace}/${name} did not finish within ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 2000));
  }
}

/** Starts the mode's CronJob as a Job now; with follow, streams its log and returns whether it succeeded. */
export async function runBackup(
  kube: Kube,
  config: StackConfig,
  mode: ScheduledMode,
  follow: boolean,
  progress: Progress,
  write: (text: string) => void,
): Promise<{ job: string; result?: "succeeded" | "failed" }> {
  const namespace = config.namespaces.backup;
  const cronJob = CRONJOB_NAMES[mode];
  const name = jobName(cronJob);
  await kube.createJobFromCronJob(namespace, cronJob, name);
  progress.step(`created Job ${namespace}/${name} from CronJob ${cronJob}`);
  if (!follow) return { job: name };
  progress.step("waiting for its pod");
  const pod = await kube.jobPod(namespace, name, POD_START_MS);
  progress.step(`following the log of ${pod}`);
  await kube.followLog(namespace, pod, "backup", write);
  const result = await waitForJob(kube, namespace, name, 60_000);
  progress.done(`Job ${name} ${result}`);
  return { job: name, result };
}

export interface SnapshotList {
  host: string;
  snapshots: { id: string; short_id: string; time: string; size_bytes: number; tables: number | null }[];
}

/** The repository's snapshots, from a Job of the backup image in `snapshots` mode (its stdout is JSON). */
export async function listSnapshots(kube: Kube, config: StackConfig, progress: Progress): Promise<SnapshotList> {
  const namespace = config.namespaces.backup;
  const cronJob = CRONJOB_NAMES.backup;
  const name = jobName(`${cronJob}-snapshots`);
  await kube.createJobFromCronJob(namespace, cronJob, name, ["snapshots"]);
  progress.step(`listing snapshots through Job ${namespace}/${name}`);
  const pod = await kube.jobPod(namespace, name, POD_START_MS);
  const result = await waitForJob(kube, namespace, name, 10 * 60 * 1000);
  const log = await kube.readLog(namespace, pod, "backup");
  if (result !== "succeeded")
    throw new CheckFailed(`the snapshots Job ${name} failed: ${log.trim().split("\n").slice(-3).join(" | ")}`);
  // The script logs to stderr; its one JSON document is the log's only line starting with "{".
  const json = log.split("\n").find((l) => l.startsWith("{"));
  if (!json) throw new CheckFailed(`the snapshots Job ${name} printed no snapshot list`);
  progress.done(`listed through Job ${name}`);
  return JSON.parse(json) as SnapshotList;
}

export function formatSnapshots(list: SnapshotList): string {
  if (!list.snapshots.length) return `no snapshots of host ${list.host}\n`;
  const rows = list.snapshots.map(
    (s) =>
      `${s.short_id}  ${s.time.slice(0, 19).replace("T", " ")}  ${(s.size_bytes / 2 ** 20).toFixed(1).padStart(9)} MiB  ${String(s.tables ?? "?").padStart(4)} tables`,
  );
  return `snapshots of host ${list.host}, newest first:\n${rows.join("\n")}\n`;
}

/** Suspends or resumes every backup CronJob of the stack; returns their names. */
export async function setBackupsSuspended(kube: Kube, config: StackConfig, suspend: boolean): Promise<string[]> {
  const namespace = config.namespaces.backup;
  const names = Object.values(CRONJOB_NAMES);
  for (const name of names) await kube.setSuspended(namespace, name, suspend);
  return names;
}
