/**
 * Discovery documents, as kube-apiserver serves them, computed from the list of served resources:
 *  - /api                  → APIVersions
 *  - /apis                 → APIGroupList
 *  - /apis/GROUP           → APIGroup
 *  - /api/v1, /apis/G/V    → APIResourceList
 *  - /api, /apis with an aggregated-discovery Accept → apidiscovery.k8s.io APIGroupDiscoveryList
 *
 * All functions are pure; the HTTP layer picks the document and writes it.
 */
import { podReadSubresourcesOf, postSubresourcesOf } from './pod-subresources.js';
import { createHash } from 'node:crypto';
import type { ResourceInfo } from './resource-info.js';

export type AggregatedDiscoveryVersion = 'v2' | 'v2beta1';
export type DiscoveryFormat = AggregatedDiscoveryVersion | 'legacy';

export const SUBRESOURCE_VERBS = ['get', 'patch', 'update'];

// ---------------------------------------------------------------------------------------------
// Version priority
// ---------------------------------------------------------------------------------------------

const VERSION_RE = /^v([1-9][0-9]*)(?:(alpha|beta)([1-9][0-9]*))?$/;

/**
 * Compares two version strings by Kubernetes version priority; negative when `a` has the higher
 * priority (sorts first). GA > beta > alpha; within a level larger numbers win; versions that do
 * not look like Kubernetes versions come last, ordered alphabetically.
 */
export function compareVersionPriority(a: string, b: string): number {
  const ma = VERSION_RE.exec(a);
  const mb = VERSION_RE.exec(b);
  if (!ma || !mb) {
    if (ma) return -1;
    if (mb) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const level = (m: RegExpExecArray) => (m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1);
  const la = level(ma);
  const lb = level(mb);
  if (la !== lb) return lb - la;
  const majA = Number(ma[1]);
  const majB = Number(mb[1]);
  if (majA !== majB) return majB - majA;
  const minA = ma[3] === undefined ? 0 : Number(ma[3]);
  const minB = mb[3] === undefined ? 0 : Number(mb[3]);
  return minB - minA;
}

/** Versions sorted by priority, highest first (duplicates removed). */
export function sortVersionsByPriority(versions: Iterable<string>): string[] {
  return [...new Set(versions)].sort(compareVersionPriority);
}

/** Groups in first-seen order; the core group "" is included when present. */
function groupsOf(resources: readonly ResourceInfo[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of resources) {
    const vs = out.get(r.group) ?? [];
    if (!vs.includes(r.version)) vs.push(r.version);
    out.set(r.group, vs);
  }
  for (const [g, vs] of out) out.set(g, sortVersionsByPriority(vs));
  return out;
}

function groupVersion(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

// ---------------------------------------------------------------------------------------------
// Legacy discovery
// ---------------------------------------------------------------------------------------------

/** GET /api: the core group's versions. */
export function coreApiVersions(serverAddress = '127.0.0.1:6443'): object {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroupObject(name: string, versions: string[]): Record<string, unknown> {
  const vs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: vs, preferredVersion: vs[0] };
}

/** GET /apis: every non-core group with its versions and preferred version. */
export function apiGroupList(resources: readonly ResourceInfo[]): object {
  const groups: unknown[] = [];
  for (const [name, versions] of groupsOf(resources)) {
    if (name === '') continue;
    groups.push(apiGroupObject(name, versions));
  }
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

/** GET /apis/GROUP, or undefined when the group is not served. */
export function apiGroup(resources: readonly ResourceInfo[], group: string): object | undefined {
  if (group === '') return undefined;
  const versions = groupsOf(resources).get(group);
  if (!versions) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroupObject(group, versions) };
}

/** The preferred (highest-priority) served version of a group, or undefined. */
export function preferredVersion(resources: readonly ResourceInfo[], group: string): string | undefined {
  return groupsOf(resources).get(group)?.[0];
}

/** A stable hash of the storage group/version/kind, like kube's storageVersionHash (8 bytes, base64). */
export function storageVersionHash(r: ResourceInfo): string {
  return createHash('sha256').update(`${r.group}/${r.storageVersion || r.version}/${r.kind}`).digest().subarray(0, 8).toString('base64');
}

function sortedByName(resources: readonly ResourceInfo[]): ResourceInfo[] {
  return [...resources].sort((a, b) => (a.plural < b.plural ? -1 : a.plural > b.plural ? 1 : 0));
}

function resourcesOf(resources: readonly ResourceInfo[], group: string, version: string): ResourceInfo[] {
  return sortedByName(resources.filter((r) => r.group === group && r.version === version));
}

/** GET /api/v1 or /apis/G/V, or undefined when nothing is served at that group/version. */
export function apiResourceList(resources: readonly ResourceInfo[], group: string, version: string): object | undefined {
  const rs = resourcesOf(resources, group, version);
  if (rs.length === 0) return undefined;
  const out: unknown[] = [];
  for (const r of rs) {
    const entry: Record<string, unknown> = {
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: [...r.verbs],
    };
    if (r.shortNames.length) entry.shortNames = [...r.shortNames];
    if (r.categories.length) entry.categories = [...r.categories];
    entry.storageVersionHash = storageVersionHash(r);
    out.push(entry);
    if (r.subresources.status) {
      out.push({ name: `${r.plural}/status`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: [...SUBRESOURCE_VERBS] });
    }
    for (const p of postSubresourcesOf(r)) {
      out.push({ name: `${r.plural}/${p.name}`, singularName: '', namespaced: r.namespaced, ...(p.group ? { group: p.group, version: p.version } : {}), kind: p.kind, verbs: ['create'] });
    }
    for (const p of podReadSubresourcesOf(r)) out.push({ name: `${r.plural}/${p.name}`, singularName: '', namespaced: r.namespaced, kind: p.kind, verbs: [...p.verbs] });
    if (r.subresources.scale) {
      out.push({
        name: `${r.plural}/scale`,
        singularName: '',
        namespaced: r.namespaced,
        group: 'autoscaling',
        version: 'v1',
        kind: 'Scale',
        verbs: [...SUBRESOURCE_VERBS],
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion(group, version), resources: out };
}

// ---------------------------------------------------------------------------------------------
// Aggregated discovery (apidiscovery.k8s.io)
// ---------------------------------------------------------------------------------------------

/** Content-Type of an aggregated discovery response of the given version. */
export function aggregatedDiscoveryContentType(version: AggregatedDiscoveryVersion): string {
  return `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`;
}

function resourceDiscovery(r: ResourceInfo): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    resource: r.plural,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: [...r.verbs],
  };
  if (r.shortNames.length) entry.shortNames = [...r.shortNames];
  if (r.categories.length) entry.categories = [...r.categories];
  const subresources: unknown[] = [];
  if (r.subresources.status) {
    subresources.push({
      subresource: 'status',
      responseKind: { group: r.group, version: r.version, kind: r.kind },
      verbs: [...SUBRESOURCE_VERBS],
    });
  }
  if (r.subresources.scale) {
    subresources.push({
      subresource: 'scale',
      responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
      verbs: [...SUBRESOURCE_VERBS],
    });
  }
  for (const p of postSubresourcesOf(r)) {
    subresources.push({ subresource: p.name, responseKind: { group: p.group ?? r.group, version: p.version ?? r.version, kind: p.kind }, verbs: ['create'] });
  }
  for (const p of podReadSubresourcesOf(r)) subresources.push({ subresource: p.name, responseKind: { group: r.group, version: r.version, kind: p.kind }, verbs: [...p.verbs] });
  if (subresources.length) entry.subresources = subresources;
  return entry;
}

function groupDiscovery(resources: readonly ResourceInfo[], group: string, versions: string[]): Record<string, unknown> {
  const metadata: Record<string, unknown> = { creationTimestamp: null };
  if (group !== '') metadata.name = group;
  return {
    metadata,
    versions: versions.map((v) => ({
      version: v,
      resources: resourcesOf(resources, group, v).map(resourceDiscovery),
      freshness: 'Current',
    })),
  };
}

/**
 * GET /api (which='core') or /apis (which='apis') in aggregated form: an APIGroupDiscoveryList.
 * Versions within a group are listed by priority, so the first is the preferred one.
 */
export function aggregatedDiscovery(
  resources: readonly ResourceInfo[],
  which: 'core' | 'apis',
  version: AggregatedDiscoveryVersion,
): object {
  const items: unknown[] = [];
  for (const [group, versions] of groupsOf(resources)) {
    if ((which === 'core') !== (group === '')) continue;
    items.push(groupDiscovery(resources, group, versions));
  }
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}

// ---------------------------------------------------------------------------------------------
// Negotiation
// ---------------------------------------------------------------------------------------------

interface MediaRange {
  type: string;
  params: Record<string, string>;
  q: number;
  index: number;
}

function parseAccept(accept: string): MediaRange[] {
  const out: MediaRange[] = [];
  accept.split(',').forEach((part, index) => {
    const pieces = part.split(';').map((p) => p.trim());
    const type = (pieces.shift() ?? '').toLowerCase();
    if (!type) return;
    const params: Record<string, string> = {};
    let q = 1;
    for (const p of pieces) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const k = p.slice(0, eq).trim().toLowerCase();
      let v = p.slice(eq + 1).trim();
      if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1);
      if (k === 'q') {
        const n = Number(v);
        q = Number.isFinite(n) ? n : 0;
      } else params[k] = v;
    }
    out.push({ type, params, q, index });
  });
  return out.filter((m) => m.q > 0).sort((a, b) => b.q - a.q || a.index - b.index);
}

/**
 * Chooses the discovery format for an Accept header: the first (by q, then order) acceptable
 * media type that asks for an APIGroupDiscoveryList in JSON decides; otherwise 'legacy'.
 */
export function negotiateDiscovery(acceptHeader: string | undefined): DiscoveryFormat {
  if (!acceptHeader) return 'legacy';
  for (const m of parseAccept(acceptHeader)) {
    const isJson = m.type === 'application/json';
    if (m.params.g === 'apidiscovery.k8s.io' && m.params.as === 'APIGroupDiscoveryList') {
      if (!isJson) continue; // protobuf aggregated discovery is not served
      if (m.params.v === 'v2') return 'v2';
      if (m.params.v === 'v2beta1') return 'v2beta1';
      continue;
    }
    if (m.params.g !== undefined || m.params.as !== undefined) continue; // some other typed response we do not serve
    if (isJson || m.type === '*/*' || m.type === 'application/*') return 'legacy';
  }
  return 'legacy';
}
