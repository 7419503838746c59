import { kibana, kibanaIngress } from "../../components/logging/kibana";
import { kubernetesBytes, logstashBytes, logstashMegabytes } from "../../components/logging/quantity";
import { stackConfig } from "../../scripts/lib/stack-config";

const dev = stackConfig("dev");
const prod = stackConfig("prod");

describe("Kibana", () => {
  it.each([
    ["dev", dev],
    ["prod", prod],
  ])("%s: count and resources from config, connected to the cluster", (_, config) => {
    const kb = kibana(config);
    expect(kb.apiVersion).toBe("kibana.k8s.elastic.co/v1");
    expect(kb.metadata).toEqual({ name: "cryoprotect", namespace: config.namespaces.logging });
    expect(kb.spec.count).toBe(config.logging.kibana.replicas);
    expect(kb.spec.version).toBe(config.logging.elasticsearch.version);
    expect(kb.spec.elasticsearchRef).toEqual({ name: "cryoprotect" });
    const { cpu, memory } = config.logging.kibana.resources;
    expect(kb.spec.podTemplate.spec.containers).toMatchObject([
      { name: "kibana", resources: { requests: { cpu, memory }, limits: { cpu, memory } } },
    ]);
  });

  it("uses the ingress host as its public base URL when exposed, and sets nothing otherwise", () => {
    expect(kibana(prod).spec.config).toEqual({ "server.publicBaseUrl": "https://kibana.cryoprotect.example" });
    expect(kibana(dev).spec).not.toHaveProperty("config");
  });

  it("ingress: TLS for the configured host, HTTPS to ECK's Kibana service on 5601", () => {
    const ingress = prod.logging.kibana.ingress!;
    const obj = kibanaIngress(prod, ingress);
    expect(obj.metadata.namespace).toBe("logging");
    expect(obj.metadata.annotations["nginx.ingress.kubernetes.io/backend-protocol"]).toBe("HTTPS");
    expect(obj.spec.ingressClassName).toBe(ingress.className);
    expect(obj.spec.tls).toEqual([{ hosts: [ingress.host], secretName: ingress.tls.secretName }]);
    // cert-manager issues the Secret from the stack's issuer; an existing Secret gets no annotation.
    expect(obj.metadata.annotations["cert-manager.io/cluster-issuer"]).toBe("letsencrypt-prod");
    const existing = kibanaIngress(prod, { ...ingress, tls: { secretName: "kibana-tls", existingSecret: true } });
    expect(Object.keys(existing.metadata.annotations)).toEqual(["nginx.ingress.kubernetes.io/backend-protocol"]);
    expect(obj.spec.rules).toHaveLength(1);
    expect(obj.spec.rules[0].host).toBe(ingress.host);
    expect(obj.spec.rules[0].http.paths).toEqual([
      {
        path: "/",
        pathType: "Prefix",
        backend: { service: { name: "cryoprotect-kb-http", port: { number: 5601 } } },
      },
    ]);
  });
});

describe("byte quantities", () => {
  it.each([
    ["512Mi", 512 * 2 ** 20],
    ["2Gi", 2 * 2 ** 30],
    ["1.5Gi", 1.5 * 2 ** 30],
    ["1Ti", 2 ** 40],
    ["1Ki", 1024],
    ["1G", 1e9],
    ["3M", 3e6],
    ["7k", 7000],
    ["2T", 2e12],
    ["100", 100],
  ])("Kubernetes %s is %d bytes", (q, bytes) => {
    expect(kubernetesBytes(q)).toBe(bytes);
  });

  it.each(["500m", "1gb", "Gi", "-1Gi", ""])("Kubernetes %j is refused as a byte size", (q) => {
    expect(() => kubernetesBytes(q)).toThrow(/Not a byte quantity/);
  });

  it.each([
    ["1gb", 2 ** 30],
    ["4gb", 4 * 2 ** 30],
    ["512mb", 512 * 2 ** 20],
    ["8kb", 8192],
    ["10b", 10],
    ["1tb", 2 ** 40],
  ])("Logstash %s is %d bytes", (v, bytes) => {
    expect(logstashBytes(v)).toBe(bytes);
  });

  it.each(["1GB", "1Gi", "1.5gb", "gb"])("Logstash %j is refused", (v) => {
    expect(() => logstashBytes(v)).toThrow(/Not a Logstash byte value/);
  });

  it("writes whole mebibytes, rounded down", () => {
    expect(logstashMegabytes(2 ** 30)).toBe("1024mb");
    expect(logstashMegabytes(0.9 * 2 ** 30)).toBe("921mb");
  });
});
