/**
 * Wiring of the ECK resources into LoggingStack: the four Elastic custom
 * resources, Filebeat's RBAC, the NetworkPolicies and Kibana's ingress. The
 * specs come from the pure builders next to this file.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../configs/types";
import { managedByLabels } from "../shared/namespace";
import { EckKind, EckResource } from "./eck-types";
import { elasticsearch } from "./elasticsearch";
import { filebeat, filebeatClusterRoleRules, filebeatServiceAccount } from "./filebeat";
import { kibana, kibanaIngress } from "./kibana";
import { logstash } from "./logstash";
import { networkPolicies } from "./network-policies";

export interface EckArgs {
  config: StackConfig;
  /** The logging namespace, and (when this stack installs them) the ECK CRDs and operator. */
  dependsOn: pulumi.Resource[];
  /** What ECK reads when it builds the cluster: the Secrets of the file realm users and roles. */
  elasticsearchDependsOn: pulumi.Resource[];
}

export interface EckResources {
  elasticsearch: k8s.apiextensions.CustomResource;
  kibana: k8s.apiextensions.CustomResource;
  logstash: k8s.apiextensions.CustomResource;
  filebeat: k8s.apiextensions.CustomResource;
  kibanaIngress?: k8s.networking.v1.Ingress;
}

export function deployEck(name: string, args: EckArgs, parent: pulumi.Resource): EckResources {
  const { config } = args;
  const opts = { parent, dependsOn: args.dependsOn };
  const custom = (suffix: string, resource: EckResource<EckKind, unknown>, after: pulumi.Resource[] = []) =>
    new k8s.apiextensions.CustomResource(`${name}-${suffix}`, resource, {
      parent,
      dependsOn: [...args.dependsOn, ...after],
    });

  const serviceAccount = new k8s.core.v1.ServiceAccount(
    `${name}-filebeat-sa`,
    { metadata: { name: filebeatServiceAccount, namespace: config.namespaces.logging, labels: managedByLabels } },
    opts,
  );
  const clusterRole = new k8s.rbac.v1.ClusterRole(
    `${name}-filebeat-role`,
    { metadata: { name: filebeatServiceAccount, labels: managedByLabels }, rules: filebeatClusterRoleRules },
    opts,
  );
  const binding = new k8s.rbac.v1.ClusterRoleBinding(
    `${name}-filebeat-binding`,
    {
      metadata: { name: filebeatServiceAccount, labels: managedByLabels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: filebeatServiceAccount },
      subjects: [{ kind: "ServiceAccount", name: filebeatServiceAccount, namespace: config.namespaces.logging }],
    },
    { ...opts, dependsOn: [...args.dependsOn, serviceAccount, clusterRole] },
  );

  for (const policy of networkPolicies(config)) {
    new k8s.networking.v1.NetworkPolicy(`${name}-netpol-${policy.metadata.name}`, policy, opts);
  }

  const ingress = config.logging.kibana.ingress;
  return {
    elasticsearch: custom("elasticsearch", elasticsearch(config), args.elasticsearchDependsOn),
    kibana: custom("kibana", kibana(config)),
    logstash: custom("logstash", logstash(config)),
    filebeat: custom("filebeat", filebeat(config), [binding]),
    kibanaIngress: ingress
      ? new k8s.networking.v1.Ingress(`${name}-kibana-ingress`, kibanaIngress(config, ingress), opts)
      : undefined,
  };
}
