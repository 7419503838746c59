/**
 * The read-only Elasticsearch user of the monitoring concern (Grafana's logs datasource, the
 * elasticsearch-exporter), as pure specs: its role and the Secrets ECK and the monitoring
 * concern read. ECK adds the user to the cluster's file realm from two Secrets in the logging
 * namespace; a copy of its login goes to the monitoring namespace, because pods cannot read
 * Secrets of another namespace (ECK's `elastic` user Secret included). monitoring-user.ts
 * creates them.
 */
import * as pulumi from "@pulumi/pulumi";
import * as yaml from "js-yaml";
import { StackConfig } from "../../configs/types";
import { ELASTICSEARCH_CREDENTIALS_SECRET } from "../shared/platform";
import { managedByLabels } from "../shared/namespace";
import { monitoringUser } from "./names";

export interface SecretObject {
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  type: "kubernetes.io/basic-auth" | "Opaque";
  stringData: Record<string, pulumi.Input<string>>;
}

/**
 * Cluster and index health for the exporter (including ILM and data stream
 * stats), and searches over the log data streams for Grafana. No write, no
 * settings, no other indices.
 */
export const monitoringRole = {
  cluster: ["monitor", "read_ilm"],
  indices: [{ names: ["logs-*"], privileges: ["read", "view_index_metadata", "monitor"] }],
};

/** `roles.yml` in Elasticsearch's file format: role name to role descriptor. */
export function monitoringRolesYaml(): string {
  return yaml.dump({ [monitoringUser.role]: monitoringRole });
}

/** For ECK's `spec.auth.fileRealm`: the user, its password and its roles (comma-separated). */
export function fileRealmSecret(config: StackConfig, password: pulumi.Input<string>): SecretObject {
  return {
    metadata: { name: monitoringUser.fileRealmSecret, namespace: config.namespaces.logging, labels: managedByLabels },
    type: "kubernetes.io/basic-auth",
    stringData: { username: monitoringUser.username, password, roles: monitoringUser.role },
  };
}

/** For ECK's `spec.auth.roles`. Holds no credentials. */
export function rolesSecret(config: StackConfig): SecretObject {
  return {
    metadata: { name: monitoringUser.rolesSecret, namespace: config.namespaces.logging, labels: managedByLabels },
    type: "Opaque",
    stringData: { "roles.yml": monitoringRolesYaml() },
  };
}

/** The monitoring namespace's copy of the login, under the name and keys the monitoring engine reads. */
export function monitoringCredentialsSecret(config: StackConfig, password: pulumi.Input<string>): SecretObject {
  return {
    metadata: {
      name: ELASTICSEARCH_CREDENTIALS_SECRET,
      namespace: config.namespaces.monitoring,
      labels: managedByLabels,
    },
    type: "kubernetes.io/basic-auth",
    stringData: { username: monitoringUser.username, password },
  };
}
