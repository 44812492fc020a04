/** The tokens controller inside each hosted workload cluster: its `<cluster>-sa` key and its own CA. */
import type { LogicalClusterHost, LogicalClusterRef } from '../../apiserver/logical-clusters.js';
import type { WorkloadControllerSetup } from '../workload/context.js';
import { setupLegacyTokenController } from './controller.js';

/** A workload-cluster setup (WorkloadControllerHost `setups`) running the tokens controller with that cluster's key and CA. */
export function workloadLegacyTokenSetup(host: Pick<LogicalClusterHost, 'serviceAccountKey' | 'caCertificate'>): WorkloadControllerSetup {
  return (ctx) => {
    const slash = ctx.cluster.indexOf('/');
    const ref: LogicalClusterRef = { namespace: ctx.cluster.slice(0, slash), name: ctx.cluster.slice(slash + 1) };
    setupLegacyTokenController({ manager: ctx.manager, signingKey: () => host.serviceAccountKey(ref), rootCA: () => host.caCertificate(ref) });
  };
}
