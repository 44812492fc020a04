/**
 * Cluster defaulting and validation (upstream's Cluster webhook). The checks that need other objects (the
 * ClusterClass, the control plane's rollout state) belong to the topology controller's admission and are not made here.
 */
import { fieldError, type StatusCause } from '../../apimachinery/errors.js';
import { isPlainObject } from '../../apimachinery/types.js';
import { labelValueErrors } from '../../apimachinery/validation.js';
import { admissionStrategy, defaultRefNamespace, refNamespaceCauses } from './admission.js';
import { AUTOSCALER_MAX_SIZE_ANNOTATION, AUTOSCALER_MIN_SIZE_ANNOTATION } from './replicas.js';
import type { Cluster } from './types.js';
import { cidrCauses, compareVersions, ensureObject, parseMajorMinorPatch, templateMetaCauses, valueAt, withVPrefix, KUBE_SEMVER } from './validation.js';

export const UPGRADE_CONCURRENCY_ANNOTATION = 'topology.cluster.x-k8s.io/upgrade-concurrency';
export const UNSAFE_UPDATE_CLASS_NAME_ANNOTATION = 'unsafe.topology.cluster.x-k8s.io/disable-update-class-name-check';
export const UNSAFE_UPDATE_VERSION_ANNOTATION = 'unsafe.topology.cluster.x-k8s.io/disable-update-version-check';

function pools(topology: Record<string, unknown>, kind: 'machineDeployments' | 'machinePools'): Record<string, unknown>[] {
  const list = valueAt(topology, 'workers', kind);
  return Array.isArray(list) ? list.filter(isPlainObject) : [];
}

export function defaultCluster(c: Cluster): void {
  const spec = ensureObject(c, 'spec');
  const namespace = c.metadata?.namespace;
  defaultRefNamespace(spec.infrastructureRef, namespace);
  defaultRefNamespace(spec.controlPlaneRef, namespace);
  const topology = spec.topology;
  if (!isPlainObject(topology)) return;
  if (typeof topology.version === 'string') topology.version = withVPrefix(topology.version);
  defaultRefNamespace(valueAt(topology, 'controlPlane', 'machineHealthCheck', 'remediationTemplate'), namespace);
  for (const md of pools(topology, 'machineDeployments')) defaultRefNamespace(valueAt(md, 'machineHealthCheck', 'remediationTemplate'), namespace);
}

function definitionFromCauses(list: unknown, path: string): StatusCause[] {
  if (!Array.isArray(list)) return [];
  return list.filter(isPlainObject).flatMap((v) =>
    v.definitionFrom ? [fieldError.invalid(`${path}[${String(v.name)}]`, JSON.stringify(v.value ?? null), `variable ${JSON.stringify(v.name)} has DefinitionFrom set`)] : [],
  );
}

function topologyCauses(c: Cluster, old: Cluster | undefined, topology: Record<string, unknown>): StatusCause[] {
  const path = 'spec.topology';
  if (!topology.class) return [fieldError.required(`${path}.class`, 'class cannot be empty')];
  const causes: StatusCause[] = [];
  const version = topology.version;
  if (typeof version !== 'string' || !KUBE_SEMVER.test(version)) causes.push(fieldError.invalid(`${path}.version`, version, 'version must be a valid semantic version'));
  causes.push(...templateMetaCauses(`${path}.controlPlane.metadata`, valueAt(topology, 'controlPlane', 'metadata')));
  for (const md of pools(topology, 'machineDeployments')) causes.push(...templateMetaCauses(`${path}.workers.machineDeployments[${String(md.name)}].metadata`, md.metadata));
  for (const mp of pools(topology, 'machinePools')) causes.push(...templateMetaCauses(`${path}.workers.machinePools[${String(mp.name)}].metadata`, mp.metadata));
  causes.push(...definitionFromCauses(topology.variables, `${path}.variables`));
  causes.push(...definitionFromCauses(valueAt(topology, 'controlPlane', 'variables', 'overrides'), `${path}.controlPlane.variables.overrides`));
  for (const md of pools(topology, 'machineDeployments')) {
    causes.push(...definitionFromCauses(valueAt(md, 'variables', 'overrides'), `${path}.workers.machineDeployments[${String(md.name)}].variables.overrides`));
  }
  for (const mp of pools(topology, 'machinePools')) {
    causes.push(...definitionFromCauses(valueAt(mp, 'variables', 'overrides'), `${path}.workers.machinePools[${String(mp.name)}].variables.overrides`));
  }
  const concurrency = c.metadata?.annotations?.[UPGRADE_CONCURRENCY_ANNOTATION];
  if (concurrency !== undefined) {
    const concurrencyPath = `metadata.annotations[${UPGRADE_CONCURRENCY_ANNOTATION}]`;
    if (!/^[+-]?[0-9]+$/.test(concurrency)) {
      causes.push(fieldError.invalid(concurrencyPath, concurrency, `could not parse the value of the annotation: strconv.Atoi: parsing ${JSON.stringify(concurrency)}: invalid syntax`));
    } else if (Number(concurrency) < 1) {
      causes.push(fieldError.invalid(concurrencyPath, concurrency, 'value cannot be less than 1'));
    }
  }
  for (const md of pools(topology, 'machineDeployments')) {
    if (md.replicas === undefined) continue;
    const annotations = valueAt(md, 'metadata', 'annotations');
    if (isPlainObject(annotations) && (AUTOSCALER_MIN_SIZE_ANNOTATION in annotations || AUTOSCALER_MAX_SIZE_ANNOTATION in annotations)) {
      causes.push(
        fieldError.invalid(
          `${path}.workers.machineDeployments[${String(md.name)}].replicas`,
          md.replicas,
          `cannot be set for cluster ${JSON.stringify(c.metadata?.name ?? '')} in namespace ${JSON.stringify(c.metadata?.namespace ?? '')} if the same MachineDeploymentTopology has autoscaler annotations`,
        ),
      );
    }
  }
  if (!old) return causes;
  const oldTopology = old.spec?.topology;
  if (!oldTopology || !oldTopology.class) {
    if (c.metadata?.annotations?.[UNSAFE_UPDATE_CLASS_NAME_ANNOTATION] === undefined) causes.push(fieldError.forbidden(`${path}.class`, 'class cannot be set on an existing Cluster'));
    return causes;
  }
  if (c.metadata?.annotations?.[UNSAFE_UPDATE_VERSION_ANNOTATION] === undefined && typeof version === 'string') {
    const from = parseMajorMinorPatch(oldTopology.version, true);
    const to = parseMajorMinorPatch(version, true);
    if (from && to && compareVersions(to, from) !== 0) {
      if (compareVersions(to, from) < 0) {
        causes.push(fieldError.invalid(`${path}.version`, version, `version cannot be decreased from ${JSON.stringify(semverText(from))} to ${JSON.stringify(semverText(to))}`));
      } else if (compareVersions(to, { major: from.major, minor: from.minor + 2, patch: 0 }) >= 0) {
        causes.push(fieldError.invalid(`${path}.version`, version, `version cannot be increased from ${JSON.stringify(semverText(from))} to ${JSON.stringify(semverText(to))}`));
      }
    }
  }
  return causes;
}

function semverText(v: { major: number; minor: number; patch: number }): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

export function validateCluster(c: Cluster, old: Cluster | undefined): StatusCause[] {
  const causes: StatusCause[] = [];
  const name = c.metadata?.name ?? '';
  for (const e of labelValueErrors(name)) causes.push(fieldError.invalid('metadata.name', name, `must be a valid label value ${e}`));
  const spec = (isPlainObject(c.spec) ? c.spec : {}) as Record<string, unknown>;
  const namespace = c.metadata?.namespace;
  if (spec.infrastructureRef === undefined && old?.spec?.infrastructureRef !== undefined) causes.push(fieldError.forbidden('spec.infrastructureRef', 'cannot be removed'));
  causes.push(...refNamespaceCauses('spec.infrastructureRef', spec.infrastructureRef, namespace));
  if (spec.controlPlaneRef === undefined && old?.spec?.controlPlaneRef !== undefined) causes.push(fieldError.forbidden('spec.controlPlaneRef', 'cannot be removed'));
  causes.push(...refNamespaceCauses('spec.controlPlaneRef', spec.controlPlaneRef, namespace));
  causes.push(...cidrCauses('spec.clusterNetwork.pods.cidrBlocks', valueAt(spec, 'clusterNetwork', 'pods', 'cidrBlocks')));
  causes.push(...cidrCauses('spec.clusterNetwork.services.cidrBlocks', valueAt(spec, 'clusterNetwork', 'services', 'cidrBlocks')));
  if (isPlainObject(spec.topology)) causes.push(...topologyCauses(c, old, spec.topology));
  if (old?.spec?.topology && !spec.topology) causes.push(fieldError.forbidden('spec.topology', 'cannot be removed from an existing Cluster'));
  return causes;
}

export const clusterStrategy = admissionStrategy<Cluster>({ default: defaultCluster, validate: validateCluster });
