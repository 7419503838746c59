/**
 * promtool cases of a pair of certificate expiry alerts (warning, then critical): each fires a day
 * past its threshold and stays quiet a day short of it. The thresholds are the stack's own.
 */
import { StackConfig } from "../../../configs/types";
import { AlertCase, InputSeries } from "./promtool";

export function certificateExpiryCases(
  config: StackConfig,
  alerts: { warning: string; critical: string },
  /** The expiry series of a certificate that expires `days` after time 0. */
  expiresIn: (days: number) => InputSeries,
  labels: Record<string, string>,
): AlertCase[] {
  const t = config.monitoring.thresholds;
  return (
    [
      [alerts.warning, t.certificateExpiryWarningDays, "warning"],
      [alerts.critical, t.certificateExpiryCriticalDays, "critical"],
    ] as const
  ).flatMap(([alert, days, severity]) => [
    {
      alert,
      title: `${days - 1} days left fires after an hour`,
      input: [expiresIn(days - 1)],
      evalTime: "70m",
      firing: [{ severity, labels }],
    },
    { alert, title: `${days + 1} days left stays quiet`, input: [expiresIn(days + 1)], evalTime: "70m", firing: [] },
  ]);
}
