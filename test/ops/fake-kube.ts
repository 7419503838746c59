/**
 * A local fake of the Kubernetes API, for the requests @kubernetes/client-node makes for
 * cryo-ops: CronJobs (read, list, merge-patch), Jobs (create, read), pods (list by label, log,
 * port-forward over the v4 channel WebSocket protocol, to a local TCP port), Services. It records
 * every request, so the tests assert the exact objects the tool sends. Loopback only.
 */
import * as http from "http";
import * as net from "net";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { WebSocketServer } from "ws";

export interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  contentType?: string;
  body?: unknown;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface FakeCluster {
  cronJobs: Record<string, Json>;
  jobs: Record<string, Json>;
  /** The log each Job's pod prints, and whether the Job then succeeds. */
  jobOutcome: (job: Json) => { log: string; succeeded: boolean };
  /** Services by namespace/name: their selector and the local TCP port their pod's port forwards to. */
  services: Record<string, { selector: Record<string, string>; targetPort: number }>;
}

export class FakeKube {
  readonly requests: Recorded[] = [];
  private server?: http.Server;
  private wss = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => [...protocols][0] ?? false });
  port = 0;

  constructor(readonly cluster: FakeCluster) {}

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on("upgrade", (req, socket, head) => this.upgrade(req, socket as net.Socket, head));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.port = (this.server!.address() as net.AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** A kubeconfig file with one context pointing here; removed by the caller's tmp dir cleanup. */
  kubeconfig(dir: string, context = "fake"): string {
    const file = path.join(dir, "kubeconfig");
    fs.writeFileSync(
      file,
      [
        "apiVersion: v1",
        "kind: Config",
        `current-context: ${context}`,
        "clusters:",
        // client-node refuses plain HTTP unless TLS verification is explicitly off (loopback test server).
        `- name: fake\n  cluster:\n    server: http://127.0.0.1:${this.port}\n    insecure-skip-tls-verify: true`,
        "users:",
        "- name: fake\n  user:\n    token: fake-token",
        "contexts:",
        `- name: ${context}\n  context:\n    cluster: fake\n    user: fake`,
      ].join("\n") + "\n",
    );
    return file;
  }

  private async body(req: http.IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    return text ? JSON.parse(text) : undefined;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    const recorded: Recorded = {
      method: req.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      contentType: req.headers["content-type"],
      body: await this.body(req),
    };
    this.requests.push(recorded);
    const send = (status: number, body: unknown, type = "application/json") => {
      res.writeHead(status, { "content-type": type });
      res.end(typeof body === "string" ? body : JSON.stringify(body));
    };
    const notFound = () =>
      send(404, {
        kind: "Status",
        status: "Failure",
        code: 404,
        reason: "NotFound",
        message: `${url.pathname} not found`,
      });
    let m: RegExpExecArray | null;
    const { cronJobs, jobs } = this.cluster;
    if ((m = /^\/apis\/batch\/v1\/namespaces\/([^/]+)\/cronjobs\/([^/]+)$/.exec(url.pathname))) {
      const cj = cronJobs[`${m[1]}/${m[2]}`];
      if (!cj) return notFound();
      if (req.method === "PATCH") cj.spec = { ...cj.spec, ...(recorded.body as Json).spec };
      return send(200, cj);
    }
    if ((m = /^\/apis\/batch\/v1\/namespaces\/([^/]+)\/cronjobs$/.exec(url.pathname))) {
      return send(200, {
        kind: "CronJobList",
        items: Object.entries(cronJobs)
          .filter(([k]) => k.startsWith(`${m![1]}/`))
          .map(([, v]) => v),
      });
    }
    if ((m = /^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs$/.exec(url.pathname)) && req.method === "POST") {
      const job = structuredClone(recorded.body as Json);
      job.metadata.uid = `uid-${job.metadata.name}`;
      job.status = {};
      jobs[`${m[1]}/${job.metadata.name}`] = job;
      return send(201, job);
    }
    if ((m = /^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs\/([^/]+)$/.exec(url.pathname))) {
      const job = jobs[`${m[1]}/${m[2]}`];
      if (!job) return notFound();
      const { succeeded } = this.cluster.jobOutcome(job);
      job.status = { conditions: [{ type: succeeded ? "Complete" : "Failed", status: "True" }] };
      return send(200, job);
    }
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(url.pathname))) {
      const selector = url.searchParams.get("labelSelector") ?? "";
      const jobName = /^job-name=(.+)$/.exec(selector)?.[1];
      const items = jobName
        ? jobs[`${m[1]}/${jobName}`]
          ? [
              {
                metadata: { name: `${jobName}-pod`, namespace: m[1], labels: { "job-name": jobName } },
                status: { phase: "Running" },
              },
            ]
          : []
        : Object.entries(this.cluster.services)
            .filter(
              ([k, s]) =>
                k.startsWith(`${m![1]}/`) &&
                selector ===
                  Object.entries(s.selector)
                    .map(([a, b]) => `${a}=${b}`)
                    .join(","),
            )
            .map(([k]) => ({
              metadata: { name: `${k.split("/")[1]}-0`, namespace: m![1] },
              status: { phase: "Running" },
            }));
      return send(200, { kind: "PodList", items });
    }
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)-pod\/log$/.exec(url.pathname))) {
      const job = jobs[`${m[1]}/${m[2]}`];
      if (!job) return notFound();
      return send(200, this.cluster.jobOutcome(job).log, "text/plain");
    }
    if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/services\/([^/]+)$/.exec(url.pathname))) {
      const svc = this.cluster.services[`${m[1]}/${m[2]}`];
      if (!svc) return notFound();
      return send(200, {
        kind: "Service",
        metadata: { name: m[2], namespace: m[1] },
        spec: { selector: svc.selector },
      });
    }
    return notFound();
  }

  /** kubectl's port-forward protocol: per port a data and an error channel, each opened with the port number. */
  private upgrade(req: http.IncomingMessage, socket: net.Socket, head: Buffer): void {
    const url = new URL(req.url ?? "/", "http://fake");
    this.requests.push({ method: "UPGRADE", path: url.pathname, query: url.searchParams });
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/(.+)-0\/portforward$/.exec(url.pathname);
    const service = m ? this.cluster.services[`${m[1]}/${m[2]}`] : undefined;
    if (!service) {
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const port = Number(url.searchParams.get("ports"));
      const portBytes = Buffer.from([port & 0xff, port >> 8]);
      ws.send(Buffer.concat([Buffer.from([0]), portBytes]));
      ws.send(Buffer.concat([Buffer.from([1]), portBytes]));
      const target = net.connect(service.targetPort, "127.0.0.1");
      target.on("data", (data) => ws.send(Buffer.concat([Buffer.from([0]), data])));
      target.on("close", () => ws.close());
      target.on("error", () => ws.close());
      ws.on("message", (data: Buffer) => {
        if (data[0] === 0 && data.length > 1) target.write(data.subarray(1));
      });
      ws.on("close", () => target.end());
    });
  }
}

export function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "cryo-ops-test-"));
}
