/** How the management plane reaches a workload cluster: in-process when it hosts it (sim), else by its kubeconfig Secret. */
import type { LogicalClusterHost } from '../../apiserver/logical-clusters.js';
import type { Client } from '../../client/types.js';
import { CLUSTER_KIND, type Cluster } from '../../api/cluster/types.js';
import type { ClusterRef, WorkloadConnector } from './cluster-cache.js';
import { hostedClusterConnector, kubeconfigSecretConnector } from './connectors.js';
import type { Reader } from './reader.js';

/** Infrastructure kinds whose clusters the plane hosts itself. */
const HOSTED_INFRASTRUCTURE = new Set(['SimCluster']);

export function planeConnector(host: LogicalClusterHost, reader: Reader): WorkloadConnector {
  const hosted = hostedClusterConnector(host);
  const remote = kubeconfigSecretConnector(reader);
  return {
    async connect(ref: ClusterRef): Promise<Client | undefined> {
      const cluster = await reader.get<Cluster>(CLUSTER_KIND, ref.namespace, ref.name);
      const kind = cluster?.spec?.infrastructureRef?.kind;
      if (kind && HOSTED_INFRASTRUCTURE.has(kind)) return hosted.connect(ref);
      return remote.connect(ref);
    },
  };
}
