/**
 * A synthetic CryoProtect API: a real HTTP server whose request handlers
 * answer with the configured error ratio and latency, a built-in client that
 * calls them at the configured rate, and /metrics serving the metrics contract
 * for what actually happened. Stopping it closes the port, so Prometheus sees
 * the target go down just as in the cluster.
 */
import * as http from "http";
import { AddressInfo } from "net";
import { DATABASE_ERROR_TYPE, metrics } from "../../components/shared/app-metrics";
import { Registry } from "./exposition";
import { HOST, url } from "./ports";
import { request, settlesWithin } from "./wait";

export interface Traffic {
  /** Requests per second the built-in client sends, spread evenly over the routes. */
  rate: number;
  /** Share of each route's requests answered with HTTP 500 (evenly spread, deterministic). */
  errorRatio: number;
  /** Share of each route's requests that take `slowSeconds` instead of the usual 20-80 ms. */
  slowRatio: number;
  slowSeconds: number;
}

/** Normal operation: 10 requests/s, one in 200 fails (as real services do), none slow. */
export const HEALTHY: Traffic = { rate: 10, errorRatio: 0.005, slowRatio: 0, slowSeconds: 1.5 };

/** The API's routes, in the shape of the app's `endpoint` label. */
const ROUTES: { method: string; endpoint: string; table: string }[] = [
  { method: "GET", endpoint: "/api/v1/molecules", table: "molecules" },
  { method: "GET", endpoint: "/api/v1/mixtures", table: "mixtures" },
  { method: "POST", endpoint: "/api/v1/predictions", table: "predictions" },
  { method: "GET", endpoint: "/api/v1/experiments", table: "experiments" },
];

const POOL_MAX = 20;
const GiB = 1024 ** 3;

/** Whether request number n (0-based) fails, so that exactly `ratio` of any long run fails, evenly spread. */
export function failsAt(n: number, ratio: number): boolean {
  return Math.floor((n + 1) * ratio + 1e-9) > Math.floor(n * ratio + 1e-9);
}

export interface ServedRequest {
  /** When it ended (ms), which is when its metrics were updated. */
  at: number;
  method: string;
  endpoint: string;
  status: number;
  seconds: number;
}

export class SyntheticApi {
  private readonly registry = new Registry(Object.values(metrics));
  private server?: http.Server;
  private timer?: NodeJS.Timeout;
  private traffic: Traffic;
  private sent = 0;
  /** Requests handled so far, per route: faults are spread evenly over each route's requests. */
  private readonly handled = new Map<string, number>();
  private inProgress = new Map<string, number>();
  private credit = 0;
  private readonly stored = { molecules: 5120, mixtures: 830, predictions: 12400, experiments: 310 };
  /** Every request served, as it really went: the truth the accuracy check compares the recorded rules with. */
  readonly served: ServedRequest[] = [];

  constructor(
    readonly port: number,
    traffic: Traffic = HEALTHY,
  ) {
    this.traffic = { ...traffic };
    for (const route of ROUTES) this.setInProgress(route.method, route.endpoint, 0);
  }

  get url(): string {
    return url(this.port);
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  getTraffic(): Traffic {
    return { ...this.traffic };
  }

  setTraffic(traffic: Partial<Traffic>): Traffic {
    const limits: Record<keyof Traffic, [number, number]> = {
      rate: [0, 200],
      errorRatio: [0, 1],
      slowRatio: [0, 1],
      slowSeconds: [0, 30],
    };
    for (const [key, value] of Object.entries(traffic) as [keyof Traffic, number][]) {
      const [min, max] = limits[key] ?? [NaN, NaN];
      if (!(value >= min && value <= max)) throw new Error(`${key} must be within ${min}..${max}, got ${value}`);
    }
    this.traffic = { ...this.traffic, ...traffic };
    return this.getTraffic();
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = http.createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, HOST, () => resolve());
    });
    if ((server.address() as AddressInfo).port !== this.port) throw new Error("API bound to an unexpected port");
    this.server = server;
    this.timer = setInterval(() => this.tick(), 100);
  }

  /** Closes the port and stops the client: the service is down. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await settlesWithin(new Promise<void>((resolve) => server.close(() => resolve())), 3000);
  }

  /** Sends this tick's share of the configured request rate. */
  private tick(): void {
    this.credit += this.traffic.rate / 10;
    while (this.credit >= 1) {
      this.credit -= 1;
      const route = ROUTES[this.sent % ROUTES.length];
      this.sent += 1;
      request(route.method, this.url + route.endpoint, undefined, 35000).catch(() => undefined);
    }
  }

  private setInProgress(method: string, endpoint: string, delta: number): void {
    const key = `${method} ${endpoint}`;
    const value = (this.inProgress.get(key) ?? 0) + delta;
    this.inProgress.set(key, value);
    this.registry.set(metrics.httpRequestsInProgress, { method, endpoint }, value);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/metrics") {
      this.updateGauges();
      res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4" });
      res.end(this.registry.render());
      return;
    }
    if (path === "/health") {
      res.writeHead(200).end("ok");
      return;
    }
    const route = ROUTES.find((r) => r.endpoint === path && r.method === req.method);
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    await this.serve(route, res);
  }

  private async serve(route: (typeof ROUTES)[number], res: http.ServerResponse): Promise<void> {
    const labels = { method: route.method, endpoint: route.endpoint };
    const key = `${route.method} ${route.endpoint}`;
    const n = this.handled.get(key) ?? 0;
    this.handled.set(key, n + 1);
    this.setInProgress(route.method, route.endpoint, 1);
    const slow = failsAt(n, this.traffic.slowRatio);
    const seconds = slow ? this.traffic.slowSeconds : 0.02 + (n % 7) * 0.01;
    // Unref'd: a request still being served when the API stops must not hold the process open.
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000).unref());
    const failed = failsAt(n, this.traffic.errorRatio);
    const status = failed ? 500 : route.method === "POST" ? 201 : 200;
    const operation = route.method === "POST" ? "insert" : "select";
    this.registry.inc(metrics.dbQueriesTotal, { operation, table: route.table });
    this.registry.observe(metrics.dbQueryDurationSeconds, { operation, table: route.table }, 0.002 + (n % 5) * 0.001);
    // Every other failure is a database error, as when a query times out; the rest are application errors.
    const errorType = failsAt(n, this.traffic.errorRatio / 2) ? DATABASE_ERROR_TYPE : "InternalServerError";
    if (failed) this.registry.inc(metrics.errorsTotal, { type: errorType, endpoint: route.endpoint });
    else if (route.method === "POST") this.stored.predictions += 1;
    this.registry.inc(metrics.httpRequestsTotal, { ...labels, status: String(status) });
    this.registry.observe(metrics.httpRequestDurationSeconds, labels, seconds);
    this.served.push({ at: Date.now(), method: route.method, endpoint: route.endpoint, status, seconds });
    this.setInProgress(route.method, route.endpoint, -1);
    res.writeHead(status, { "Content-Type": "application/json" }).end(failed ? '{"error":"internal"}' : "{}");
  }

  private updateGauges(): void {
    const busy = [...this.inProgress.values()].reduce((a, b) => a + b, 0);
    const active = Math.min(POOL_MAX, 2 + Math.ceil(busy / 4));
    this.registry.set(metrics.dbConnectionPoolSize, { state: "active" }, active);
    this.registry.set(metrics.dbConnectionPoolSize, { state: "idle" }, POOL_MAX - active);
    this.registry.set(metrics.dbConnectionPoolSize, { state: "max" }, POOL_MAX);
    this.registry.set(metrics.cpuUsagePercent, {}, 18 + (this.sent % 5));
    this.registry.set(metrics.memoryUsageBytes, { type: "used" }, 2.5 * GiB);
    this.registry.set(metrics.memoryUsageBytes, { type: "total" }, 8 * GiB);
    this.registry.set(metrics.diskUsageBytes, { type: "used" }, 21 * GiB);
    this.registry.set(metrics.diskUsageBytes, { type: "total" }, 100 * GiB);
    this.registry.set(metrics.moleculesTotal, {}, this.stored.molecules);
    this.registry.set(metrics.mixturesTotal, {}, this.stored.mixtures);
    this.registry.set(metrics.predictionsTotal, {}, this.stored.predictions);
    this.registry.set(metrics.experimentsTotal, {}, this.stored.experiments);
  }
}
