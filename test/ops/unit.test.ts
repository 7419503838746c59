/** cryo-ops' pure parts: argument, matcher and duration parsing, silence limits, status lines, redaction. */
import { parseArgs, parseDuration, parseMatcher } from "../../ops/args";
import { alertLines, formatStatus, silenceLine, worstFirst } from "../../ops/commands/status";
import { silenceRequest } from "../../ops/commands/silence";
import { redact, redactAlertmanagerStatus, REDACTED } from "../../ops/commands/diagnose";
import { UsageError } from "../../ops/errors";
import { stackConfig } from "../../scripts/lib/stack-config";

const prod = stackConfig("prod");
const alert = (alertname: string, severity: string, state: "active" | "suppressed" = "active") => ({
  labels: { alertname, severity },
  annotations: {},
  startsAt: "2026-12-03T10:00:00Z",
  status: { state, silencedBy: [], inhibitedBy: [] },
});

describe("arguments", () => {
  it("reads flags with = or as the next argument, and collects repeated ones", () => {
    const a = parseArgs(
      ["--stack=prod", "silence", "add", "--matcher", "a=b", "--matcher=c!=d", "--json"],
      new Set(["stack", "matcher", "json"]),
    );
    expect(a.positionals).toEqual(["silence", "add"]);
    expect(a.flags.get("matcher")).toEqual(["a=b", "c!=d"]);
    expect(a.flags.get("json")).toEqual(["true"]);
    expect(() => parseArgs(["--bogus"], new Set())).toThrow("unknown flag --bogus");
    expect(() => parseArgs(["--stack"], new Set(["stack"]))).toThrow("--stack needs a value");
  });

  it("parses amtool's matchers and rejects anything else", () => {
    expect(parseMatcher("alertname=HighErrorRate")).toEqual({
      name: "alertname",
      value: "HighErrorRate",
      isRegex: false,
      isEqual: true,
    });
    expect(parseMatcher('severity!="info"')).toEqual({
      name: "severity",
      value: "info",
      isRegex: false,
      isEqual: false,
    });
    expect(parseMatcher("instance=~api-.*")).toEqual({
      name: "instance",
      value: "api-.*",
      isRegex: true,
      isEqual: true,
    });
    expect(parseMatcher("job!~node.+")).toMatchObject({ isRegex: true, isEqual: false });
    for (const bad of ["alertname", "=x", "a=", "a:b", "a=~(", "1a=b"])
      expect(() => parseMatcher(bad)).toThrow(UsageError);
  });

  it("parses durations", () => {
    expect(parseDuration("2h")).toBe(7200);
    expect(parseDuration("1h30m")).toBe(5400);
    expect(parseDuration("1d")).toBe(86400);
    for (const bad of ["", "2 hours", "0m", "-1h", "h"]) expect(() => parseDuration(bad)).toThrow(UsageError);
  });
});

describe("silence add input", () => {
  const now = new Date("2026-12-03T10:00:00Z");
  it("needs a reason and a duration within the stack's limit", () => {
    const ok = silenceRequest(
      prod,
      { matchers: ["alertname=X"], duration: "2h", reason: " deploy ", author: "ana" },
      now,
    );
    expect(ok).toEqual({
      matchers: [{ name: "alertname", value: "X", isRegex: false, isEqual: true }],
      endsAt: new Date("2026-12-03T12:00:00Z"),
      createdBy: "ana",
      comment: "deploy",
    });
    expect(() => silenceRequest(prod, { matchers: ["alertname=X"], duration: "2h" }, now)).toThrow(/needs --reason/);
    expect(() => silenceRequest(prod, { matchers: [], duration: "2h", reason: "r" }, now)).toThrow(
      /at least one --matcher/,
    );
    expect(() => silenceRequest(prod, { matchers: ["alertname=X"], duration: "25h", reason: "r" }, now)).toThrow(
      "--duration 25h is over this stack's limit of 24h (monitoring.alertmanager.maxSilenceHours)",
    );
  });
});

describe("status lines", () => {
  it("a critical alert fails, a warning warns, suppressed ones and the Watchdog do not count", () => {
    const lines = alertLines([
      alert("Watchdog", "info"),
      alert("HighErrorRate", "critical"),
      alert("HighLatency", "warning"),
      alert("X", "critical", "suppressed"),
    ]);
    expect(lines).toEqual([
      { level: "FAIL", check: "alerts", detail: "firing critical: HighErrorRate; warning: HighLatency" },
      { level: "OK", check: "heartbeat", detail: "Watchdog is firing: the dead man's switch receiver is being fed" },
    ]);
    expect(alertLines([])[1].level).toBe("FAIL");
    expect(alertLines([alert("Watchdog", "info")])[0]).toEqual({
      level: "OK",
      check: "alerts",
      detail: "no alert firing",
    });
  });

  it("active silences are listed with their end, worst lines first", () => {
    const s = silenceLine(
      [
        {
          id: "1",
          matchers: [{ name: "alertname", value: "X", isRegex: false, isEqual: true }],
          startsAt: "",
          endsAt: "2026-12-03T12:00:00.000Z",
          createdBy: "ana",
          comment: "c",
          status: { state: "active" },
        },
        { id: "2", matchers: [], startsAt: "", endsAt: "", createdBy: "", comment: "", status: { state: "expired" } },
      ],
      new Date("2026-12-03T10:00:00Z"),
    );
    expect(s).toEqual({
      level: "WARN",
      check: "silences",
      detail: "1 active: alertname=X until 2026-12-03T12:00:00.000Z (2.0h left, ana)",
    });
    const sorted = worstFirst([{ level: "OK", check: "a", detail: "" }, s, { level: "FAIL", check: "b", detail: "x" }]);
    expect(sorted.map((l) => l.level)).toEqual(["FAIL", "WARN", "OK"]);
    expect(formatStatus(sorted).split("\n")[0]).toBe("FAIL  b         x");
  });
});

describe("diagnose redaction", () => {
  it("replaces every credential field of Alertmanager's config, at any depth", () => {
    const original = [
      "global: { smtp_auth_password: x }",
      "receivers:",
      "  - name: pager",
      "    pagerduty_configs: [{ routing_key: S3CRET-KEY, url: https://events.pagerduty.com/v2/enqueue }]",
      "  - name: chat",
      "    slack_configs: [{ api_url: https://hooks.slack.com/services/T/B/S3CRET, channel: '#a' }]",
      "  - name: mail",
      "    email_configs: [{ to: a@b, auth_password: S3CRET-PW }]",
      "  - name: beat",
      "    webhook_configs: [{ url: https://hc-ping.com/S3CRET-UUID }]",
    ].join("\n");
    const redacted = JSON.stringify(redactAlertmanagerStatus({ config: { original } }));
    expect(redacted).not.toMatch(/S3CRET/);
    expect(redacted).toContain("#a");
    expect(redact({ a: [{ password: "p" }], b: "keep" })).toEqual({ a: [{ password: REDACTED }], b: "keep" });
  });
});
