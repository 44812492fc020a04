/**
 * The IPAddressClaim controller for the in-cluster pool kinds (the in-cluster IPAM provider's claim reconciler, with
 * Cluster API's IPAM contract): for a claim naming an InClusterIPPool (its namespace) or a GlobalInClusterIPPool, it
 * adds the ReleaseAddress finalizer, takes the pool's lowest free address from the pool's allocation state and
 * creates the IPAddress — named as the claim, owned by it (controller) and by the pool, with the ProtectAddress
 * finalizer and the claim's cluster-name label — then sets status.addressRef and Ready. A claim whose IPAddress
 * exists keeps that address (stable across restarts and retries). Deleting the claim deletes its IPAddress (after
 * the pool's addressReuseGracePeriodSeconds) and then lets the claim go.
 *
 * Nothing happens while the claim's Cluster (spec.clusterName, else the cluster-name label) is paused, the claim or
 * the pool carries `cluster.x-k8s.io/paused`, or the Cluster is missing (unless the claim is being deleted).
 * Slipway addition: Ready=False with upstream's reasons PoolNotReady (pool missing or invalid) and PoolExhausted.
 */
import { deepClone } from '../../apimachinery/types.js';
import { GLOBAL_IN_CLUSTER_IP_POOL_KIND, IN_CLUSTER_IP_POOL_KIND, IP_ADDRESS_CLAIM_KIND, CLAIM_READY_CONDITION, CLAIM_REASONS, GLOBAL_IN_CLUSTER_IP_POOL, IPAM_CONTRACT_API_VERSION, IPAM_GROUP, IPAM_POOL_API_VERSION, PROTECT_ADDRESS_FINALIZER, RELEASE_ADDRESS_FINALIZER, isInClusterPoolRef, type InClusterIPPool, type IPAddress, type IPAddressClaim } from '../../api/ipam/types.js';
import { CLUSTER_KIND, CLUSTER_NAME_LABEL, PAUSED_ANNOTATION, type Cluster } from '../../api/cluster/types.js';
import { isAlreadyExists, isNotFound } from '../../client/errors.js';
import { getCondition, markFalse, markTrue } from '../../runtime/conditions.js';
import { addFinalizer, hasFinalizer, isBeingDeleted, removeFinalizer } from '../../runtime/meta.js';
import type { ReconcileContext, Request, Result } from '../../runtime/reconciler.js';
import { isPaused } from '../shared/cluster.js';
import type { Reader } from '../shared/reader.js';
import { IPADDRESS_KIND, objectKey, poolKey, poolKeyOfRef, type PoolStates } from './pool-states.js';

export const CLAIM_KIND = IP_ADDRESS_CLAIM_KIND;
export const IN_CLUSTER_POOL_KIND = IN_CLUSTER_IP_POOL_KIND;
export const GLOBAL_POOL_KIND = GLOBAL_IN_CLUSTER_IP_POOL_KIND;
/** Backstop retry of a claim waiting on an exhausted or missing pool (pool and IPAddress events retry it sooner). */
const WAIT_REQUEUE_MS = 60_000;

export class ClaimReconciler {
  constructor(
    private readonly reader: Reader,
    private readonly pools: PoolStates,
  ) {}

  async reconcile(rc: ReconcileContext, req: Request): Promise<Result | void> {
    let claim = await this.reader.get<IPAddressClaim>(CLAIM_KIND, req.namespace, req.name);
    if (!claim) return;
    const ref = claim.spec?.poolRef;
    if (!isInClusterPoolRef(ref)) return;
    const deleting = isBeingDeleted(claim);
    if (!deleting && !hasFinalizer(claim, RELEASE_ADDRESS_FINALIZER)) {
      // Checked before the finalizer so a paused claim is left exactly as it is.
      if (await this.paused(claim)) return;
      const next = deepClone(claim);
      addFinalizer(next, RELEASE_ADDRESS_FINALIZER);
      claim = (await rc.client.patch(CLAIM_KIND, { namespace: req.namespace, name: req.name }, { type: 'merge', body: { metadata: { finalizers: next.metadata!.finalizers, resourceVersion: claim.metadata!.resourceVersion } } })) as IPAddressClaim;
    } else if (await this.paused(claim)) return;

    const global = ref.kind === GLOBAL_IN_CLUSTER_IP_POOL;
    const pool = await this.reader.get<InClusterIPPool>(global ? GLOBAL_POOL_KIND : IN_CLUSTER_POOL_KIND, global ? undefined : req.namespace, ref.name);
    if (pool?.metadata?.annotations?.[PAUSED_ANNOTATION] !== undefined) return;
    if (deleting) return this.reconcileDelete(rc, claim, pool);
    if (!pool) return this.notReady(rc, claim, CLAIM_REASONS.poolNotReady, `${ref.kind} ${ref.name} not found`);

    const state = await this.pools.of(pool);
    if (!state.valid) return this.notReady(rc, claim, CLAIM_REASONS.poolNotReady, `${ref.kind} ${ref.name} has an invalid spec`);
    // The IPAddress is named as the claim: a claim whose IPAddress exists keeps its address.
    const key = objectKey(claim);
    if (!this.pools.holds(pool, key)) {
      const address = this.pools.reserve(pool, key);
      if (!address) return this.notReady(rc, claim, CLAIM_REASONS.poolExhausted, `no address available in ${ref.kind} ${ref.name}`);
      try {
        const created = await rc.client.create(this.ipAddress(claim, pool, address));
        this.pools.created(pool, key, address, created.metadata?.uid);
      } catch (e) {
        // The create may have been written even though it failed here (a lost response over HTTP): only a NotFound
        // lets the reservation go. An IPAddress of this name the state did not know (made by hand) is the claim's.
        const existing = await rc.client.get<IPAddress>(IPADDRESS_KIND, { namespace: req.namespace, name: req.name }).catch((g: unknown) => {
          if (isNotFound(g)) return undefined;
          throw g;
        });
        if (!existing) {
          this.pools.releaseReservation(pool, key);
          throw e;
        }
        const mine = poolKeyOfRef(existing.spec?.poolRef, req.namespace) === poolKey(pool.kind!, req.namespace, ref.name);
        if (!mine || existing.spec?.address !== address) this.pools.releaseReservation(pool, key);
        if (mine) this.pools.created(pool, key, existing.spec?.address ?? '', existing.metadata?.uid);
      }
    }
    if (claim.status?.addressRef?.name === req.name && getCondition(claim, CLAIM_READY_CONDITION)?.status === 'True') return;
    const next = deepClone(claim);
    markTrue(next, CLAIM_READY_CONDITION, rc.clock);
    await rc.client.patchStatus(CLAIM_KIND, { namespace: req.namespace, name: req.name }, { type: 'merge', body: { status: { addressRef: { name: req.name }, conditions: next.status!.conditions } } });
  }

  /** The Cluster (spec.clusterName or the label) is paused or missing, or the claim is paused. */
  private async paused(claim: IPAddressClaim): Promise<boolean> {
    if (claim.metadata?.annotations?.[PAUSED_ANNOTATION] !== undefined) return true;
    const clusterName = claim.spec?.clusterName || claim.metadata?.labels?.[CLUSTER_NAME_LABEL];
    if (!clusterName) return false;
    const cluster = await this.reader.get<Cluster>(CLUSTER_KIND, claim.metadata?.namespace, clusterName);
    if (!cluster) return !isBeingDeleted(claim);
    return isPaused(cluster);
  }

  private ipAddress(claim: IPAddressClaim, pool: InClusterIPPool, address: string): IPAddress {
    const labels = claim.metadata?.labels?.[CLUSTER_NAME_LABEL] ? { [CLUSTER_NAME_LABEL]: claim.metadata.labels[CLUSTER_NAME_LABEL] } : undefined;
    return {
      apiVersion: IPAM_CONTRACT_API_VERSION,
      kind: 'IPAddress',
      metadata: {
        name: claim.metadata!.name,
        namespace: claim.metadata!.namespace,
        ...(labels ? { labels } : {}),
        finalizers: [PROTECT_ADDRESS_FINALIZER],
        ownerReferences: [
          { apiVersion: IPAM_CONTRACT_API_VERSION, kind: 'IPAddressClaim', name: claim.metadata!.name!, uid: claim.metadata!.uid!, controller: true, blockOwnerDeletion: true },
          { apiVersion: IPAM_POOL_API_VERSION, kind: pool.kind!, name: pool.metadata!.name!, uid: pool.metadata!.uid!, controller: false, blockOwnerDeletion: true },
        ],
      },
      spec: {
        claimRef: { name: claim.metadata!.name },
        poolRef: { apiGroup: IPAM_GROUP, kind: pool.kind!, name: pool.metadata!.name! },
        address,
        prefix: Number(pool.spec?.prefix ?? 0),
        ...(pool.spec?.gateway ? { gateway: pool.spec.gateway } : {}),
      },
    };
  }

  private async notReady(rc: ReconcileContext, claim: IPAddressClaim, reason: string, message: string): Promise<Result> {
    const next = deepClone(claim);
    if (markFalse(next, CLAIM_READY_CONDITION, reason, 'Warning', message, rc.clock)) {
      await rc.client.patchStatus(CLAIM_KIND, { namespace: claim.metadata!.namespace, name: claim.metadata!.name! }, { type: 'merge', body: { status: { conditions: next.status!.conditions } } });
      rc.recorder.event(claim, 'Warning', reason, message);
    }
    return { requeueAfter: WAIT_REQUEUE_MS };
  }

  private async reconcileDelete(rc: ReconcileContext, claim: IPAddressClaim, pool: InClusterIPPool | undefined): Promise<Result | void> {
    // Another finalizer (the machine using the address) still holds the claim: its address stays in use until then.
    if ((claim.metadata?.finalizers ?? []).some((f) => f !== RELEASE_ADDRESS_FINALIZER)) return;
    const grace = Number(pool?.spec?.addressReuseGracePeriodSeconds ?? 0);
    if (pool && !isBeingDeleted(pool) && grace > 0) {
      const remaining = Date.parse(claim.metadata!.deletionTimestamp!) + grace * 1000 - rc.clock.nowMs();
      if (remaining > 0) return { requeueAfter: remaining };
    }
    const key = { namespace: claim.metadata!.namespace, name: claim.metadata!.name! };
    try {
      const ip = await rc.client.get<IPAddress>(IPADDRESS_KIND, key);
      if (hasFinalizer(ip, PROTECT_ADDRESS_FINALIZER)) {
        const kept = (ip.metadata?.finalizers ?? []).filter((f) => f !== PROTECT_ADDRESS_FINALIZER);
        await rc.client.patch(IPADDRESS_KIND, key, { type: 'merge', body: { metadata: { finalizers: kept.length ? kept : null, resourceVersion: ip.metadata!.resourceVersion } } });
      }
      await rc.client.delete(IPADDRESS_KIND, key);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    if (hasFinalizer(claim, RELEASE_ADDRESS_FINALIZER)) {
      const next = deepClone(claim);
      removeFinalizer(next, RELEASE_ADDRESS_FINALIZER);
      try {
        await rc.client.patch(CLAIM_KIND, key, { type: 'merge', body: { metadata: { finalizers: next.metadata?.finalizers?.length ? next.metadata.finalizers : null, resourceVersion: claim.metadata!.resourceVersion } } });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }
}
