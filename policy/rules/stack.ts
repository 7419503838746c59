/** Stack-level rules: what the prod stack must have to be production. */
import { StackConfig } from "../../configs/types";
import { charts } from "../../components/shared/platform";
import { PolicyResource, StackViolation } from "../framework";
import { HELM_RELEASE } from "./kubernetes";
import { TYPES } from "./aws";

/** Off-site backups in another region, two Prometheus, three Alertmanagers and a pager on the critical route. */
export function productionTopologyViolations(resources: PolicyResource[], config: StackConfig): StackViolation[] {
  const found: StackViolation[] = [];
  const buckets = resources.filter((r) => r.type === TYPES.bucket);
  const regions = new Set(buckets.map((b) => b.provider?.props.region ?? config.cluster.region));
  if (![...regions].some((r) => r !== config.cluster.region)) {
    found.push({
      message: `no backup bucket outside the cluster's region ${config.cluster.region}: add an off-site s3 target`,
    });
  }
  const stack = resources.find((r) => r.type === HELM_RELEASE && r.props.chart === charts.kubePrometheusStack.chart);
  const values = (stack?.props.values ?? {}) as {
    prometheus?: { prometheusSpec?: { replicas?: number } };
    alertmanager?: { alertmanagerSpec?: { replicas?: number } };
  };
  const prometheus = values.prometheus?.prometheusSpec?.replicas ?? 0;
  const alertmanager = values.alertmanager?.alertmanagerSpec?.replicas ?? 0;
  if (prometheus < 2)
    found.push({ urn: stack?.urn, message: `Prometheus runs ${prometheus} replica(s); production needs 2` });
  if (alertmanager < 3)
    found.push({
      urn: stack?.urn,
      message: `Alertmanager runs ${alertmanager} replica(s); production needs 3 (a quorum survives one loss)`,
    });
  const { receivers, routing } = config.monitoring.alertmanager;
  const pagers = receivers.filter((r) => r.type === "pagerduty").map((r) => r.name);
  if (!routing.critical.some((r) => pagers.includes(r))) {
    found.push({
      message:
        "no pager (pagerduty receiver) on monitoring.alertmanager.routing.critical: critical alerts would page nobody",
    });
  }
  return found;
}
