/** bootstrap.cluster.x-k8s.io/v1beta1: types, served kind definitions, schemas and admission. */
export * from './types.js';
export { bootstrapKinds, BOOTSTRAP_CRD_LABELS } from './definitions.js';
export { kubeadmConfigSchema, kubeadmConfigTemplateSchema, kubeadmConfigSpecSchema } from './schema.js';
export {
  kubeadmConfigStrategy,
  kubeadmConfigTemplateStrategy,
  defaultKubeadmConfigSpec,
  validateKubeadmConfigSpec,
  DEFAULT_BOOTSTRAP_FORMAT,
  DEFAULT_IMAGE_PULL_POLICY,
  DEFAULT_EXEC_CREDENTIAL_API_VERSION,
} from './strategy.js';
