/**
 * cryo-ops: the operators' maintenance tool. `cryo-ops --help` lists the commands; README "cryo-ops".
 * Exit codes: 0 ok, 1 a check failed (or an endpoint or Job failed), 2 usage or config error.
 */
import * as fs from "fs";
import { ConfigError } from "../configs/validate";
import { StackConfig } from "../configs/types";
import { charts } from "../components/shared/platform";
import { stackConfig, stackNames } from "../scripts/lib/stack-config";
import { Alertmanager } from "./alertmanager";
import { flag, flags, has, parseArgs, ParsedArgs } from "./args";
import { backupMode, formatSnapshots, listSnapshots, runBackup, setBackupsSuspended } from "./commands/backup";
import { diagnose } from "./commands/diagnose";
import { addSilence, formatSilences, listSilences, silenceRequest } from "./commands/silence";
import { formatStatus, status } from "./commands/status";
import { CheckFailed, EXIT, UsageError } from "./errors";
import { Kube } from "./kube";
import { Progress } from "./output";

const HELP = `cryo-ops: maintenance of the CryoProtect observability platform

Usage: cryo-ops --stack <dev|prod> [endpoint flags] [--json] <command>

Commands:
  status                                   OK/WARN/FAIL per check, worst first; exit 1 on any FAIL
  silence add --matcher k=v [...] --duration 2h --reason "..." [--author NAME]
  silence list
  silence expire <id>
  backup run [--mode backup|full|drill] [--follow]
  backup snapshots                         the repository's snapshots (through a Job of the backup image)
  backup pause | backup resume             suspend / resume the stack's backup CronJobs
  diagnose --out FILE.tar.gz               a support bundle (no secret values); lists what it could not collect

Endpoints: --prometheus-url, --alertmanager-url, --pushgateway-url; without them, cryo-ops port-forwards
to the stack's Services through --kubeconfig / --context (default: the stack's cluster.kubeconfigContext).
Exit codes: 0 ok, 1 a check failed, 2 usage or configuration error.
`;

const FLAGS = new Set([
  "stack",
  "json",
  "help",
  "prometheus-url",
  "alertmanager-url",
  "pushgateway-url",
  "kubeconfig",
  "context",
  "matcher",
  "duration",
  "reason",
  "author",
  "mode",
  "follow",
  "out",
]);

function loadConfig(stack: string | undefined): StackConfig {
  if (!stack) throw new UsageError(`--stack is required (stacks: ${stackNames().join(", ")})`);
  if (!stackNames().includes(stack))
    throw new UsageError(`unknown stack "${stack}" (stacks: ${stackNames().join(", ")})`);
  try {
    return stackConfig(stack);
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(`stack ${stack}: ${e.problems.join("; ")}`);
    throw e;
  }
}

interface Context {
  args: ParsedArgs;
  config: StackConfig;
  json: boolean;
  out: (text: string) => void;
  progress: Progress;
  cleanups: (() => void)[];
  kube?: Kube;
}

function kubeOf(ctx: Context): Kube {
  ctx.kube ??= new Kube({
    kubeconfig: flag(ctx.args, "kubeconfig"),
    context: flag(ctx.args, "context") ?? ctx.config.cluster.kubeconfigContext,
  });
  return ctx.kube;
}

const SERVICES = {
  prometheus: { service: `${charts.kubePrometheusStack.release}-prometheus`, port: 9090 },
  alertmanager: { service: `${charts.kubePrometheusStack.release}-alertmanager`, port: 9093 },
  pushgateway: { service: charts.pushgateway.release, port: 9091 },
} as const;

/** The flag's URL, or a port-forward to the stack's Service. */
async function endpoint(ctx: Context, name: keyof typeof SERVICES): Promise<string> {
  const given = flag(ctx.args, `${name}-url`);
  if (given) {
    if (!/^https?:\/\/[^\s/]+/.test(given)) throw new UsageError(`--${name}-url ${given} is not an http(s) URL`);
    return given.replace(/\/$/, "");
  }
  const { service, port } = SERVICES[name];
  ctx.progress.step(`port-forwarding to ${ctx.config.namespaces.monitoring}/${service}:${port}`);
  const forward = await kubeOf(ctx).portForward(ctx.config.namespaces.monitoring, service, port);
  ctx.cleanups.push(forward.close);
  return forward.url;
}

function print(ctx: Context, value: unknown, text: string): void {
  ctx.out(ctx.json ? JSON.stringify(value, null, 2) + "\n" : text);
}

async function run(ctx: Context): Promise<number> {
  const [command, sub, ...rest] = ctx.args.positionals;
  switch (command) {
    case "status": {
      const lines = await status(
        { prometheus: await endpoint(ctx, "prometheus"), alertmanager: await endpoint(ctx, "alertmanager") },
        ctx.config,
      );
      print(ctx, { stack: ctx.config.environment, lines }, formatStatus(lines));
      return lines.some((l) => l.level === "FAIL") ? EXIT.checkFailed : EXIT.ok;
    }
    case "silence": {
      if (sub === "add") {
        const request = silenceRequest(ctx.config, {
          matchers: flags(ctx.args, "matcher"),
          duration: flag(ctx.args, "duration"),
          reason: flag(ctx.args, "reason"),
          author: flag(ctx.args, "author"),
        });
        const id = await addSilence(new Alertmanager(await endpoint(ctx, "alertmanager")), request);
        print(
          ctx,
          { id, endsAt: request.endsAt.toISOString() },
          `silence ${id} until ${request.endsAt.toISOString()}\n`,
        );
        return EXIT.ok;
      }
      if (sub === "list") {
        const silences = await listSilences(new Alertmanager(await endpoint(ctx, "alertmanager")));
        print(ctx, silences, formatSilences(silences));
        return EXIT.ok;
      }
      if (sub === "expire") {
        if (rest.length !== 1) throw new UsageError("silence expire takes one silence id");
        await new Alertmanager(await endpoint(ctx, "alertmanager")).expireSilence(rest[0]);
        print(ctx, { expired: rest[0] }, `silence ${rest[0]} expired\n`);
        return EXIT.ok;
      }
      throw new UsageError("silence needs add, list or expire");
    }
    case "backup": {
      const kube = kubeOf(ctx);
      if (sub === "run") {
        const { job, result } = await runBackup(
          kube,
          ctx.config,
          backupMode(flag(ctx.args, "mode")),
          has(ctx.args, "follow"),
          ctx.progress,
          (t) => process.stdout.write(t),
        );
        if (ctx.json) print(ctx, { job, result: result ?? "started" }, "");
        else if (!result) ctx.out(`started Job ${ctx.config.namespaces.backup}/${job}\n`);
        return result === "failed" ? EXIT.checkFailed : EXIT.ok;
      }
      if (sub === "snapshots") {
        const list = await listSnapshots(kube, ctx.config, ctx.progress);
        print(ctx, list, formatSnapshots(list));
        return EXIT.ok;
      }
      if (sub === "pause" || sub === "resume") {
        const names = await setBackupsSuspended(kube, ctx.config, sub === "pause");
        print(
          ctx,
          { suspended: sub === "pause", cronJobs: names },
          `${sub === "pause" ? "suspended" : "resumed"}: ${names.join(", ")}\n`,
        );
        return EXIT.ok;
      }
      throw new UsageError("backup needs run, snapshots, pause or resume");
    }
    case "diagnose": {
      const out = flag(ctx.args, "out");
      if (!out || !out.endsWith(".tar.gz")) throw new UsageError("diagnose needs --out FILE.tar.gz");
      const optional = async (name: keyof typeof SERVICES) => endpoint(ctx, name).catch(() => undefined);
      let kube: Kube | undefined;
      try {
        kube =
          flag(ctx.args, "kubeconfig") || fs.existsSync(`${process.env.HOME}/.kube/config`) ? kubeOf(ctx) : undefined;
      } catch {
        kube = undefined;
      }
      const result = await diagnose(
        ctx.config,
        { prometheus: await optional("prometheus"), alertmanager: await optional("alertmanager"), kube },
        out,
        ctx.progress,
      );
      print(ctx, { out, ...result }, `wrote ${out}\n${result.missing.map((m) => `  not collected: ${m}\n`).join("")}`);
      return EXIT.ok;
    }
    default:
      throw new UsageError(command ? `unknown command "${command}"` : "no command given (cryo-ops --help)");
  }
}

export async function main(argv: string[]): Promise<number> {
  const cleanups: (() => void)[] = [];
  try {
    const args = parseArgs(argv, FLAGS);
    if (has(args, "help") || args.positionals[0] === "help") {
      process.stdout.write(HELP);
      return EXIT.ok;
    }
    const json = has(args, "json");
    const config = loadConfig(flag(args, "stack"));
    const progress = new Progress(process.stderr, json);
    return await run({ args, config, json, out: (t) => process.stdout.write(t), progress, cleanups });
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`cryo-ops: ${e.message}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`cryo-ops: ${e instanceof CheckFailed ? e.message : (e as Error).message}\n`);
    return EXIT.checkFailed;
  } finally {
    cleanups.forEach((c) => c());
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
