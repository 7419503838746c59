/**
 * `npm run e2e`: the local end-to-end run with real servers (see docs/e2e.md).
 * Kept apart from the unit tests (jest.config.js only looks at test/).
 */
/** @type {import('jest').Config} */
module.exports = {
  preset: "ts-jest",
  testEnvironment: "node",
  roots: ["<rootDir>/e2e"],
  testMatch: ["**/*.e2e.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  // Every wait inside has its own deadline within the run's 9-minute budget; this is the backstop.
  testTimeout: 10 * 60 * 1000,
  collectCoverage: false,
};
