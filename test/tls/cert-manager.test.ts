/**
 * cert-manager: installed only where the stack asks, pinned with its CRD bundle, hardened and sized
 * from config, scraped for the certificate metrics the expiry alerts read; the alerts exist only
 * where an ingress names an issuer.
 */
import { stackConfig } from "../../scripts/lib/stack-config";
import { certManagerValues, certManagerWorkloads } from "../../components/tls/cert-manager-values";
import { tlsMixin } from "../../components/tls/mixin";
import { usesCertManager } from "../../components/tls/names";
import { chartPodSpec } from "../../components/shared/chart-workloads";
import { podSecurityViolations } from "../../components/shared/pod-security";
import { missingResources } from "../../components/shared/resources";
import { crdBundles } from "../../components/shared/crds";
import { charts } from "../../components/shared/platform";
import { k8sObjects, ofType, stackRun } from "../harness/stack";

const dev = stackConfig("dev");
const prod = stackConfig("prod");

describe("cert-manager", () => {
  it("moves with its CRD bundle, one pinned version", () => {
    expect(charts.certManager.version).toBe(`v${crdBundles.certManager.version}`);
    expect(crdBundles.certManager.url).toContain(`/v${crdBundles.certManager.version}/cert-manager.crds.yaml`);
  });

  it("values: CRDs from the bundle, ServiceMonitor on, each of the four workloads restricted and sized", () => {
    const values = certManagerValues(prod);
    expect(values).toMatchObject({
      crds: { enabled: false },
      prometheus: { enabled: true, servicemonitor: { enabled: true } },
    });
    expect(certManagerWorkloads).toHaveLength(4);
    for (const w of certManagerWorkloads) {
      const spec = chartPodSpec(values, w);
      expect({ w: w.workload, v: podSecurityViolations(spec) }).toEqual({ w: w.workload, v: [] });
      expect(missingResources(spec.containers[0].resources)).toEqual([]);
    }
  });

  it("is installed by prod (certManager set), not by dev, and only prod has certificate alerts", async () => {
    const [d, p] = [await stackRun("dev"), await stackRun("prod")];
    const release = (run: typeof d) =>
      ofType(run, "kubernetes:helm.sh/v3:Release").filter((r) => r.inputs.chart === "cert-manager");
    expect(release(d)).toHaveLength(0);
    expect(release(p)).toHaveLength(1);
    expect(release(p)[0].inputs).toMatchObject({ namespace: "cert-manager", version: charts.certManager.version });
    expect(release(p)[0].dependsOn.some((x) => /ConfigFile::cryoprotect-prod-tls-crds$/.test(x))).toBe(true);
    const ns = k8sObjects(p, "Namespace", "cert-manager")[0].inputs.metadata as { labels: Record<string, string> };
    expect(ns.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    expect(usesCertManager(dev)).toBe(false);
    expect(tlsMixin(dev).ruleGroups).toEqual([]);
    expect(tlsMixin(prod).ruleGroups[0].alerts.map((a) => [a.name, a.severity])).toEqual([
      ["CertificateExpiringSoon", "warning"],
      ["CertificateExpiryCritical", "critical"],
    ]);
  });

  it("an issuer used without installing cert-manager still gets the alerts (cert-manager already in the cluster)", () => {
    const external = { ...prod, certManager: undefined };
    expect(usesCertManager(external)).toBe(true);
    expect(tlsMixin(external).ruleGroups).toHaveLength(1);
  });
});
