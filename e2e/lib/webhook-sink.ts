/**
 * The webhook sink every redirected Alertmanager receiver posts to, at
 * /<cell>/<receiver>. It records each notification with its arrival time, so
 * the scenarios assert on what would have reached Slack, PagerDuty or e-mail.
 */
import * as http from "http";
import { HOST } from "./ports";

/** One alert of an Alertmanager webhook payload (version 4). */
export interface WebhookAlert {
  status: "firing" | "resolved";
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  fingerprint?: string;
}

export interface Notification {
  cell: string;
  /** Receiver from the URL path (the redirected receiver's name). */
  receiver: string;
  status: string;
  alerts: WebhookAlert[];
  receivedAt: number;
}

export class WebhookSink {
  readonly notifications: Notification[] = [];
  private server?: http.Server;
  /** Called for every notification received (the demo prints them). */
  onNotification?: (notification: Notification) => void;

  constructor(readonly port: number) {}

  urlFor(cell: string, receiver: string): string {
    return `http://${HOST}:${this.port}/${encodeURIComponent(cell)}/${encodeURIComponent(receiver)}`;
  }

  async start(): Promise<void> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const [cell, receiver] = (req.url ?? "/")
          .split("?")[0]
          .split("/")
          .filter((s) => s)
          .map(decodeURIComponent);
        try {
          const payload = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
            receiver: string;
            status: string;
            alerts: WebhookAlert[];
          };
          if (req.method !== "POST" || !cell || !receiver) throw new Error("expected POST /<cell>/<receiver>");
          // Alertmanager names the receiver in the payload too; a mismatch would mean a mixed-up redirection.
          if (payload.receiver !== receiver) throw new Error(`payload of ${payload.receiver} posted to ${receiver}`);
          const notification: Notification = {
            cell,
            receiver,
            status: payload.status,
            alerts: payload.alerts,
            receivedAt: Date.now(),
          };
          this.notifications.push(notification);
          this.onNotification?.(notification);
          res.writeHead(200).end();
        } catch (error) {
          res.writeHead(400).end(String(error));
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, HOST, () => resolve());
    });
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Firing alerts delivered for a cell, flattened, with receiver and arrival time. */
  firing(cell: string): { receiver: string; alert: WebhookAlert; receivedAt: number }[] {
    return this.notifications
      .filter((n) => n.cell === cell)
      .flatMap((n) =>
        n.alerts
          .filter((a) => a.status === "firing")
          .map((alert) => ({ receiver: n.receiver, alert, receivedAt: n.receivedAt })),
      );
  }

  /** First arrival of a firing alert by name in a cell, optionally at one receiver and matching `match`. */
  firstArrival(
    cell: string,
    alertname: string,
    receiver?: string,
    match: (alert: WebhookAlert) => boolean = () => true,
  ): number | undefined {
    const times = this.firing(cell)
      .filter(
        (f) =>
          f.alert.labels.alertname === alertname &&
          (receiver === undefined || f.receiver === receiver) &&
          match(f.alert),
      )
      .map((f) => f.receivedAt);
    return times.length ? Math.min(...times) : undefined;
  }
}
