/**
 * Reads for reconcilers: from the manager's informer caches when the kind is cached (no round trip, as
 * controller-runtime's cached client), from the API otherwise. Objects returned from a cache are shared: clone before
 * changing them (the patch helper snapshots its own copy).
 */
import { deepClone, type KubeObject } from '../../apimachinery/types.js';
import { keyFor } from '../../client/cache.js';
import { isNotFound } from '../../client/errors.js';
import type { InformerFactory, SharedInformer } from '../../client/informer.js';
import type { Client, KindRef } from '../../client/types.js';
import { matchesLabels, type LabelSelector as ParsedSelector } from '../../apimachinery/selectors.js';

export interface Reader {
  /** The object, or undefined when it does not exist. */
  get<T extends KubeObject>(kind: KindRef<T> | { apiVersion: string; kind: string }, namespace: string | undefined, name: string): Promise<T | undefined>;
  /** Objects of a kind in a namespace, optionally filtered by labels. */
  list<T extends KubeObject>(kind: KindRef<T> | { apiVersion: string; kind: string }, namespace: string | undefined, labels?: ParsedSelector): Promise<T[]>;
}

export class CachedReader implements Reader {
  constructor(
    private readonly client: Client,
    private readonly informers: InformerFactory,
    /** Kinds read from the cache (the others go to the API). */
    private readonly cached: Set<string> = new Set(),
  ) {}

  /** Serve this kind from its (shared, all-namespace) informer from now on. */
  cache(kind: { apiVersion: string; kind: string }): SharedInformer {
    this.cached.add(kindId(kind));
    return this.informers.for(kind);
  }

  private informer(kind: { apiVersion: string; kind: string }): SharedInformer | undefined {
    if (!this.cached.has(kindId(kind))) return undefined;
    const inf = this.informers.for(kind);
    return inf.hasSynced() ? inf : undefined;
  }

  async get<T extends KubeObject>(kind: { apiVersion: string; kind: string }, namespace: string | undefined, name: string): Promise<T | undefined> {
    const inf = this.informer(kind);
    if (inf) return inf.cache.get(keyFor(namespace, name)) as T | undefined;
    try {
      return (await this.client.get(kind, { namespace, name })) as T;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async list<T extends KubeObject>(kind: { apiVersion: string; kind: string }, namespace: string | undefined, labels?: ParsedSelector): Promise<T[]> {
    const inf = this.informer(kind);
    let items: KubeObject[];
    const exact = labels ? equalityRequirement(labels) : undefined;
    if (inf && exact) {
      // Candidates from the cache's label index instead of a scan of the namespace.
      items = inf.lister.withLabel(exact.key, exact.value);
      if (namespace !== undefined) items = items.filter((o) => (o.metadata?.namespace ?? '') === namespace);
    } else if (inf) items = namespace !== undefined ? inf.lister.list({ namespace }) : inf.lister.list();
    else items = (await this.client.list(kind, { namespace })).items;
    return (labels ? items.filter((o) => matchesLabels(labels, o.metadata?.labels)) : items) as T[];
  }
}

/** A reader that always asks the API (for tests and one-shot tools). */
export function directReader(client: Client): Reader {
  return {
    async get<T extends KubeObject>(kind: { apiVersion: string; kind: string }, namespace: string | undefined, name: string) {
      try {
        return (await client.get(kind, { namespace, name })) as T;
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },
    async list<T extends KubeObject>(kind: { apiVersion: string; kind: string }, namespace: string | undefined, labels?: ParsedSelector) {
      const items = (await client.list(kind, { namespace })).items;
      return (labels ? items.filter((o) => matchesLabels(labels, o.metadata?.labels)) : items) as T[];
    },
  };
}

/** A private copy of a (possibly shared) object, to change and patch. */
export function mutable<T extends KubeObject>(obj: T): T {
  return deepClone(obj);
}

/** A `key=value` requirement of a selector (the first), which the cache's label index answers. */
function equalityRequirement(selector: ParsedSelector): { key: string; value: string } | undefined {
  if (selector.nothing) return undefined;
  for (const r of selector.requirements) {
    if ((r.operator === '=' || r.operator === '==' || (r.operator === 'in' && r.values.length === 1)) && r.values[0] !== undefined) return { key: r.key, value: r.values[0] };
  }
  return undefined;
}

function kindId(kind: { apiVersion: string; kind: string }): string {
  return `${kind.apiVersion}|${kind.kind}`;
}
