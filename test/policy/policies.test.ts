/**
 * The policy pack, called the way the engine calls it (test/policy/engine.ts) on mocked runs of
 * both real stacks: every mandatory policy passes, and each policy, given one resource mutated to
 * break it, reports exactly the message an engineer then reads in the preview.
 */
import { policies } from "../../policy/policies";
import { PlatformPolicy, PolicyContext } from "../../policy/framework";
import { stackConfig } from "../../scripts/lib/stack-config";
import { stackRun, STACKS } from "../harness/stack";
import { EngineResource, engineResources, evaluate } from "./engine";

function policy(name: string): PlatformPolicy {
  const p = policies.find((x) => x.name === name);
  if (!p) throw new Error(`no policy ${name}`);
  return p;
}

/** The stack's resources with the first resource matching `pick` changed by `edit`. */
function mutated(
  resources: EngineResource[],
  pick: (r: EngineResource) => boolean,
  edit: (props: Record<string, any>) => void, // eslint-disable-line @typescript-eslint/no-explicit-any
): EngineResource[] {
  const copy = structuredClone(resources);
  const target = copy.find(pick);
  if (!target) throw new Error("no resource to mutate");
  edit(target.props);
  return copy;
}

const ofType = (type: string) => (r: EngineResource) => r.type === type;

describe.each(STACKS)("the policy pack on the %s stack", (stack) => {
  let resources: EngineResource[];
  beforeAll(async () => {
    resources = engineResources(await stackRun(stack));
  });

  it("has a name, a description that says what to do, and an enforcement level per policy", () => {
    expect(new Set(policies.map((p) => p.name)).size).toBe(policies.length);
    for (const p of policies) {
      expect(p.name).toMatch(/^[a-z0-9-]+$/);
      expect(p.description.length).toBeGreaterThan(60);
      expect(["mandatory", "advisory"]).toContain(p.enforcementLevel);
    }
    expect(policies.filter((p) => p.enforcementLevel === "advisory").map((p) => p.name)).toEqual([
      "policy-exceptions-in-use",
    ]);
  });

  it.each(policies.map((p) => [p.name, p] as const))("passes %s", async (_, p) => {
    expect(await evaluate(p, resources)).toEqual([]);
  });
});

describe("each policy, on a resource that breaks it, reports", () => {
  let dev: EngineResource[];
  let prod: EngineResource[];
  beforeAll(async () => {
    [dev, prod] = [engineResources(await stackRun("dev")), engineResources(await stackRun("prod"))];
  });
  const messages = async (name: string, resources: EngineResource[], contextFor?: (urn: string) => PolicyContext) =>
    (await evaluate(policy(name), resources, contextFor)).map((r) => r.message);

  it("s3-backup-bucket-hardened: versioning suspended, an AWS-managed key, one public-access flag off, no TLS deny", async () => {
    let r = mutated(
      prod,
      ofType("aws:s3/bucketVersioning:BucketVersioning"),
      (p) => (p.versioningConfiguration.status = "Suspended"),
    );
    r = mutated(
      r,
      ofType("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"),
      (p) => {
        p.rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId = "alias/aws/s3";
      },
    );
    r = mutated(
      r,
      ofType("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"),
      (p) => (p.ignorePublicAcls = false),
    );
    r = mutated(r, ofType("aws:s3/bucketPolicy:BucketPolicy"), (p) => (p.policy = JSON.stringify({ Statement: [] })));
    expect(await messages("s3-backup-bucket-hardened", r)).toEqual([
      "bucket cryoprotect-prod-backups: versioning is not Enabled (add a BucketVersioning with status Enabled)",
      "bucket cryoprotect-prod-backups: default encryption is not SSE-KMS with a customer key of this stack (aws:kms with the stack's KMS key)",
      "bucket cryoprotect-prod-backups: public access is not fully blocked (ignorePublicAcls not true)",
      "bucket cryoprotect-prod-backups: no bucket policy denies requests without TLS (Deny s3:* when aws:SecureTransport is false)",
    ]);
  });

  it("s3-backup-bucket-hardened: no noncurrent-version expiry, and Object Lock off where the config asks for it", async () => {
    let r = mutated(prod, ofType("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"), (p) => {
      p.rules = p.rules.filter((x: { noncurrentVersionExpiration?: unknown }) => !x.noncurrentVersionExpiration);
    });
    r = mutated(
      r,
      (x) => x.type === "aws:s3/bucket:Bucket" && x.props.bucket === "cryoprotect-prod-backups-offsite",
      (p) => {
        p.objectLockEnabled = false;
      },
    );
    expect(await messages("s3-backup-bucket-hardened", r)).toEqual([
      "bucket cryoprotect-prod-backups: no enabled lifecycle rule expires noncurrent versions",
      "bucket cryoprotect-prod-backups-offsite: the stack config asks for Object Lock (objectLock: true), but the bucket has no default retention",
    ]);
  });

  it("iam-no-wildcards: s3:* and Resource *", async () => {
    const r = mutated(dev, ofType("aws:iam/rolePolicy:RolePolicy"), (p) => {
      p.policy = JSON.stringify({ Statement: [{ Effect: "Allow", Action: ["s3:*"], Resource: "*" }] });
    });
    expect(await messages("iam-no-wildcards", r)).toEqual([
      "statement 0 allows the wildcard action s3:*: list the actions",
      'statement 0 allows S3 or KMS actions on Resource "*": name the buckets and keys',
    ]);
  });

  it("iam-backup-role-trust: a role another ServiceAccount could assume", async () => {
    const r = mutated(dev, ofType("aws:iam/role:Role"), (p) => {
      p.assumeRolePolicy = p.assumeRolePolicy.replace(
        "system:serviceaccount:backup:cryoprotect-backup",
        "system:serviceaccount:backup:*",
      );
    });
    expect(await messages("iam-backup-role-trust", r)).toEqual([
      "the role must trust only system:serviceaccount:backup:cryoprotect-backup through " +
        "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/DEV0EXAMPLE0OIDC " +
        "(one AssumeRoleWithWebIdentity statement, StringEquals on sub and aud)",
    ]);
  });

  it("no-secret-material-in-plain-text: a Secret's value in a ConfigMap, and a plain output with a password URL", async () => {
    const secret = dev.find((x) => x.type === "kubernetes:core/v1:Secret" && x.props.stringData)!;
    const value = Object.values(secret.props.stringData as Record<string, string>).find((v) => v.length >= 8)!;
    let r = mutated(
      dev,
      ofType("kubernetes:core/v1:ConfigMap"),
      (p) => (p.data = { ...p.data, "leak.env": `TOKEN=${value}` }),
    );
    r = mutated(
      r,
      ofType("pulumi:pulumi:Stack"),
      (p) => (p.databaseUrl = "postgresql://backup_reader:hunter22@db:5432/postgres"),
    );
    const leakingMap = r.find(
      (x) => x.type === "kubernetes:core/v1:ConfigMap" && (x.props.data as Record<string, string>)["leak.env"],
    )!;
    expect(await messages("no-secret-material-in-plain-text", r)).toEqual([
      `ConfigMap ${leakingMap.name} key leak.env holds the value of one of the stack's Secrets: move it into a Secret`,
      "stack output databaseUrl holds a URL with a password: export it with pulumi.secret()",
    ]);
  });

  it("k8s-container-resources: a CronJob container without resources, a chart workload without a memory limit", async () => {
    let r = mutated(
      dev,
      (x) => x.props.kind === "CronJob",
      (p) => delete p.spec.jobTemplate.spec.template.spec.containers[0].resources,
    );
    r = mutated(
      r,
      (x) => x.props.chart === "prometheus-pushgateway",
      (p) => delete p.values.resources.limits,
    );
    const cronJob = r.find((x) => x.props.kind === "CronJob")!;
    expect(await messages("k8s-container-resources", r)).toEqual([
      "Deployment/prometheus-pushgateway (values of prometheus-pushgateway, container pushgateway): no limits.memory",
      `CronJob/${(cronJob.props.metadata as { name: string }).name} (spec.jobTemplate.spec.template.spec, container backup): no requests.cpu, requests.memory, limits.memory`,
    ]);
  });

  it("k8s-pod-security-restricted: a privileged container outside the exceptions, and a chart without a workload list", async () => {
    let r = mutated(
      dev,
      (x) => x.props.kind === "Logstash",
      (p) => {
        p.spec.podTemplate.spec.containers[0].securityContext = {
          ...p.spec.podTemplate.spec.containers[0].securityContext,
          privileged: true,
        };
      },
    );
    r = mutated(
      r,
      (x) => x.props.chart === "elastalert2",
      (p) => (p.values.securityContext = {}),
    );
    r = [
      ...r,
      {
        ...structuredClone(r.find((x) => x.props.chart === "elastalert2")!),
        name: "unknown-chart",
        props: { chart: "redis", values: {} },
      },
    ];
    expect(await messages("k8s-pod-security-restricted", r)).toEqual([
      "Logstash/cryoprotect (spec.podTemplate.spec, container logstash): privileged: privileged is true",
      "Deployment/elastalert2 (values of elastalert2, container elastalert): privilegeEscalation: allowPrivilegeEscalation is not false",
      "Deployment/elastalert2 (values of elastalert2, container elastalert): capabilities: capabilities.drop does not hold ALL",
      "Deployment/elastalert2 (values of elastalert2, container elastalert): readOnlyRootFilesystem: readOnlyRootFilesystem is not true",
      "chart redis has no workload list in components/catalog.ts: its pods cannot be checked",
    ]);
  });

  it("k8s-image-pinned: latest and an untagged image", async () => {
    let r = mutated(
      dev,
      (x) => x.props.kind === "Job",
      (p) => (p.spec.template.spec.containers[0].image = "curlimages/curl:latest"),
    );
    r = mutated(
      r,
      (x) => x.props.kind === "CronJob",
      (p) => (p.spec.jobTemplate.spec.template.spec.containers[0].image = "ghcr.io/cryoprotect/backup"),
    );
    const messagesOf = (await messages("k8s-image-pinned", r)).sort();
    expect(messagesOf).toHaveLength(2);
    expect(messagesOf[0]).toMatch(
      /^CronJob\/.* container backup\): image ghcr.io\/cryoprotect\/backup has no tag or digest: pin a version tag or a digest$/,
    );
    expect(messagesOf[1]).toMatch(
      /^Job\/.* container setup\): image curlimages\/curl:latest uses the moving tag latest: pin a version tag or a digest$/,
    );
  });

  it("prometheus-rule-complete: no severity, no dashboard link, a runbook page that does not exist", async () => {
    const r = mutated(
      dev,
      (x) =>
        x.props.kind === "PrometheusRule" &&
        x.props.metadata !== undefined &&
        (x.props.metadata as { name: string }).name === "cryoprotect-api",
      (p) => {
        const rule = p.spec.groups[0].rules.find((x: { alert?: string }) => x.alert === "HighErrorRate");
        delete rule.labels.severity;
        delete rule.annotations.dashboard_url;
        rule.annotations.runbook_url = rule.annotations.runbook_url.replace("HighErrorRate", "NoSuchRunbook");
      },
    );
    expect(await messages("prometheus-rule-complete", r)).toEqual([
      "group cryoprotect-api, alert HighErrorRate: no severity label (critical, warning or info)",
      "group cryoprotect-api, alert HighErrorRate: no dashboard_url annotation",
      "group cryoprotect-api, alert HighErrorRate: runbook https://github.com/cryoprotect/observability/blob/main/runbooks/NoSuchRunbook.md is not a page of runbooks/ (run npm run generate)",
    ]);
  });

  it("helm-release-pinned: a version range and a plain-HTTP repository", async () => {
    const r = mutated(
      dev,
      (x) => x.props.chart === "prometheus-pushgateway",
      (p) => {
        p.version = "^3.8.0";
        p.repositoryOpts = { repo: "http://charts.example" };
      },
    );
    expect(await messages("helm-release-pinned", r)).toEqual([
      "chart prometheus-pushgateway is not pinned to an exact version (version: ^3.8.0)",
      "chart prometheus-pushgateway does not come from an HTTPS repository",
    ]);
  });

  it("production-topology: prod without its off-site provider region, with 1 Prometheus and 2 Alertmanagers", async () => {
    let r = prod.map((x) =>
      x.provider ? { ...x, provider: { ...x.provider, props: { ...x.provider.props, region: "eu-central-1" } } } : x,
    );
    r = mutated(
      r,
      (x) => x.props.chart === "kube-prometheus-stack",
      (p) => {
        p.values.prometheus.prometheusSpec.replicas = 1;
        p.values.alertmanager.alertmanagerSpec.replicas = 2;
      },
    );
    expect(await messages("production-topology", r)).toEqual([
      "no backup bucket outside the cluster's region eu-central-1: add an off-site s3 target",
      "Prometheus runs 1 replica(s); production needs 2",
      "Alertmanager runs 2 replica(s); production needs 3 (a quorum survives one loss)",
    ]);
    // dev is not production: the same shape passes there.
    expect(await messages("production-topology", dev)).toEqual([]);
  });

  it("production-topology: prod whose critical route pages nobody", async () => {
    const config = structuredClone(stackConfig("prod"));
    config.monitoring.alertmanager.routing.critical = ["team-chat"];
    expect(await messages("production-topology", prod, () => ({ stack: "prod", config }))).toEqual([
      "no pager (pagerduty receiver) on monitoring.alertmanager.routing.critical: critical alerts would page nobody",
    ]);
  });
});

describe("a policy exception in the stack's config", () => {
  it("waives exactly that policy on that resource, and is listed on every preview", async () => {
    const dev = engineResources(await stackRun("dev"));
    const job = dev.find((x) => x.props.kind === "Job")!;
    const r = mutated(
      dev,
      (x) => x.name === job.name,
      (p) => (p.spec.template.spec.containers[0].image = "curlimages/curl:latest"),
    );
    const config = structuredClone(stackConfig("dev"));
    config.policyExceptions = [
      {
        policy: "k8s-image-pinned",
        resource: job.name,
        reason: "the setup Job is re-created per change; pinned upstream tag pending",
      },
    ];
    const withException = () => ({ stack: "dev", config });
    expect(await evaluate(policy("k8s-image-pinned"), r, withException)).toEqual([]);
    // Another policy on the same resource, or the same policy on another resource, is not waived.
    const other = mutated(
      r,
      (x) => x.props.kind === "CronJob",
      (p) => (p.spec.jobTemplate.spec.template.spec.containers[0].image = "x:latest"),
    );
    expect(await evaluate(policy("k8s-image-pinned"), other, withException)).toHaveLength(1);
    expect((await evaluate(policy("policy-exceptions-in-use"), r, withException)).map((v) => v.message)).toEqual([
      `policy k8s-image-pinned is waived for ${job.name}: the setup Job is re-created per change; pinned upstream tag pending`,
    ]);
  });
});
