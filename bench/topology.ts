/**
 * Topology engine benchmark: render 1,000 Clusters from the vSphere-style ClusterClass (33 variables, 38 patches,
 * 3 MachineDeployments each) on one core: variable defaulting and validation (OpenAPI + CEL), builtins, every
 * patch with its enabledIf / Go templates, naming and MachineHealthChecks — computeDesiredState end to end.
 *
 *   npm run bench -- topology
 *
 * Environment:
 *   BENCH_CLUSTERS=1000   how many Clusters to render in the measured run (default 1000)
 *
 * Output: a table (figure, value, target, pass/fail), then exactly one line of JSON
 *   {"bench":"topology","clusters_per_s":…,"ms_per_cluster":…,…}
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { KubeObject } from '../src/apimachinery/types.js';
import { parseDocuments } from '../src/topology/documents.js';
import { computeDesiredState, desiredObjects, isCluster, isClusterClass, seededRandom, type Cluster, type ClusterClass } from '../src/topology/index.js';

const N = Number(process.env.BENCH_CLUSTERS ?? '1000');
if (!(N > 0 && Number.isInteger(N))) throw new Error(`BENCH_CLUSTERS must be a positive integer, got ${process.env.BENCH_CLUSTERS}`);
const TARGET = 1000;

const dir = fileURLToPath(new URL('../test/fixtures/topology/', import.meta.url));
const classDocs = parseDocuments(readFileSync(dir + 'vsphere-class.yaml', 'utf8'), 'vsphere-class.yaml');
const cc = classDocs.find(isClusterClass) as ClusterClass;
const templates: KubeObject[] = classDocs.filter((d) => !isClusterClass(d));
const prod = parseDocuments(readFileSync(dir + 'vsphere-clusters.yaml', 'utf8'), 'vsphere-clusters.yaml').find((d) => isCluster(d) && d.metadata?.name === 'prod-1') as Cluster;

/** N distinct Clusters: names, endpoints, pools and sizes vary, so nothing is rendered twice. */
function clusters(n: number, offset: number): Cluster[] {
  const out: Cluster[] = [];
  for (let i = 0; i < n; i++) {
    const c = JSON.parse(JSON.stringify(prod)) as Cluster;
    const id = offset + i;
    c.metadata = { ...c.metadata, name: `wl-${id}`, uid: `00000000-0000-4000-8000-${String(id).padStart(12, '0')}` };
    const vars = c.spec!.topology!.variables!;
    const set = (name: string, value: unknown) => {
      const v = vars.find((x) => x.name === name);
      if (v) v.value = value;
      else vars.push({ name, value });
    };
    set('controlPlaneEndpoint', { host: `10.${(id >> 8) & 255}.${id & 255}.10` });
    set('network', { addressesFromPools: [{ apiGroup: 'ipam.cluster.x-k8s.io', kind: 'InClusterIPPool', name: `pool-${id % 17}` }], nameservers: ['10.0.0.2'] });
    set('additionalFQDN', [`wl-${id}.example.com`]);
    c.spec!.topology!.workers!.machineDeployments![0]!.replicas = 1 + (id % 5);
    out.push(c);
  }
  return out;
}

function render(list: Cluster[], seed: number): number {
  const random = seededRandom(seed);
  let objects = 0;
  for (const c of list) objects += desiredObjects(computeDesiredState(cc, c, templates, {}, { random })).length;
  return objects;
}

// Warm-up (JIT, template parse cache, CEL program cache), then the measured run on fresh Clusters.
render(clusters(Math.min(200, N), 1_000_000), 1);
const input = clusters(N, 0);
const mdCount = input[0]!.spec!.topology!.workers!.machineDeployments!.length;
const start = process.hrtime.bigint();
const objects = render(input, 2);
const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;

const perSecond = Math.round((N / elapsedMs) * 1000);
const msPer = elapsedMs / N;
const rows: [string, string, string, string][] = [
  ['figure', 'value', 'target', 'result'],
  ['clusters rendered', String(N), '', ''],
  ['variables / patches / MDs per cluster', `${cc.spec!.variables!.length} / ${cc.spec!.patches!.length} / ${mdCount}`, '30+ / 30+ / 3', ''],
  ['objects generated', String(objects), '', ''],
  ['clusters/s (one core)', String(perSecond), `>= ${TARGET}`, perSecond >= TARGET ? 'pass' : 'FAIL'],
  ['ms per cluster', msPer.toFixed(3), `<= ${(1000 / TARGET).toFixed(3)}`, msPer <= 1000 / TARGET ? 'pass' : 'FAIL'],
];
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
console.log(
  JSON.stringify({
    bench: 'topology',
    clusters_per_s: perSecond,
    ms_per_cluster: Number(msPer.toFixed(3)),
    clusters: N,
    objects,
    variables: cc.spec!.variables!.length,
    patches: cc.spec!.patches!.length,
    machine_deployments_per_cluster: mdCount,
  }),
);
