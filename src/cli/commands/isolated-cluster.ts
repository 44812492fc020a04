/**
 * `slipway isolated-cluster download-bundle | upload-bundle | verify-bundle`: carry every image of
 * a release into an air-gapped site as one verified, resumable bundle.
 *
 * Exit codes: 0 success; 1 bad input or a registry/network/TLS error; 2 the bundle failed
 * verification (nothing was uploaded).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { stringify as toYaml } from 'yaml';
import { StatusError } from '../../apimachinery/errors.js';
import { loadBomFile, type ReleaseBOM } from '../../relocation/bom/bom.js';
import { releaseBom } from '../../relocation/bom/release.js';
import { downloadBundle, type DownloadResult } from '../../relocation/bundle/download.js';
import { formatBytes, formatDuration, Progress } from '../../relocation/bundle/progress.js';
import { openBundle } from '../../relocation/bundle/source.js';
import { BundleInvalidError, uploadBundle, type UploadResult } from '../../relocation/bundle/upload.js';
import { describeProblem, verifyBundle } from '../../relocation/bundle/verify.js';
import { credentialsFromDockerConfig, defaultDockerConfigPath, type Credentials } from '../../relocation/oci/auth.js';
import { RegistryClient } from '../../relocation/oci/client.js';
import { parseRepoLocation, type RepoLocation } from '../../relocation/oci/reference.js';
import { VERSION } from '../version.js';

interface RegistryFlags {
  caCertificate: string[];
  insecure?: boolean;
  username?: string;
  password?: string;
  registryConfig?: string;
  concurrency: string;
  output?: 'table' | 'yaml' | 'json';
  progress?: boolean;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

function registryOptions(cmd: Command): Command {
  return cmd
    .option('--ca-certificate <file>', 'PEM CA certificate(s) to trust for the registry (repeatable)', collect, [] as string[])
    .option('--insecure', 'talk plain HTTP to the registry')
    .option('--username <user>', 'registry user name (Basic auth, or for the Bearer token service)')
    .option('--password <password>', 'registry password')
    .option('--registry-config <file>', 'docker-style config.json with "auths" (default: $DOCKER_CONFIG/config.json or ~/.docker/config.json)')
    .option('--concurrency <n>', 'parallel blob transfers', '8')
    .addOption(new Option('-o, --output <format>', 'summary format').choices(['table', 'yaml', 'json']).default('table'))
    .option('--no-progress', 'no progress output');
}

function positiveInt(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new Error(`${flag}: must be an integer from 1 to 256, got ${JSON.stringify(v)}`);
  return n;
}

/** `64Mi`, `5M`, `1048576` → bytes. */
function parseSize(v: string, flag: string): number {
  const m = /^(\d+)(Ki|Mi|Gi|K|M|G)?$/.exec(v.trim());
  if (!m) throw new Error(`${flag}: invalid size ${JSON.stringify(v)} (e.g. 64Mi, 10M, 1048576)`);
  const mult: Record<string, number> = { '': 1, K: 1e3, M: 1e6, G: 1e9, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 };
  return Number(m[1]) * mult[m[2] ?? '']!;
}

function makeClient(loc: RepoLocation, o: RegistryFlags, progress: Progress): RegistryClient {
  const ca = o.caCertificate.map((f) => {
    try {
      const pem = readFileSync(f, 'utf8');
      if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no PEM CERTIFICATE block');
      return pem;
    } catch (e) {
      throw new Error(`--ca-certificate ${f}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
  });
  let credentials: Credentials | undefined;
  if (o.username !== undefined || o.password !== undefined) {
    if (o.username === undefined) throw new Error('--password needs --username');
    if (o.password === undefined) throw new Error('--username needs --password');
    credentials = { username: o.username, password: o.password };
  } else {
    credentials = credentialsFromDockerConfig(o.registryConfig ?? defaultDockerConfigPath(), loc.registry, o.registryConfig !== undefined);
  }
  const concurrency = positiveInt(o.concurrency, '--concurrency');
  return new RegistryClient({
    registry: loc.registry,
    insecure: o.insecure,
    caCertificates: ca,
    credentials,
    maxSockets: concurrency + 2,
    userAgent: `slipway/${VERSION}`,
    onRetry: (r) => progress.note(`retrying ${r.request} on ${r.registry} in ${r.delayMs} ms (attempt ${r.attempt}): ${r.reason}`),
  });
}

function print(format: string | undefined, doc: object, table: () => string): void {
  if (format === 'json') process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
  else if (format === 'yaml') process.stdout.write(toYaml(doc));
  else process.stdout.write(table());
}

function renderTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 2))).join('').trimEnd()).join('\n') + '\n';
}

function oneLine(e: unknown): string {
  if (e instanceof StatusError) return e.message;
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
}

/** Runs an action; failures print one line and set the exit code. */
async function guarded(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    process.stderr.write(`error: ${oneLine(e)}\n`);
    process.exitCode = e instanceof BundleInvalidError ? 2 : 1;
  }
}

function registerDownload(parent: Command): void {
  const cmd = parent
    .command('download-bundle')
    .description("download every image of a release (from its BOM) into one bundle: an OCI image layout with a verified manifest, as FILE.tar or DIR; re-running resumes")
    .requiredOption('--source-repo <registry/prefix>', 'where the release images are, e.g. registry.example.com/slipway')
    .requiredOption('--version <version>', 'release whose images to download')
    .option('--bom <file>', `release BOM (YAML/JSON: {apiVersion: slipway.dev/v1alpha1, kind: ReleaseBOM, release, images: [{repository, tag, digest?}]}); default: the BOM of Slipway ${VERSION}`)
    .requiredOption('--to <file.tar|dir>', 'bundle to write: a path ending in .tar is one tar file, anything else a directory');
  registryOptions(cmd)
    .addHelpText('after', `
Example:
  slipway isolated-cluster download-bundle --source-repo registry.example.com/slipway \\
      --version ${VERSION} --to slipway-${VERSION}.tar --ca-certificate corp-ca.pem
`)
    .action((o: RegistryFlags & { sourceRepo: string; version: string; bom?: string; to: string }) =>
      guarded(async () => {
        const source = parseRepoLocation(o.sourceRepo, '--source-repo');
        let bom: ReleaseBOM;
        if (o.bom) {
          bom = loadBomFile(o.bom);
          if (bom.release !== o.version) throw new Error(`--bom ${o.bom}: release is ${JSON.stringify(bom.release)} but --version is ${JSON.stringify(o.version)}`);
        } else {
          if (o.version !== VERSION && `v${o.version}` !== `v${VERSION}` && o.version !== `v${VERSION}`) throw new Error(`--version ${o.version}: this slipway ships the BOM of release ${VERSION} only; pass --bom FILE for other releases`);
          bom = releaseBom(VERSION);
        }
        const progress = new Progress({ out: process.stderr, verb: 'download', quiet: o.progress === false });
        const client = makeClient(source, o, progress);
        let r: DownloadResult;
        try {
          r = await downloadBundle({ client, source, bom, to: o.to, concurrency: positiveInt(o.concurrency, '--concurrency'), progress });
        } finally {
          client.close();
        }
        print(o.output, r, () =>
          renderTable([
            ['BUNDLE', 'RELEASE', 'IMAGES', 'BLOBS', 'DOWNLOADED', 'SKIPPED', 'BYTES', 'TIME'],
            [r.path, r.release, String(r.images), String(r.blobs), `${r.downloadedBlobs} (${formatBytes(r.downloadedBytes)})`, String(r.skippedBlobs), formatBytes(r.bytes), formatDuration(r.elapsedMs)],
          ]),
        );
      }),
    );
}

function registerUpload(parent: Command): void {
  const cmd = parent
    .command('upload-bundle')
    .description('verify a bundle, then push every image under the destination prefix keeping tags and digests; skips what is there, mounts shared blobs, resumes after an interruption')
    .requiredOption('--source <file.tar|dir>', 'bundle written by download-bundle')
    .requiredOption('--destination-repo <host[:port]/prefix>', "the site registry and prefix, e.g. registry.site.local/slipway")
    .option('--chunk-size <size>', 'upload blobs larger than this in chunks of this size (e.g. 64Mi); default: one request per blob')
    .option('--references-file <file>', 'where to write the relocated image references (YAML)', 'relocated-images.yaml');
  registryOptions(cmd)
    .addHelpText('after', `
Writes the relocated references (source → destination, with digests) to --references-file; use
its imageRepository as the cluster's imageRepository setting.

Example:
  slipway isolated-cluster upload-bundle --source slipway-${VERSION}.tar \\
      --destination-repo registry.site.local/slipway --ca-certificate site-ca.pem \\
      --username admin --password "$REGISTRY_PASSWORD"
`)
    .action((o: RegistryFlags & { source: string; destinationRepo: string; chunkSize?: string; referencesFile: string }) =>
      guarded(async () => {
        const destination = parseRepoLocation(o.destinationRepo, '--destination-repo');
        const chunkSize = o.chunkSize !== undefined ? parseSize(o.chunkSize, '--chunk-size') : undefined;
        const source = await openBundle(o.source);
        const progress = new Progress({ out: process.stderr, verb: 'upload', quiet: o.progress === false });
        const client = makeClient(destination, o, progress);
        let r: UploadResult;
        try {
          r = await uploadBundle({ client, destination, source, concurrency: positiveInt(o.concurrency, '--concurrency'), chunkSize, progress });
        } finally {
          client.close();
        }
        const refs = { apiVersion: 'slipway.dev/v1alpha1', kind: 'RelocatedImages', release: r.release, imageRepository: r.imageRepository, images: r.images.map((i) => ({ source: i.source, destination: i.destination })) };
        writeFileSync(o.referencesFile, toYaml(refs));
        print(o.output, { ...r, referencesFile: o.referencesFile }, () =>
          renderTable([
            ['IMAGES', 'BLOBS PUSHED', 'MOUNTED', 'SKIPPED', 'BYTES PUSHED', 'TIME'],
            [String(r.images.length), String(r.blobsPushed), String(r.blobsMounted), String(r.blobsSkipped), formatBytes(r.bytesPushed), formatDuration(r.elapsedMs)],
          ]) + `\nrelocated image references written to ${o.referencesFile} (imageRepository: ${r.imageRepository})\n`,
        );
      }),
    );
}

function registerVerify(parent: Command): void {
  parent
    .command('verify-bundle')
    .description('check a bundle offline: every file against its SHA-256 and size, and every image complete')
    .requiredOption('--source <file.tar|dir>', 'bundle to check')
    .option('--concurrency <n>', 'files hashed in parallel', '4')
    .addOption(new Option('-o, --output <format>', 'report format').choices(['table', 'yaml', 'json']).default('table'))
    .addHelpText('after', `
Exits 0 when the bundle is intact, 2 when it is not (each problem on one line on stderr).

Example:
  slipway isolated-cluster verify-bundle --source slipway-${VERSION}.tar
`)
    .action((o: { source: string; concurrency: string; output: string }) =>
      guarded(async () => {
        const src = await openBundle(o.source);
        const r = await verifyBundle(src, { concurrency: positiveInt(o.concurrency, '--concurrency') });
        for (const p of r.problems) process.stderr.write(`${o.source}: ${describeProblem(p)}\n`);
        const report = { bundle: o.source, release: r.manifest.release, images: r.manifest.images.length, files: r.files, bytes: r.bytes, valid: r.problems.length === 0, problems: r.problems };
        print(o.output, report, () =>
          renderTable([
            ['BUNDLE', 'RELEASE', 'IMAGES', 'FILES', 'BYTES', 'RESULT'],
            [o.source, r.manifest.release, String(report.images), String(r.files), formatBytes(r.bytes), r.problems.length ? `INVALID (${r.problems.length} problems)` : 'OK'],
          ]),
        );
        if (r.problems.length) process.exitCode = 2;
      }),
    );
}

export function register(program: Command): void {
  const ic = program
    .command('isolated-cluster')
    .description('air-gapped installs: carry every image of a release into a site registry as one bundle')
    .addHelpText('after', `
Example:
  slipway isolated-cluster download-bundle --source-repo registry.example.com/slipway --version ${VERSION} --to bundle.tar
  slipway isolated-cluster verify-bundle --source bundle.tar
  slipway isolated-cluster upload-bundle --source bundle.tar --destination-repo registry.site.local/slipway --ca-certificate site-ca.pem
`);
  registerDownload(ic);
  registerUpload(ic);
  registerVerify(ic);
}
