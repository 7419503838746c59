/** The detection-latency table the e2e prints at the end of a run. */
import { ScenarioRun } from "./scenarios";
import { ChannelDelivery } from "./prod-scenarios";

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + " ".repeat(width - text.length);
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => "  " + cells.map((c, i) => pad(c, widths[i])).join("  ") + "\n";
  return line(header) + rows.map(line).join("");
}

/** Per alert and channel of the prod topology: seconds to the first delivery, and how many arrived. */
export function formatProdDeliveries(deliveries: ChannelDelivery[]): string {
  const rows = deliveries.map((d) => [
    d.cell,
    d.alert,
    d.channel,
    d.status,
    `${d.seconds.toFixed(1)} s after ${d.from}`,
    String(d.count),
  ]);
  return (
    "\nProd topology, delivery to the real integrations (2 Prometheus, 3 Alertmanagers):\n" +
    (rows.length
      ? table(["cell", "alert", "channel", "event", "first delivery", "deliveries"], rows)
      : "  (nothing arrived)\n")
  );
}

export function formatDetections(run: ScenarioRun, now = Date.now()): string {
  const header = ["alert", "severity", "cell", "receiver(s)", "fault", "detection latency"];
  const rows = [...run.detections]
    .sort((a, b) => a.arrivedAt - a.injectedAt - (b.arrivedAt - b.injectedAt))
    .map((d) => [
      d.alert,
      d.severity,
      d.cell,
      d.receivers.join(", "),
      d.fault,
      `${((d.arrivedAt - d.injectedAt) / 1000).toFixed(1)} s`,
    ]);
  return (
    "\nDetection latency (fault injected -> notification at the webhook sink):\n" +
    table(header, rows) +
    (rows.length === 0 ? "  (no alert arrived)\n" : "") +
    `Total e2e run: ${((now - run.startedAt) / 1000).toFixed(0)} s (setup to teardown start)\n`
  );
}
