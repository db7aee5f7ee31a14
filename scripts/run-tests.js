#!/usr/bin/env node
// Runs a test suite with Node's own test runner over the compiled files in dist/.
//   unit         every *.spec.js beside the code and test/**/*.test.js that needs no outside service
//   integration  test/integration/**/*.test.js (real PostgreSQL via DATABASE_URL, real Redis via REDIS_URL)
//   e2e          test/e2e/**/*.test.js (the CLI as a process, the web UI in Chromium)
import { globSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const suite = process.argv[2] ?? 'unit';
const patterns = {
  unit: ['dist/src/**/*.spec.js', 'dist/test/unit/**/*.test.js', 'dist/test/emulator/**/*.test.js', 'dist/test/api/**/*.test.js'],
  integration: ['dist/test/integration/**/*.test.js'],
  e2e: ['dist/test/e2e/**/*.test.js'],
}[suite];
if (!patterns) {
  console.error(`unknown suite "${suite}": use unit, integration or e2e`);
  process.exit(2);
}
const only = process.argv.slice(3);
let files = patterns.flatMap((p) => globSync(p)).sort();
if (only.length) files = files.filter((f) => only.some((o) => f.includes(o)));
if (files.length === 0) {
  console.error(`no test files found for suite "${suite}"`);
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--enable-source-maps', '--test', '--test-reporter=spec', `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`, ...files],
  { stdio: 'inherit', env: { ...process.env, SF_DISABLE_LOG_FILE: 'true', NODE_ENV: 'test' } },
);
process.exit(result.status ?? 1);
