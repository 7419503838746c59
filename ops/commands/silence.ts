/** `cryo-ops silence add|list|expire`: Alertmanager API v2, so a silence reaches every clustered peer. */
import * as os from "os";
import { StackConfig } from "../../configs/types";
import { Alertmanager, Silence } from "../alertmanager";
import { Matcher, parseDuration, parseMatcher } from "../args";
import { UsageError } from "../errors";

export interface SilenceRequest {
  matchers: Matcher[];
  endsAt: Date;
  createdBy: string;
  comment: string;
}

/** Checks the input before anything is sent: matchers, a reason, a duration within the stack's limit. */
export function silenceRequest(
  config: StackConfig,
  input: { matchers: string[]; duration?: string; reason?: string; author?: string },
  now = new Date(),
): SilenceRequest {
  if (!input.matchers.length) throw new UsageError("silence add needs at least one --matcher name=value");
  const matchers = input.matchers.map(parseMatcher);
  if (!input.reason?.trim())
    throw new UsageError('silence add needs --reason "..." (it is shown to whoever is paged next)');
  if (!input.duration) throw new UsageError("silence add needs --duration (e.g. 2h)");
  const seconds = parseDuration(input.duration);
  const max = config.monitoring.alertmanager.maxSilenceHours;
  if (seconds > max * 3600) {
    throw new UsageError(
      `--duration ${input.duration} is over this stack's limit of ${max}h (monitoring.alertmanager.maxSilenceHours)`,
    );
  }
  const createdBy = input.author ?? process.env.USER ?? os.userInfo().username;
  return { matchers, endsAt: new Date(now.getTime() + seconds * 1000), createdBy, comment: input.reason.trim() };
}

export async function addSilence(am: Alertmanager, request: SilenceRequest): Promise<string> {
  return am.addSilence(request);
}

export async function listSilences(am: Alertmanager): Promise<Silence[]> {
  return (await am.silences()).filter((s) => s.status.state !== "expired");
}

export function formatSilences(silences: Silence[]): string {
  if (!silences.length) return "no active or pending silences\n";
  return (
    silences
      .map((s) => {
        const matchers = s.matchers
          .map((m) => `${m.name}${m.isEqual ? "" : "!"}${m.isRegex ? "=~" : "="}"${m.value}"`)
          .join(" ");
        return `${s.id}  ${s.status.state.padEnd(7)}  until ${s.endsAt}  ${s.createdBy}  ${matchers}  # ${s.comment}`;
      })
      .join("\n") + "\n"
  );
}
