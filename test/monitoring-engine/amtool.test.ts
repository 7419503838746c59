/**
 * The generated Alertmanager configs, checked and routed by the real amtool
 * (Debian prometheus-alertmanager 0.25): the committed files as they are, and
 * the same config with its templates loaded.
 */
import * as fs from "fs";
import * as path from "path";
import * as os from "os";
import { ruleGroups } from "../../components/catalog";
import { alertmanagerSecretData, apiAlertNamesOf, CONFIG_FILE } from "../../components/monitoring/alertmanager-config";
import { PROJECT_ROOT } from "../../scripts/lib/mock-runtime";
import { stackConfig } from "../../scripts/lib/stack-config";
import { STACKS } from "../harness/stack";
import { requireTool, run, writeLocalConfig } from "./tools";

const amtool = requireTool("amtool");

function routes(configFile: string, labels: string[]): string[] {
  const r = run(amtool, ["config", "routes", "test", `--config.file=${configFile}`, ...labels]);
  expect(r.stderr).not.toMatch(/error/i);
  return r.stdout.trim().split(",");
}

describe.each(STACKS)("Alertmanager config of the %s stack under amtool", (stack) => {
  const config = stackConfig(stack);
  const { routing } = config.monitoring.alertmanager;
  const committed = path.join(PROJECT_ROOT, "configs/generated", stack, "alertmanager/alertmanager.yaml");
  const local = writeLocalConfig(config);
  afterAll(() => fs.rmSync(local.dir, { recursive: true, force: true }));

  it("the committed file passes amtool check-config", () => {
    const r = run(amtool, ["check-config", committed]);
    expect(r.stdout + r.stderr).toContain("SUCCESS");
    expect(r.status).toBe(0);
  });

  it("passes amtool check-config with its templates loaded", () => {
    const r = run(amtool, ["check-config", local.configFile]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(" - 1 templates");
  });

  it("stays valid with realistic secret values (quoting, special characters)", () => {
    const realistic = (key: string, use: "url" | "token") =>
      use === "url" ? `https://hooks.example.com/services/T0/B0/${key}?a=1&b="x"` : `p@ss: "w'rd" #${key}`;
    const data = alertmanagerSecretData(config, realistic, apiAlertNamesOf(ruleGroups(config)));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "am-real-"));
    try {
      const file = path.join(dir, CONFIG_FILE);
      fs.writeFileSync(file, data[CONFIG_FILE]);
      const r = run(amtool, ["check-config", file]);
      expect(r.stdout + r.stderr).toContain("SUCCESS");
      expect(r.status).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("routes critical alerts to every critical receiver (pager and chat)", () => {
    expect(routes(committed, ["alertname=HighErrorRate", "severity=critical", "namespace=cryoprotect"])).toEqual(
      routing.critical,
    );
  });

  it("routes warning alerts to chat only", () => {
    expect(routes(committed, ["alertname=HighLatency", "severity=warning"])).toEqual(routing.warning);
  });

  it("routes info alerts to the ticket receiver, or drops them in the null receiver", () => {
    expect(routes(committed, ["alertname=Something", "severity=info"])).toEqual([routing.info ?? "null"]);
  });

  it("routes the Watchdog to the heartbeat receiver only, whatever its severity", () => {
    for (const severity of ["none", "critical", "warning", "info"]) {
      expect(routes(committed, ["alertname=Watchdog", `severity=${severity}`])).toEqual([routing.heartbeat]);
    }
  });

  it("routes an alert with an unknown or missing severity to the default (chat) receiver", () => {
    expect(routes(committed, ["alertname=Odd", "severity=bogus"])).toEqual([routing.warning[0]]);
    expect(routes(committed, ["alertname=Odd"])).toEqual([routing.warning[0]]);
  });

  it("verifies receivers with --verify.receivers (amtool fails on a wrong expectation)", () => {
    const ok = run(amtool, [
      "config",
      "routes",
      "test",
      `--config.file=${committed}`,
      `--verify.receivers=${routing.critical.join(",")}`,
      "severity=critical",
    ]);
    expect(ok.status).toBe(0);
    const wrong = run(amtool, [
      "config",
      "routes",
      "test",
      `--config.file=${committed}`,
      `--verify.receivers=${routing.heartbeat}`,
      "severity=critical",
    ]);
    expect(wrong.status).not.toBe(0);
  });
});

describe("the stacks route differently where their config differs", () => {
  const file = (stack: string) => path.join(PROJECT_ROOT, "configs/generated", stack, "alertmanager/alertmanager.yaml");

  it("prod pages through PagerDuty and chat; dev only posts to chat", () => {
    expect(routes(file("prod"), ["severity=critical"])).toEqual(["oncall-pager", "team-chat"]);
    expect(routes(file("dev"), ["severity=critical"])).toEqual(["team-chat"]);
  });

  it("prod files info alerts as tickets; dev drops them", () => {
    expect(routes(file("prod"), ["severity=info"])).toEqual(["ops-tickets"]);
    expect(routes(file("dev"), ["severity=info"])).toEqual(["null"]);
  });
});
