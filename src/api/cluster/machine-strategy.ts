/** Machine defaulting and validation (upstream's Machine webhook). */
import { fieldError, type StatusCause } from '../../apimachinery/errors.js';
import { isPlainObject } from '../../apimachinery/types.js';
import { admissionStrategy, defaultRefNamespace, refNamespaceCauses, setClusterNameLabel } from './admission.js';
import { CLUSTER_NAME_LABEL, type Machine } from './types.js';
import { durationCauses, ensureObject, semverCauses, withVPrefix } from './validation.js';

/** Set on Machines that a MachinePool owns; they have no bootstrap config of their own. */
export const MACHINE_POOL_NAME_LABEL = 'cluster.x-k8s.io/pool-name';
/** Default of spec.nodeDeletionTimeout. */
export const DEFAULT_NODE_DELETION_TIMEOUT = '10s';

/** Defaults shared by a Machine spec wherever it appears (Machine, and MachineSet/MachineDeployment templates). */
export function defaultMachineSpecRefs(spec: Record<string, unknown>, namespace: string | undefined): void {
  defaultRefNamespace(isPlainObject(spec.bootstrap) ? spec.bootstrap.configRef : undefined, namespace);
  defaultRefNamespace(spec.infrastructureRef, namespace);
  if (typeof spec.version === 'string') spec.version = withVPrefix(spec.version);
}

/** Duration fields of a Machine spec, which upstream decodes as metav1.Duration. */
export function machineSpecDurationCauses(spec: Record<string, unknown>, path: string): StatusCause[] {
  return ['nodeDrainTimeout', 'nodeVolumeDetachTimeout', 'nodeDeletionTimeout'].flatMap((f) => durationCauses(`${path}.${f}`, spec[f]));
}

export function defaultMachine(m: Machine): void {
  const spec = ensureObject(m, 'spec');
  setClusterNameLabel(m, spec.clusterName, CLUSTER_NAME_LABEL);
  defaultMachineSpecRefs(spec, m.metadata?.namespace);
  spec.nodeDeletionTimeout ??= DEFAULT_NODE_DELETION_TIMEOUT;
}

export function validateMachine(m: Machine, old: Machine | undefined): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = (isPlainObject(m.spec) ? m.spec : {}) as Record<string, unknown>;
  const namespace = m.metadata?.namespace;
  const bootstrap = isPlainObject(spec.bootstrap) ? spec.bootstrap : {};
  if (bootstrap.configRef === undefined && bootstrap.dataSecretName === undefined && !m.metadata?.labels?.[MACHINE_POOL_NAME_LABEL]) {
    causes.push(fieldError.required('spec.bootstrap.data', 'expected either spec.bootstrap.dataSecretName or spec.bootstrap.configRef to be populated'));
  }
  causes.push(...refNamespaceCauses('spec.bootstrap.configRef', bootstrap.configRef, namespace));
  causes.push(...refNamespaceCauses('spec.infrastructureRef', spec.infrastructureRef, namespace));
  if (old && old.spec?.clusterName !== spec.clusterName) causes.push(fieldError.forbidden('spec.clusterName', 'field is immutable'));
  if (spec.version !== undefined) causes.push(...semverCauses('spec.version', spec.version));
  causes.push(...machineSpecDurationCauses(spec, 'spec'));
  return causes;
}

export const machineStrategy = admissionStrategy<Machine>({ default: defaultMachine, validate: validateMachine });
