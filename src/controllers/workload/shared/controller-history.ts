/**
 * ControllerRevisions as DaemonSet and StatefulSet keep them: a revision's data is the template patch
 * (`{spec: {template: …, $patch: replace}}`), its name `<owner>-<hash>` where the hash is FNV-32a of that data
 * (plus the collision count) in Kubernetes' safe alphabet, and revisions are numbered upward.
 */
import { semanticEqual, semanticJson } from '../../../apimachinery/semantic.js';
import type { KubeObject } from '../../../apimachinery/types.js';
import type { Client } from '../../../client/types.js';
import { isAlreadyExists } from '../../../client/errors.js';
import { CONTROLLER_REVISION, controllerUid } from './pods.js';

export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';

export interface ControllerRevision extends KubeObject {
  data?: unknown;
  revision: number;
}

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** FNV-32a of a byte string. */
export function fnv32a(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Maps every character of s into the alphabet without vowels (no words, no look-alike digits), as rand.SafeEncodeString. */
export function safeEncode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}


/** The revision hash of data with a collision count. */
export function revisionHash(data: unknown, collisionCount = 0): string {
  let bytes = new TextEncoder().encode(semanticJson(data));
  if (collisionCount) bytes = new Uint8Array([...bytes, ...new TextEncoder().encode(String(collisionCount))]);
  return safeEncode(fnv32a(bytes).toString(10));
}

/** The data a revision stores for a template. */
export function templatePatch(template: unknown): Record<string, unknown> {
  return { spec: { template: { ...(template as Record<string, unknown>), $patch: 'replace' } } };
}

export function sameData(a: unknown, b: unknown): boolean {
  return semanticEqual(a, b);
}

export function ownedRevisions(all: readonly KubeObject[], owner: KubeObject): ControllerRevision[] {
  const uid = owner.metadata?.uid;
  return all.filter((r) => controllerUid(r) === uid).map((r) => r as ControllerRevision).sort((a, b) => a.revision - b.revision);
}

export interface RevisionOwner extends KubeObject {
  status?: { collisionCount?: number; [k: string]: unknown };
}

/**
 * The revision for the owner's current template: an existing one with equal data (renumbered to the top when older),
 * or a new one numbered after the highest. Returns it and the collision count used.
 */
export async function ensureCurrentRevision(
  client: Client,
  owner: RevisionOwner,
  template: unknown,
  existing: readonly ControllerRevision[],
): Promise<{ revision: ControllerRevision; collisionCount: number; created: boolean }> {
  const data = templatePatch(template);
  const max = existing.reduce((m, r) => Math.max(m, r.revision), 0);
  const equal = existing.filter((r) => sameData(r.data, data));
  let collisionCount = owner.status?.collisionCount ?? 0;
  if (equal.length) {
    const newest = equal[equal.length - 1];
    if (newest.revision < max) {
      const updated = await client.update<ControllerRevision>({ ...newest, revision: max + 1 });
      return { revision: updated, collisionCount, created: false };
    }
    return { revision: newest, collisionCount, created: false };
  }
  const meta = owner.metadata ?? {};
  for (;;) {
    const hash = revisionHash(data, collisionCount);
    const cr: ControllerRevision = {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name: `${meta.name}-${hash}`,
        namespace: meta.namespace,
        labels: { ...templateLabels(template), [CONTROLLER_REVISION_HASH_LABEL]: hash },
        ownerReferences: [{ apiVersion: owner.apiVersion ?? '', kind: owner.kind ?? '', name: meta.name ?? '', uid: meta.uid ?? '', controller: true, blockOwnerDeletion: true }],
      },
      data,
      revision: max + 1,
    };
    try {
      return { revision: await client.create(cr), collisionCount, created: true };
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      const found = await client.get<ControllerRevision>(CONTROLLER_REVISION, { namespace: meta.namespace, name: cr.metadata!.name! });
      if (controllerUid(found) === meta.uid && sameData(found.data, data)) {
        if (found.revision < max) return { revision: await client.update({ ...found, revision: max + 1 }), collisionCount, created: false };
        return { revision: found, collisionCount, created: false };
      }
      collisionCount++;
    }
  }
}

/** The revision's hash label (or the name's suffix). */
export function revisionHashOf(r: ControllerRevision, ownerName: string): string {
  return r.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? (r.metadata?.name ?? '').slice(ownerName.length + 1);
}

function templateLabels(template: unknown): Record<string, string> {
  return ((template as { metadata?: { labels?: Record<string, string> } })?.metadata?.labels ?? {}) as Record<string, string>;
}

/** Revisions beyond the history limit that no live hash uses, oldest first. */
export function revisionsToPrune(revisions: readonly ControllerRevision[], live: ReadonlySet<string>, limit: number): ControllerRevision[] {
  const unused = revisions.filter((r) => !live.has(r.metadata?.name ?? ''));
  const excess = unused.length - Math.max(0, limit);
  return excess > 0 ? unused.slice(0, excess) : [];
}
