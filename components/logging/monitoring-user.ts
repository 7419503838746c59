/**
 * Creates the monitoring concern's read-only Elasticsearch user: a generated password that stays
 * a Pulumi secret from RandomPassword to every Secret (specs in monitoring-user-secrets.ts).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { StackConfig } from "../../configs/types";
import { fileRealmSecret, monitoringCredentialsSecret, rolesSecret } from "./monitoring-user-secrets";

export interface MonitoringUserArgs {
  config: StackConfig;
  loggingNamespace: pulumi.Resource;
  monitoringNamespace: pulumi.Resource;
}

export interface MonitoringUserResources {
  /** The Elasticsearch resource depends on these two: ECK reads them when it builds the file realm. */
  fileRealmSecret: k8s.core.v1.Secret;
  rolesSecret: k8s.core.v1.Secret;
  credentialsSecret: k8s.core.v1.Secret;
}

export function deployMonitoringUser(
  name: string,
  args: MonitoringUserArgs,
  parent: pulumi.Resource,
): MonitoringUserResources {
  const { config } = args;
  // Letters and digits only: Grafana expands the password from an environment variable in its provisioning file.
  const password = new random.RandomPassword(
    `${name}-monitoring-user-password`,
    { length: 32, special: false },
    { parent },
  ).result;
  const inLogging = { parent, dependsOn: [args.loggingNamespace] };
  return {
    fileRealmSecret: new k8s.core.v1.Secret(`${name}-monitoring-user`, fileRealmSecret(config, password), inLogging),
    rolesSecret: new k8s.core.v1.Secret(`${name}-monitoring-roles`, rolesSecret(config), inLogging),
    credentialsSecret: new k8s.core.v1.Secret(
      `${name}-monitoring-credentials`,
      monitoringCredentialsSecret(config, password),
      { parent, dependsOn: [args.monitoringNamespace] },
    ),
  };
}
