/** What every Cluster API controller is set up with: the manager, cached reads and workload-cluster access. */
import type { Manager } from '../../runtime/manager.js';
import type { RandomSource } from '../../topology/random.js';
import type { ClusterCache } from './cluster-cache.js';
import type { CachedReader } from './reader.js';

/**
 * Default concurrent reconciles of each Cluster API controller (upstream's default concurrency). Reconciles mostly
 * wait on durable writes and workload-cluster reads, so more workers than cores keep the event loop busy.
 */
export const DEFAULT_CONTROLLER_WORKERS = 10;

export interface ControllerContext {
  manager: Manager;
  /** Reads from the manager's informer caches (kinds registered with reader.cache()). */
  reader: CachedReader;
  /** Clients and informers of workload clusters. */
  clusterCache: ClusterCache;
  /** Random name suffixes (injectable for tests). */
  random?: RandomSource;
}
