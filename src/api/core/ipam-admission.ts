/**
 * The management-plane-ipam gate at admission: while the feature is deactivated, machines cannot be set to take
 * their addresses from IP pools — a SimMachineTemplate or SimMachine with `network.devices[].addressesFromPools`, or
 * a Cluster topology setting the class's `network.addressesFromPools` — and the refusal names the gate. Objects
 * that already use pools stay writable (updates that keep their pools are admitted), objects controllers make from
 * admitted intent (owned SimMachines and templates) are not checked, and the IPAM kinds themselves (pools, claims,
 * addresses) are never gated.
 */
import { fieldError, invalid, type StatusCause } from '../../apimachinery/errors.js';
import { isPlainObject, type KubeObject } from '../../apimachinery/types.js';
import type { ObjectStore } from '../../apiserver/object-store.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../apiserver/strategy.js';
import { INFRASTRUCTURE_GROUP } from '../infrastructure/types.js';
import type { Cluster } from '../cluster/types.js';
import { featureActive, featureRequiredMessage, storeFeatureSource, type FeatureSource } from './feature-active.js';
import { MANAGEMENT_PLANE_IPAM } from './features.js';

interface Device {
  addressesFromPools?: unknown[];
}

/** Path of the first device with pools in a machine spec (`network.devices[i].addressesFromPools`), if any. */
function poolDevicePath(spec: unknown, prefix: string): string | undefined {
  const devices = isPlainObject(spec) && isPlainObject(spec.network) && Array.isArray(spec.network.devices) ? (spec.network.devices as Device[]) : [];
  const i = devices.findIndex((d) => isPlainObject(d) && Array.isArray(d.addressesFromPools) && d.addressesFromPools.length > 0);
  return i >= 0 ? `${prefix}.network.devices[${i}].addressesFromPools` : undefined;
}

function machineSpecOf(obj: KubeObject | undefined, kind: string): unknown {
  const spec = obj?.spec as Record<string, unknown> | undefined;
  if (kind === 'SimMachine') return spec;
  const template = spec?.template as Record<string, unknown> | undefined;
  return template?.spec;
}

function clusterPoolsPath(c: Cluster | undefined): string | undefined {
  const vars = c?.spec?.topology?.variables ?? [];
  const i = vars.findIndex((v) => v.name === 'network' && isPlainObject(v.value) && Array.isArray(v.value.addressesFromPools) && v.value.addressesFromPools.length > 0);
  return i >= 0 ? `spec.topology.variables[${i}].value.addressesFromPools` : undefined;
}

export class ManagementPlaneIpamAdmission implements AdmissionPlugin {
  readonly name = 'ManagementPlaneIpamFeatureGate';
  private readonly source: FeatureSource;

  constructor(objects: ObjectStore) {
    this.source = storeFeatureSource(objects);
  }

  async admit(attrs: AdmissionAttributes): Promise<void> {
    if (attrs.subresource || attrs.operation === 'DELETE') return;
    const { group, kind } = attrs.info;
    let path: string | undefined;
    if (group === INFRASTRUCTURE_GROUP && (kind === 'SimMachine' || kind === 'SimMachineTemplate')) {
      // Made by controllers from admitted intent (a MachineSet's SimMachine, a topology's template): not checked.
      if ((attrs.object?.metadata?.ownerReferences ?? []).some((o) => o.controller || o.kind === 'Cluster')) return;
      const prefix = kind === 'SimMachine' ? 'spec' : 'spec.template.spec';
      path = poolDevicePath(machineSpecOf(attrs.object, kind), prefix);
      if (path && poolDevicePath(machineSpecOf(attrs.oldObject, kind), prefix)) return;
    } else if (group === 'cluster.x-k8s.io' && kind === 'Cluster') {
      path = clusterPoolsPath(attrs.object as Cluster);
      if (path && clusterPoolsPath(attrs.oldObject as Cluster | undefined)) return;
    }
    if (!path) return;
    if (await featureActive(this.source, MANAGEMENT_PLANE_IPAM)) return;
    const cause: StatusCause = fieldError.forbidden(path, featureRequiredMessage(MANAGEMENT_PLANE_IPAM, 'node addresses from IP pools'));
    throw invalid(kind, group, attrs.name, [cause]);
  }
}
