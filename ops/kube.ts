/**
 * The Kubernetes side of cryo-ops, through @kubernetes/client-node and the stack's kubeconfig
 * context: a Job from a CronJob (as `kubectl create job --from=cronjob/...`), its log followed,
 * its result; suspending CronJobs; a port-forward to a Service's pod; pod status for diagnostics.
 */
import * as net from "net";
import { Writable } from "stream";
import type * as k8s from "@kubernetes/client-node";
import { CheckFailed } from "./errors";

// ES module only: loaded by Node's require(esm), once, when a command needs the cluster.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const client = (): typeof k8s => require("@kubernetes/client-node");

export interface KubeOptions {
  /** kubeconfig file; absent: $KUBECONFIG or ~/.kube/config. */
  kubeconfig?: string;
  /** kubeconfig context; absent: the stack's cluster.kubeconfigContext, else the current one. */
  context?: string;
}

export class Kube {
  private readonly config: k8s.KubeConfig;

  constructor(options: KubeOptions) {
    const k = client();
    this.config = new k.KubeConfig();
    if (options.kubeconfig) this.config.loadFromFile(options.kubeconfig);
    else this.config.loadFromDefault();
    if (options.context) {
      if (!this.config.getContextObject(options.context))
        throw new CheckFailed(`kubeconfig has no context ${options.context}`);
      this.config.setCurrentContext(options.context);
    }
  }

  private batch() {
    return this.config.makeApiClient(client().BatchV1Api);
  }

  private core() {
    return this.config.makeApiClient(client().CoreV1Api);
  }

  /** A Job from the CronJob's template, owned by it, marked manual (what kubectl create job --from does). */
  async createJobFromCronJob(namespace: string, cronJob: string, jobName: string, args?: string[]): Promise<k8s.V1Job> {
    const source = await this.batch().readNamespacedCronJob({ name: cronJob, namespace });
    const template = structuredClone(source.spec!.jobTemplate);
    if (args) template.spec!.template.spec!.containers[0].args = args;
    const job: k8s.V1Job = {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: {
        name: jobName,
        namespace,
        labels: template.metadata?.labels,
        annotations: { ...template.metadata?.annotations, "cronjob.kubernetes.io/instantiate": "manual" },
        ownerReferences: [
          {
            apiVersion: "batch/v1",
            kind: "CronJob",
            name: cronJob,
            uid: source.metadata!.uid!,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: template.spec,
    };
    return this.batch().createNamespacedJob({ namespace, body: job });
  }

  async jobStatus(namespace: string, name: string): Promise<"running" | "succeeded" | "failed"> {
    const job = await this.batch().readNamespacedJob({ name, namespace });
    const conditions = job.status?.conditions ?? [];
    if (conditions.some((c) => c.type === "Complete" && c.status === "True")) return "succeeded";
    if (conditions.some((c) => c.type === "Failed" && c.status === "True")) return "failed";
    return "running";
  }

  /** The Job's pod, once it has one that has started (bounded wait). */
  async jobPod(namespace: string, job: string, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const pods = await this.core().listNamespacedPod({ namespace, labelSelector: `job-name=${job}` });
      const started = pods.items.find((p) => p.status?.phase && p.status.phase !== "Pending");
      if (started) return started.metadata!.name!;
      await new Promise((r) => setTimeout(r, 1000));
    }
    throw new CheckFailed(`the pod of Job ${namespace}/${job} did not start within ${timeoutMs / 1000}s`);
  }

  /** Streams the container's log to `out` until it ends. */
  async followLog(namespace: string, pod: string, container: string, out: (chunk: string) => void): Promise<void> {
    const k = client();
    const sink = new Writable({
      write(chunk, _enc, done) {
        out(String(chunk));
        done();
      },
    });
    await new Promise<void>((resolve, reject) => {
      sink.on("finish", resolve);
      new k.Log(this.config).log(namespace, pod, container, sink, { follow: true }).catch(reject);
    });
  }

  async readLog(namespace: string, pod: string, container: string): Promise<string> {
    return this.core().readNamespacedPodLog({ name: pod, namespace, container });
  }

  async setSuspended(namespace: string, cronJob: string, suspend: boolean): Promise<void> {
    await this.batch().patchNamespacedCronJob(
      { name: cronJob, namespace, body: { spec: { suspend } } },
      client().setHeaderOptions("Content-Type", client().PatchStrategy.MergePatch),
    );
  }

  async cronJobs(namespace: string): Promise<k8s.V1CronJob[]> {
    return (await this.batch().listNamespacedCronJob({ namespace })).items;
  }

  async pods(namespace: string): Promise<k8s.V1Pod[]> {
    return (await this.core().listNamespacedPod({ namespace })).items;
  }

  /** A local port forwarded to a running pod of the Service; closed with the returned function. */
  async portForward(namespace: string, service: string, port: number): Promise<{ url: string; close: () => void }> {
    const k = client();
    const svc = await this.core().readNamespacedService({ name: service, namespace });
    const selector = Object.entries(svc.spec?.selector ?? {})
      .map(([key, value]) => `${key}=${value}`)
      .join(",");
    const pods = await this.core().listNamespacedPod({ namespace, labelSelector: selector });
    const pod = pods.items.find((p) => p.status?.phase === "Running");
    if (!pod) throw new CheckFailed(`Service ${namespace}/${service} has no running pod to forward to`);
    const forward = new k.PortForward(this.config);
    const server = net.createServer((socket) => {
      forward.portForward(namespace, pod.metadata!.name!, [port], socket, null, socket).catch(() => socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const local = (server.address() as net.AddressInfo).port;
    return { url: `http://127.0.0.1:${local}`, close: () => server.close() };
  }
}
