/** MachinePool defaulting and validation (upstream's MachinePool webhook). */
import { fieldError, type StatusCause } from '../../apimachinery/errors.js';
import { isPlainObject } from '../../apimachinery/types.js';
import { admissionStrategy, refNamespaceCauses, setClusterNameLabel } from './admission.js';
import { DEFAULT_NODE_DELETION_TIMEOUT, defaultMachineSpecRefs, machineSpecDurationCauses } from './machine-strategy.js';
import { defaultReplicas } from './replicas.js';
import { CLUSTER_NAME_LABEL, type MachinePool } from './types.js';
import { ensureObject, semverCauses, templateMetaCauses, valueAt } from './validation.js';

export function defaultMachinePool(mp: MachinePool, old: MachinePool | undefined): void {
  const spec = ensureObject(mp, 'spec');
  setClusterNameLabel(mp, spec.clusterName, CLUSTER_NAME_LABEL);
  spec.replicas = defaultReplicas('MachinePool', mp, old);
  spec.minReadySeconds ??= 0;
  const machineSpec = ensureObject(spec, 'template', 'spec');
  // The template's clusterName follows the pool's (upstream requires them equal; a pool written without it is filled).
  if (machineSpec.clusterName === undefined && typeof spec.clusterName === 'string') machineSpec.clusterName = spec.clusterName;
  defaultMachineSpecRefs(machineSpec, mp.metadata?.namespace);
  machineSpec.nodeDeletionTimeout ??= DEFAULT_NODE_DELETION_TIMEOUT;
}

export function validateMachinePool(mp: MachinePool, old: MachinePool | undefined): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = (isPlainObject(mp.spec) ? mp.spec : {}) as Record<string, unknown>;
  const namespace = mp.metadata?.namespace;
  const machineSpec = valueAt(spec, 'template', 'spec');
  const ms = (isPlainObject(machineSpec) ? machineSpec : {}) as Record<string, unknown>;
  const bootstrap = isPlainObject(ms.bootstrap) ? ms.bootstrap : {};
  if (bootstrap.configRef === undefined && bootstrap.dataSecretName === undefined) {
    causes.push(fieldError.required('spec.template.spec.bootstrap', 'expected either spec.template.spec.bootstrap.dataSecretName or spec.template.spec.bootstrap.configRef to be populated'));
  }
  causes.push(...refNamespaceCauses('spec.template.spec.bootstrap.configRef', bootstrap.configRef, namespace));
  causes.push(...refNamespaceCauses('spec.template.spec.infrastructureRef', ms.infrastructureRef, namespace));
  if (old && old.spec?.clusterName !== spec.clusterName) causes.push(fieldError.forbidden('spec.clusterName', 'field is immutable'));
  if (spec.clusterName !== ms.clusterName) {
    causes.push(fieldError.invalid('spec.clusterName', spec.clusterName, 'spec.clusterName and spec.template.spec.clusterName must be set to the same value'));
  }
  if (ms.version !== undefined) causes.push(...semverCauses('spec.template.spec.version', ms.version));
  if (Array.isArray(ms.taints) && ms.taints.length > 0) causes.push(fieldError.forbidden('spec.template.spec.taints', 'taints are not supported on MachinePools'));
  causes.push(...templateMetaCauses('spec.template.metadata', valueAt(spec, 'template', 'metadata')));
  causes.push(...machineSpecDurationCauses(ms, 'spec.template.spec'));
  return causes;
}

export const machinePoolStrategy = admissionStrategy<MachinePool>({ default: defaultMachinePool, validate: validateMachinePool });
