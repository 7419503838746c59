/** Real Alertmanager tools for the tests: they fail (never skip) when missing. */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as yaml from "js-yaml";
import {
  alertmanagerSecretData,
  apiAlertNamesOf,
  CONFIG_FILE,
  fileSecretPlaceholder,
} from "../../components/monitoring/alertmanager-config";
import { TEMPLATE_FILE } from "../../components/monitoring/alertmanager-template";
import { ruleGroups } from "../../components/catalog";
import { StackConfig } from "../../configs/types";

export function requireTool(name: string): string {
  const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  if (found.status !== 0) {
    throw new Error(`${name} is not installed: run scripts/install-tools.sh (Debian package prometheus-alertmanager)`);
  }
  return found.stdout.trim();
}

export function run(cmd: string, args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 30_000 });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A stack's Alertmanager config and template in a temp dir, as synth writes
 * them, with the templates path pointed at the local copy (in the cluster it
 * is the Secret's mount) so amtool loads and checks the templates too.
 */
export function writeLocalConfig(config: StackConfig): { dir: string; configFile: string; templateFile: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `am-${config.environment}-`));
  const data = alertmanagerSecretData(config, fileSecretPlaceholder, apiAlertNamesOf(ruleGroups(config)));
  const templateFile = path.join(dir, TEMPLATE_FILE);
  fs.writeFileSync(templateFile, data[TEMPLATE_FILE]);
  const doc = yaml.load(data[CONFIG_FILE]) as { templates: string[] };
  doc.templates = [path.join(dir, "*.tmpl")];
  const configFile = path.join(dir, CONFIG_FILE);
  fs.writeFileSync(configFile, yaml.dump(doc));
  return { dir, configFile, templateFile };
}
