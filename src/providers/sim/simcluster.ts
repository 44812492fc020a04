/**
 * SimCluster controller: the infrastructure of a sim workload cluster. Its control-plane endpoint is the management
 * plane's own address (the workload cluster's API is served there, chosen by TLS server name); it offers failure
 * domains, becomes ready after its provisioning time, and when deleted removes every object of the workload cluster.
 */
import type { Logger } from 'pino';
import { clusterServerName, type LogicalClusterHost } from '../../apiserver/logical-clusters.js';
import { isNotFound } from '../../client/errors.js';
import { markFalse, markTrue, setSummary } from '../../runtime/conditions.js';
import { addFinalizer, isBeingDeleted, removeFinalizer } from '../../runtime/meta.js';
import { PatchHelper } from '../../runtime/patch.js';
import type { ReconcileContext, Request, Result } from '../../runtime/reconciler.js';
import { CLUSTER_KIND, CLUSTER_NAME_LABEL, TLS_SERVER_NAME_ANNOTATION, type Cluster, type FailureDomainSpec } from '../../api/cluster/types.js';
import { SIM_CLUSTER_FINALIZER, SIM_CLUSTER_KIND, SIM_CONDITIONS, SIM_REASONS, type SimCluster } from '../../api/infrastructure/types.js';
import { isPaused } from '../../controllers/shared/cluster.js';
import { DEFAULT_CONTROLLER_WORKERS, type ControllerContext } from '../../controllers/shared/context.js';

export const CONTROLLER_NAME = 'simcluster';

export const DEFAULT_FAILURE_DOMAINS: Record<string, FailureDomainSpec> = {
  'zone-a': { controlPlane: true },
  'zone-b': { controlPlane: true },
  'zone-c': { controlPlane: true },
};

export interface SimClusterDeps {
  host: LogicalClusterHost;
  endpoint: { host: string; port: number };
  log: Logger;
}

export class SimClusterReconciler {
  constructor(
    private readonly ctx: ControllerContext,
    private readonly deps: SimClusterDeps,
  ) {}

  async reconcile(rc: ReconcileContext, req: Request): Promise<Result | void> {
    const stored = await this.ctx.reader.get<SimCluster>(SIM_CLUSTER_KIND, req.namespace, req.name);
    if (!stored) return;
    const ownerRef = (stored.metadata?.ownerReferences ?? []).find((r) => r.kind === 'Cluster' && r.apiVersion.startsWith('cluster.x-k8s.io/'));
    const cluster = ownerRef ? await this.ctx.reader.get<Cluster>(CLUSTER_KIND, req.namespace, ownerRef.name) : undefined;
    if (!cluster && !isBeingDeleted(stored)) return; // waiting for the Cluster controller to set the owner reference
    if (cluster && isPaused(cluster, stored)) return;
    const sc = structuredClone(stored);
    const helper = new PatchHelper(rc.client, stored);
    let result: Result = {};
    const clusterName = cluster?.metadata?.name ?? ownerRef?.name ?? sc.metadata?.labels?.[CLUSTER_NAME_LABEL];
    if (isBeingDeleted(sc)) {
      if (clusterName) {
        const ref = { namespace: req.namespace!, name: clusterName };
        await this.ctx.clusterCache.disconnect(ref);
        const n = await this.deps.host.destroy(ref);
        rc.recorder.event(sc, 'Normal', 'WorkloadClusterDeleted', `Deleted the workload cluster's ${n} objects`);
      }
      removeFinalizer(sc, SIM_CLUSTER_FINALIZER);
    } else {
      addFinalizer(sc, SIM_CLUSTER_FINALIZER);
      result = this.reconcileNormal(rc, sc, cluster!);
      setSummary(sc, { conditions: [SIM_CONDITIONS.loadBalancerAvailable] }, rc.clock);
    }
    try {
      await helper.patch(sc);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    return result;
  }

  private reconcileNormal(rc: ReconcileContext, sc: SimCluster, cluster: Cluster): Result {
    const spec = (sc.spec ??= {});
    const status = (sc.status ??= {});
    const ref = { namespace: cluster.metadata!.namespace!, name: cluster.metadata!.name! };
    // Every hosted cluster answers on the plane's port (clusterNetwork.apiServerPort is the port inside the cluster).
    const port = this.deps.endpoint.port;
    if (!spec.controlPlaneEndpoint?.host) spec.controlPlaneEndpoint = { host: this.deps.endpoint.host, port };
    (sc.metadata!.annotations ??= {})[TLS_SERVER_NAME_ANNOTATION] = clusterServerName(ref);
    status.failureDomains = spec.failureDomains ?? DEFAULT_FAILURE_DOMAINS;
    const created = Date.parse(sc.metadata!.creationTimestamp ?? '') || rc.clock.nowMs();
    const due = created + (spec.provisioningSeconds ?? 1) * 1000;
    const wait = due - rc.clock.nowMs();
    if (wait > 0 && !status.ready) {
      markFalse(sc, SIM_CONDITIONS.loadBalancerAvailable, SIM_REASONS.provisioning, 'Info', `Provisioning the cluster endpoint (ready in ${Math.ceil(wait / 1000)}s)`, rc.clock);
      return { requeueAfter: wait };
    }
    markTrue(sc, SIM_CONDITIONS.loadBalancerAvailable, rc.clock);
    if (!status.ready) rc.recorder.event(sc, 'Normal', 'Ready', `Workload cluster endpoint ${spec.controlPlaneEndpoint.host}:${spec.controlPlaneEndpoint.port} (TLS server name ${clusterServerName(ref)})`);
    status.ready = true;
    return {};
  }
}

export function setupSimClusterController(ctx: ControllerContext, deps: SimClusterDeps, opts: { workers?: number } = {}): void {
  ctx.reader.cache(SIM_CLUSTER_KIND);
  ctx.reader.cache(CLUSTER_KIND);
  ctx.manager.add({
    name: CONTROLLER_NAME,
    for: SIM_CLUSTER_KIND,
    reconciler: new SimClusterReconciler(ctx, deps),
    workers: opts.workers ?? DEFAULT_CONTROLLER_WORKERS,
    watches: [
      {
        type: CLUSTER_KIND,
        map: (c) => {
          const ref = (c as Cluster).spec?.infrastructureRef;
          return ref?.kind === SIM_CLUSTER_KIND.kind && ref.name ? [{ namespace: c.metadata?.namespace, name: ref.name }] : [];
        },
      },
    ],
  });
}
