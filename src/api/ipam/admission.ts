/**
 * The IPAM admission checks that read other objects (upstream's pool and IPAddress webhooks):
 *  - a pool's addresses cannot change so that an address in use falls outside it (400, naming the ranges);
 *  - a pool cannot be deleted while IPAddresses use it, unless annotated for clusterctl move (400);
 *  - a new IPAddress must name the pool its claim names (422 on spec.poolRef).
 */
import { badRequest, fieldError, invalid } from '../../apimachinery/errors.js';
import { isPlainObject, type KubeObject } from '../../apimachinery/types.js';
import type { ObjectStore } from '../../apiserver/object-store.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../apiserver/strategy.js';
import { addressesOutsidePool, shrinkRefusal, type PoolSpec } from './pool.js';
import { GLOBAL_IN_CLUSTER_IP_POOL, IPAM_CONTRACT_VERSION, IPAM_GROUP, POOL_KINDS, SKIP_DELETE_VALIDATION_ANNOTATION, type IPAddress, type IPAddressClaim } from './types.js';

export const POOL_IN_USE_MESSAGE = 'Pool has IPAddresses allocated. Cannot delete Pool until all IPAddresses have been removed.';

/** The spec.address of every IPAddress whose poolRef names `kind`/`name` (in `namespace`, or anywhere for a global pool). */
export async function addressesOfPool(objects: ObjectStore, kind: string, name: string, namespace: string | undefined): Promise<IPAddress[]> {
  const info = objects.registry.get(IPAM_GROUP, IPAM_CONTRACT_VERSION, 'ipaddresses');
  if (!info) return [];
  const { items } = await objects.list(info, kind === GLOBAL_IN_CLUSTER_IP_POOL ? undefined : namespace);
  return (items as IPAddress[]).filter((a) => {
    const ref = a.spec?.poolRef;
    return ref?.name === name && ref.kind === kind && (ref.apiGroup ?? IPAM_GROUP) === IPAM_GROUP;
  });
}

export class IpamAdmission implements AdmissionPlugin {
  readonly name = 'IPAMPools';

  constructor(private readonly objects: ObjectStore) {}

  async admit(attrs: AdmissionAttributes): Promise<void> {
    if (attrs.subresource || attrs.info.group !== IPAM_GROUP) return;
    const kind = attrs.info.kind;
    if ((POOL_KINDS as readonly string[]).includes(kind)) {
      if (attrs.operation === 'UPDATE') await this.poolUpdate(kind, attrs.object!, attrs.oldObject!);
      else if (attrs.operation === 'DELETE') await this.poolDelete(kind, attrs.oldObject!);
    } else if (kind === 'IPAddress' && attrs.operation === 'CREATE') {
      await this.addressCreate(attrs.object as IPAddress, attrs.namespace);
    }
  }

  private async poolUpdate(kind: string, pool: KubeObject, old: KubeObject): Promise<void> {
    if (JSON.stringify(pool.spec) === JSON.stringify(old.spec)) return;
    const inUse = await addressesOfPool(this.objects, kind, old.metadata!.name!, old.metadata?.namespace);
    if (!inUse.length) return;
    const outside = addressesOutsidePool((isPlainObject(pool.spec) ? pool.spec : {}) as PoolSpec, inUse.map((a) => a.spec?.address ?? ''));
    if (outside.length) throw badRequest(shrinkRefusal(outside));
  }

  private async poolDelete(kind: string, pool: KubeObject): Promise<void> {
    if (pool.metadata?.annotations?.[SKIP_DELETE_VALIDATION_ANNOTATION] !== undefined) return;
    const inUse = await addressesOfPool(this.objects, kind, pool.metadata!.name!, pool.metadata?.namespace);
    if (inUse.length) throw badRequest(POOL_IN_USE_MESSAGE);
  }

  private async addressCreate(ip: IPAddress, namespace: string | undefined): Promise<void> {
    const claimName = ip.spec?.claimRef?.name;
    const info = this.objects.registry.get(IPAM_GROUP, IPAM_CONTRACT_VERSION, 'ipaddressclaims');
    if (!claimName || !info) return;
    const claim = (await this.objects.tryGet(info, namespace, claimName)) as IPAddressClaim | undefined;
    if (!claim) return;
    const a = ip.spec.poolRef;
    const b = claim.spec?.poolRef;
    if (a?.apiGroup !== b?.apiGroup || a?.kind !== b?.kind || a?.name !== b?.name) {
      throw invalid('IPAddress', IPAM_GROUP, ip.metadata?.name ?? '', [
        fieldError.invalid('spec.poolRef', a, 'the referenced pool is different from the pool referenced by the claim this address should fulfill'),
      ]);
    }
  }
}
