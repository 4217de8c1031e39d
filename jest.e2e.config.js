/** End-to-end tests with the real Pulumi CLI: `npm run test:e2e` (not part of `npm test`). */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests/e2e"],
  testMatch: ["**/*.e2e.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
  // The first run may build the Pulumi CLI from Go modules (minutes); each `pulumi up` takes seconds.
  testTimeout: 20 * 60_000,
  maxWorkers: 1,
  reporters: ["default", "<rootDir>/tests/support/summary-reporter.js"],
};
