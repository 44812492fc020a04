/**
 * The control-plane init lock (upstream's ControlPlaneInitMutex): ConfigMap `<cluster>-lock` naming the Machine that
 * runs `kubeadm init`, so only one Machine of a cluster ever gets init data. The holder may take it again; a lock held
 * by a Machine that no longer exists is released; joins release it once the control plane is initialized.
 */
import type { KubeObject } from '../../apimachinery/types.js';
import { isAlreadyExists, isNotFound } from '../../client/errors.js';
import type { Client } from '../../client/types.js';
import { CLUSTER_NAME_LABEL, MACHINE_KIND, type Cluster } from '../../api/cluster/types.js';

const CONFIG_MAP_KIND = { apiVersion: 'v1', kind: 'ConfigMap' } as const;
export const LOCK_INFORMATION_KEY = 'lock-information';

export function initLockName(clusterName: string): string {
  return `${clusterName}-lock`;
}

export type LockResult = { acquired: true } | { acquired: false; holder?: string; reason: string };

function holderOf(cm: KubeObject): string | undefined {
  const text = (cm.data as Record<string, string> | undefined)?.[LOCK_INFORMATION_KEY];
  try {
    const info = JSON.parse(text ?? '') as { machineName?: unknown };
    return typeof info.machineName === 'string' ? info.machineName : undefined;
  } catch {
    return undefined;
  }
}

/** Take the init lock for `machineName` (true also when it already holds it). */
export async function acquireInitLock(client: Client, cluster: Cluster, machineName: string): Promise<LockResult> {
  const namespace = cluster.metadata!.namespace!;
  const name = initLockName(cluster.metadata!.name!);
  let existing: KubeObject | undefined;
  try {
    existing = await client.get(CONFIG_MAP_KIND, { namespace, name });
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  if (existing) {
    const holder = holderOf(existing);
    if (holder === machineName) return { acquired: true };
    if (!holder) return { acquired: false, reason: `ConfigMap ${namespace}/${name} has no readable ${LOCK_INFORMATION_KEY}` };
    try {
      await client.get(MACHINE_KIND, { namespace, name: holder });
    } catch (e) {
      if (!isNotFound(e)) throw e;
      // The holder is gone: release the lock for the next attempt.
      await releaseInitLock(client, cluster);
      return { acquired: false, holder, reason: `Machine ${holder} held the init lock but no longer exists; lock released` };
    }
    return { acquired: false, holder, reason: `waiting for Machine ${holder} to initialize the control plane` };
  }
  const cm: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      namespace,
      name,
      labels: { [CLUSTER_NAME_LABEL]: cluster.metadata!.name! },
      ownerReferences: [{ apiVersion: cluster.apiVersion ?? 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', name: cluster.metadata!.name!, uid: cluster.metadata!.uid! }],
    },
    data: { [LOCK_INFORMATION_KEY]: JSON.stringify({ machineName }) },
  };
  try {
    await client.create(cm);
    return { acquired: true };
  } catch (e) {
    if (isAlreadyExists(e)) return { acquired: false, reason: 'another Machine took the init lock first' };
    throw e;
  }
}

/** Release the init lock (gone already is fine). */
export async function releaseInitLock(client: Client, cluster: Cluster): Promise<void> {
  try {
    await client.delete(CONFIG_MAP_KIND, { namespace: cluster.metadata!.namespace!, name: initLockName(cluster.metadata!.name!) });
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}
