import * as pulumi from "@pulumi/pulumi";
import { StackConfig } from "./types";
import { validateStackConfig } from "./validate";

// Not in the public typings, but the runtime has kept it since 3.x: it tells
// `pulumi config set --secret` values apart from plain ones.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { isConfigSecret } = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(k: string): boolean };

export interface LoadedConfig {
  config: StackConfig;
  /** Reads a secret config key; the value stays a Pulumi secret. */
  secret(key: string): pulumi.Output<string>;
}

/**
 * Reads every key of this project's config namespace, validates the plain ones
 * as one StackConfig and hands secret ones out only as secret Outputs.
 * Throws before any resource is registered when anything is wrong.
 */
export function loadStackConfig(): LoadedConfig {
  const project = pulumi.getProject();
  const prefix = `${project}:`;
  const raw: Record<string, unknown> = {};
  const secretKeys = new Set<string>();
  for (const [fullKey, value] of Object.entries(pulumi.runtime.allConfig())) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    if (isConfigSecret(fullKey)) {
      secretKeys.add(key);
      continue;
    }
    raw[key] = parseConfigValue(value);
  }
  const config = validateStackConfig(pulumi.getStack(), raw, secretKeys);
  const pulumiConfig = new pulumi.Config();
  return { config, secret: (key) => pulumiConfig.requireSecret(key) };
}

/** Structured values arrive as JSON text, scalars as plain text. */
function parseConfigValue(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
