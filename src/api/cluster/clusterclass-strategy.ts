/**
 * ClusterClass defaulting and the self-contained part of upstream's validation: reference namespaces and
 * MachineHealthCheck fields. Variable schemas and patches are validated by the topology engine, which the
 * topology issue wires into admission.
 */
import type { StatusCause } from '../../apimachinery/errors.js';
import { isPlainObject } from '../../apimachinery/types.js';
import { admissionStrategy, defaultRefNamespace, refNamespaceCauses } from './admission.js';
import type { ClusterClass } from './clusterclass.js';
import { healthCheckFieldCauses } from './machinehealthcheck-strategy.js';
import { valueAt } from './validation.js';

function workerClasses(spec: Record<string, unknown>, kind: 'machineDeployments' | 'machinePools'): Record<string, unknown>[] {
  const list = valueAt(spec, 'workers', kind);
  return Array.isArray(list) ? list.filter(isPlainObject) : [];
}

/** Every reference of a ClusterClass with its field path. */
function references(spec: Record<string, unknown>): { path: string; ref: unknown }[] {
  const refs: { path: string; ref: unknown }[] = [
    { path: 'spec.infrastructure.ref', ref: valueAt(spec, 'infrastructure', 'ref') },
    { path: 'spec.controlPlane.ref', ref: valueAt(spec, 'controlPlane', 'ref') },
    { path: 'spec.controlPlane.machineInfrastructure.ref', ref: valueAt(spec, 'controlPlane', 'machineInfrastructure', 'ref') },
    { path: 'spec.controlPlane.machineHealthCheck.remediationTemplate', ref: valueAt(spec, 'controlPlane', 'machineHealthCheck', 'remediationTemplate') },
  ];
  for (const [i, md] of workerClasses(spec, 'machineDeployments').entries()) {
    const p = `spec.workers.machineDeployments[${i}]`;
    refs.push({ path: `${p}.template.bootstrap.ref`, ref: valueAt(md, 'template', 'bootstrap', 'ref') });
    refs.push({ path: `${p}.template.infrastructure.ref`, ref: valueAt(md, 'template', 'infrastructure', 'ref') });
    refs.push({ path: `${p}.machineHealthCheck.remediationTemplate`, ref: valueAt(md, 'machineHealthCheck', 'remediationTemplate') });
  }
  for (const [i, mp] of workerClasses(spec, 'machinePools').entries()) {
    const p = `spec.workers.machinePools[${i}]`;
    refs.push({ path: `${p}.template.bootstrap.ref`, ref: valueAt(mp, 'template', 'bootstrap', 'ref') });
    refs.push({ path: `${p}.template.infrastructure.ref`, ref: valueAt(mp, 'template', 'infrastructure', 'ref') });
  }
  return refs;
}

export function defaultClusterClass(cc: ClusterClass): void {
  if (!isPlainObject(cc.spec)) return;
  for (const { ref } of references(cc.spec)) defaultRefNamespace(ref, cc.metadata?.namespace);
}

export function validateClusterClass(cc: ClusterClass): StatusCause[] {
  if (!isPlainObject(cc.spec)) return [];
  const spec = cc.spec as Record<string, unknown>;
  const namespace = cc.metadata?.namespace;
  const causes: StatusCause[] = [];
  for (const { path, ref } of references(spec)) causes.push(...refNamespaceCauses(path, ref, namespace));
  const cpHealth = valueAt(spec, 'controlPlane', 'machineHealthCheck');
  if (isPlainObject(cpHealth)) causes.push(...healthCheckFieldCauses(cpHealth, 'spec.controlPlane.machineHealthCheck', namespace));
  for (const [i, md] of workerClasses(spec, 'machineDeployments').entries()) {
    if (isPlainObject(md.machineHealthCheck)) causes.push(...healthCheckFieldCauses(md.machineHealthCheck, `spec.workers.machineDeployments[${i}].machineHealthCheck`, namespace));
  }
  return causes;
}

export const clusterClassStrategy = admissionStrategy<ClusterClass>({ default: defaultClusterClass, validate: validateClusterClass });
