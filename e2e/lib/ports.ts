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

export const MAX_CELLS = 8;

/** Cell i gets 19010+10i .. 19013+10i. */
export function cellPorts(index: number): CellPorts {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_CELLS) throw new Error(`No ports for cell ${index}`);
  const base = 19010 + 10 * index;
  return { prometheus: base, alertmanager: base + 1, pushgateway: base + 2, api: base + 3 };
}

export function url(port: number, path = ""): string {
  return `http://${HOST}:${port}${path}`;
}
