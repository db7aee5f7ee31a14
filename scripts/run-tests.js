#!/usr/bin/env node
// Runs one test suite with Jest over the files tsc compiled into dist/ (docs/adr/0006-jest-route.md).
//   node scripts/run-tests.js unit|integration|e2e [jest options and path patterns…]
// e.g. `npm test -- zip-intake` runs the unit files whose path contains zip-intake; `npm test -- -t 'drift'` the
// tests whose name matches. The suites are the projects of jest.config.js.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const suite = process.argv[2] ?? 'unit';
if (!['unit', 'integration', 'e2e'].includes(suite)) {
  console.error(`unknown suite "${suite}": use unit, integration or e2e`);
  process.exit(2);
}
const jest = createRequire(import.meta.url).resolve('jest/bin/jest');
// Two test files at a time, as before (each file runs in its own worker process).
const workers = [`--maxWorkers=${process.env.TEST_CONCURRENCY ?? 2}`];
const result = spawnSync(
  process.execPath,
  [
    '--experimental-vm-modules',
    '--no-warnings=ExperimentalWarning',
    '--enable-source-maps',
    jest,
    '--selectProjects',
    suite,
    ...workers,
    ...process.argv.slice(3),
  ],
  { stdio: 'inherit', env: { ...process.env, SF_DISABLE_LOG_FILE: 'true', NODE_ENV: 'test', TEST_SUITE: suite } },
);
process.exit(result.status ?? 1);
