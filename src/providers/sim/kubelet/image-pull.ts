/**
 * Image pulls from the cluster's private registry, simulated: when the cluster's kubeadm ClusterConfiguration names
 * an `imageRepository`, a container whose image lives on that registry host is only started once the registry
 * holds the image's manifest (HEAD /v2/<name>/manifests/<tag|digest>, the way containerd resolves a reference).
 * A missing image gives the container waiting reason ErrImagePull, then ImagePullBackOff with upstream's
 * `Back-off pulling image "…"` while the kubelet backs off (10 s doubling to 5 min), then another attempt.
 * Images from any other registry are taken as present (the simulation has no other registries).
 * Registry answers are cached: present for good, absent for a short while.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { rootCertificates } from 'node:tls';
import { parseImage, reportedImage } from './image.js';
import { crashLoopBackoffMs } from './pod-status.js';

/** A container's pull as the status should show it: still waiting with a reason, or pulled (at that time). */
export type ImagePullState = { waiting: { reason: 'ErrImagePull' | 'ImagePullBackOff'; message: string } } | { pulledAtMs: number };

export type ManifestCheck = { present: true } | { present: false; error: string };
/** Whether the registry has the image's manifest; never throws (errors come back as absent with a message). */
export type ImageManifestCheck = (image: string) => Promise<ManifestCheck>;

export interface RegistryAccess {
  /** http:// instead of https:// (containerd's hosts.toml of the class always says https). */
  plainHttp?: boolean;
  /** Extra trusted CA certificates (PEM), e.g. the trusted CA named imageRepository. */
  caCertificates?: string[];
  /** No certificate check (the class's imageRepository.tlsCertificateValidation false). */
  skipVerify?: boolean;
  /** Per request (default 10 s). */
  timeoutMs?: number;
}

const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** The kubelet's image pull back-off before attempt number `failures + 1`: its one back-off (10 s doubling, at most 5 min). */
export function imagePullBackoffMs(failures: number): number {
  return crashLoopBackoffMs(Math.max(failures, 1));
}

/** The registry host (`host[:port]`) of an image reference (docker.io for short names). */
export function imageRegistryHost(image: string): string {
  const repo = parseImage(image).repository;
  return repo.slice(0, repo.indexOf('/'));
}

/** The host part of ClusterConfiguration.imageRepository (`harbor.example.com/tkg` → `harbor.example.com`). */
export function imageRepositoryHost(imageRepository: string | undefined): string | undefined {
  const s = (imageRepository ?? '').trim().replace(/^https?:\/\//, '');
  if (!s) return undefined;
  const slash = s.indexOf('/');
  return slash < 0 ? s : s.slice(0, slash);
}

/** containerd's text for a reference it could not resolve, as the kubelet passes it on. */
export function pullErrorMessage(image: string, cause: { notFound: true } | { detail: string }): string {
  const full = reportedImage(image);
  if ('notFound' in cause) return `rpc error: code = NotFound desc = failed to pull and unpack image "${full}": failed to resolve reference "${full}": ${full}: not found`;
  return `rpc error: code = Unknown desc = failed to pull and unpack image "${full}": failed to resolve reference "${full}": ${cause.detail}`;
}

/** The topology variables of a Cluster, as `spec.topology.variables`. */
export interface ClusterVariable {
  name: string;
  value?: unknown;
}

/**
 * How nodes reach the cluster's registry, from the default class's variables (what its containerd hosts.toml says):
 * `imageRepository.tlsCertificateValidation: false` → no certificate check; a trusted CA named `imageRepository`
 * (`trust.additionalTrustedCAs[].data`, base64 PEM) → that CA on top of the system roots.
 */
export function registryAccessFromClusterVariables(variables: readonly ClusterVariable[] | null | undefined): RegistryAccess {
  const get = (name: string): unknown => (variables ?? []).find((v) => v.name === name)?.value;
  const repo = get('imageRepository') as { tlsCertificateValidation?: unknown } | undefined;
  const trust = get('trust') as { additionalTrustedCAs?: { name?: unknown; data?: unknown }[] } | undefined;
  const cas = (trust?.additionalTrustedCAs ?? []).filter((c) => c.name === 'imageRepository' && typeof c.data === 'string').map((c) => Buffer.from(c.data as string, 'base64').toString('utf8'));
  return { ...(repo?.tlsCertificateValidation === false ? { skipVerify: true } : {}), ...(cas.length ? { caCertificates: cas } : {}) };
}

/** HEAD of the image's manifest on its registry, as containerd resolves it (anonymous). */
export function registryManifestCheck(access: RegistryAccess = {}): ImageManifestCheck {
  const agentOpts = { keepAlive: true, maxSockets: 4 };
  const agent = access.plainHttp
    ? new http.Agent(agentOpts)
    : // Extra CAs are added to the system roots, as containerd does.
      new https.Agent({ ...agentOpts, rejectUnauthorized: !access.skipVerify, ...(access.caCertificates?.length ? { ca: [...rootCertificates, ...access.caCertificates] } : {}) });
  return (image) =>
    new Promise((resolve) => {
      const p = parseImage(image);
      const host = p.repository.slice(0, p.repository.indexOf('/'));
      const name = p.repository.slice(host.length + 1);
      const url = `${access.plainHttp ? 'http' : 'https'}://${host}/v2/${name}/manifests/${p.digest ?? p.tag}`;
      const req = (access.plainHttp ? http : https).request(url, { method: 'HEAD', agent, headers: { accept: MANIFEST_ACCEPT }, timeout: access.timeoutMs ?? 10_000 }, (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        if (status === 200) resolve({ present: true });
        else if (status === 404) resolve({ present: false, error: pullErrorMessage(image, { notFound: true }) });
        else resolve({ present: false, error: pullErrorMessage(image, { detail: `unexpected status from HEAD request to ${url}: ${status} ${res.statusMessage ?? ''}`.trimEnd() }) });
      });
      req.on('timeout', () => req.destroy(new Error('i/o timeout')));
      req.on('error', (e) => resolve({ present: false, error: pullErrorMessage(image, { detail: `failed to do request: Head "${url}": ${e.message}` }) }));
      req.end();
    });
}

/** The same check, with the registry access resolved on first use (e.g. read from the Cluster's variables). */
export function lazyRegistryManifestCheck(access: () => Promise<RegistryAccess>): ImageManifestCheck {
  let check: Promise<ImageManifestCheck> | undefined;
  return async (image) => {
    check ??= access().then(registryManifestCheck, () => registryManifestCheck({}));
    return (await check)(image);
  };
}

/** Registry answers by image: present for good, absent for `absentTtlMs`; one request per image at a time. */
export class CachedManifestCheck {
  private readonly answers = new Map<string, { result: ManifestCheck; atMs: number }>();
  private readonly inFlight = new Map<string, Promise<ManifestCheck>>();

  constructor(
    private readonly check: ImageManifestCheck,
    private readonly absentTtlMs: number,
  ) {}

  async lookup(image: string, nowMs: number): Promise<ManifestCheck> {
    const key = reportedImage(image);
    const known = this.answers.get(key);
    if (known && (known.result.present || nowMs - known.atMs < this.absentTtlMs)) return known.result;
    let p = this.inFlight.get(key);
    if (!p) {
      p = this.check(image).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, p);
    }
    const result = await p;
    this.answers.set(key, { result, atMs: nowMs });
    return result;
  }
}

interface PullRecord {
  failures: number;
  lastFailMs: number;
  nextAttemptMs: number;
  lastError: string;
  pulledAtMs?: number;
  /** The failure count the BackOff event was written for. */
  backoffReported: number;
}

export type PullEvent = { type: 'Normal' | 'Warning'; reason: string; message: string };

export interface PullStep {
  /** undefined: nothing to show yet (before the container's start). */
  state: ImagePullState | undefined;
  /** When this container's pull state next changes. */
  nextMs: number | undefined;
  events: PullEvent[];
}

/** Per Pod and container: attempts, failures and back-off, from the times the kubelet looks. */
export class ImagePullTracker {
  private readonly records = new Map<string, Map<string, PullRecord>>();

  constructor(
    private readonly registry: CachedManifestCheck,
    /** How long ErrImagePull shows before ImagePullBackOff (ms). */
    private readonly errorShowMs: number,
  ) {}

  forget(podUID: string): void {
    this.records.delete(podUID);
  }

  /** The pull of `image` for one container, first attempted at `dueMs` (when the container would start). */
  async step(podUID: string, container: string, image: string, dueMs: number, nowMs: number): Promise<PullStep> {
    let pod = this.records.get(podUID);
    let rec = pod?.get(container);
    if (rec?.pulledAtMs !== undefined) return { state: { pulledAtMs: rec.pulledAtMs }, nextMs: undefined, events: [] };
    if (!rec && nowMs < dueMs) return { state: undefined, nextMs: dueMs, events: [] };
    const events: PullEvent[] = [];
    const attemptAt = rec ? rec.nextAttemptMs : dueMs;
    if (nowMs >= attemptAt) {
      events.push({ type: 'Normal', reason: 'Pulling', message: `Pulling image "${image}"` });
      const answer = await this.registry.lookup(image, nowMs);
      if (!pod) this.records.set(podUID, (pod = new Map()));
      if (answer.present) {
        pod.set(container, { ...(rec ?? { failures: 0, lastFailMs: 0, nextAttemptMs: 0, lastError: '', backoffReported: 0 }), pulledAtMs: attemptAt });
        events.push({ type: 'Normal', reason: 'Pulled', message: `Successfully pulled image "${image}" in 0s (0s including waiting)` });
        return { state: { pulledAtMs: attemptAt }, nextMs: undefined, events };
      }
      const failures = (rec?.failures ?? 0) + 1;
      rec = { failures, lastFailMs: nowMs, nextAttemptMs: nowMs + imagePullBackoffMs(failures), lastError: answer.error, backoffReported: rec?.backoffReported ?? 0 };
      pod.set(container, rec);
      events.push({ type: 'Warning', reason: 'Failed', message: `Failed to pull image "${image}": ${answer.error}` }, { type: 'Warning', reason: 'Failed', message: 'Error: ErrImagePull' });
    }
    const r = rec!;
    const backoffFrom = r.lastFailMs + this.errorShowMs;
    if (nowMs < backoffFrom) return { state: { waiting: { reason: 'ErrImagePull', message: r.lastError } }, nextMs: Math.min(backoffFrom, r.nextAttemptMs), events };
    if (r.backoffReported < r.failures) {
      r.backoffReported = r.failures;
      events.push({ type: 'Normal', reason: 'BackOff', message: `Back-off pulling image "${image}"` }, { type: 'Warning', reason: 'Failed', message: 'Error: ImagePullBackOff' });
    }
    return { state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } }, nextMs: r.nextAttemptMs, events };
  }
}
