/** The Prometheus and Alertmanager HTTP APIs the scenarios read, for any server of any cell. */
import { getJson } from "./wait";

export interface PrometheusAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: "pending" | "firing";
  activeAt: string;
}

export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: { state: "active" | "suppressed" | "unprocessed"; inhibitedBy: string[]; silencedBy: string[] };
  receivers: { name: string }[];
  fingerprint: string;
}

export interface QueryResult {
  metric: Record<string, string>;
  value: [number, string];
}

export interface AlertmanagerStatus {
  cluster: { name: string; status: string; peers: { name: string; address: string }[] };
}

export async function query(prometheusUrl: string, expr: string): Promise<QueryResult[]> {
  const body = await getJson<{ status: string; data: { resultType: string; result: unknown } }>(
    `${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`,
  );
  const { resultType, result } = body.data;
  if (resultType === "scalar") return [{ metric: {}, value: result as [number, string] }];
  if (resultType !== "vector") throw new Error(`${expr}: unexpected result type ${resultType}`);
  return result as QueryResult[];
}

export async function prometheusAlerts(prometheusUrl: string): Promise<PrometheusAlert[]> {
  return (await getJson<{ data: { alerts: PrometheusAlert[] } }>(`${prometheusUrl}/api/v1/alerts`)).data.alerts;
}

export function alertmanagerAlerts(alertmanagerUrl: string): Promise<AlertmanagerAlert[]> {
  return getJson<AlertmanagerAlert[]>(`${alertmanagerUrl}/api/v2/alerts`);
}

export function alertmanagerStatus(alertmanagerUrl: string): Promise<AlertmanagerStatus> {
  return getJson<AlertmanagerStatus>(`${alertmanagerUrl}/api/v2/status`);
}
