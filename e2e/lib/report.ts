/** The detection-latency table the e2e prints at the end of a run. */
import { ScenarioRun } from "./scenarios";

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + " ".repeat(width - text.length);
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
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => "  " + cells.map((c, i) => pad(c, widths[i])).join("  ") + "\n";
  return (
    "\nDetection latency (fault injected -> notification at the webhook sink):\n" +
    line(header) +
    rows.map(line).join("") +
    (rows.length === 0 ? "  (no alert arrived)\n" : "") +
    `Total e2e run: ${((now - run.startedAt) / 1000).toFixed(0)} s (setup to teardown start)\n`
  );
}
