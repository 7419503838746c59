/**
 * Every port the e2e setup listens on, all on 127.0.0.1 and inside 19000-19099
 * (the range reserved for the e2e; other test areas use other ranges).
 */
export const HOST = "127.0.0.1";

export const SHARED_PORTS = {
  webhookSink: 19000,
  postgres: 19001,
  postgresExporter: 19002,
  nodeExporter: 19003,
  /** The demo's fault-injection endpoint. */
  control: 19004,
  blackboxExporter: 19005,
} as const;

/** Ports of one cell: its own Prometheus, Alertmanager, Pushgateway and API instance. */
export interface CellPorts {
  prometheus: number;
  alertmanager: number;
  pushgateway: number;
  api: number;
}

export const MAX_CELLS = 6;

/** Cell i gets 19010+10i .. 19013+10i (up to 19063). */
export function cellPorts(index: number): CellPorts {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_CELLS) throw new Error(`No ports for cell ${index}`);
  const base = 19010 + 10 * index;
  return { prometheus: base, alertmanager: base + 1, pushgateway: base + 2, api: base + 3 };
}

/** Ports of one prod-topology cell: a Prometheus pair, three clustered Alertmanagers and its own sinks. */
export interface ProdCellPorts {
  prometheus: [number, number];
  alertmanagers: { web: number; cluster: number }[];
  pushgateway: number;
  api: number;
  /** The integration sinks: PagerDuty, Slack and webhook endpoints over HTTP, and SMTP. */
  sinkHttp: number;
  smtp: number;
}

export const MAX_PROD_CELLS = 2;
export const ALERTMANAGER_PEERS = 3;

/** Prod cell j gets 19070+15j .. 19081+15j (up to 19096). */
export function prodCellPorts(index: number): ProdCellPorts {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_PROD_CELLS) {
    throw new Error(`No ports for prod cell ${index}`);
  }
  const base = 19070 + 15 * index;
  return {
    prometheus: [base, base + 1],
    alertmanagers: Array.from({ length: ALERTMANAGER_PEERS }, (_, i) => ({
      web: base + 2 + 2 * i,
      cluster: base + 3 + 2 * i,
    })),
    pushgateway: base + 8,
    api: base + 9,
    sinkHttp: base + 10,
    smtp: base + 11,
  };
}

export function url(port: number, path = ""): string {
  return `http://${HOST}:${port}${path}`;
}
