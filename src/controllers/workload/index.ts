/**
 * The controllers every workload cluster runs (kube-controller-manager's and kube-scheduler's work, simulated):
 * each entry registers its controllers on the cluster's manager. Providers add their own (the sim provider's kubelet).
 */
import type { WorkloadControllerSetup } from './context.js';
import { setupCronJobController } from './cronjob/index.js';
import { setupDaemonSetController } from './daemonset/index.js';
import { setupDeploymentController } from './deployment/index.js';
import { setupDisruptionController } from './disruption/index.js';
import { setupEndpointsControllers } from './endpoints/index.js';
import { setupHorizontalPodAutoscaler } from './hpa/index.js';
import { setupJobController } from './job/index.js';
import { loadBalancerSetup } from './loadbalancer/index.js';
import { isKubeVipPod, kubeVipPresent, POD } from './loadbalancer/provider-present.js';
import { setupNodeLifecycleController } from './nodelifecycle/index.js';
import { setupServiceAccountControllers } from './serviceaccounts/index.js';
import { setupStatefulSetController } from './statefulset/index.js';
import { setupKubernetesService } from './services/index.js';
import { setupReplicaSetController } from './replicaset/index.js';
import { setupScheduler } from './scheduler/index.js';

export { DEFAULT_WORKLOAD_BEHAVIOUR, type WorkloadBehaviour, type WorkloadContext, type WorkloadControllerSetup } from './context.js';
export { WorkloadControllerHost, type WorkloadControllerHostOptions } from './host.js';

/** The generic workload controllers, in registration order. */
export const WORKLOAD_CONTROLLERS: readonly { name: string; setup: WorkloadControllerSetup }[] = [
  { name: 'default-scheduler', setup: (ctx) => void setupScheduler(ctx) },
  { name: 'deployment', setup: (ctx) => void setupDeploymentController(ctx) },
  { name: 'replicaset', setup: (ctx) => void setupReplicaSetController(ctx) },
  { name: 'daemonset', setup: (ctx) => void setupDaemonSetController(ctx) },
  { name: 'statefulset', setup: (ctx) => void setupStatefulSetController(ctx) },
  { name: 'job', setup: (ctx) => void setupJobController(ctx) },
  { name: 'cronjob', setup: (ctx) => void setupCronJobController(ctx) },
  { name: 'disruption', setup: (ctx) => void setupDisruptionController(ctx) },
  { name: 'serviceaccount', setup: (ctx) => void setupServiceAccountControllers(ctx) },
  { name: 'endpoints', setup: (ctx) => void setupEndpointsControllers(ctx) },
  { name: 'kubernetes-service', setup: (ctx) => void setupKubernetesService(ctx) },
  { name: 'horizontal-pod-autoscaler', setup: (ctx) => void setupHorizontalPodAutoscaler(ctx) },
  { name: 'node-lifecycle', setup: (ctx) => void setupNodeLifecycleController(ctx) },
  // kube-vip-cloud-provider and kube-vip's Service addresses, in clusters that run kube-vip with svc_enable.
  {
    name: 'service-lb-controller',
    setup: (ctx) => {
      const present = kubeVipPresent(ctx);
      loadBalancerSetup({ enabled: () => present(), disabledRecheckMs: 0, enabledBy: { type: POD, matches: isKubeVipPod } })(ctx);
    },
  },
];

export { workloadClusterAdmission } from './admission.js';
