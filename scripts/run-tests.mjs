#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with Node's test runner (TypeScript through tsx).
// Usage: node scripts/run-tests.mjs [path-substring ...]
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const setup = spawnSync('bash', [join(root, 'scripts/install-test-deps.sh')], { stdio: 'inherit' });
if (setup.status !== 0) process.exit(setup.status ?? 1);
// Type-check and build first: the CLI tests run bin/slipway.js, which runs the compiled dist/.
const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  console.error('TypeScript build failed');
  process.exit(build.status ?? 1);
}

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}
const filters = process.argv.slice(2);
let files = [...walk(join(root, 'src'), []), ...walk(join(root, 'test'), [])].sort();
if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (!files.length) { console.error('no test files matched'); process.exit(1); }
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
