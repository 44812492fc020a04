/**
 * kube-controller-manager's serviceaccount and root-ca-cert-publisher controllers for a workload cluster:
 * - every namespace that is not terminating has a ServiceAccount `default` (created when the namespace appears,
 *   created again when deleted);
 * - every such namespace has the ConfigMap `kube-root-ca.crt` whose data is exactly `ca.crt`: the cluster's CA, taken
 *   from the certificate-authority-data of kube-public/cluster-info's kubeconfig (what kubeadm publishes; the sim's
 *   kubeadm init writes it). While cluster-info has no CA the ConfigMaps are left alone.
 */
import type { KubeObject } from '../../../apimachinery/types.js';
import { isAlreadyExists, isForbidden, isNotFound } from '../../../client/errors.js';
import type { KindRef } from '../../../client/types.js';
import type { ReconcileContext, Request } from '../../../runtime/reconciler.js';
import type { WorkloadContext } from '../context.js';
import { caFromClusterInfo, newRootCAConfigMap, ROOT_CA_CONFIGMAP, rootCAConfigMapUpdate } from './root-ca.js';

const NAMESPACE: KindRef = { apiVersion: 'v1', kind: 'Namespace' };
const SERVICE_ACCOUNT: KindRef = { apiVersion: 'v1', kind: 'ServiceAccount' };
const CONFIG_MAP: KindRef = { apiVersion: 'v1', kind: 'ConfigMap' };

export const DEFAULT_SERVICE_ACCOUNT = 'default';

export interface ServiceAccountControllersOptions {
  /** ServiceAccounts every namespace gets (default ["default"]). */
  serviceAccounts?: string[];
}

function active(ns: KubeObject | undefined): ns is KubeObject {
  return !!ns && !ns.metadata?.deletionTimestamp && (ns.status as { phase?: string } | undefined)?.phase !== 'Terminating';
}

/** A create that loses to a concurrent one, or to the namespace going away, is fine (as upstream). */
async function createIgnoringRaces(rc: ReconcileContext, obj: KubeObject): Promise<void> {
  try {
    await rc.client.create(obj);
  } catch (e) {
    if (isAlreadyExists(e) || isForbidden(e) || isNotFound(e)) return;
    throw e;
  }
}

export function setupServiceAccountControllers(ctx: WorkloadContext, opts: ServiceAccountControllersOptions = {}): void {
  const { manager } = ctx;
  const names = opts.serviceAccounts ?? [DEFAULT_SERVICE_ACCOUNT];
  const namespaces = manager.informers.for(NAMESPACE);
  const serviceAccounts = manager.informers.for(SERVICE_ACCOUNT);
  const configMaps = manager.informers.for(CONFIG_MAP);
  const namespaceOf = (o: KubeObject): Request[] => (o.metadata?.namespace ? [{ name: o.metadata.namespace }] : []);
  const everyNamespace = (): Request[] => namespaces.lister.list().map((n) => ({ name: n.metadata!.name! }));

  manager.add({
    name: 'serviceaccount',
    for: NAMESPACE,
    watches: [{ type: SERVICE_ACCOUNT, map: (sa) => (names.includes(sa.metadata?.name ?? '') ? namespaceOf(sa) : []) }],
    reconciler: async (rc, req) => {
      const ns = namespaces.lister.get(req.name);
      if (!active(ns)) return;
      for (const name of names) {
        if (serviceAccounts.lister.get(name, req.name)) continue;
        await createIgnoringRaces(rc, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: req.name } });
      }
    },
  });

  manager.add({
    name: 'root-ca-cert-publisher',
    for: NAMESPACE,
    watches: [
      {
        type: CONFIG_MAP,
        map: (cm) => {
          if (cm.metadata?.namespace === 'kube-public' && cm.metadata.name === 'cluster-info') return everyNamespace();
          return cm.metadata?.name === ROOT_CA_CONFIGMAP ? namespaceOf(cm) : [];
        },
      },
    ],
    reconciler: async (rc, req) => {
      const ns = namespaces.lister.get(req.name);
      if (!active(ns)) return;
      const ca = caFromClusterInfo(configMaps.lister.get('cluster-info', 'kube-public'));
      if (ca === undefined) return;
      const cm = configMaps.lister.get(ROOT_CA_CONFIGMAP, req.name);
      if (!cm) return createIgnoringRaces(rc, newRootCAConfigMap(req.name, ca));
      const next = rootCAConfigMapUpdate(cm, ca);
      if (next) await rc.client.update(next);
    },
  });
}
