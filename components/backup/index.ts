import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { StackConfig } from "../../configs/types";
import { namespace } from "../shared/namespace";
import { mixinResources } from "../shared/mixin-resources";
import { backupRole } from "./iam";
import { backupImage } from "./image";
import { backupCronJob, SCHEDULED_MODES } from "./jobs";
import { backupMixin } from "./mixin";
import { backupServiceAccount, databasePasswordSecret, resticPasswordSecret, targetCredentialsSecret } from "./secrets";
import { backupStorage } from "./storage";
import { primaryTarget, resticTargets, targetEnvFile } from "./targets";

export interface BackupStackArgs {
  /** The stack's checked configuration. */
  readonly config: StackConfig;
  /** Reads a secret config key as a secret Output. */
  readonly secret: (key: string) => pulumi.Output<string>;
  /** In-cluster Pushgateway: the backup jobs push their metrics there. */
  readonly pushgatewayUrl: pulumi.Input<string>;
  /** The prometheus-operator CRDs: the backup concern's PrometheusRules depend on them. */
  readonly prometheusOperatorCrds: pulumi.Resource;
}

/** restic backups of the app's PostgreSQL into hardened S3 buckets, with a weekly restore drill. */
export class BackupStack extends pulumi.ComponentResource {
  readonly namespace: k8s.core.v1.Namespace;
  readonly bucketNames: pulumi.Output<string[]>;
  /** The restic repository password, for disaster recovery without the cluster (a Pulumi secret). */
  readonly resticPassword: pulumi.Output<string>;
  /** ARN of the IAM role the backup ServiceAccount assumes. */
  readonly roleArn: pulumi.Output<string>;
  /** The image the CronJobs run (a digest reference when built here). */
  readonly image: pulumi.Output<string>;

  constructor(name: string, args: BackupStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("cryoprotect:backup:BackupStack", name, {}, opts);
    const { config } = args;
    const child = { parent: this };
    const ns = config.namespaces.backup;
    this.namespace = namespace(`${name}-ns`, ns, config.environment, "restricted", child);
    const inNamespace = { parent: this, dependsOn: [this.namespace] };

    const tags = { "cryoprotect:environment": config.environment, "cryoprotect:component": "backup" };
    const storage = backupStorage(name, config, this, tags);
    const aws = { parent: this, provider: storage.providers.get(primaryTarget(config).region)! };
    const role = backupRole(name, config, storage, aws);
    this.image = backupImage(name, config, aws);

    // Protected: a replaced password would lock every backup out of its own repository.
    const password = new random.RandomPassword(
      `${name}-restic-password`,
      { length: 48, special: false },
      { ...child, protect: true },
    );
    this.resticPassword = pulumi.secret(password.result);
    new k8s.core.v1.Secret(`${name}-restic-secret`, resticPasswordSecret(config, this.resticPassword), inNamespace);
    new k8s.core.v1.Secret(
      `${name}-db-secret`,
      databasePasswordSecret(config, args.secret(config.backup.database.passwordSecret)),
      inNamespace,
    );
    for (const target of resticTargets(config)) {
      const envFile = args.secret(target.credentialsSecret).apply((json) => targetEnvFile(target.name, json));
      new k8s.core.v1.Secret(
        `${name}-target-${target.name}-secret`,
        targetCredentialsSecret(config, target.name, envFile),
        inNamespace,
      );
    }
    const serviceAccount = new k8s.core.v1.ServiceAccount(
      `${name}-sa`,
      backupServiceAccount(config, role.arn),
      inNamespace,
    );
    const pushgatewayUrl = args.pushgatewayUrl;
    for (const mode of SCHEDULED_MODES) {
      new k8s.batch.v1.CronJob(`${name}-${mode}`, backupCronJob(config, mode, { image: this.image, pushgatewayUrl }), {
        parent: this,
        dependsOn: [this.namespace, serviceAccount],
      });
    }

    mixinResources(
      name,
      config,
      backupMixin(config),
      { namespace: this.namespace, prometheusOperatorCrds: args.prometheusOperatorCrds },
      this,
    );

    this.bucketNames = pulumi.all(storage.buckets.map((b) => b.bucket.bucket));
    this.roleArn = role.arn;
    this.registerOutputs({
      bucketNames: this.bucketNames,
      resticPassword: this.resticPassword,
      roleArn: this.roleArn,
      image: this.image,
    });
  }
}
