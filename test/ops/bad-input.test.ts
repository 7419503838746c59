/** Bad input gives one clear line on stderr and the documented exit code, and sends nothing anywhere. */
import { execFileSync } from "child_process";
import { cryoOps } from "./cli";

/** A loopback port nothing listens on: bound once by a child process, then released. */
const FREE = Number(
  execFileSync(
    process.execPath,
    ["-e", 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'],
    {
      encoding: "utf8",
    },
  ).trim(),
);
const DOWN = `http://127.0.0.1:${FREE}`;
const UNREACHABLE = ["--prometheus-url", DOWN, "--alertmanager-url", DOWN];

describe("cryo-ops on bad input", () => {
  it.each([
    [
      "an unknown stack",
      ["--stack", "staging", "status"],
      2,
      'cryo-ops: unknown stack "staging" (stacks: dev, prod)\n',
    ],
    ["no stack", ["status"], 2, "cryo-ops: --stack is required (stacks: dev, prod)\n"],
    ["an unknown command", ["--stack", "dev", "restart"], 2, 'cryo-ops: unknown command "restart"\n'],
    ["an unknown flag", ["--stack", "dev", "--force", "status"], 2, "cryo-ops: unknown flag --force\n"],
    [
      "an unknown matcher syntax",
      [
        "--stack",
        "dev",
        ...UNREACHABLE,
        "silence",
        "add",
        "--matcher",
        "alertname:HighErrorRate",
        "--duration",
        "1h",
        "--reason",
        "deploy",
      ],
      2,
      'cryo-ops: bad matcher "alertname:HighErrorRate" (use name=value, name!=value, name=~regex or name!~regex)\n',
    ],
    [
      "a duration over the stack's limit",
      [
        "--stack",
        "prod",
        ...UNREACHABLE,
        "silence",
        "add",
        "--matcher",
        "alertname=X",
        "--duration",
        "3d",
        "--reason",
        "long maintenance",
      ],
      2,
      "cryo-ops: --duration 3d is over this stack's limit of 24h (monitoring.alertmanager.maxSilenceHours)\n",
    ],
    [
      "a silence without a reason",
      ["--stack", "dev", ...UNREACHABLE, "silence", "add", "--matcher", "alertname=X", "--duration", "1h"],
      2,
      'cryo-ops: silence add needs --reason "..." (it is shown to whoever is paged next)\n',
    ],
    [
      "an unreachable Alertmanager",
      ["--stack", "dev", ...UNREACHABLE, "silence", "list"],
      1,
      `cryo-ops: cannot reach Alertmanager at ${DOWN}: ECONNREFUSED\n`,
    ],
    [
      "a diagnose bundle without --out",
      ["--stack", "dev", "diagnose"],
      2,
      "cryo-ops: diagnose needs --out FILE.tar.gz\n",
    ],
    [
      "a bad endpoint URL",
      ["--stack", "dev", "--alertmanager-url", "localhost:9093", "silence", "list"],
      2,
      "cryo-ops: --alertmanager-url localhost:9093 is not an http(s) URL\n",
    ],
  ])("%s", async (_, args, code, line) => {
    const result = await cryoOps(args as string[]);
    expect({ status: result.status, stderr: result.stderr, stdout: result.stdout }).toEqual({
      status: code,
      stderr: line,
      stdout: "",
    });
  });

  it("status with unreachable endpoints: one FAIL line per check naming the endpoint, exit 1", async () => {
    const result = await cryoOps(["--stack", "dev", ...UNREACHABLE, "--json", "status"]);
    expect(result.status).toBe(1);
    const lines = JSON.parse(result.stdout).lines as { level: string; detail: string }[];
    expect(lines.length).toBeGreaterThanOrEqual(5);
    for (const l of lines)
      expect(l).toEqual({
        level: "FAIL",
        check: expect.any(String),
        detail: expect.stringMatching(new RegExp(`^cannot reach (Prometheus|Alertmanager) at ${DOWN}: ECONNREFUSED$`)),
      });
  });
});
