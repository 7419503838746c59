/** Alertmanager API v2: alerts and silences. A silence posted to one peer reaches every clustered peer. */
import { Matcher } from "./args";
import { requestJson } from "./http";

export interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  status: { state: "active" | "suppressed" | "unprocessed"; silencedBy: string[]; inhibitedBy: string[] };
}

export interface Silence {
  id: string;
  matchers: Matcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  status: { state: "active" | "pending" | "expired" };
}

export class Alertmanager {
  constructor(readonly url: string) {}

  alerts(): Promise<AmAlert[]> {
    return requestJson<AmAlert[]>("Alertmanager", `${this.url}/api/v2/alerts`);
  }

  silences(): Promise<Silence[]> {
    return requestJson<Silence[]>("Alertmanager", `${this.url}/api/v2/silences`);
  }

  async addSilence(s: { matchers: Matcher[]; endsAt: Date; createdBy: string; comment: string }): Promise<string> {
    const body = {
      matchers: s.matchers,
      startsAt: new Date().toISOString(),
      endsAt: s.endsAt.toISOString(),
      createdBy: s.createdBy,
      comment: s.comment,
    };
    const created = await requestJson<{ silenceID: string }>("Alertmanager", `${this.url}/api/v2/silences`, {
      method: "POST",
      body: JSON.stringify(body),
    });
    return created.silenceID;
  }

  async expireSilence(id: string): Promise<void> {
    await requestJson("Alertmanager", `${this.url}/api/v2/silence/${encodeURIComponent(id)}`, { method: "DELETE" });
  }

  status(): Promise<{ cluster?: { status: string; peers?: unknown[] }; config?: { original: string } }> {
    return requestJson("Alertmanager", `${this.url}/api/v2/status`);
  }
}
