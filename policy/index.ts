/**
 * The CryoProtect policy pack: `pulumi preview --policy-pack policy` (and `pulumi up`) evaluates it
 * against the real resource inputs and blocks the update on a mandatory violation. The policies
 * are policies.ts; the general AWS rules come from @pulumi/awsguard, the pack in policy/awsguard.
 */
import { PolicyPack } from "@pulumi/policy";
import { toPulumiPolicies } from "./framework";
import { policies } from "./policies";

new PolicyPack("cryoprotect-observability", { policies: toPulumiPolicies(policies) });
