/** The embedded `sim` infrastructure provider: SimCluster, SimMachine and SimMachinePool controllers and the kubelets of booted machines. */
import type { Logger } from 'pino';
import type { LogicalClusterHost } from '../../apiserver/logical-clusters.js';
import type { ControllerContext } from '../../controllers/shared/context.js';
import type { WorkloadControllerSetup } from '../../controllers/workload/index.js';
import { KubeletFleet } from './kubelet-fleet.js';
import { registryAccessFromClusterVariables, setupSimKubelet } from './kubelet/index.js';
import { CLUSTER_KIND, type Cluster } from '../../api/cluster/types.js';
import { setupSimClusterController } from './simcluster.js';
import { KeyedMutex } from './keyed-mutex.js';
import { setupSimMachineController } from './simmachine.js';
import { setupSimMachinePoolController } from './simmachinepool.js';

export interface SimProviderOptions {
  host: LogicalClusterHost;
  /** The plane's address: every hosted cluster's control-plane endpoint. */
  endpoint: { host: string; port: number };
  log: Logger;
  /** Node lease renewal period (default 10 s). */
  leaseRenewMs?: number;
  workers?: number;
}

export interface SimProvider {
  fleet: KubeletFleet;
  /** What the sim's machines run inside each workload cluster (their kubelets' Pod work). */
  workloadSetups: WorkloadControllerSetup[];
  stop(): void;
}

export function setupSimProvider(ctx: ControllerContext, opts: SimProviderOptions): SimProvider {
  const fleet = new KubeletFleet({ host: opts.host, clock: ctx.manager.clock, log: opts.log, renewMs: opts.leaseRenewMs });
  setupSimClusterController(ctx, { host: opts.host, endpoint: opts.endpoint, log: opts.log });
  const nodeLock = new KeyedMutex();
  setupSimMachineController(ctx, { host: opts.host, fleet, endpoint: opts.endpoint, log: opts.log, nodeLock }, { workers: opts.workers });
  setupSimMachinePoolController(ctx, { host: opts.host, fleet, nodeLock }, { workers: opts.workers });
  // Images on the cluster's private registry are checked with the access its topology variables give (trust, TLS).
  const registryAccessOf = (clusterKey: string) => async () => {
    const [namespace, name] = clusterKey.split('/');
    const cluster = await ctx.reader.get<Cluster>(CLUSTER_KIND, namespace, name!);
    return registryAccessFromClusterVariables(cluster?.spec?.topology?.variables);
  };
  return { fleet, workloadSetups: [(c) => setupSimKubelet(c, { registryAccess: registryAccessOf(c.cluster) })], stop: () => fleet.stop() };
}
