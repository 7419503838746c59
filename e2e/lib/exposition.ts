/**
 * A minimal Prometheus text-format registry driven by the metrics contract
 * (components/monitoring/metrics.ts): the synthetic API can only expose the
 * names, labels and buckets the contract defines.
 */
import { MetricDefinition } from "../../components/shared/app-metrics";

type Labels = Record<string, string>;

function labelKey(definition: MetricDefinition, labels: Labels): string {
  const names = [...definition.labels];
  const given = Object.keys(labels).sort();
  if (given.join(",") !== [...names].sort().join(",")) {
    throw new Error(`${definition.name} takes labels {${names.join(", ")}}, got {${given.join(", ")}}`);
  }
  for (const [label, allowed] of Object.entries(definition.labelValues ?? {}) as [string, readonly string[]][]) {
    if (!allowed.includes(labels[label]))
      throw new Error(`${definition.name}: ${label}="${labels[label]}" is not in the contract`);
  }
  return JSON.stringify(names.map((n) => [n, labels[n]]));
}

function renderLabels(pairs: [string, string][]): string {
  if (pairs.length === 0) return "";
  return `{${pairs.map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`).join(",")}}`;
}

interface HistogramState {
  counts: number[];
  sum: number;
  count: number;
}

export class Registry {
  private readonly values = new Map<MetricDefinition, Map<string, number>>();
  private readonly histograms = new Map<MetricDefinition, Map<string, HistogramState>>();

  constructor(private readonly definitions: readonly MetricDefinition[]) {}

  private checkType(definition: MetricDefinition, ...types: string[]): void {
    if (!this.definitions.includes(definition)) throw new Error(`${definition.name} is not registered`);
    if (!types.includes(definition.type)) throw new Error(`${definition.name} is a ${definition.type}`);
  }

  inc(definition: MetricDefinition, labels: Labels = {}, by = 1): void {
    this.checkType(definition, "counter", "gauge");
    const series = this.values.get(definition) ?? new Map<string, number>();
    const key = labelKey(definition, labels);
    series.set(key, (series.get(key) ?? 0) + by);
    this.values.set(definition, series);
  }

  set(definition: MetricDefinition, labels: Labels, value: number): void {
    this.checkType(definition, "gauge");
    const series = this.values.get(definition) ?? new Map<string, number>();
    series.set(labelKey(definition, labels), value);
    this.values.set(definition, series);
  }

  observe(definition: MetricDefinition, labels: Labels, seconds: number): void {
    this.checkType(definition, "histogram");
    const buckets = definition.buckets ?? [];
    const series = this.histograms.get(definition) ?? new Map<string, HistogramState>();
    const key = labelKey(definition, labels);
    const state = series.get(key) ?? { counts: buckets.map(() => 0), sum: 0, count: 0 };
    buckets.forEach((upper, i) => {
      if (seconds <= upper) state.counts[i] += 1;
    });
    state.sum += seconds;
    state.count += 1;
    series.set(key, state);
    this.histograms.set(definition, series);
  }

  /** The text exposition format (version 0.0.4). */
  render(): string {
    const lines: string[] = [];
    for (const definition of this.definitions) {
      lines.push(`# HELP ${definition.name} ${definition.help}`, `# TYPE ${definition.name} ${definition.type}`);
      if (definition.type === "histogram") {
        for (const [key, state] of this.histograms.get(definition) ?? []) {
          const pairs = JSON.parse(key) as [string, string][];
          (definition.buckets ?? []).forEach((upper, i) =>
            lines.push(
              `${definition.name}_bucket${renderLabels([...pairs, ["le", String(upper)]])} ${state.counts[i]}`,
            ),
          );
          lines.push(`${definition.name}_bucket${renderLabels([...pairs, ["le", "+Inf"]])} ${state.count}`);
          lines.push(`${definition.name}_sum${renderLabels(pairs)} ${state.sum}`);
          lines.push(`${definition.name}_count${renderLabels(pairs)} ${state.count}`);
        }
      } else {
        for (const [key, value] of this.values.get(definition) ?? []) {
          lines.push(`${definition.name}${renderLabels(JSON.parse(key) as [string, string][])} ${value}`);
        }
      }
    }
    return lines.join("\n") + "\n";
  }
}
