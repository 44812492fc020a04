#!/usr/bin/env node
// Runs one benchmark: bench/NAME.ts with Node (TypeScript through tsx).
// Usage: npm run bench -- NAME [args ...]     (e.g. npm run bench -- apiserver)
// Without NAME, or with an unknown one, lists the available benchmarks.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const benchDir = join(root, 'bench');

function available() {
  return readdirSync(benchDir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts') && statSync(join(benchDir, f)).isFile())
    .map((f) => f.slice(0, -'.ts'.length))
    .sort();
}

const [name, ...rest] = process.argv.slice(2);
const names = available();
if (!name || !names.includes(name)) {
  if (name) console.error(`unknown benchmark "${name}"`);
  console.error('usage: npm run bench -- NAME [args ...]');
  console.error('available benchmarks:');
  for (const n of names) console.error(`  ${n}`);
  process.exit(name ? 1 : 2);
}

// Build first (tsc, as `npm install` does), so that server children a benchmark starts run the
// compiled code that `npm start` runs (see bench/support/procs.ts).
console.error('[bench] building (tsc -p tsconfig.json)');
const build = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  console.error('[bench] build failed');
  process.exit(1);
}

const child = spawn(process.execPath, ['--import', 'tsx', join('bench', `${name}.ts`), ...rest], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, SLIPWAY_BENCH_BUILT: '1' },
});
// Forward termination signals so the benchmark can clean up its own children and temp dirs.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
  });
}
child.on('error', (e) => {
  console.error(`failed to start benchmark: ${e.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  if (signal) process.exit(128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1, SIGKILL: 9 }[signal] ?? 1));
  process.exit(code ?? 1);
});
