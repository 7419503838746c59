/** JSON over HTTP with a deadline; an unreachable endpoint is one clear line naming it. */
import { CheckFailed } from "./errors";

const TIMEOUT_MS = 10_000;

export async function requestJson<T>(what: string, url: string, init: RequestInit = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      ...init,
      headers: { "content-type": "application/json", ...init.headers },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new CheckFailed(
      `cannot reach ${what} at ${new URL(url).origin}: ${cause?.code ?? cause?.message ?? (e as Error).message}`,
    );
  }
  const text = await response.text();
  if (!response.ok)
    throw new CheckFailed(
      `${what} answered ${response.status} for ${new URL(url).pathname}: ${text.trim().slice(0, 200)}`,
    );
  return (text ? JSON.parse(text) : undefined) as T;
}

export interface PrometheusSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** An instant query; the result vector (a scalar becomes one sample without labels). */
export async function promQuery(prometheusUrl: string, expr: string): Promise<PrometheusSample[]> {
  const body = await requestJson<{ data: { resultType: string; result: unknown } }>(
    "Prometheus",
    `${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`,
  );
  if (body.data.resultType === "scalar") return [{ metric: {}, value: body.data.result as [number, string] }];
  return body.data.result as PrometheusSample[];
}
