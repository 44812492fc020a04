/**
 * Image references as containerd reports them in container statuses: `image` fully qualified
 * (docker.io/library/nginx:latest), `imageID` as repository@sha256 digest, and `containerID` with the
 * containerd:// scheme. Digests are derived from the reference, so a simulated node is deterministic.
 */
import { createHash } from 'node:crypto';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Split off the registry the way the Docker reference grammar does: a first part with '.', ':' or "localhost". */
function qualifyRepository(name: string): string {
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost')) return name;
  return slash < 0 ? `docker.io/library/${name}` : `docker.io/${name}`;
}

/** Repository, tag and digest of an image reference (tag defaults to latest when there is no digest). */
export function parseImage(ref: string): { repository: string; tag?: string; digest?: string } {
  let rest = ref.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  if (!tag && !digest) tag = 'latest';
  return { repository: qualifyRepository(rest), ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** `image` of a container status: the fully qualified reference. */
export function reportedImage(ref: string): string {
  const p = parseImage(ref);
  return `${p.repository}${p.tag ? `:${p.tag}` : ''}${p.digest ? `@${p.digest}` : ''}`;
}

/** `imageID` of a container status: repository@digest. */
export function reportedImageID(ref: string): string {
  const p = parseImage(ref);
  return `${p.repository}@${p.digest ?? `sha256:${sha256(reportedImage(ref))}`}`;
}

/** `containerID` of one run of a container. */
export function containerID(podUID: string, container: string, restartCount: number): string {
  return `containerd://${sha256(`${podUID}/${container}/${restartCount}`)}`;
}
