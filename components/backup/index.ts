import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "../../configs/types";
import { namespace } from "../shared/namespace";
import { MonitoringStack } from "../monitoring";

export interface BackupStackArgs {
  config: StackConfig;
  secret: (key: string) => pulumi.Output<string>;
  /** Backup jobs push to its Pushgateway; its CRDs carry our PrometheusRules. */
  monitoring: MonitoringStack;
}

/** restic backups of the app's PostgreSQL into hardened S3 buckets, with a weekly restore drill. */
export class BackupStack extends pulumi.ComponentResource {
  readonly namespace: k8s.core.v1.Namespace;
  readonly bucketNames: pulumi.Output<string[]>;

  constructor(name: string, args: BackupStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("cryoprotect:backup:BackupStack", name, {}, opts);
    const { config } = args;
    const child = { parent: this };
    this.namespace = namespace(`${name}-ns`, config.namespaces.backup, config.environment, child);
    this.bucketNames = pulumi.output(config.backup.targets.flatMap((t) => (t.kind === "s3" ? [t.bucket] : [])));
    this.registerOutputs({ bucketNames: this.bucketNames });
  }
}
