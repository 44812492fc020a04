/** The Cluster API controllers Slipway runs (set up on one manager, sharing a cached reader and a cluster cache). */
import { setupClusterAutoscaler, type ClusterAutoscalerOptions } from './autoscaler/controller.js';
import { setupClusterController } from './cluster/reconciler.js';
import { setupClusterClassController } from './clusterclass/reconciler.js';
import { setupClusterResourceSetController } from './clusterresourceset/reconciler.js';
import { setupKubeadmControlPlaneController } from './controlplane/reconciler.js';
import { setupKubeadmConfigController } from './kubeadmconfig/reconciler.js';
import { setupIpamControllers } from './ipam/index.js';
import { setupMachineController } from './machine/reconciler.js';
import { setupMachineDeploymentController } from './machinedeployment/reconciler.js';
import { setupMachineHealthCheckController } from './machinehealthcheck/reconciler.js';
import { setupMachinePoolController } from './machinepool/reconciler.js';
import { setupMachineSetController } from './machineset/reconciler.js';
import type { ControllerContext } from './shared/context.js';
import { setupTopologyController } from './topology/reconciler.js';

export {
  setupClusterAutoscaler,
  setupKubeadmConfigController,
  setupClusterController,
  setupClusterClassController,
  setupClusterResourceSetController,
  setupIpamControllers,
  setupKubeadmControlPlaneController,
  setupMachineController,
  setupMachineDeploymentController,
  setupMachineHealthCheckController,
  setupMachinePoolController,
  setupMachineSetController,
  setupTopologyController,
};

/** Every core Cluster API controller: Cluster, Machine, MachineSet, MachineDeployment, MachinePool, MachineHealthCheck, KubeadmControlPlane, KubeadmConfig, ClusterResourceSet, IPAM claims and pools. */
export interface ClusterApiControllersOptions {
  /** Options of the cluster autoscaler (node groups: MachineDeployments/MachineSets with min/max size annotations). */
  autoscaler?: ClusterAutoscalerOptions;
}

export function setupClusterApiControllers(ctx: ControllerContext, opts: ClusterApiControllersOptions = {}): void {
  setupClusterController(ctx);
  setupClusterClassController(ctx);
  setupMachineController(ctx);
  setupMachineSetController(ctx);
  setupMachineDeploymentController(ctx);
  setupMachinePoolController(ctx);
  setupKubeadmControlPlaneController(ctx);
  setupMachineHealthCheckController(ctx);
  setupKubeadmConfigController(ctx);
  setupTopologyController(ctx);
  setupClusterResourceSetController(ctx);
  setupClusterAutoscaler(ctx, opts.autoscaler);
  setupIpamControllers(ctx);
}
