/**
 * The backup namespace's Secrets and ServiceAccount, as pure specs of the stack config: the
 * repository password, the database password, each restic target's credentials, and the
 * ServiceAccount the IAM role trusts. index.ts creates them.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../configs/types";
import { backupLabels } from "./jobs";
import { SECRET_NAMES, SERVICE_ACCOUNT_NAME, targetSecretName } from "./names";

function opaque(
  config: StackConfig,
  name: string,
  stringData: Record<string, pulumi.Input<string>>,
): k8s.core.v1.SecretArgs {
  return {
    metadata: { name, namespace: config.namespaces.backup, labels: backupLabels() },
    type: "Opaque",
    stringData,
  };
}

export function resticPasswordSecret(config: StackConfig, password: pulumi.Input<string>): k8s.core.v1.SecretArgs {
  return opaque(config, SECRET_NAMES.restic, { RESTIC_PASSWORD: password });
}

export function databasePasswordSecret(config: StackConfig, password: pulumi.Input<string>): k8s.core.v1.SecretArgs {
  return opaque(config, SECRET_NAMES.database, { PGPASSWORD: password });
}

/** A restic target's `env` file (KEY=VALUE lines), read by the script for that target only. */
export function targetCredentialsSecret(
  config: StackConfig,
  target: string,
  envFile: pulumi.Input<string>,
): k8s.core.v1.SecretArgs {
  return opaque(config, targetSecretName(target), { env: envFile });
}

/** The ServiceAccount the backup jobs run as; IRSA maps it to the IAM role. */
export function backupServiceAccount(
  config: StackConfig,
  roleArn: pulumi.Input<string>,
): k8s.core.v1.ServiceAccountArgs {
  return {
    metadata: {
      name: SERVICE_ACCOUNT_NAME,
      namespace: config.namespaces.backup,
      labels: backupLabels(),
      annotations: { "eks.amazonaws.com/role-arn": roleArn },
    },
    automountServiceAccountToken: false,
  };
}
