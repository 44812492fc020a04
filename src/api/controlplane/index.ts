/** controlplane.cluster.x-k8s.io/v1beta1: types, served kind definitions, schemas and admission. */
export * from './types.js';
export { controlPlaneKinds, CONTROL_PLANE_CRD_LABELS } from './definitions.js';
export { kubeadmControlPlaneSchema, kubeadmControlPlaneTemplateSchema } from './schema.js';
export {
  kubeadmControlPlaneStrategy,
  kubeadmControlPlaneTemplateStrategy,
  defaultKubeadmControlPlane,
  validateKubeadmControlPlane,
  defaultKubeadmControlPlaneTemplate,
  validateKubeadmControlPlaneTemplate,
  KCP_DEFAULTS,
  KCP_MUTABLE_PATHS,
} from './strategy.js';
