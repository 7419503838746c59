/** Every policy of the pack, with what a violation means and what to do about it. */
import * as fs from "fs";
import * as path from "path";
import { SECRET_STACK_OUTPUTS } from "../components/catalog";
import { SERVICE_ACCOUNT_NAME } from "../components/backup/names";
import { PlatformPolicy } from "./framework";
import { backupRoleTrustViolations, bucketHardeningViolations, iamWildcardViolations, TYPES } from "./rules/aws";
import {
  HELM_RELEASE,
  helmReleaseViolations,
  imagePolicyViolations,
  podSecurityPolicyViolations,
  PROMETHEUS_RULE,
  prometheusRuleViolations,
  resourcesPolicyViolations,
  secretMaterialViolations,
} from "./rules/kubernetes";
import { productionTopologyViolations } from "./rules/stack";

const RUNBOOKS = path.join(__dirname, "..", "runbooks");
const isKubernetes = (type: string) => type.startsWith("kubernetes:");

export const policies: PlatformPolicy[] = [
  {
    name: "s3-backup-bucket-hardened",
    description:
      "Every backup bucket is versioned, encrypted with SSE-KMS under the stack's own key, closed to the public, " +
      "reachable over TLS only, expires noncurrent versions, and has Object Lock where the stack's target says objectLock. " +
      "Fix the bucket's companion resources in components/backup/storage.ts; never relax them per stack.",
    enforcementLevel: "mandatory",
    validateStack: (resources, { config }) => bucketHardeningViolations(resources, config),
  },
  {
    name: "iam-no-wildcards",
    description:
      "IAM policies list their S3 and KMS actions and name their buckets and keys: no `*`, `s3:*` or `kms:*` action " +
      "and no Resource `*` for S3 or KMS. Add the one action the job needs to components/backup/iam.ts.",
    enforcementLevel: "mandatory",
    appliesTo: (type) => type === TYPES.rolePolicy || type === TYPES.policy,
    validateResource: (r) => iamWildcardViolations(r.props.policy),
  },
  {
    name: "iam-backup-role-trust",
    description:
      "The backup role can be assumed only by the backup ServiceAccount, through the stack's EKS OIDC provider " +
      "(IRSA), never by a user, another account or another ServiceAccount.",
    enforcementLevel: "mandatory",
    appliesTo: (type) => type === TYPES.role,
    validateResource: (r, { config }) =>
      backupRoleTrustViolations(r.props.assumeRolePolicy, config, SERVICE_ACCOUNT_NAME),
  },
  {
    name: "no-secret-material-in-plain-text",
    description:
      "No ConfigMap and no plain stack output holds a Secret's value, a private key, a URL with a password, a " +
      "Slack webhook or an AWS key id. Put it in a Kubernetes Secret from `pulumi config set --secret`, or export it with pulumi.secret().",
    enforcementLevel: "mandatory",
    validateStack: (resources) => secretMaterialViolations(resources, SECRET_STACK_OUTPUTS),
  },
  {
    name: "k8s-container-resources",
    description:
      "Every container of every pod (our objects and the charts' workloads) requests CPU and memory and has a memory " +
      "limit, from the stack config. Add the setting to the workload's config slice (README: configuration reference).",
    enforcementLevel: "mandatory",
    appliesTo: isKubernetes,
    validateResource: (r) => resourcesPolicyViolations(r),
  },
  {
    name: "k8s-pod-security-restricted",
    description:
      "Every pod meets the Pod Security Standard restricted with a read-only root filesystem, except what the declared " +
      "exceptions (components/catalog.ts podSecurityExceptions, each with its reason) allow. Set the security " +
      "contexts with components/shared/pod-security.ts, or declare an exception in the concern's pod-security.ts.",
    enforcementLevel: "mandatory",
    appliesTo: isKubernetes,
    validateResource: (r, { config }) => podSecurityPolicyViolations(r, config),
  },
  {
    name: "k8s-image-pinned",
    description:
      "Every container image has a version tag other than latest, or a digest, so a restart runs what was reviewed.",
    enforcementLevel: "mandatory",
    appliesTo: isKubernetes,
    validateResource: (r) => imagePolicyViolations(r),
  },
  {
    name: "prometheus-rule-complete",
    description:
      "Every alert carries a severity label and summary, runbook_url and dashboard_url annotations, and its runbook " +
      "page exists under runbooks/. Define alerts in a concern's alerts/ and run `npm run generate`.",
    enforcementLevel: "mandatory",
    appliesTo: (type) => type === PROMETHEUS_RULE,
    validateResource: (r, { config }) =>
      prometheusRuleViolations(r, config, (file) => fs.existsSync(path.join(RUNBOOKS, file))),
  },
  {
    name: "helm-release-pinned",
    description:
      "Every Helm release installs one exact chart version from an HTTPS repository (components/shared/platform.ts).",
    enforcementLevel: "mandatory",
    appliesTo: (type) => type === HELM_RELEASE,
    validateResource: (r) => helmReleaseViolations(r),
  },
  {
    name: "production-topology",
    description:
      "The prod stack backs up off-site (a bucket in another region), runs two Prometheus and three Alertmanager " +
      "replicas, and routes critical alerts to a pager. Applies to the stack whose environment is prod.",
    enforcementLevel: "mandatory",
    validateStack: (resources, { config }) =>
      config.environment === "prod" ? productionTopologyViolations(resources, config) : [],
  },
  {
    name: "policy-exceptions-in-use",
    description:
      "Lists every policy exception the stack's config grants (policyExceptions), with its reason, on every preview, " +
      "so an exception is never a silent skip; advisory, because each was reviewed when it was added.",
    enforcementLevel: "advisory",
    validateStack: (_resources, { config }) =>
      (config.policyExceptions ?? []).map((e) => ({
        message: `policy ${e.policy} is waived for ${e.resource}: ${e.reason}`,
      })),
  },
];
