import * as k8s from "@pulumi/kubernetes";
import { loadStackConfig } from "./configs/load";
import { BackupStack } from "./components/backup";
import { LoggingStack } from "./components/logging";
import { MonitoringStack } from "./components/monitoring";
import { Tls } from "./components/tls";

/**
 * The program: check the stack's config (throwing before anything is
 * registered), build the four components, export what operators need.
 * Exported as a function so the test harness and `npm run synth` can run it
 * under Pulumi's mock runtime, once per stack.
 */
export = () => {
  const { config, secret } = loadStackConfig();
  const provider = new k8s.Provider("k8s", {
    context: config.cluster.kubeconfigContext,
    enableServerSideApply: true,
  });
  const opts = { providers: { kubernetes: provider } };
  const prefix = `cryoprotect-${config.environment}`;

  const monitoring = new MonitoringStack(`${prefix}-monitoring`, { config, secret }, opts);
  const prometheusOperatorCrds = monitoring.crds;
  const logging = new LoggingStack(
    `${prefix}-logging`,
    {
      config,
      secret,
      alertmanagerUrl: monitoring.alertmanagerUrl,
      prometheusOperatorCrds,
      monitoringNamespace: monitoring.namespace,
    },
    opts,
  );
  const backup = new BackupStack(
    `${prefix}-backup`,
    { config, secret, pushgatewayUrl: monitoring.pushgatewayUrl, prometheusOperatorCrds },
    opts,
  );

  new Tls(`${prefix}-tls`, { config, monitoringNamespace: monitoring.namespace, prometheusOperatorCrds }, opts);

  return {
    grafanaUrl: monitoring.grafanaUrl,
    kibanaUrl: logging.kibanaUrl,
    backupBuckets: backup.bucketNames,
    runbookBaseUrl: config.runbookBaseUrl,
    // For disaster recovery only: `pulumi stack output --show-secrets resticPassword`.
    resticPassword: backup.resticPassword,
    backupRoleArn: backup.roleArn,
    backupImage: backup.image,
  };
};
