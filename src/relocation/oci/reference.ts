/** Registry locations (`HOST[:PORT]/PREFIX`) and image references (`HOST/REPO:TAG@DIGEST`). */
import { isDigest, type Digest } from './digest.js';

/** A registry plus an optional repository prefix, e.g. `registry.example.com:5000/slipway`. */
export interface RepoLocation {
  /** `host` or `host:port`, as used in the Host header and in image references. */
  registry: string;
  /** Repository path prefix without leading/trailing slash; may be empty. */
  prefix: string;
}

export interface ImageReference {
  registry: string;
  repository: string;
  tag?: string;
  digest?: Digest;
}

// distribution/reference grammar (lowercase path components separated by / ; . _ __ - allowed inside)
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const HOST_RE = /^(?:\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*)(?::[0-9]{1,5})?$/;

export function isValidTag(tag: string): boolean {
  return TAG_RE.test(tag);
}

export function isValidRepositoryPath(path: string): boolean {
  return path.length > 0 && path.length <= 255 && path.split('/').every((c) => PATH_COMPONENT.test(c));
}

/** Parses `HOST[:PORT][/PREFIX]`; an `https://` or `http://` scheme prefix is tolerated and dropped. */
export function parseRepoLocation(s: string, flag = 'repository'): RepoLocation {
  const raw = s.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  const slash = raw.indexOf('/');
  const registry = slash < 0 ? raw : raw.slice(0, slash);
  const prefix = slash < 0 ? '' : raw.slice(slash + 1);
  if (!registry || !HOST_RE.test(registry)) throw new Error(`${flag}: invalid registry host ${JSON.stringify(registry)} in ${JSON.stringify(s)} (expected HOST[:PORT]/PREFIX)`);
  if (prefix && !isValidRepositoryPath(prefix)) throw new Error(`${flag}: invalid repository prefix ${JSON.stringify(prefix)} in ${JSON.stringify(s)} (lowercase letters, digits, and . _ - / separators)`);
  return { registry, prefix };
}

export function joinRepo(loc: RepoLocation, repository: string): string {
  return loc.prefix ? `${loc.prefix}/${repository}` : repository;
}

export function formatReference(r: ImageReference): string {
  let s = `${r.registry}/${r.repository}`;
  if (r.tag) s += `:${r.tag}`;
  if (r.digest) s += `@${r.digest}`;
  return s;
}

/** Parses `HOST[:PORT]/REPO[:TAG][@DIGEST]` (the host is required). */
export function parseImageReference(s: string): ImageReference {
  let rest = s;
  let digest: Digest | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const d = rest.slice(at + 1);
    if (!isDigest(d)) throw new Error(`invalid digest in image reference ${JSON.stringify(s)}`);
    digest = d;
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!isValidTag(tag)) throw new Error(`invalid tag ${JSON.stringify(tag)} in image reference ${JSON.stringify(s)}`);
  }
  const loc = parseRepoLocation(rest, 'image reference');
  if (!loc.prefix) throw new Error(`image reference ${JSON.stringify(s)} has no repository`);
  return { registry: loc.registry, repository: loc.prefix, tag, digest };
}
