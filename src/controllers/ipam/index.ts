/**
 * IP address management in the management plane: the IPAddressClaim controller and the pool controllers of the
 * in-cluster provider's InClusterIPPool and GlobalInClusterIPPool (see claim-reconciler.ts, pool-reconciler.ts).
 */
import type { KubeObject } from '../../apimachinery/types.js';
import { CLUSTER_KIND, CLUSTER_NAME_LABEL } from '../../api/cluster/types.js';
import { GLOBAL_IN_CLUSTER_IP_POOL, IN_CLUSTER_IP_POOL, type IPAddress, type IPAddressClaim } from '../../api/ipam/types.js';
import type { Request } from '../../runtime/reconciler.js';
import type { ControllerContext } from '../shared/context.js';
import { CLAIM_KIND, ClaimReconciler, GLOBAL_POOL_KIND, IN_CLUSTER_POOL_KIND } from './claim-reconciler.js';
import { IPADDRESS_KIND, PoolStates, poolKey, poolKeyOfRef } from './pool-states.js';
import { PoolReconciler } from './pool-reconciler.js';

export { PoolAllocation, type AddressCounts } from './pool-allocation.js';
export { PoolStates, poolKey, poolKeyOfRef, IPADDRESS_KIND } from './pool-states.js';
export { CLAIM_KIND, IN_CLUSTER_POOL_KIND, GLOBAL_POOL_KIND } from './claim-reconciler.js';

const CLAIM_POOL_INDEX = 'ipam-pool';
const CLAIM_CLUSTER_INDEX = 'ipam-cluster';

export interface IpamControllersOptions {
  /** Concurrent claim reconciles (allocation itself is serialized per pool in memory). Default 16. */
  claimWorkers?: number;
}

function requestOf(o: KubeObject): Request {
  return { namespace: o.metadata?.namespace ?? '', name: o.metadata!.name! };
}

export function setupIpamControllers(ctx: ControllerContext, opts: IpamControllersOptions = {}): void {
  const { manager, reader } = ctx;
  const claims = reader.cache(CLAIM_KIND);
  reader.cache(IN_CLUSTER_POOL_KIND);
  reader.cache(GLOBAL_POOL_KIND);
  reader.cache(CLUSTER_KIND);
  const states = new PoolStates(manager.client);
  claims.addIndexers({
    [CLAIM_POOL_INDEX]: (c) => {
      const key = poolKeyOfRef((c as IPAddressClaim).spec?.poolRef, c.metadata?.namespace);
      return key ? [key] : [];
    },
    [CLAIM_CLUSTER_INDEX]: (c) => {
      const name = (c as IPAddressClaim).spec?.clusterName || c.metadata?.labels?.[CLUSTER_NAME_LABEL];
      return name ? [`${c.metadata?.namespace ?? ''}/${name}`] : [];
    },
  });
  // Claims still waiting for an address, or to let theirs go, when their pool changes or an address of it goes away.
  const waitingOn = (key: string): Request[] =>
    claims.lister
      .byIndex(CLAIM_POOL_INDEX, key)
      .filter((c) => !(c as IPAddressClaim).status?.addressRef?.name || c.metadata?.deletionTimestamp)
      .map(requestOf);
  const claimController = manager.add({
    name: 'ipaddressclaim',
    for: CLAIM_KIND,
    owns: [IPADDRESS_KIND],
    reconciler: new ClaimReconciler(reader, states),
    workers: opts.claimWorkers ?? 16,
    watches: [
      { type: IN_CLUSTER_POOL_KIND, map: (p) => waitingOn(poolKey(IN_CLUSTER_IP_POOL, p.metadata?.namespace, p.metadata!.name!)) },
      { type: GLOBAL_POOL_KIND, map: (p) => waitingOn(poolKey(GLOBAL_IN_CLUSTER_IP_POOL, undefined, p.metadata!.name!)) },
      { type: CLUSTER_KIND, map: (c) => claims.lister.byIndex(CLAIM_CLUSTER_INDEX, `${c.metadata?.namespace ?? ''}/${c.metadata!.name!}`).map(requestOf) },
    ],
  });
  // The allocation state follows every IPAddress; a deleted one frees an address that waiting claims may take.
  manager.informers.for(IPADDRESS_KIND).addEventHandler({
    onAdd: (a) => states.observe(a as IPAddress),
    onUpdate: (_, a) => states.observe(a as IPAddress),
    onDelete: (a) => {
      states.forgetAddress(a as IPAddress);
      const key = poolKeyOfRef((a as IPAddress).spec?.poolRef, a.metadata?.namespace);
      if (key) for (const req of waitingOn(key)) claimController.enqueue(req);
    },
  });
  for (const kind of [IN_CLUSTER_POOL_KIND, GLOBAL_POOL_KIND]) {
    manager.add({
      name: kind.kind.toLowerCase(),
      for: kind,
      reconciler: new PoolReconciler(reader, states, kind),
      workers: 2,
      watches: [
        {
          type: IPADDRESS_KIND,
          map: (a) => {
            const ref = (a as IPAddress).spec?.poolRef;
            if (ref?.kind !== kind.kind || !ref.name) return [];
            return [{ namespace: kind.kind === GLOBAL_IN_CLUSTER_IP_POOL ? '' : (a.metadata?.namespace ?? ''), name: ref.name }];
          },
        },
      ],
    });
  }
}
