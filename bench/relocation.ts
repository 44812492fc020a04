/**
 * Relocation benchmark: `slipway isolated-cluster download-bundle` and `upload-bundle` against the
 * same work done by `skopeo sync` (registry → dir, dir → registry), all on local Debian
 * docker-registry instances over loopback (plain HTTP).
 *
 *   npm run bench -- relocation
 *
 * The release: 20 images of 4 gzip layers each (incompressible content), two layers of each image
 * from a shared pool of 10 and two its own: 50 distinct layers of 20 MiB ≈ 1 GiB stored once.
 * Slipway's times are measured inside its process from the CLI's main() to exit (TypeScript
 * loading through tsx is not product time); skopeo's are the whole process. Peak RSS is the
 * Slipway process's maxRSS.
 *
 * Environment: BENCH_SCALE=0.1 scales the layer size (default 1); BENCH_CONCURRENCY (default 8).
 * Output: a table, then one line of JSON.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { RegistryClient } from '../src/relocation/oci/client.js';
import { startDockerRegistry, type DockerRegistry } from '../test/support/relocation/docker-registry.js';
import { BlobStore, buildImage, buildLayer, pushImage } from '../test/support/relocation/images.js';

const SCALE = Number(process.env.BENCH_SCALE ?? '1');
if (!(SCALE > 0)) throw new Error(`BENCH_SCALE must be a positive number, got ${process.env.BENCH_SCALE}`);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? '8');
const IMAGES = 20;
const POOL = 10;
const LAYER_BYTES = Math.max(64 * 1024, Math.round(20 * 1024 * 1024 * SCALE));
const PREFIX = 'vendor/slipway';
const RELEASE = '0.1.0';

const root = mkdtempSync(join(tmpdir(), 'slipway-bench-relocation-'));
const registries: DockerRegistry[] = [];
let cleaned = false;
async function cleanup(): Promise<void> {
  if (cleaned) return;
  cleaned = true;
  for (const r of registries) await r.stop().catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void cleanup().then(() => process.exit(130)));

async function registry(name: string): Promise<DockerRegistry> {
  const r = await startDockerRegistry({ dir: join(root, name) });
  registries.push(r);
  return r;
}

function timed(cmd: string, args: string[]): Promise<{ seconds: number; stderr: string; stdout: string }> {
  const t = performance.now();
  return new Promise((resolve, reject) => {
    // bounded: a stuck peer must not hang the benchmark
    execFile(cmd, args, { maxBuffer: 256 * 1024 * 1024, timeout: 30 * 60_000, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.slice(0, 3).join(' ')} failed: ${stderr || err.message}`));
      else resolve({ seconds: (performance.now() - t) / 1000, stdout, stderr });
    });
  });
}

async function slipway(args: string[]): Promise<{ seconds: number; wallSeconds: number; maxRssMiB: number }> {
  const t = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'support', 'relocation-cli.ts'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stdout.resume();
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  const m = /BENCH_CHILD (\{.*\})/.exec(err);
  if (code !== 0 || !m) throw new Error(`slipway ${args.slice(0, 2).join(' ')} failed (exit ${code}): ${err.slice(-2000)}`);
  const r = JSON.parse(m[1]!) as { seconds: number; maxRssKiB: number };
  return { seconds: r.seconds, wallSeconds: (performance.now() - t) / 1000, maxRssMiB: r.maxRssKiB / 1024 };
}

async function main(): Promise<void> {
  const source = await registry('source');
  console.log(`building ${IMAGES} images (${POOL} shared + ${IMAGES * 2} own layers of ${(LAYER_BYTES / 1048576).toFixed(1)} MiB) ...`);
  const store = new BlobStore(join(root, 'build'));
  const pool = [];
  for (let i = 0; i < POOL; i++) pool.push(await buildLayer(store, `shared-${i}`, LAYER_BYTES));
  const client = new RegistryClient({ registry: source.host, insecure: true, maxSockets: 16 });
  const bom = { apiVersion: 'slipway.dev/v1alpha1', kind: 'ReleaseBOM', release: RELEASE, images: [] as { repository: string; tag: string }[] };
  const skopeoImages: Record<string, string[]> = {};
  for (let i = 0; i < IMAGES; i++) {
    const own = [await buildLayer(store, `own-${i}-a`, LAYER_BYTES), await buildLayer(store, `own-${i}-b`, LAYER_BYTES)];
    const img = await buildImage(store, { format: i % 2 ? 'docker' : 'oci', layers: [pool[i % POOL]!, pool[(i + 1) % POOL]!, ...own], label: `image-${i}` });
    const repository = `components/image-${String(i).padStart(2, '0')}`;
    await pushImage(client, store, `${PREFIX}/${repository}`, 'v1.0.0', img);
    bom.images.push({ repository, tag: 'v1.0.0' });
    skopeoImages[`${PREFIX}/${repository}`] = ['v1.0.0'];
  }
  client.close();
  rmSync(join(root, 'build'), { recursive: true, force: true });
  const bomFile = join(root, 'bom.yaml');
  writeFileSync(bomFile, toYaml(bom));
  const syncFile = join(root, 'sync.yaml');
  writeFileSync(syncFile, toYaml({ [source.host]: { images: skopeoImages, 'tls-verify': false } }));

  // download leg
  const skopeoDir = join(root, 'skopeo-dir');
  mkdirSync(skopeoDir);
  const skDown = await timed('skopeo', ['sync', '--src', 'yaml', '--dest', 'dir', '--preserve-digests', syncFile, skopeoDir]);
  const bundleDir = join(root, 'bundle');
  const slDown = await slipway(['isolated-cluster', 'download-bundle', '--source-repo', `${source.host}/${PREFIX}`, '--version', RELEASE, '--bom', bomFile, '--to', bundleDir, '--insecure', '--concurrency', String(CONCURRENCY), '--no-progress']);

  // upload leg, each into an empty registry
  const destSlipway = await registry('dest-slipway');
  const destSkopeo = await registry('dest-skopeo');
  const slUp = await slipway(['isolated-cluster', 'upload-bundle', '--source', bundleDir, '--destination-repo', `${destSlipway.host}/site`, '--insecure', '--concurrency', String(CONCURRENCY), '--no-progress', '--references-file', join(root, 'refs.yaml')]);
  const skUp = await timed('skopeo', ['sync', '--src', 'dir', '--dest', 'docker', '--dest-tls-verify=false', '--preserve-digests', skopeoDir, `${destSkopeo.host}/site`]);

  const r2 = (n: number): number => Math.round(n * 100) / 100;
  const result = {
    bench: 'relocation',
    scale: SCALE,
    images: IMAGES,
    layer_mib: r2(LAYER_BYTES / 1048576),
    bundle_gib: r2(((POOL + IMAGES * 2) * LAYER_BYTES) / 1024 ** 3),
    download_s: r2(slDown.seconds),
    upload_s: r2(slUp.seconds),
    download_wall_s: r2(slDown.wallSeconds),
    upload_wall_s: r2(slUp.wallSeconds),
    skopeo_download_s: r2(skDown.seconds),
    skopeo_upload_s: r2(skUp.seconds),
    download_ratio: r2(slDown.seconds / skDown.seconds),
    upload_ratio: r2(slUp.seconds / skUp.seconds),
    peak_rss_mib: r2(Math.max(slDown.maxRssMiB, slUp.maxRssMiB)),
  };
  const rows: [string, string, string, string][] = [
    ['figure', 'slipway', 'skopeo sync', 'target'],
    ['download (registry → bundle/dir)', `${result.download_s} s`, `${result.skopeo_download_s} s`, `ratio ${result.download_ratio} ≤ 1.0 ${result.download_ratio <= 1 ? 'PASS' : 'FAIL'}`],
    ['upload (bundle/dir → registry)', `${result.upload_s} s`, `${result.skopeo_upload_s} s`, `ratio ${result.upload_ratio} ≤ 1.0 ${result.upload_ratio <= 1 ? 'PASS' : 'FAIL'}`],
    ['slipway wall time incl. tsx start', `${result.download_wall_s} s / ${result.upload_wall_s} s`, '', 'informational'],
    ['slipway peak RSS', `${result.peak_rss_mib} MiB`, '', `≤ 200 MiB ${result.peak_rss_mib <= 200 ? 'PASS' : 'FAIL'}`],
  ];
  const w = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  console.log(`\n${result.bundle_gib} GiB stored (${POOL + IMAGES * 2} distinct layers), ${IMAGES} images, concurrency ${CONCURRENCY}`);
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(w[i]!)).join('  '));
  console.log(JSON.stringify(result));
}

try {
  await main();
} finally {
  await cleanup();
}
