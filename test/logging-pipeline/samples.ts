/** Sample Filebeat events: the API's log lines (both formats) and other pods' lines, with Kubernetes metadata. */
import { StackConfig } from "../../configs/types";
import { LogEvent } from "./pipeline-reference";

/** Kubernetes metadata as Filebeat adds it (label keys de-dotted, its default). */
export function appPod(config: StackConfig, dedot = true): Record<string, unknown> {
  const labels = Object.fromEntries(
    Object.entries(config.app.serviceSelector).map(([k, v]) => [dedot ? k.replace(/\./g, "_") : k, v]),
  );
  return {
    namespace: config.app.namespace,
    pod: { name: `${config.app.name}-7d9f8-abcde` },
    container: { name: "api" },
    labels: { ...labels, "pod-template-hash": "7d9f8" },
  };
}

export const otherPod = {
  namespace: "ingress-nginx",
  pod: { name: "ingress-nginx-controller-5f7c-xyz" },
  container: { name: "controller" },
  labels: { "app_kubernetes_io/name": "ingress-nginx" },
};

/** Fields Filebeat sets on every event; the pipeline must keep them. */
const filebeatFields = {
  "@timestamp": "2026-11-27T04:00:01.500Z",
  agent: { type: "filebeat", version: "8.19.3" },
  host: { name: "ip-10-0-1-23" },
  log: { offset: 1234, file: { path: "/var/log/containers/api.log" } },
  stream: "stdout",
};

/** A request_completed line of the API with every field the app writes. */
export function requestCompleted(config: StackConfig, overrides: Record<string, unknown> = {}): LogEvent {
  return {
    ...filebeatFields,
    kubernetes: appPod(config),
    timestamp: "2026-11-27T04:00:00.123456Z",
    level: "INFO",
    logger: "cryoprotect.api.requests",
    message: "GET /api/v1/molecules?token=abc123&page=2 200",
    correlation_id: "c0ffee00-1111-2222-3333-444455556666",
    request_id: "req-42",
    remote_addr: "10.0.5.7",
    method: "GET",
    path: "/api/v1/molecules",
    user_agent: "curl/8.5.0",
    user_id: 1234,
    hostname: "cryoprotect-api-7d9f8-abcde",
    process_id: 17,
    event_type: "request_completed",
    request: {
      method: "GET",
      path: "/api/v1/molecules",
      remote_addr: "10.0.5.7",
      user_agent: "curl/8.5.0",
      content_length: "0",
      content_type: "application/json",
      query_string: "page=2&token=abc123&api_key=K-1&Password=hunter2&client_secret=s3&sort=name",
      headers: {
        Host: "api.cryoprotect.example",
        Authorization: "Bearer eyJhbGciOi.secret.sig",
        Cookie: "session=abc; theme=dark",
        "X-Api-Key": "key-123",
        "api-key": "key-456",
        "Proxy-Authorization": "Basic Zm9vOmJhcg==",
        "X-Auth-Token": "tok-789",
        Referer: "https://app.cryoprotect.example/search?q=dmso&access_token=leak",
        Accept: "application/json",
        "X-Forwarded-For": ["10.0.0.1", "10.0.5.7"],
      },
    },
    response: { status_code: 200, content_length: 5120, content_type: "application/json", duration: 0.123456 },
    ...overrides,
  };
}

/** A request_failed line with an exception and no top-level duplicates of the request fields. */
export function requestFailed(config: StackConfig): LogEvent {
  return {
    ...filebeatFields,
    kubernetes: appPod(config),
    timestamp: "2026-11-27T04:00:02Z",
    level: "ERROR",
    logger: "cryoprotect.api.errors",
    message: "request failed",
    correlation_id: "corr-failed",
    request_id: "req-43",
    remote_addr: "10.0.5.8",
    method: "POST",
    path: "/api/v1/predictions",
    user_agent: "python-requests/2.31",
    user_id: "u-77",
    hostname: "cryoprotect-api-7d9f8-abcde",
    process_id: "18",
    event_type: "request_failed",
    response: { status_code: 500, duration: "2.5" },
    exception: {
      type: "ValueError",
      message: "bad input for url /reset?password=oops",
      traceback: 'Traceback (most recent call last):\n  File "app.py", line 10\nValueError: token=xyz bad',
    },
  };
}

/** A request log of a health-check path. */
export function healthCheck(config: StackConfig, path: string, status?: number): LogEvent {
  return {
    ...filebeatFields,
    kubernetes: appPod(config),
    timestamp: "2026-11-27T04:00:03Z",
    level: "INFO",
    message: `GET ${path}`,
    method: "GET",
    path,
    event_type: status === undefined ? "request_started" : "request_completed",
    ...(status === undefined ? {} : { response: { status_code: status, duration: 0.001 } }),
  };
}

/** An ECS line of the API (LOG_TO_ELK=1): dotted and nested keys, as ecs-logging writes them. */
export function ecsLine(config: StackConfig, overrides: Record<string, unknown> = {}): LogEvent {
  return {
    ...filebeatFields,
    kubernetes: appPod(config),
    "log.level": "error",
    "ecs.version": "1.6.0",
    message: "login failed for /login?password=pw1&user=bob",
    log: { logger: "cryoprotect.auth", offset: 99 },
    "trace.id": "corr-ecs",
    "url.path": "/login",
    "url.query": "password=pw1&user=bob",
    "url.original": "/login?password=pw1&user=bob",
    "http.request.method": "POST",
    "http.response.status_code": 401,
    "http.request.headers": { authorization: "Basic YWRtaW46YWRtaW4=", "set-cookie": "sid=1", accept: "*/*" },
    "error.type": "AuthError",
    ...overrides,
  };
}

/** An app line without its own message: Filebeat leaves the raw JSON text in `message`. */
export function rawJsonMessage(config: StackConfig): LogEvent {
  return {
    ...filebeatFields,
    kubernetes: appPod(config),
    message:
      '{"level": "INFO", "request": {"headers": {"Authorization": "Bearer raw-secret", "X-Api-Key": "raw-key", ' +
      '"Accept": "text/html"}, "body": {"password": "p\\"w", "user": "bob"}}}',
    level: "INFO",
  };
}

/** A line of another pod, with a secret in a logged URL. */
export function otherPodLine(): LogEvent {
  return {
    ...filebeatFields,
    kubernetes: otherPod,
    message: '10.0.0.1 - - "GET /callback?code=1&api_key=zzz HTTP/1.1" 200',
    level: "WARN",
    path: "/health",
  };
}
