/**
 * Pod Security Standards evaluator benchmark.
 *
 *   npm run bench -- psa          (or: node --import tsx bench/psa.ts)
 *
 * Figures (all at restricted:latest, one thread, pods already parsed from YAML; each evaluation
 * includes building the pod view from plain JSON, running every check and formatting failures):
 *  1. evaluations/s over the whole upstream fixture set (test/fixtures/psa, 4,537 pods, ~70 % of
 *     them violating something at their own level, so failure messages are built too)
 *  2. evaluations/s of a typical 3-container pod (init + app + sidecar) that passes
 *  3. evaluations/s of the same pod without its hardening (4 violations, message built)
 * Rates are per CPU second of this process (the machine may be shared; wall-clock rates are shown
 * for reference). Target: ≥ 200,000 evaluations/s on one core for figures 1 and 2.
 *
 * Environment: BENCH_SCALE=0.1 for a quick run (default 1).
 *
 * Output: a table, then exactly one line of JSON.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { LATEST, type LevelVersion } from '../src/psa/api.js';
import { evaluatePod, violationMessage } from '../src/psa/evaluator.js';

const SCALE = Number(process.env.BENCH_SCALE ?? '1');
if (!(SCALE > 0)) throw new Error(`BENCH_SCALE must be a positive number, got ${process.env.BENCH_SCALE}`);
const TARGET = 200_000;
const LV: LevelVersion = { level: 'restricted', version: LATEST };

interface Pod {
  metadata?: unknown;
  spec?: unknown;
}

function loadFixtures(): Pod[] {
  const root = new URL('../test/fixtures/psa/', import.meta.url).pathname;
  const byText = new Map<string, Pod>();
  const pods: Pod[] = [];
  for (const level of readdirSync(root).filter((d) => d === 'baseline' || d === 'restricted').sort()) {
    for (const version of readdirSync(join(root, level)).sort()) {
      for (const kind of ['pass', 'fail']) {
        const dir = join(root, level, version, kind);
        for (const f of readdirSync(dir).sort()) {
          if (!f.endsWith('.yaml')) continue;
          const text = readFileSync(join(dir, f), 'utf8');
          let pod = byText.get(text);
          if (!pod) byText.set(text, (pod = parse(text) as Pod));
          // Distinct objects per file, so no evaluation sees a pod another one just warmed.
          pods.push(structuredClone(pod));
        }
      }
    }
  }
  return pods;
}

const sc = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true };
const TYPICAL: Pod = {
  metadata: { name: 'web-7d4b9c', namespace: 'shop', labels: { app: 'web' }, annotations: { 'prometheus.io/scrape': 'true' } },
  spec: {
    securityContext: { runAsNonRoot: true, runAsUser: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
    initContainers: [{ name: 'migrate', image: 'registry.example/web:1.4', command: ['/migrate'], securityContext: sc }],
    containers: [
      { name: 'web', image: 'registry.example/web:1.4', ports: [{ containerPort: 8080 }], readinessProbe: { httpGet: { path: '/healthz', port: 8080 } }, securityContext: sc, volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }] },
      { name: 'proxy', image: 'registry.example/envoy:1.30', ports: [{ containerPort: 9901 }], securityContext: sc },
    ],
    volumes: [{ name: 'tmp', emptyDir: {} }, { name: 'config', configMap: { name: 'web' } }],
  },
};
const LOOSE: Pod = (() => {
  const p = structuredClone(TYPICAL) as { spec: { securityContext?: unknown; initContainers: { securityContext?: unknown }[]; containers: { securityContext?: unknown }[] } };
  delete p.spec.securityContext;
  for (const c of [...p.spec.initContainers, ...p.spec.containers]) delete c.securityContext;
  return p as Pod;
})();

interface Measured {
  evals: number;
  cpuPerSec: number;
  wallPerSec: number;
}

/** Run `fn` `rounds` times after a warm-up; rate per CPU second and per wall second. */
function measure(rounds: number, evalsPerRound: number, fn: () => number): Measured {
  let sink = 0;
  for (let i = 0; i < Math.max(1, Math.floor(rounds / 5)); i++) sink += fn();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) sink += fn();
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  if (sink < 0) console.log(sink);
  const evals = rounds * evalsPerRound;
  return { evals, cpuPerSec: evals / cpuS, wallPerSec: evals / wallS };
}

const pods = loadFixtures();
const fixtureRun = (): number => {
  let denied = 0;
  for (let i = 0; i < pods.length; i++) {
    const p = pods[i]!;
    const r = evaluatePod(LV, p.metadata, p.spec);
    if (!r.allowed) denied += violationMessage(LV, r.violations).length > 0 ? 1 : 0;
  }
  return denied;
};
const deniedShare = fixtureRun() / pods.length;
const single = (pod: Pod, n: number) => (): number => {
  let denied = 0;
  for (let i = 0; i < n; i++) {
    const r = evaluatePod(LV, pod.metadata, pod.spec);
    if (!r.allowed) denied += violationMessage(LV, r.violations).length > 0 ? 1 : 0;
  }
  return denied;
};
if (!evaluatePod(LV, TYPICAL.metadata, TYPICAL.spec).allowed) throw new Error('the typical pod should pass restricted');
if (evaluatePod(LV, LOOSE.metadata, LOOSE.spec).violations.length !== 4) throw new Error('the loose pod should fail 4 checks');

const fixtures = measure(Math.max(2, Math.round(100 * SCALE)), pods.length, fixtureRun);
const typical = measure(Math.max(2, Math.round(100 * SCALE)), 10_000, single(TYPICAL, 10_000));
const loose = measure(Math.max(2, Math.round(30 * SCALE)), 10_000, single(LOOSE, 10_000));

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const rows: [string, string, string, string, string][] = [
  ['figure', 'evals/s (CPU)', 'evals/s (wall)', 'target', 'verdict'],
  [`fixture set, ${pods.length} pods (${Math.round(deniedShare * 100)} % denied), restricted:latest`, fmt(fixtures.cpuPerSec), fmt(fixtures.wallPerSec), `≥ ${fmt(TARGET)}`, fixtures.cpuPerSec >= TARGET ? 'pass' : 'FAIL'],
  ['typical 3-container pod (allowed)', fmt(typical.cpuPerSec), fmt(typical.wallPerSec), `≥ ${fmt(TARGET)}`, typical.cpuPerSec >= TARGET ? 'pass' : 'FAIL'],
  ['same pod, unhardened (4 violations)', fmt(loose.cpuPerSec), fmt(loose.wallPerSec), '-', '-'],
];
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
console.log('Pod Security Standards evaluator (one thread)\n');
for (const [i, r] of rows.entries()) {
  console.log(r.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  '));
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
console.log(
  JSON.stringify({
    bench: 'psa',
    fixture_pods: pods.length,
    fixture_evals_per_s: Math.round(fixtures.cpuPerSec),
    fixture_evals_per_s_wall: Math.round(fixtures.wallPerSec),
    typical_pod_evals_per_s: Math.round(typical.cpuPerSec),
    typical_pod_evals_per_s_wall: Math.round(typical.wallPerSec),
    unhardened_pod_evals_per_s: Math.round(loose.cpuPerSec),
    target_evals_per_s: TARGET,
    pass: fixtures.cpuPerSec >= TARGET && typical.cpuPerSec >= TARGET,
  }),
);
