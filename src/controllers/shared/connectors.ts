/**
 * WorkloadConnectors: how controllers reach a workload cluster's API. Clusters the management plane hosts itself
 * (the sim provider's logical clusters) are reached in-process; any other cluster through its `<cluster>-kubeconfig`
 * Secret over HTTPS, as Cluster API's ClusterCache does.
 */
import type { LogicalClusterHost } from '../../apiserver/logical-clusters.js';
import { parseKubeconfig } from '../../apiserver/kubeconfig.js';
import { KubeClient, inProcessClient } from '../../client/index.js';
import { HttpTransport } from '../../client/http.js';
import type { Client } from '../../client/types.js';
import type { ClusterRef, WorkloadConnector } from './cluster-cache.js';
import type { Reader } from './reader.js';

/** Identity controllers use inside workload clusters. */
export const WORKLOAD_ADMIN = { name: 'system:slipway-controllers', groups: ['system:masters', 'system:authenticated'] };

/** The plane's own logical clusters, in-process (no TLS, no HTTP). Answers undefined until the cluster's API server runs. */
export function hostedClusterConnector(host: LogicalClusterHost): WorkloadConnector {
  return {
    async connect(cluster: ClusterRef): Promise<Client | undefined> {
      if (!(await host.isRunning(cluster))) return undefined;
      return inProcessClient(host.objects(cluster), { user: WORKLOAD_ADMIN, fieldManager: 'slipway-controllers' });
    },
  };
}

/** Any cluster, through the kubeconfig in Secret `<cluster>-kubeconfig` (key `value`) of the management plane. */
export function kubeconfigSecretConnector(reader: Reader): WorkloadConnector {
  return {
    async connect(cluster: ClusterRef): Promise<Client | undefined> {
      const secret = await reader.get({ apiVersion: 'v1', kind: 'Secret' }, cluster.namespace, `${cluster.name}-kubeconfig`);
      const value = (secret?.data as Record<string, string> | undefined)?.value;
      if (!value) return undefined;
      const c = await parseKubeconfig(Buffer.from(value, 'base64').toString('utf8'), `Secret ${cluster.namespace}/${cluster.name}-kubeconfig`);
      const transport = new HttpTransport({ server: c.server, caPem: c.caPem, clientCertPem: c.clientCertPem, clientKeyPem: c.clientKeyPem, token: c.token, tlsServerName: c.tlsServerName, insecureSkipTlsVerify: c.insecureSkipTlsVerify, userAgent: 'slipway-controllers' });
      return new KubeClient(transport, { fieldManager: 'slipway-controllers' });
    },
  };
}

/** The first connector that reaches the cluster. */
export function firstConnector(...connectors: WorkloadConnector[]): WorkloadConnector {
  return {
    async connect(cluster: ClusterRef): Promise<Client | undefined> {
      for (const c of connectors) {
        const client = await c.connect(cluster);
        if (client) return client;
      }
      return undefined;
    },
  };
}
