#!/usr/bin/env node
// The `backtrack` CLI (package bin): runs the compiled dist/src/cli/main.js; `npm run build` makes it.
import { existsSync } from 'node:fs';

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('backtrack: the CLI is not built yet; run "npm run build" in the Backtrack folder first.\n');
  process.exit(2);
}
await import(main.href);
