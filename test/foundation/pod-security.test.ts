/**
 * Every pod the program creates or configures meets the Pod Security Standard "restricted"
 * (plus a read-only root filesystem) and has requests and limits, except exactly what the
 * declared exceptions allow; namespaces enforce what their pods need and warn and audit at
 * restricted. Walks the mocked run's objects (CronJobs, Jobs, ECK podTemplates, the Beat
 * DaemonSet) and the Helm releases' values (the chart workloads), both stacks.
 */
import { chartWorkloadsByChart, podSecurityExceptions } from "../../components/catalog";
import { chartPodSpec } from "../../components/shared/chart-workloads";
import {
  enforcedLevel,
  PodSecurityException,
  podSecurityViolations,
  unexcusedViolations,
} from "../../components/shared/pod-security";
import { podTemplatesOf } from "../../components/shared/pod-templates";
import { missingResources } from "../../components/shared/resources";
import { stackConfig } from "../../scripts/lib/stack-config";
import { ofType, StackRun, stackRun, STACKS } from "../harness/stack";

const chartWorkloads = chartWorkloadsByChart();

function objectPods(run: StackRun) {
  return run.resources
    .filter((r) => r.type.startsWith("kubernetes:") && r.inputs.kind)
    .flatMap((r) => podTemplatesOf(r.inputs as Parameters<typeof podTemplatesOf>[0]));
}

function chartPods(run: StackRun) {
  return ofType(run, "kubernetes:helm.sh/v3:Release").flatMap((r) => {
    const workloads = chartWorkloads[r.inputs.chart as string];
    if (!workloads) throw new Error(`no chart workloads listed for chart ${String(r.inputs.chart)}`);
    return workloads.map((w) => ({
      workload: w.workload,
      path: `values of ${r.inputs.chart}`,
      spec: chartPodSpec(r.inputs.values, w),
    }));
  });
}

describe.each(STACKS)("pods of the %s stack", (stack) => {
  const config = stackConfig(stack);
  const exceptions = podSecurityExceptions(config);
  let run: StackRun;
  let pods: ReturnType<typeof objectPods>;
  beforeAll(async () => {
    run = await stackRun(stack);
    pods = [...objectPods(run), ...chartPods(run)];
  });

  it("are found: backup CronJobs, the setup Job, the ECK podTemplates, the Beat DaemonSet and every chart workload", () => {
    const workloads = pods.map((p) => p.workload);
    for (const expected of [
      /^CronJob\/cryoprotect-backup/,
      /^Job\//,
      /^Elasticsearch\//,
      /^Kibana\//,
      /^Logstash\//,
      /^Beat\//,
      /^StatefulSet\/prometheus-/,
      /^StatefulSet\/alertmanager-/,
      /grafana$/,
      /node-exporter$/,
    ]) {
      expect(workloads.filter((w) => expected.test(w)).length).toBeGreaterThan(0);
    }
  });

  it("meet restricted with a read-only root filesystem, except what a declared exception allows", () => {
    const problems = pods.flatMap((p) =>
      unexcusedViolations(p.workload, p.spec, exceptions).map(
        (v) => `${p.workload} ${p.path}${v.container ? ` container ${v.container}` : ""}: ${v.rule}: ${v.message}`,
      ),
    );
    expect(problems).toEqual([]);
  });

  it("declare no exception broader than what the pods really need", () => {
    const used = (e: PodSecurityException) =>
      e.rules.filter((rule) =>
        pods
          .filter((p) => p.workload === e.workload)
          .some((p) => podSecurityViolations(p.spec).some((v) => v.rule === rule)),
      );
    for (const e of exceptions) {
      expect({ workload: e.workload, rules: used(e) }).toEqual({ workload: e.workload, rules: [...e.rules] });
      expect(e.reason.length).toBeGreaterThan(40);
    }
  });

  it("have requests for CPU and memory and a memory limit in every container", () => {
    const problems = pods.flatMap((p) =>
      [...(p.spec.initContainers ?? []), ...(p.spec.containers ?? [])].flatMap((c) => {
        const missing = missingResources((c as { resources?: unknown }).resources);
        return missing.length ? [`${p.workload} container ${c.name}: no ${missing.join(", ")}`] : [];
      }),
    );
    expect(problems).toEqual([]);
  });

  it("run in namespaces that enforce the lowest level their pods allow, and warn and audit at restricted", () => {
    const namespaces = run.resources.filter((r) => r.type === "kubernetes:core/v1:Namespace");
    const levels = Object.fromEntries(
      namespaces.map((n) => {
        const meta = n.inputs.metadata as { name: string; labels: Record<string, string> };
        expect(meta.labels).toMatchObject({
          "pod-security.kubernetes.io/warn": "restricted",
          "pod-security.kubernetes.io/audit": "restricted",
        });
        expect(meta.labels["pod-security.kubernetes.io/enforce"]).toBe(enforcedLevel(meta.name, exceptions));
        return [meta.name, meta.labels["pod-security.kubernetes.io/enforce"]];
      }),
    );
    expect(levels).toMatchObject({
      [config.namespaces.monitoring]: "restricted",
      [config.namespaces.backup]: "restricted",
      [config.namespaces.nodeExporter]: "privileged",
      // Filebeat's host paths, in both stacks.
      [config.namespaces.logging]: "privileged",
    });
  });
});

describe("the restricted check", () => {
  const compliant = {
    securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } },
    containers: [
      {
        name: "app",
        securityContext: {
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["ALL"] },
        },
      },
    ],
    volumes: [{ name: "tmp", emptyDir: {} }],
  };

  it("passes a pod that sets every field, at pod or container level", () => {
    expect(podSecurityViolations(compliant)).toEqual([]);
  });

  it.each([
    ["hostNamespaces", { hostNetwork: true }],
    ["hostPathVolumes", { volumes: [{ name: "logs", hostPath: { path: "/var/log" } }] }],
    ["volumeTypes", { volumes: [{ name: "nfs", nfs: { server: "x", path: "/" } }] }],
    [
      "privileged",
      {
        containers: [
          {
            ...compliant.containers[0],
            securityContext: { ...compliant.containers[0].securityContext, privileged: true },
          },
        ],
      },
    ],
    [
      "privilegeEscalation",
      {
        containers: [
          { name: "app", securityContext: { readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } } },
        ],
      },
    ],
    ["runningAsNonRoot", { securityContext: { runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } } }],
    ["runningAsNonRootUser", { securityContext: { ...compliant.securityContext, runAsUser: 0 } }],
    ["seccompProfile", { securityContext: { runAsNonRoot: true, seccompProfile: { type: "Unconfined" } } }],
    [
      "capabilities",
      {
        containers: [
          {
            name: "app",
            securityContext: {
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              capabilities: { drop: ["ALL"], add: ["SYS_ADMIN"] },
            },
          },
        ],
      },
    ],
    [
      "readOnlyRootFilesystem",
      {
        containers: [
          { name: "app", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } },
        ],
      },
    ],
    ["hostPorts", { containers: [{ ...compliant.containers[0], ports: [{ hostPort: 8080 }] }] }],
  ])("finds %s", (rule, change) => {
    const rules = podSecurityViolations({ ...compliant, ...change }).map((v) => v.rule);
    expect(rules).toContain(rule);
  });

  it("excuses only the listed rules, containers and workload", () => {
    const spec = { ...compliant, volumes: [{ name: "logs", hostPath: { path: "/var/log" } }] };
    const exception: PodSecurityException = {
      workload: "DaemonSet/agent",
      namespace: "agents",
      containers: ["app"],
      rules: ["hostPathVolumes"],
      reason: "test",
    };
    expect(unexcusedViolations("DaemonSet/agent", spec, [exception]).map((v) => v.rule)).toEqual(["volumeTypes"]);
    expect(unexcusedViolations("DaemonSet/other", spec, [exception]).map((v) => v.rule)).toEqual([
      "hostPathVolumes",
      "volumeTypes",
    ]);
    expect(enforcedLevel("agents", [exception])).toBe("privileged");
    expect(enforcedLevel("agents", [{ ...exception, rules: ["runningAsNonRoot"] }])).toBe("baseline");
    expect(enforcedLevel("agents", [{ ...exception, rules: ["readOnlyRootFilesystem"] }])).toBe("restricted");
    expect(enforcedLevel("elsewhere", [exception])).toBe("restricted");
  });
});
