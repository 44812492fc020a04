/**
 * The relocation tests' world: a source docker-registry (TLS with a test CA, htpasswd auth) holding
 * a small release built by hand — a single-arch OCI image with a cosign-style signature tag, a
 * Docker schema2 image, a two-platform OCI index, a two-platform Docker manifest list, all sharing
 * a base layer, and an image with many small layers — plus its BOM, and helpers to run the CLI
 * and skopeo.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { RegistryClient } from '../../../src/relocation/oci/client.js';
import type { Digest } from '../../../src/relocation/oci/digest.js';
import { makeHtpasswd, makeTestPki, startDockerRegistry, type DockerRegistry, type TestPki } from './docker-registry.js';
import { BlobStore, buildImage, buildIndex, buildLayer, buildSignature, pushImage } from './images.js';

export const USER = 'alice';
export const PASSWORD = 'corr3ct-horse';
export const SOURCE_PREFIX = 'vendor/slipway';
export const RELEASE = '0.1.0';

export interface FixtureImage {
  repository: string;
  tag: string;
  digest: Digest;
  mediaType: string;
  signatureTag?: string;
}

export interface Fixture {
  dir: string;
  pki: TestPki;
  htpasswd: string;
  source: DockerRegistry;
  images: FixtureImage[];
  bomFile: string;
  /** `host/prefix` of the source. */
  sourceRepo: string;
  close(): Promise<void>;
}

export async function buildFixture(dir: string, opts: { manyLayers?: number } = {}): Promise<Fixture> {
  mkdirSync(dir, { recursive: true });
  const pki = await makeTestPki(join(dir, 'pki'));
  const htpasswd = join(dir, 'htpasswd');
  makeHtpasswd(htpasswd, USER, PASSWORD);
  const source = await startDockerRegistry({ dir: join(dir, 'source-registry'), tls: pki, htpasswd });
  const client = new RegistryClient({ registry: source.host, caCertificates: [pki.ca.certPem], credentials: { username: USER, password: PASSWORD } });
  const store = new BlobStore(join(dir, 'build'));
  const images: FixtureImage[] = [];
  try {
    const base = await buildLayer(store, 'base-os', 96 * 1024);
    const baseDocker = { ...base };
    const push = async (repository: string, tag: string, img: Awaited<ReturnType<typeof buildImage>>): Promise<FixtureImage> => {
      await pushImage(client, store, `${SOURCE_PREFIX}/${repository}`, tag, img);
      const f = { repository, tag, digest: img.digest, mediaType: img.mediaType };
      images.push(f);
      return f;
    };
    // 1. single-arch OCI image, signed (cosign tag scheme)
    const pause = await buildImage(store, { format: 'oci', layers: [base, await buildLayer(store, 'pause', 8 * 1024)], label: 'pause' });
    const pauseEntry = await push('kubernetes/pause', '3.7', pause);
    const sigTag = `sha256-${pause.digest.slice(7)}.sig`;
    await pushImage(client, store, `${SOURCE_PREFIX}/kubernetes/pause`, sigTag, await buildSignature(store, pause, 'kubernetes/pause'));
    pauseEntry.signatureTag = sigTag;
    // 2. Docker schema2 image sharing the base layer
    await push('kubernetes/etcd', '3.5.6-0', await buildImage(store, { format: 'docker', layers: [baseDocker, await buildLayer(store, 'etcd', 64 * 1024)], label: 'etcd' }));
    // 3. two-platform OCI index
    const proxyAmd = await buildImage(store, { format: 'oci', layers: [base, await buildLayer(store, 'proxy-amd64', 32 * 1024)], arch: 'amd64', label: 'proxy' });
    const proxyArm = await buildImage(store, { format: 'oci', layers: [base, await buildLayer(store, 'proxy-arm64', 32 * 1024)], arch: 'arm64', label: 'proxy' });
    await push('kubernetes/kube-proxy', 'v1.24.9', await buildIndex(store, 'oci', [{ image: proxyAmd, arch: 'amd64' }, { image: proxyArm, arch: 'arm64' }]));
    // 4. two-platform Docker manifest list
    const capiAmd = await buildImage(store, { format: 'docker', layers: [baseDocker, await buildLayer(store, 'capi-amd64', 24 * 1024)], arch: 'amd64', label: 'capi' });
    const capiArm = await buildImage(store, { format: 'docker', layers: [baseDocker, await buildLayer(store, 'capi-arm64', 24 * 1024)], arch: 'arm64', label: 'capi' });
    await push('cluster-api/cluster-api-controller', 'v1.2.8', await buildIndex(store, 'docker', [{ image: capiAmd, arch: 'amd64' }, { image: capiArm, arch: 'arm64' }]));
    // 5. many small layers (gives an interrupted upload something to interrupt)
    const n = opts.manyLayers ?? 24;
    const many = [];
    for (let i = 0; i < n; i++) many.push(await buildLayer(store, `many-${i}`, 12 * 1024 + i));
    await push('slipway/slipway-server', `v${RELEASE}`, await buildImage(store, { format: 'oci', layers: many, label: 'server' }));
  } finally {
    client.close();
  }
  const bomFile = join(dir, 'bom.yaml');
  writeFileSync(
    bomFile,
    toYaml({
      apiVersion: 'slipway.dev/v1alpha1',
      kind: 'ReleaseBOM',
      release: RELEASE,
      // one image pinned by digest, the others by tag
      images: images.map((i, n) => ({ repository: i.repository, tag: i.tag, ...(n === 1 ? { digest: i.digest } : {}) })),
    }),
  );
  return {
    dir,
    pki,
    htpasswd,
    source,
    images,
    bomFile,
    sourceRepo: `${source.host}/${SOURCE_PREFIX}`,
    close: () => source.stop(),
  };
}

const CLI = new URL('./cli-main.ts', import.meta.url).pathname;

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `slipway ARGS` from the sources; env isolates docker config. */
export function slipway(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: number | string; signal?: NodeJS.Signals }) | null;
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null, stdout, stderr });
    });
  });
}

export function spawnSlipway(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function skopeo(args: string[]): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    execFile('skopeo', args, { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0, stdout, stderr: stderr.toString() });
    });
  });
}
