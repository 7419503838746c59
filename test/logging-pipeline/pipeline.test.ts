/**
 * The log pipeline on sample lines: every ECS mapping, every redaction rule,
 * the health-check drop and the routing, in the TypeScript reference
 * implementation; then the Ruby code of the generated main.conf, executed by
 * Ruby on the same lines, must produce exactly the same events.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { StackConfig } from "../../configs/types";
import { ECS_MAPPINGS, REDACTED, REDACTION } from "../../components/logging/ecs-mapping";
import { applyPipeline, convert, getPath, LogEvent } from "./pipeline-reference";
import { logstashPipeline } from "../../components/logging/logstash-config";
import { stackConfig } from "../../scripts/lib/stack-config";
import { STACKS } from "../harness/stack";
import { ecsLine, healthCheck, otherPodLine, rawJsonMessage, requestCompleted, requestFailed } from "./samples";

const dev = stackConfig("dev");
const ecsConfig: StackConfig = { ...dev, app: { ...dev.app, logFormat: "ecs" } };

function run(config: StackConfig, event: LogEvent): LogEvent {
  const out = applyPipeline(config, event);
  if (!out) throw new Error("event was dropped");
  return out;
}

describe("ECS mapping of the app's JSON lines", () => {
  const out = run(dev, requestCompleted(dev));
  const failed = run(dev, requestFailed(dev));

  test("every mapping rule is exercised by the samples", () => {
    for (const m of ECS_MAPPINGS) {
      const target = m.convert === "timestamp" ? "@metadata.app_timestamp" : m.to;
      expect([target, getPath(out, target) ?? getPath(failed, target)]).not.toEqual([target, undefined]);
    }
  });

  test("fields land under their ECS names with their conversions", () => {
    expect(getPath(out, "@metadata.app_timestamp")).toBe("2026-11-27T04:00:00.123456Z");
    expect(getPath(out, "log.level")).toBe("info");
    expect(getPath(out, "log.logger")).toBe("cryoprotect.api.requests");
    expect(getPath(out, "trace.id")).toBe("c0ffee00-1111-2222-3333-444455556666");
    expect(getPath(out, "http.request.id")).toBe("req-42");
    expect(getPath(out, "http.request.method")).toBe("GET");
    expect(getPath(out, "url.path")).toBe("/api/v1/molecules");
    expect(getPath(out, "client.ip")).toBe("10.0.5.7");
    expect(getPath(out, "user_agent.original")).toBe("curl/8.5.0");
    expect(getPath(out, "http.request.body.bytes")).toBe(0);
    expect(getPath(out, "http.request.mime_type")).toBe("application/json");
    expect(getPath(out, "http.response.status_code")).toBe(200);
    expect(getPath(out, "http.response.body.bytes")).toBe(5120);
    expect(getPath(out, "http.response.mime_type")).toBe("application/json");
    expect(getPath(out, "event.duration")).toBe(123456000);
    expect(getPath(out, "user.id")).toBe("1234");
    expect(getPath(out, "host.hostname")).toBe("cryoprotect-api-7d9f8-abcde");
    expect(getPath(out, "host.name")).toBe("ip-10-0-1-23");
    expect(getPath(out, "process.pid")).toBe(17);
    expect(getPath(out, "event.action")).toBe("request_completed");
    expect(getPath(out, "service.name")).toBe(dev.app.name);
    expect(getPath(out, "service.environment")).toBe("dev");
    expect(getPath(out, "ecs.version")).toMatch(/^8\./);
    expect(getPath(out, "log.file.path")).toBe("/var/log/containers/api.log");
  });

  test("exceptions become error.*, top-level fields are the fallback sources", () => {
    expect(getPath(failed, "error.type")).toBe("ValueError");
    expect(getPath(failed, "error.stack_trace")).toContain("Traceback (most recent call last)");
    expect(getPath(failed, "http.request.method")).toBe("POST");
    expect(getPath(failed, "url.path")).toBe("/api/v1/predictions");
    expect(getPath(failed, "client.ip")).toBe("10.0.5.8");
    expect(getPath(failed, "user_agent.original")).toBe("python-requests/2.31");
    expect(getPath(failed, "process.pid")).toBe(18);
    expect(getPath(failed, "event.duration")).toBe(2_500_000_000);
    expect(getPath(failed, "log.level")).toBe("error");
  });

  test("the app's own error object wins over the exception", () => {
    const both = run(dev, { ...requestFailed(dev), error: { type: "HTTPError", message: "upstream" } });
    expect(getPath(both, "error.type")).toBe("HTTPError");
    expect(getPath(both, "error.message")).toBe("upstream");
  });

  test("the source fields are gone, so nothing is indexed twice", () => {
    for (const root of ["timestamp", "level", "request", "response", "exception", "correlation_id", "path"]) {
      expect([root, out[root] ?? failed[root]]).toEqual([root, undefined]);
    }
  });

  test("values that do not convert are left out", () => {
    const odd = run(dev, requestCompleted(dev, { process_id: "n/a", response: { status_code: "2xx", duration: "" } }));
    expect(getPath(odd, "process.pid")).toBeUndefined();
    expect(getPath(odd, "http.response.status_code")).toBeUndefined();
    expect(getPath(odd, "event.duration")).toBeUndefined();
    expect(convert(3.5, "integer")).toBeUndefined();
    expect(convert("12.0", "integer")).toBe(12);
    expect(convert({ a: 1 }, "none")).toEqual({ a: 1 });
  });
});

describe("redaction", () => {
  const out = run(dev, requestCompleted(dev));
  const headers = getPath(out, "cryoprotect.http.request.headers") as Record<string, string>;

  test.each(["Authorization", "Cookie", "X-Api-Key", "api-key", "Proxy-Authorization", "X-Auth-Token"])(
    "header %s is redacted",
    (name) => {
      const original = (requestCompleted(dev).request as { headers: Record<string, string> }).headers[name];
      expect(headers[name]).toBe(REDACTED);
      expect(JSON.stringify(out)).not.toContain(original);
    },
  );

  test("every listed secret header is redacted whatever its case and spelling", () => {
    for (const name of REDACTION.secretHeaders) {
      for (const spelling of [name, name.toUpperCase(), `HTTP_${name.replace(/-/g, "_").toUpperCase()}`]) {
        const e = run(dev, requestCompleted(dev, { request: { headers: { [spelling]: "s3cr3t" } } }));
        expect([spelling, getPath(e, `cryoprotect.http.request.headers.${spelling}`)]).toEqual([spelling, REDACTED]);
      }
    }
  });

  test("Set-Cookie in response headers is redacted", () => {
    const ecs = run(ecsConfig, ecsLine(ecsConfig, { "http.response.headers": { "Set-Cookie": "sid=2; HttpOnly" } }));
    expect(getPath(ecs, "cryoprotect.http.response.headers.Set-Cookie")).toBe(REDACTED);
  });

  test("harmless headers are kept, URLs inside them lose their secret parameters", () => {
    expect(headers.Accept).toBe("application/json");
    expect(headers.Host).toBe("api.cryoprotect.example");
    expect(headers["X-Forwarded-For"]).toEqual(["10.0.0.1", "10.0.5.7"]);
    expect(headers.Referer).toBe(`https://app.cryoprotect.example/search?q=dmso&access_token=${REDACTED}`);
  });

  test("secret query parameters are redacted in the query string, messages and stack traces", () => {
    expect(getPath(out, "url.query")).toBe(
      `page=2&token=${REDACTED}&api_key=${REDACTED}&Password=${REDACTED}&client_secret=${REDACTED}&sort=name`,
    );
    expect(out.message).toBe(`GET /api/v1/molecules?token=${REDACTED}&page=2 200`);
    const failed = run(dev, requestFailed(dev));
    expect(getPath(failed, "error.message")).toBe(`bad input for url /reset?password=${REDACTED}`);
    expect(getPath(failed, "error.stack_trace")).toContain(`ValueError: token=${REDACTED} bad`);
  });

  test("no secret value of the samples survives anywhere in the event", () => {
    const secrets = ["abc123", "K-1", "hunter2", "s3", "eyJhbGciOi", "session=abc", "key-123", "key-456", "tok-789"];
    const text = JSON.stringify(run(dev, requestCompleted(dev)));
    for (const s of secrets) expect([s, text.includes(`"${s}`) || text.includes(`=${s}`)]).toEqual([s, false]);
  });

  test("secret members of JSON text (a raw line left in message) are redacted, others kept", () => {
    const out = run(dev, rawJsonMessage(dev));
    expect(out.message).toBe(
      `{"level": "INFO", "request": {"headers": {"Authorization": "${REDACTED}", "X-Api-Key": "${REDACTED}", ` +
        `"Accept": "text/html"}, "body": {"password": "${REDACTED}", "user": "bob"}}}`,
    );
  });

  test("other pods' lines are redacted too", () => {
    const other = run(dev, otherPodLine());
    expect(other.message).toBe(`10.0.0.1 - - "GET /callback?code=1&api_key=${REDACTED} HTTP/1.1" 200`);
  });
});

describe("health-check noise", () => {
  test.each(dev.app.healthCheckPaths)("successful requests to %s are dropped", (p) => {
    expect(applyPipeline(dev, healthCheck(dev, p, 200))).toBeNull();
    expect(applyPipeline(dev, healthCheck(dev, p))).toBeNull();
  });

  test("failing health checks, other paths and other pods are kept", () => {
    expect(applyPipeline(dev, healthCheck(dev, "/health", 503))).not.toBeNull();
    expect(applyPipeline(dev, healthCheck(dev, "/api/v1/health-report", 200))).not.toBeNull();
    expect(applyPipeline(dev, { ...healthCheck(dev, "/health", 200), error: { type: "Timeout" } })).not.toBeNull();
    expect(applyPipeline(dev, otherPodLine())).not.toBeNull();
  });
});

describe("routing to data streams", () => {
  test.each(STACKS)("%s: the app's pods go to logs-cryoprotect-<env>, other pods to logs-kubernetes-<env>", (s) => {
    const config = stackConfig(s);
    expect(run(config, requestCompleted(config)).data_stream).toEqual({
      type: "logs",
      dataset: "cryoprotect",
      namespace: config.environment,
    });
    expect(run(config, otherPodLine()).data_stream).toEqual({
      type: "logs",
      dataset: "kubernetes",
      namespace: config.environment,
    });
  });

  test("labels are matched dotted or de-dotted; a pod in the app's namespace without them is not the app", () => {
    const dotted = {
      ...requestCompleted(dev),
      kubernetes: { namespace: dev.app.namespace, labels: dev.app.serviceSelector },
    };
    expect(getPath(run(dev, dotted), "data_stream.dataset")).toBe("cryoprotect");
    const sidecar = {
      ...requestCompleted(dev),
      kubernetes: { namespace: dev.app.namespace, labels: { app: "redis" } },
    };
    const out = run(dev, sidecar);
    expect(getPath(out, "data_stream.dataset")).toBe("kubernetes");
    // Not the app: its JSON is not mapped, but secrets are still redacted wherever a rule finds them.
    expect(out.correlation_id).toBe("c0ffee00-1111-2222-3333-444455556666");
    expect(out.message).toContain(`token=${REDACTED}`);
    const noLabels = { ...requestCompleted(dev), kubernetes: { namespace: dev.app.namespace } };
    expect(getPath(run(dev, noLabels), "data_stream.dataset")).toBe("kubernetes");
  });
});

describe("ECS log format", () => {
  const out = run(ecsConfig, ecsLine(ecsConfig));

  test("fields stay ECS: dotted keys are nested, nothing is re-mapped", () => {
    expect(getPath(out, "log.level")).toBe("error");
    expect(getPath(out, "log.logger")).toBe("cryoprotect.auth");
    expect(getPath(out, "log.offset")).toBe(99);
    expect(getPath(out, "trace.id")).toBe("corr-ecs");
    expect(getPath(out, "ecs.version")).toBe("1.6.0");
    expect(getPath(out, "http.response.status_code")).toBe(401);
    expect(getPath(out, "service.name")).toBe(ecsConfig.app.name);
    expect(Object.keys(out).filter((k) => k.includes("."))).toEqual([]);
    expect(getPath(out, "@metadata.app_timestamp")).toBeUndefined();
  });

  test("redaction and routing still apply", () => {
    expect(getPath(out, "cryoprotect.http.request.headers.authorization")).toBe(REDACTED);
    expect(getPath(out, "cryoprotect.http.request.headers.set-cookie")).toBe(REDACTED);
    expect(getPath(out, "cryoprotect.http.request.headers.accept")).toBe("*/*");
    expect(getPath(out, "url.query")).toBe(`password=${REDACTED}&user=bob`);
    expect(getPath(out, "url.original")).toBe(`/login?password=${REDACTED}&user=bob`);
    expect(out.message).toBe(`login failed for /login?password=${REDACTED}&user=bob`);
    expect(getPath(out, "data_stream.dataset")).toBe("cryoprotect");
  });

  test("health checks are dropped in ECS too", () => {
    const ok = ecsLine(ecsConfig, { "url.path": "/healthz", "http.response.status_code": 200, "error.type": null });
    expect(applyPipeline(ecsConfig, ok)).toBeNull();
  });
});

/** Runs the Ruby filter of a generated main.conf on events, as Logstash's ruby filter would. */
function rubyFilter(conf: string, events: LogEvent[]): (LogEvent | null)[] {
  const block = /ruby \{\n\s+id => "cryoprotect-ecs"\n\s+init => '([^']*)'\n\s+code => '([^']*)'/.exec(conf);
  if (!block) throw new Error("main.conf has no cryoprotect-ecs ruby filter");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "logstash-ruby-"));
  try {
    fs.writeFileSync(path.join(dir, "init.rb"), block[1]);
    fs.writeFileSync(path.join(dir, "code.rb"), block[2]);
    fs.writeFileSync(path.join(dir, "events.json"), JSON.stringify(events));
    const out = execFileSync(
      "ruby",
      [
        path.join(__dirname, "ruby", "run_filter.rb"),
        ...["init.rb", "code.rb", "events.json"].map((f) => path.join(dir, f)),
      ],
      { encoding: "utf8", timeout: 30_000 },
    );
    return JSON.parse(out);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("the generated Ruby filter does what the reference does (executed with Ruby)", () => {
  const jsonSamples = (c: StackConfig) => [
    requestCompleted(c),
    requestFailed(c),
    { ...requestFailed(c), error: { type: "HTTPError", message: "upstream?secret=x" } },
    requestCompleted(c, { process_id: "n/a", user_id: null, response: { status_code: "2xx", duration: "" } }),
    ...c.app.healthCheckPaths.map((p) => healthCheck(c, p, 200)),
    healthCheck(c, "/health"),
    healthCheck(c, "/health", 503),
    ...REDACTION.secretHeaders.map((h) => requestCompleted(c, { request: { headers: { [h.toUpperCase()]: "v" } } })),
    otherPodLine(),
    rawJsonMessage(c),
    { ...requestCompleted(c), kubernetes: { namespace: c.app.namespace, labels: { app: "redis" } } },
  ];

  test.each(STACKS)("%s, json format", (s) => {
    const config = stackConfig(s);
    const samples = jsonSamples(config);
    expect(rubyFilter(logstashPipeline(config), samples)).toEqual(samples.map((e) => applyPipeline(config, e)));
  });

  test("ecs format", () => {
    const samples = [
      ecsLine(ecsConfig),
      ecsLine(ecsConfig, { "url.path": "/ready", "http.response.status_code": 204, "error.type": null }),
      ecsLine(ecsConfig, { "http.response.headers": { "Set-Cookie": "sid=2" } }),
      otherPodLine(),
    ];
    expect(rubyFilter(logstashPipeline(ecsConfig), samples)).toEqual(samples.map((e) => applyPipeline(ecsConfig, e)));
  });

  test("a failing filter fails closed: request data is removed, the event is tagged", () => {
    // Simulate a step raising half-way, after the mapping and before the redaction.
    const conf = logstashPipeline(dev).replace("    @cp_redact.call(event)\n", '    raise ArgumentError, "boom"\n');
    expect(conf).toContain("boom");
    const [out] = rubyFilter(conf, [requestCompleted(dev)]);
    expect(Object.keys(out!).sort()).toEqual([
      "@metadata",
      "@timestamp",
      "agent",
      "data_stream",
      "ecs",
      "error",
      "host",
      "kubernetes",
      "tags",
    ]);
    expect(JSON.stringify(out)).not.toContain("eyJhbGciOi");
    expect(out!.tags).toEqual(["_cryoprotect_pipeline_failure"]);
  });
});
