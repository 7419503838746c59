/**
 * Local endpoints that speak what Alertmanager's real integrations send: PagerDuty's Events API v2
 * (POST /v2/enqueue), Slack incoming webhooks (POST JSON), plain webhooks, and an SMTP server that
 * requires the configured login (smtp-server), whose messages are parsed (mailparser). Loopback only.
 */
import * as http from "http";
import * as net from "net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface PagerDutyEvent {
  routing_key: string;
  event_action: "trigger" | "resolve" | "acknowledge";
  dedup_key: string;
  payload: { summary: string; severity: string; source: string; custom_details?: Record<string, unknown> };
  links?: { href: string; text: string }[];
  /** The sending Alertmanager's external URL: tells the peers apart. */
  client_url?: string;
}

export interface SlackMessage {
  channel?: string;
  attachments: { title: string; title_link: string; text: string; color?: string }[];
}

export interface Mail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  user: string;
}

/** When the sink received it (ms since the epoch), for delivery latencies and repeat intervals. */
export interface Received {
  receivedAt: number;
}

/** Listens on loopback; a port already taken is an error, not a hang. */
function listen(server: net.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
}

export class IntegrationSinks {
  readonly pagerduty: (PagerDutyEvent & Received)[] = [];
  readonly slack: ({ path: string; message: SlackMessage } & Received)[] = [];
  readonly webhooks: ({ path: string; body: unknown } & Received)[] = [];
  readonly mails: (Mail & Received)[] = [];
  private http?: http.Server;
  private smtp?: SMTPServer;

  constructor(
    readonly httpPort: number,
    readonly smtpPort: number,
    private readonly smtpLogin: { user: string; password: string },
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  async start(): Promise<void> {
    this.http = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
        const path = req.url ?? "/";
        const receivedAt = Date.now();
        if (path === "/v2/enqueue") this.pagerduty.push({ ...(body as PagerDutyEvent), receivedAt });
        else if (path.startsWith("/slack/")) this.slack.push({ path, message: body as SlackMessage, receivedAt });
        else this.webhooks.push({ path, body, receivedAt });
        // PagerDuty answers 202 with a status; Slack answers "ok"; both are 2xx.
        res.writeHead(path === "/v2/enqueue" ? 202 : 200, { "content-type": "application/json" });
        res.end(path === "/v2/enqueue" ? JSON.stringify({ status: "success", dedup_key: body.dedup_key }) : "ok");
      });
    });
    await listen(this.http, this.httpPort);
    const login = this.smtpLogin;
    this.smtp = new SMTPServer({
      // Plain SMTP on loopback; the login is required, as the relay of the stack requires it.
      secure: false,
      disabledCommands: ["STARTTLS"],
      authMethods: ["PLAIN", "LOGIN"],
      allowInsecureAuth: true,
      onAuth: (auth, _session, done) =>
        auth.username === login.user && auth.password === login.password
          ? done(null, { user: auth.username })
          : done(new Error("invalid login")),
      onData: (stream, session, done) => {
        simpleParser(stream)
          .then((mail) => {
            this.mails.push({
              from: mail.from?.text ?? "",
              to: [mail.to ?? []]
                .flat()
                .map((t) => t.text)
                .join(", "),
              subject: mail.subject ?? "",
              text: mail.text ?? "",
              html: typeof mail.html === "string" ? mail.html : "",
              user: String(session.user),
              receivedAt: Date.now(),
            });
            done();
          })
          .catch(done);
      },
    });
    await listen(this.smtp.server, this.smtpPort);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.http ? this.http.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.smtp ? this.smtp.close(() => resolve()) : resolve()));
  }
}
