import js from "@eslint/js";
import tseslint from "typescript-eslint";

/**
 * Layers, pointing down only: configs <- components/shared <- each concern (monitoring, logging,
 * backup) <- the composition root and generators (index.ts, components/catalog.ts,
 * components/artifacts.ts, components/runbooks) <- scripts, the policy pack (policy/) and cryo-ops
 * (ops/) <- e2e.
 * Tests may import anything.
 */
const group = (names) => names.flatMap((n) => [`**/${n}`, `**/${n}/**`]);
const ABOVE_CONCERNS = group(["catalog", "artifacts", "runbooks", "scripts", "policy", "ops", "test", "e2e", "index"]);
const restrict = (forbidden, layer) => ({
  "no-restricted-imports": [
    "error",
    { patterns: [{ group: forbidden, message: `${layer} may only import layers below it (see eslint.config.mjs)` }] },
  ],
});
const CONCERNS = ["monitoring", "logging", "backup", "tls"];

export default tseslint.config(
  { ignores: ["node_modules/", "out/", "coverage/", "bin/", "**/*.js", "!eslint.config.mjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      "no-console": "off",
    },
  },
  { files: ["configs/**/*.ts"], rules: restrict(["**/components/**", ...ABOVE_CONCERNS], "configs/") },
  {
    files: ["components/shared/**/*.ts"],
    rules: restrict([...group(CONCERNS), ...ABOVE_CONCERNS], "components/shared/"),
  },
  ...CONCERNS.map((concern) => ({
    files: [`components/${concern}/**/*.ts`],
    rules: restrict(
      [...group(CONCERNS.filter((c) => c !== concern)), ...ABOVE_CONCERNS],
      `components/${concern}/ (a concern: other concerns are reached through Args or components/shared/platform.ts)`,
    ),
  })),
  {
    files: ["index.ts", "components/catalog.ts", "components/artifacts.ts", "components/runbooks/**/*.ts"],
    rules: restrict(group(["scripts", "policy", "ops", "test", "e2e"]), "the composition root"),
  },
  { files: ["scripts/**/*.ts"], rules: restrict(group(["policy", "ops", "test", "e2e"]), "scripts/") },
  { files: ["policy/**/*.ts"], rules: restrict(group(["ops", "test", "e2e"]), "policy/") },
  { files: ["ops/**/*.ts"], rules: restrict(group(["policy", "test", "e2e"]), "ops/ (cryo-ops)") },
);
