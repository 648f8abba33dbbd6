#!/usr/bin/env node
// The operators' CLI (`npx resident-access ...`): runs src/cli from the TypeScript sources through
// tsx in a clone (after `npm ci`), or the compiled dist/cli where tsx is not installed.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let entry;
try {
  require('tsx/cjs/api').register();
  entry = '../src/cli/main.ts';
} catch {
  entry = '../dist/cli/main.js';
}
require(entry)
  .run(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
