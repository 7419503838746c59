/**
 * Runs the real program (index.ts) under Pulumi's mock runtime with the config
 * of a real Pulumi.<stack>.yaml, and records every resource it registers.
 * Used by the tests and by `npm run synth`; needs no cluster, cloud account,
 * Pulumi CLI or provider plugin.
 */
import * as fs from "fs";
import * as yaml from "js-yaml";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { referencedSecretKeys } from "../../configs/validate";
import { StackConfig } from "../../configs/types";

// Internal runtime modules: stable across 3.x, and the only way to wait for
// every registration and to see secret markers in mocked inputs.
/* eslint-disable @typescript-eslint/no-require-imports */
const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
const rpc = require("@pulumi/pulumi/runtime/rpc") as { specialSigKey: string; specialSecretSig: string };
/* eslint-enable @typescript-eslint/no-require-imports */

export const SECRET_MARK = "[secret]";
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

export interface RecordedResource {
  type: string;
  name: string;
  /** "type::name" of the parent resource, if any. */
  parent?: string;
  /** "type::name" of every resource named in `dependsOn`. */
  dependsOn: string[];
  custom: boolean;
  /** Explicit provider reference ("<provider urn>::<id>"), if the resource was given one. */
  provider?: string;
  /** Inputs with every secret value replaced by SECRET_MARK. */
  inputs: Record<string, unknown>;
  /** Inputs as the provider would get them, secrets unwrapped (for assertions only). */
  rawInputs: Record<string, unknown>;
}

export interface StackRun {
  stack: string;
  config: Record<string, unknown>;
  resources: RecordedResource[];
  /** Stack outputs; secret ones as SECRET_MARK. */
  outputs: Record<string, unknown>;
  /** Stack outputs as the engine holds them, secret ones unwrapped (for assertions and policy checks only). */
  rawOutputs: Record<string, unknown>;
  secretOutputs: string[];
  /** The values that were handed to the program as secrets. */
  secretValues: Record<string, string>;
}

export interface RunOptions {
  stack: string;
  /** Replace (or, with undefined, remove) top-level settings of the stack file. */
  overrides?: Record<string, unknown>;
  /** Secret config values; defaults to a placeholder per referenced secret key. */
  secrets?: Record<string, string>;
  /** Read the settings from this file instead of Pulumi.<stack>.yaml (e.g. a proposed config). */
  stackFile?: string;
}

export function projectName(root = PROJECT_ROOT): string {
  const doc = yaml.load(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as { name: string };
  return doc.name;
}

/** The plain settings of a stack file, keyed without the project prefix; `secure:` keys listed apart. */
export function readStackFile(
  stack: string,
  root = PROJECT_ROOT,
  file = path.join(root, `Pulumi.${stack}.yaml`),
): { plain: Record<string, unknown>; secure: string[] } {
  const project = projectName(root);
  if (!fs.existsSync(file)) throw new Error(`No stack file ${file}`);
  const doc = (yaml.load(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  const plain: Record<string, unknown> = {};
  const secure: string[] = [];
  for (const [fullKey, value] of Object.entries(doc.config ?? {})) {
    const key = fullKey.startsWith(`${project}:`) ? fullKey.slice(project.length + 1) : fullKey;
    if (value && typeof value === "object" && "secure" in value) secure.push(key);
    else plain[key] = value;
  }
  return { plain, secure };
}

export function placeholderSecret(key: string): string {
  return `placeholder-${key}`;
}

function defaultSecrets(plain: Record<string, unknown>, secure: string[]): Record<string, string> {
  const keys = new Set(secure);
  try {
    for (const { key } of referencedSecretKeys(plain as unknown as StackConfig)) keys.add(key);
  } catch {
    // An invalid config names no secrets; validation will report it.
  }
  return Object.fromEntries([...keys].map((k) => [k, placeholderSecret(k)]));
}

function isSecretValue(v: unknown): v is { value: unknown } {
  return !!v && typeof v === "object" && (v as Record<string, unknown>)[rpc.specialSigKey] === rpc.specialSecretSig;
}

function transformValues(v: unknown, keepSecrets: boolean): unknown {
  if (isSecretValue(v)) return keepSecrets ? transformValues(v.value, keepSecrets) : SECRET_MARK;
  if (Array.isArray(v)) return v.map((x) => transformValues(x, keepSecrets));
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, transformValues(x, keepSecrets)]));
  }
  return v;
}

interface InternalResource {
  __pulumiType?: string;
  __name?: string;
}

function resourceKey(r: InternalResource): string {
  return `${r.__pulumiType}::${r.__name}`;
}

let running = false;
let recorded: RecordedResource[] = [];

/** Resources the latest run registered, also when it failed (to prove a bad config registers nothing). */
export function lastRecorded(): RecordedResource[] {
  return recorded;
}

export async function runStack(options: RunOptions): Promise<StackRun> {
  if (running) throw new Error("runStack: one stack at a time");
  running = true;
  try {
    return await runStackOnce(options);
  } finally {
    running = false;
  }
}

async function runStackOnce(options: RunOptions): Promise<StackRun> {
  const root = PROJECT_ROOT;
  const project = projectName(root);
  const { plain, secure } = readStackFile(options.stack, root, options.stackFile);
  for (const [k, v] of Object.entries(options.overrides ?? {})) {
    if (v === undefined) delete plain[k];
    else plain[k] = v;
  }
  const secretValues = options.secrets ?? defaultSecrets(plain, secure);

  const configMap: Record<string, string> = {};
  for (const [k, v] of Object.entries(plain)) {
    configMap[`${project}:${k}`] = typeof v === "string" ? v : JSON.stringify(v);
  }
  for (const [k, v] of Object.entries(secretValues)) configMap[`${project}:${k}`] = v;
  pulumi.runtime.setAllConfig(
    configMap,
    Object.keys(secretValues).map((k) => `${project}:${k}`),
  );

  const parents = new Map<string, string>();
  const dependencies = new Map<string, string[]>();
  const resources: RecordedResource[] = [];
  recorded = resources;
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        resources.push({
          dependsOn: [],
          type: args.type,
          name: args.name,
          custom: args.custom ?? true,
          provider: args.provider,
          inputs: transformValues(args.inputs, false) as Record<string, unknown>,
          rawInputs: transformValues(args.inputs, true) as Record<string, unknown>,
        });
        return { id: `${args.name}-id`, state: mockState(args.type, args.name, args.inputs) };
      },
      call(args) {
        return mockCall(args.token, args.inputs);
      },
    },
    project,
    options.stack,
    false,
  );

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const main = require(path.join(root, "index.ts")) as () => Record<string, unknown>;
  let failure: unknown;
  // The program's own return value: the stack's resolved outputs no longer say which were secret.
  let rawOutputs: Record<string, unknown> = {};
  await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((t) => {
      const key = `${t.type}::${t.name}`;
      const p = t.opts.parent as unknown as InternalResource | undefined;
      if (p?.__pulumiType && p.__pulumiType !== "pulumi:pulumi:Stack") parents.set(key, resourceKey(p));
      const deps = t.opts.dependsOn;
      const list = (Array.isArray(deps) ? deps : deps ? [deps] : []) as unknown as InternalResource[];
      dependencies.set(key, list.filter((d) => d?.__pulumiType).map(resourceKey));
      return undefined;
    });
    // Caught here and rethrown below: a throw inside the stack's init would
    // also surface as unhandled rejections of the runtime's own promises.
    try {
      rawOutputs = main();
      return rawOutputs;
    } catch (e) {
      failure = e;
      return {};
    }
  });
  await settings.waitForRPCs();
  if (failure !== undefined) throw failure;

  const outputs: Record<string, unknown> = {};
  const resolvedOutputs: Record<string, unknown> = {};
  const secretOutputs: string[] = [];
  for (const [k, v] of Object.entries(rawOutputs)) {
    const o = pulumi.output(v) as unknown as { isSecret: Promise<boolean>; promise(): Promise<unknown> };
    const [value, secret] = await Promise.all([o.promise(), o.isSecret]);
    if (secret) secretOutputs.push(k);
    outputs[k] = secret ? SECRET_MARK : value;
    resolvedOutputs[k] = value;
  }
  for (const r of resources) {
    r.parent = parents.get(`${r.type}::${r.name}`);
    r.dependsOn = dependencies.get(`${r.type}::${r.name}`) ?? [];
  }
  return {
    stack: options.stack,
    config: plain,
    resources,
    outputs,
    rawOutputs: resolvedOutputs,
    secretOutputs,
    secretValues,
  };
}

/** Output properties that real providers compute and the program reads back. */
/** The state the mocks give a resource: its inputs and the outputs providers compute (ARNs, ids). */
export function mockState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const state: Record<string, unknown> = { ...inputs };
  if (type.startsWith("aws:")) {
    state.arn = `arn:aws:${type.split(":")[1]}:::${name}`;
    if (type === "aws:s3/bucketV2:BucketV2" || type === "aws:s3/bucket:Bucket") state.bucket = inputs.bucket ?? name;
    if (type === "aws:ecr/repository:Repository")
      state.repositoryUrl = `111122223333.dkr.ecr.mock.amazonaws.com/${name}`;
    if (type === "aws:kms/key:Key") state.keyId = `${name}-key-id`;
  }
  if (type === "random:index/randomPassword:RandomPassword") state.result = `random-${name}`;
  if (type === "docker:index/image:Image") state.repoDigest = `${String(inputs.imageName)}@sha256:${"0".repeat(64)}`;
  return state;
}

function mockCall(token: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (token) {
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return { accountId: "111122223333", arn: "arn:aws:iam::111122223333:user/mock", userId: "mock" };
    case "aws:ecr/getAuthorizationToken:getAuthorizationToken":
      return { userName: "AWS", password: "mock-token", proxyEndpoint: "https://mock.ecr" };
    default:
      return inputs;
  }
}
