/**
 * Built-in registry benchmark: the same push and pull with `skopeo` as the client, against
 * `slipway registry serve` and Debian's `docker-registry` (Docker distribution 2.8) on loopback.
 * Times both legs, their ratio (built-in / docker-registry; < 1 means faster) and each registry
 * process's peak RSS.
 *
 *   node --import tsx bench/registry.ts [totalMiB=256] [images=4]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pack } from 'tar-stream';
import { startRegistry } from '../src/relocation/registry/server.js';
import { freePort, installCleanupHandlers, procMemory, sleep, stopChild, tempDir } from './support/procs.js';

// Child mode: this file also runs the built-in registry, so its memory is measured on its own.
if (process.argv[2] === '--serve') {
  const reg = await startRegistry({ storageDir: process.argv[3]!, listen: `127.0.0.1:${process.argv[4]}`, durable: process.env.SLIPWAY_BENCH_FSYNC !== '0' });
  process.stdout.write(`ready ${reg.url}\n`);
  process.on('SIGTERM', () => void reg.close().then(() => process.exit(0)));
} else {
  await main();
}

interface Layer {
  digest: string;
  size: number;
}

/** A tar layer of `bytes` random bytes, streamed to the layout while hashed. */
async function writeLayer(blobs: string, name: string, bytes: number): Promise<Layer> {
  const tmp = join(blobs, `.${name}.tmp`);
  const out = createWriteStream(tmp);
  const h = createHash('sha256');
  let size = 0;
  const p = pack();
  p.on('data', (data: unknown) => {
    const c = data as Buffer;
    h.update(c);
    size += c.length;
  });
  p.pipe(out);
  const entry = p.entry({ name: `${name}.bin`, size: bytes, mtime: new Date(0) });
  for (let left = bytes; left > 0; ) {
    const chunk = randomBytes(Math.min(left, 1 << 20));
    left -= chunk.length;
    if (!entry.write(chunk)) await new Promise<void>((r) => entry.once('drain', () => r()));
  }
  entry.end(undefined);
  p.finalize();
  await new Promise<void>((r) => out.on('close', () => r()));
  const digest = `sha256:${h.digest('hex')}`;
  renameSync(tmp, join(blobs, digest.slice(7)));
  return { digest, size };
}

function putJson(blobs: string, value: unknown): Layer {
  const b = Buffer.from(JSON.stringify(value));
  const digest = `sha256:${createHash('sha256').update(b).digest('hex')}`;
  writeFileSync(join(blobs, digest.slice(7)), b);
  return { digest, size: b.length };
}

async function buildLayout(dir: string, totalMiB: number, images: number): Promise<number> {
  const blobs = join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const perLayer = Math.floor((totalMiB << 20) / images / 2);
  const manifests = [];
  let bytes = 0;
  for (let i = 0; i < images; i++) {
    const layers = [await writeLayer(blobs, `img${i}-a`, perLayer), await writeLayer(blobs, `img${i}-b`, perLayer)];
    const config = putJson(blobs, { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) } });
    const manifest = putJson(blobs, {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...l })),
    });
    bytes += layers[0]!.size + layers[1]!.size;
    manifests.push({ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, annotations: { 'org.opencontainers.image.ref.name': `img${i}` } });
  }
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }));
  return bytes;
}

function skopeo(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = spawn('skopeo', ['--insecure-policy', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.on('data', (d: Buffer) => (err += d.toString()));
    c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`skopeo ${args.join(' ')}: ${err.trim()}`))));
  });
}

async function waitFor(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`registry at ${url} exited`);
    try {
      if ((await fetch(`${url}/v2/`)).status === 200) return;
    } catch {
      // not yet
    }
    await sleep(100);
  }
  throw new Error(`registry at ${url} did not start`);
}

async function startOurs(dir: string): Promise<{ host: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--serve', dir, String(port)], { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitFor(`http://127.0.0.1:${port}`, child);
  return { host: `127.0.0.1:${port}`, child };
}

async function startDocker(dir: string): Promise<{ host: string; child: ChildProcess }> {
  const port = await freePort();
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'config.yml');
  writeFileSync(config, `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\nhttp:\n  addr: 127.0.0.1:${port}\n`);
  const child = spawn('docker-registry', ['serve', config], { stdio: 'ignore' });
  await waitFor(`http://127.0.0.1:${port}`, child);
  return { host: `127.0.0.1:${port}`, child };
}

interface Result {
  pushS: number;
  pullS: number;
  peakMiB: number;
}

async function measure(host: string, pid: number, layout: string, images: number, out: string): Promise<Result> {
  const names = Array.from({ length: images }, (_, i) => `img${i}`);
  mkdirSync(out, { recursive: true });
  let t = performance.now();
  await Promise.all(names.map((n) => skopeo(['copy', '--preserve-digests', '--dest-tls-verify=false', `oci:${layout}:${n}`, `docker://${host}/bench/${n}:1`])));
  const pushS = (performance.now() - t) / 1000;
  t = performance.now();
  await Promise.all(names.map((n) => skopeo(['copy', '--src-tls-verify=false', `docker://${host}/bench/${n}:1`, `dir:${join(out, n)}`])));
  const pullS = (performance.now() - t) / 1000;
  return { pushS, pullS, peakMiB: procMemory(pid).hwmMiB };
}

async function main(): Promise<void> {
  installCleanupHandlers();
  const totalMiB = Number(process.argv[2] ?? 256);
  const images = Number(process.argv[3] ?? 4);
  const work = tempDir('slipway-bench-registry-');
  const layout = join(work, 'layout');
  const bytes = await buildLayout(layout, totalMiB, images);
  const mib = bytes / (1 << 20);

  // two rounds in opposite orders, each registry on fresh storage; the better round of each counts
  const best: Record<'ours' | 'docker', Result | undefined> = { ours: undefined, docker: undefined };
  for (const round of [0, 1]) {
    for (const which of round === 0 ? (['ours', 'docker'] as const) : (['docker', 'ours'] as const)) {
      const dir = join(work, `${which}-${round}`);
      const reg = which === 'ours' ? await startOurs(dir) : await startDocker(dir);
      try {
        const r = await measure(reg.host, reg.child.pid!, layout, images, join(dir, 'pulled'));
        const prev = best[which];
        best[which] = prev ? { pushS: Math.min(prev.pushS, r.pushS), pullS: Math.min(prev.pullS, r.pullS), peakMiB: Math.max(prev.peakMiB, r.peakMiB) } : r;
      } finally {
        await stopChild(reg.child);
      }
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const a = best.ours!;
  const b = best.docker!;
  const row = (name: string, r: Result): string =>
    `${name.padEnd(16)} ${r.pushS.toFixed(2).padStart(8)} ${(mib / r.pushS).toFixed(0).padStart(9)} ${r.pullS.toFixed(2).padStart(8)} ${(mib / r.pullS).toFixed(0).padStart(9)} ${r.peakMiB.toFixed(0).padStart(9)}`;
  console.log(`skopeo push/pull of ${images} images, ${mib.toFixed(0)} MiB of layers, ${images} copies in parallel (best of 2 rounds)\n`);
  console.log(`${'registry'.padEnd(16)} ${'push s'.padStart(8)} ${'push MiB/s'.padStart(9)} ${'pull s'.padStart(8)} ${'pull MiB/s'.padStart(9)} ${'peak RSS'.padStart(9)}`);
  console.log(row('slipway', a));
  console.log(row('docker-registry', b));
  const pushRatio = a.pushS / b.pushS;
  const pullRatio = a.pullS / b.pullS;
  console.log(`\nratio slipway/docker-registry: push ${pushRatio.toFixed(2)}, pull ${pullRatio.toFixed(2)} (< 1 is faster)`);
  console.log(JSON.stringify({
    bench: 'registry',
    mib: Math.round(mib),
    images,
    push_s_slipway: +a.pushS.toFixed(3),
    push_s_docker_registry: +b.pushS.toFixed(3),
    pull_s_slipway: +a.pullS.toFixed(3),
    pull_s_docker_registry: +b.pullS.toFixed(3),
    push_ratio: +pushRatio.toFixed(3),
    pull_ratio: +pullRatio.toFixed(3),
    peak_rss_mib_slipway: Math.round(a.peakMiB),
    peak_rss_mib_docker_registry: Math.round(b.peakMiB),
  }));
}
