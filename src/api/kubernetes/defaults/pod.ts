/**
 * Defaults of a PodSpec, shared by Pod, PodTemplate and every controller's pod template
 * (upstream SetDefaults_PodSpec, _Container, _Probe, _Volume and the volume-source defaulters).
 * Pod-only defaults (requests from limits, enableServiceLinks, host-network ports) are applied
 * only when `forPod` is set, as upstream keeps them out of templates to avoid spurious rollouts.
 */
import { defaultPullPolicy } from './image.js';
import { defaultPodLevelResources } from './pod-resources.js';
import {
  child, defaultNumber, defaultString, defaultValue, ensureChild, isObj, objects, type Obj,
} from './fields.js';

export interface PodSpecDefaultOptions {
  /** True for a Pod object itself (not a template inside another object). */
  forPod?: boolean;
}

const volumeSourceKeys = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi',
  'glusterfs', 'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc',
  'azureFile', 'configMap', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected',
  'portworxVolume', 'scaleIO', 'storageos', 'csi', 'ephemeral', 'image',
];

/** Mode 0644 for secret, configMap, downwardAPI and projected volumes. */
export const defaultVolumeMode = 0o644;

/** A PodTemplateSpec; its spec is created when absent, as upstream's struct always has one. */
export function defaultPodTemplateSpec(template: Obj): void {
  defaultPodSpec(ensureChild(template, 'spec'));
}

export function defaultPodSpec(spec: Obj, options: PodSpecDefaultOptions = {}): void {
  const containers = objects(spec, 'containers');
  const initContainers = objects(spec, 'initContainers');
  if (options.forPod) {
    for (const c of [...containers, ...initContainers]) requestsFromLimits(c);
    defaultPodLevelResources(spec);
    defaultValue(spec, 'enableServiceLinks', true);
    if (spec['hostNetwork'] === true) {
      for (const c of [...containers, ...initContainers]) {
        for (const port of objects(c, 'ports')) {
          if (typeof port['containerPort'] === 'number') defaultNumber(port, 'hostPort', port['containerPort']);
        }
      }
    }
  }
  defaultString(spec, 'dnsPolicy', 'ClusterFirst');
  defaultString(spec, 'restartPolicy', 'Always');
  defaultValue(spec, 'securityContext', {});
  defaultValue(spec, 'terminationGracePeriodSeconds', 30);
  defaultString(spec, 'schedulerName', 'default-scheduler');
  for (const volume of objects(spec, 'volumes')) defaultVolume(volume);
  for (const c of containers) defaultContainer(c);
  for (const c of initContainers) defaultContainer(c);
  for (const c of objects(spec, 'ephemeralContainers')) defaultContainer(c);
}

/** Pod only: a resource with a limit but no request gets a request equal to the limit. */
function requestsFromLimits(container: Obj): void {
  const resources = child(container, 'resources');
  const limits = resources && child(resources, 'limits');
  if (!resources || !limits || Object.keys(limits).length === 0) return;
  const requests = ensureChild(resources, 'requests');
  for (const [name, value] of Object.entries(limits)) {
    if (!(name in requests)) requests[name] = value;
  }
}

export function defaultContainer(container: Obj): void {
  defaultString(container, 'imagePullPolicy', defaultPullPolicy(container['image']));
  defaultString(container, 'terminationMessagePath', '/dev/termination-log');
  defaultString(container, 'terminationMessagePolicy', 'File');
  for (const port of objects(container, 'ports')) defaultString(port, 'protocol', 'TCP');
  for (const env of objects(container, 'env')) {
    const fieldRef = child(env, 'valueFrom') && child(child(env, 'valueFrom')!, 'fieldRef');
    if (fieldRef) defaultFieldRef(fieldRef);
    const fileKeyRef = child(env, 'valueFrom') && child(child(env, 'valueFrom')!, 'fileKeyRef');
    if (fileKeyRef) defaultValue(fileKeyRef, 'optional', false);
  }
  for (const key of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    const probe = child(container, key);
    if (probe) defaultProbe(probe);
  }
  const lifecycle = child(container, 'lifecycle');
  if (lifecycle) {
    for (const key of ['postStart', 'preStop']) {
      const handler = child(lifecycle, key);
      const httpGet = handler && child(handler, 'httpGet');
      if (httpGet) defaultHTTPGet(httpGet);
    }
  }
}

export function defaultProbe(probe: Obj): void {
  defaultNumber(probe, 'timeoutSeconds', 1);
  defaultNumber(probe, 'periodSeconds', 10);
  defaultNumber(probe, 'successThreshold', 1);
  defaultNumber(probe, 'failureThreshold', 3);
  const httpGet = child(probe, 'httpGet');
  if (httpGet) defaultHTTPGet(httpGet);
  const grpc = child(probe, 'grpc');
  if (grpc) defaultValue(grpc, 'service', '');
}

function defaultHTTPGet(action: Obj): void {
  defaultString(action, 'path', '/');
  defaultString(action, 'scheme', 'HTTP');
}

function defaultFieldRef(selector: Obj): void {
  defaultString(selector, 'apiVersion', 'v1');
}

function defaultDownwardItems(source: Obj): void {
  for (const item of objects(source, 'items')) {
    const fieldRef = child(item, 'fieldRef');
    if (fieldRef) defaultFieldRef(fieldRef);
  }
}

export function defaultVolume(volume: Obj): void {
  if (!volumeSourceKeys.some((key) => isObj(volume[key]))) volume['emptyDir'] = {};
  const hostPath = child(volume, 'hostPath');
  if (hostPath) defaultValue(hostPath, 'type', '');
  for (const key of ['secret', 'configMap']) {
    const source = child(volume, key);
    if (source) defaultValue(source, 'defaultMode', defaultVolumeMode);
  }
  const downwardAPI = child(volume, 'downwardAPI');
  if (downwardAPI) {
    defaultValue(downwardAPI, 'defaultMode', defaultVolumeMode);
    defaultDownwardItems(downwardAPI);
  }
  const projected = child(volume, 'projected');
  if (projected) {
    defaultValue(projected, 'defaultMode', defaultVolumeMode);
    for (const source of objects(projected, 'sources')) {
      const downward = child(source, 'downwardAPI');
      if (downward) defaultDownwardItems(downward);
      const token = child(source, 'serviceAccountToken');
      if (token) defaultValue(token, 'expirationSeconds', 3600);
    }
  }
  const iscsi = child(volume, 'iscsi');
  if (iscsi) defaultString(iscsi, 'iscsiInterface', 'default');
  const rbd = child(volume, 'rbd');
  if (rbd) defaultRBD(rbd);
  const azureDisk = child(volume, 'azureDisk');
  if (azureDisk) defaultAzureDisk(azureDisk);
  const scaleIO = child(volume, 'scaleIO');
  if (scaleIO) defaultScaleIO(scaleIO);
  const ephemeral = child(volume, 'ephemeral');
  const claimTemplate = ephemeral && child(ephemeral, 'volumeClaimTemplate');
  const claimSpec = claimTemplate && child(claimTemplate, 'spec');
  if (claimSpec) defaultClaimSpec(claimSpec);
  const image = child(volume, 'image');
  if (image) defaultString(image, 'pullPolicy', defaultPullPolicy(image['reference']));
}

/** Volume-source defaults shared with PersistentVolume sources. */
export function defaultRBD(rbd: Obj): void {
  defaultString(rbd, 'pool', 'rbd');
  defaultString(rbd, 'user', 'admin');
  defaultString(rbd, 'keyring', '/etc/ceph/keyring');
}

export function defaultAzureDisk(disk: Obj): void {
  defaultValue(disk, 'cachingMode', 'ReadWrite');
  defaultValue(disk, 'fsType', 'ext4');
  defaultValue(disk, 'readOnly', false);
  defaultValue(disk, 'kind', 'Shared');
}

export function defaultScaleIO(scaleIO: Obj): void {
  defaultString(scaleIO, 'storageMode', 'ThinProvisioned');
  defaultString(scaleIO, 'fsType', 'xfs');
}

/** PersistentVolumeClaimSpec: volumeMode Filesystem. */
export function defaultClaimSpec(spec: Obj): void {
  defaultValue(spec, 'volumeMode', 'Filesystem');
}

/** A PersistentVolumeClaim object (also a StatefulSet's volumeClaimTemplates): status.phase Pending. */
export function defaultClaim(claim: Obj): void {
  defaultString(ensureChild(claim, 'status'), 'phase', 'Pending');
  defaultClaimSpec(ensureChild(claim, 'spec'));
}
