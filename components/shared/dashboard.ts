/** A Grafana dashboard model built with @grafana/grafana-foundation-sdk, ready to serialize. */
export interface GrafanaDashboard {
  /** Stable uid; alerts link to `<grafana.url>/d/<uid>`. */
  uid: string;
  title: string;
  /** Folder in Grafana (the sidecar's folder annotation). */
  folder: string;
  /** The dashboard JSON model (`new DashboardBuilder(...).build()`). */
  model: object;
}
