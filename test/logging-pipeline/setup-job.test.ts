/**
 * The logging setup Job: its spec, the content hash in its name, and its
 * script executed by sh and curl against local HTTPS stand-ins for
 * Elasticsearch and Kibana (127.0.0.1, ephemeral ports, a throwaway CA).
 */
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as https from "https";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { StackConfig } from "../../configs/types";
import {
  contentHash,
  CURL_RETRIES,
  CURL_RETRY_DELAY_SECONDS,
  SETUP_LABELS,
  setupConfigMap,
  setupFiles,
  setupJob,
  setupScript,
} from "../../components/logging/setup-job";
import { stackConfig } from "../../scripts/lib/stack-config";

const dev = stackConfig("dev");

describe("Job spec", () => {
  const files = setupFiles(dev);
  const job = setupJob(dev, files);
  const pod = job.spec.template.spec;
  const container = pod.containers[0];

  test("name and ConfigMap carry the content hash; labels let the NetworkPolicy admit it", () => {
    expect(job.metadata.name).toBe(`cryoprotect-logging-setup-${contentHash(files)}`);
    expect(setupConfigMap(dev, files).metadata.name).toBe(job.metadata.name);
    expect(pod.volumes.find((v) => v.name === "setup")!.configMap!.name).toBe(job.metadata.name);
    expect(job.metadata.labels).toEqual({ "app.kubernetes.io/name": "cryoprotect-logging-setup" });
    expect(job.spec.template.metadata.labels).toEqual(SETUP_LABELS);
    expect(job.metadata.namespace).toBe(dev.namespaces.logging);
  });

  test("the hash changes with the content and only with it", () => {
    expect(contentHash(setupFiles(dev))).toBe(contentHash(files));
    const longer: StackConfig = {
      ...dev,
      logging: {
        ...dev.logging,
        retention: { ...dev.logging.retention, app: { ...dev.logging.retention.app, deleteAfterDays: 8 } },
      },
    };
    expect(contentHash(setupFiles(longer))).not.toBe(contentHash(files));
    expect(contentHash({ b: "2", a: "1" })).toBe(contentHash({ a: "1", b: "2" }));
    expect(contentHash({ a: "1" })).not.toBe(contentHash({ a: "2" }));
  });

  test("bounded: backoff limit, deadline, TTL; non-root with a read-only root filesystem", () => {
    expect(job.spec.backoffLimit).toBeGreaterThan(0);
    expect(job.spec.ttlSecondsAfterFinished).toBeGreaterThan(0);
    expect(job.spec.activeDeadlineSeconds).toBeGreaterThan(0);
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext).toEqual({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  test("ECK's elastic user from its Secret, ECK's CAs for Elasticsearch and Kibana", () => {
    expect(container.env).toEqual([
      {
        name: "ELASTIC_PASSWORD",
        valueFrom: { secretKeyRef: { name: "cryoprotect-es-elastic-user", key: "elastic" } },
      },
    ]);
    expect(pod.volumes.map((v) => v.secret?.secretName).filter(Boolean)).toEqual([
      "cryoprotect-es-http-certs-public",
      "cryoprotect-kb-http-certs-public",
    ]);
  });

  test("the ConfigMap holds the script, both policies, both templates and the Kibana objects", () => {
    expect(Object.keys(files).sort()).toEqual([
      "ilm-logs-cryoprotect-dev.json",
      "ilm-logs-kubernetes-dev.json",
      "index-template-logs-cryoprotect-dev.json",
      "index-template-logs-kubernetes-dev.json",
      "saved-objects.ndjson",
      "setup.sh",
    ]);
  });

  test("the script passes shellcheck and keeps the password off curl's command line", () => {
    const script = setupScript(dev);
    execFileSync("shellcheck", ["-s", "sh", "-"], { input: script, encoding: "utf8" });
    expect(script).not.toMatch(/-u |--user /);
    expect(script).toContain("--config -");
    expect(script).toContain(`--retry ${CURL_RETRIES} --retry-delay ${CURL_RETRY_DELAY_SECONDS}`);
  });
});

interface Seen {
  method: string;
  url: string;
  auth: string;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A local HTTPS server answering from `reply`; records what it got. */
async function server(
  tls: { key: Buffer; cert: Buffer },
  reply: (req: Seen, n: number) => [number, string],
): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const srv = https.createServer(tls, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const s: Seen = {
        method: req.method!,
        url: req.url!,
        auth: Buffer.from((req.headers.authorization ?? "").replace(/^Basic /, ""), "base64").toString(),
        body: Buffer.concat(chunks).toString(),
        headers: req.headers,
      };
      seen.push(s);
      const [status, body] = reply(s, seen.length);
      res.writeHead(status, { "Content-Type": "application/json" }).end(body);
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const { port } = srv.address() as AddressInfo;
  return {
    url: `https://localhost:${port}`,
    seen,
    close: () => new Promise((resolve) => srv.close(() => resolve())),
  };
}

describe("the setup script against local Elasticsearch and Kibana stand-ins", () => {
  let dir: string;
  let tls: { key: Buffer; cert: Buffer };
  const password = "s3cret-Pw";

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "logging-setup-"));
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost"].concat([
        "-addext",
        "subjectAltName=DNS:localhost",
        "-keyout",
        "key.pem",
        "-out",
        "ca.crt",
      ]),
      { cwd: dir, stdio: "ignore", timeout: 30_000 },
    );
    tls = { key: fs.readFileSync(path.join(dir, "key.pem")), cert: fs.readFileSync(path.join(dir, "ca.crt")) };
    fs.mkdirSync(path.join(dir, "setup"));
    for (const [k, v] of Object.entries(setupFiles(dev))) fs.writeFileSync(path.join(dir, "setup", k), v);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Runs setup.sh with the in-cluster addresses and mount paths pointed at the stand-ins; resolves with its exit code. */
  function runScript(es: string, kb: string): Promise<{ code: number; output: string }> {
    const script = setupScript(dev)
      .replace(/^ES=.*$/m, `ES="${es}"`)
      .replace(/^KB=.*$/m, `KB="${kb}"`)
      .replace(/\/certs\/(elasticsearch|kibana)\/ca\.crt/g, path.join(dir, "ca.crt"))
      .replace(/\/setup\//g, `${path.join(dir, "setup")}/`)
      // Keep the retries, but fast.
      .replace(`--retry-delay ${CURL_RETRY_DELAY_SECONDS}`, "--retry-delay 1")
      .replace(`--retry ${CURL_RETRIES}`, "--retry 2");
    const file = path.join(dir, "run.sh");
    fs.writeFileSync(file, script);
    return new Promise((resolve, reject) => {
      const child = spawn("sh", [file], { env: { PATH: process.env.PATH, ELASTIC_PASSWORD: password } });
      let output = "";
      child.stdout.on("data", (d) => (output += d));
      child.stderr.on("data", (d) => (output += d));
      const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, output });
      });
    });
  }

  const ok = (): [number, string] => [200, '{"acknowledged":true}'];
  const imported = (): [number, string] => [200, '{"success":true,"successCount":7}'];

  test("PUTs every policy and template, imports the objects with overwrite, twice with the same requests", async () => {
    const es = await server(tls, ok);
    const kb = await server(tls, imported);
    try {
      const first = await runScript(es.url, kb.url);
      expect(first.code).toBe(0);
      expect(first.output).not.toContain(password);
      const files = setupFiles(dev);
      expect(es.seen.map((s) => `${s.method} ${s.url}`)).toEqual([
        "PUT /_ilm/policy/logs-cryoprotect-dev",
        "PUT /_index_template/logs-cryoprotect-dev",
        "PUT /_ilm/policy/logs-kubernetes-dev",
        "PUT /_index_template/logs-kubernetes-dev",
      ]);
      expect(es.seen[0].body).toBe(files["ilm-logs-cryoprotect-dev.json"]);
      expect(es.seen[1].body).toBe(files["index-template-logs-cryoprotect-dev.json"]);
      for (const s of [...es.seen, ...kb.seen]) expect(s.auth).toBe(`elastic:${password}`);
      expect(kb.seen).toHaveLength(1);
      expect(kb.seen[0].url).toBe("/api/saved_objects/_import?overwrite=true");
      expect(kb.seen[0].headers["kbn-xsrf"]).toBe("true");
      expect(kb.seen[0].body).toContain(files["saved-objects.ndjson"]);

      const before = es.seen.map((s) => `${s.method} ${s.url} ${s.body}`);
      expect((await runScript(es.url, kb.url)).code).toBe(0);
      expect(es.seen.slice(before.length).map((s) => `${s.method} ${s.url} ${s.body}`)).toEqual(before);
    } finally {
      await es.close();
      await kb.close();
    }
  });

  test("retries while Elasticsearch is not ready yet", async () => {
    const es = await server(tls, (_s, n) => (n === 1 ? [503, '{"error":"starting"}'] : ok()));
    const kb = await server(tls, imported);
    try {
      const r = await runScript(es.url, kb.url);
      expect(r.code).toBe(0);
      expect(es.seen).toHaveLength(5);
    } finally {
      await es.close();
      await kb.close();
    }
  });

  test("gives up after its bounded retries, and fails when Kibana reports failed objects", async () => {
    const down = await server(tls, () => [500, '{"error":"boom"}']);
    const kb = await server(tls, imported);
    const es = await server(tls, ok);
    const partial = await server(tls, () => [200, '{"success":false,"errors":[{"id":"x"}]}']);
    try {
      const r = await runScript(down.url, kb.url);
      expect(r.code).not.toBe(0);
      expect(down.seen).toHaveLength(3);
      expect(kb.seen).toHaveLength(0);
      const p = await runScript(es.url, partial.url);
      expect(p.code).not.toBe(0);
      expect(p.output).toContain("Kibana import failed");
    } finally {
      await Promise.all([down.close(), kb.close(), es.close(), partial.close()]);
    }
  });
});
