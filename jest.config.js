/** @type {import('jest').Config} */
module.exports = {
  preset: "ts-jest",
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  testTimeout: 120000,
  collectCoverageFrom: [
    "components/**/*.ts",
    "configs/**/*.ts",
    "policy/**/*.ts",
    "!policy/index.ts",
    "!policy/awsguard/**",
  ],
  coverageReporters: ["text-summary", "lcov"],
  coverageThreshold: {
    "./components/": { lines: 90, branches: 90 },
    "./policy/": { lines: 90, branches: 80 },
  },
};
