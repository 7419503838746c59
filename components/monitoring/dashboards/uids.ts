/** Stable uids of the monitoring dashboards; alerts link to them, so they never change. */
export const dashboardUids = {
  api: "cryoprotect-api",
  database: "cryoprotect-database",
  system: "cryoprotect-system",
  slo: "cryoprotect-slo",
  business: "cryoprotect-business",
  probes: "cryoprotect-probes",
} as const;
