/** Listers read the informer's cache and never call the server. Returned objects are shared: do not mutate. */
import { matchesLabels, parseLabelSelector, type LabelSelector } from '../apimachinery/selectors.js';
import type { KubeObject } from '../apimachinery/types.js';
import { Indexer, keyFor, LABEL_INDEX, NAMESPACE_INDEX, OWNER_UID_INDEX } from './cache.js';

export interface ListerOptions {
  namespace?: string;
  /** Label selector text or a parsed selector. */
  labelSelector?: string | LabelSelector;
}

export class Lister<T extends KubeObject = KubeObject> {
  constructor(private readonly cache: Indexer<T>) {}

  get(name: string, namespace?: string): T | undefined {
    return this.cache.get(keyFor(namespace, name));
  }

  list(opts: ListerOptions = {}): T[] {
    const items = opts.namespace !== undefined ? this.cache.byIndex(NAMESPACE_INDEX, opts.namespace) : this.cache.list();
    if (opts.labelSelector === undefined) return items;
    const sel = typeof opts.labelSelector === 'string' ? parseLabelSelector(opts.labelSelector) : opts.labelSelector;
    return items.filter((o) => matchesLabels(sel, o.metadata?.labels));
  }

  /** Objects with an ownerReference to this uid. */
  ownedBy(uid: string): T[] {
    return this.cache.byIndex(OWNER_UID_INDEX, uid);
  }

  /** Objects carrying the label key=value (indexed, no scan). */
  withLabel(key: string, value: string): T[] {
    return this.cache.byIndex(LABEL_INDEX, `${key}=${value}`);
  }

  byIndex(index: string, value: string): T[] {
    return this.cache.byIndex(index, value);
  }

  get size(): number {
    return this.cache.size;
  }
}
