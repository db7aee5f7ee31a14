// Jest runs the tests tsc compiled into dist/ (docs/adr/0006-jest-route.md): no transform, native ESM through
// node --experimental-vm-modules, which scripts/run-tests.js passes. One project per suite:
//   unit         specs beside the code (src/ and bench/), the emulators against jsforce, client-node and kubectl, the
//                API on the embedded default (no services)
//   integration  PostgreSQL + Redis/Bull, API and worker as separate processes (TEST_DATABASE_URL, TEST_REDIS_URL)
//   e2e          the CLI as a process, the web UI in Chromium
/** @type {import('jest').Config} */
const common = {
  rootDir: 'dist',
  testEnvironment: 'node',
  transform: {},
  testTimeout: 120_000,
  // The compiled fixtures and helpers sit beside the tests; only *.spec.js / *.test.js are suites.
};

/** @type {import('jest').Config} */
export default {
  reporters: ['<rootDir>/scripts/jest-count-reporter.js', 'default'],
  // Seconds are what an API test with a deploy against the emulator takes; a hung test fails instead of hanging CI.
  testTimeout: 120_000,
  // A worker whose memory passed 1 GB after a file is replaced by a fresh one: modules loaded through
  // --experimental-vm-modules stay in a worker's heap file after file, and a heavy file late in the run (the
  // 5,001-class upload of test/api/deploy-sizes) took 59 s and then more than 120 s in full runs, 10–24 s alone.
  workerIdleMemoryLimit: '1GB',
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/src/**/*.spec.js',
        '<rootDir>/bench/**/*.spec.js',
        '<rootDir>/test/{unit,emulator,kubernetes-emulator,aws-query-emulator,cf-emulator,ecs-emulator,api,platform}/**/*.test.js',
      ],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.js'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.js'],
    },
  ],
};
