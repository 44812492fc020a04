/** Defaults of core/v1 kinds (upstream pkg/apis/core/v1 SetDefaults_* and declarative defaults). */
import { defaultAzureDisk, defaultClaim, defaultPodSpec, defaultPodTemplateSpec, defaultRBD, defaultScaleIO } from './pod.js';
import {
  child, defaultString, defaultValue, ensureChild, hasItems, hasKeys, isObj, objects, type Obj,
} from './fields.js';

export function defaultPod(pod: Obj): void {
  defaultPodSpec(ensureChild(pod, 'spec'), { forPod: true });
}

export function defaultPodTemplate(podTemplate: Obj): void {
  defaultPodTemplateSpec(ensureChild(podTemplate, 'template'));
}

export function defaultReplicationController(rc: Obj): void {
  const spec = ensureChild(rc, 'spec');
  const template = child(spec, 'template');
  const labels = template && child(child(template, 'metadata') ?? {}, 'labels');
  if (labels && Object.keys(labels).length > 0) {
    if (!hasKeys(spec, 'selector')) spec['selector'] = { ...labels };
    const metadata = ensureChild(rc, 'metadata');
    if (!hasKeys(metadata, 'labels')) metadata['labels'] = { ...labels };
  }
  defaultValue(spec, 'replicas', 1);
  if (template) defaultPodTemplateSpec(template);
}

/** Default timeout of ClientIP session affinity: three hours. */
export const defaultClientIPAffinitySeconds = 10800;

export function defaultService(service: Obj): void {
  const spec = ensureChild(service, 'spec');
  defaultString(spec, 'sessionAffinity', 'None');
  if (spec['sessionAffinity'] === 'None') delete spec['sessionAffinityConfig'];
  if (spec['sessionAffinity'] === 'ClientIP') {
    const clientIP = child(child(spec, 'sessionAffinityConfig') ?? {}, 'clientIP');
    if (!clientIP || clientIP['timeoutSeconds'] === undefined || clientIP['timeoutSeconds'] === null) {
      spec['sessionAffinityConfig'] = { clientIP: { timeoutSeconds: defaultClientIPAffinitySeconds } };
    }
  }
  defaultString(spec, 'type', 'ClusterIP');
  for (const port of objects(spec, 'ports')) {
    defaultString(port, 'protocol', 'TCP');
    const target = port['targetPort'];
    const unsetTarget = target === undefined || target === null || target === 0 || target === '';
    if (unsetTarget && typeof port['port'] === 'number') port['targetPort'] = port['port'];
  }
  const type = spec['type'];
  const externallyAccessible = type === 'LoadBalancer' || type === 'NodePort'
    || (type === 'ClusterIP' && hasItems(spec, 'externalIPs'));
  if (externallyAccessible) defaultString(spec, 'externalTrafficPolicy', 'Cluster');
  if (type === 'ClusterIP' || type === 'NodePort' || type === 'LoadBalancer') {
    defaultValue(spec, 'internalTrafficPolicy', 'Cluster');
  }
  if (type === 'LoadBalancer') {
    defaultValue(spec, 'allocateLoadBalancerNodePorts', true);
    const loadBalancer = child(child(service, 'status') ?? {}, 'loadBalancer');
    for (const ingress of objects(loadBalancer, 'ingress')) {
      if (typeof ingress['ip'] === 'string' && ingress['ip'] !== '') defaultValue(ingress, 'ipMode', 'VIP');
    }
  }
}

export function defaultEndpoints(endpoints: Obj): void {
  for (const subset of objects(endpoints, 'subsets')) {
    for (const port of objects(subset, 'ports')) defaultString(port, 'protocol', 'TCP');
  }
}

export function defaultPersistentVolumeClaim(claim: Obj): void {
  defaultClaim(claim);
}

export function defaultPersistentVolume(volume: Obj): void {
  defaultString(ensureChild(volume, 'status'), 'phase', 'Pending');
  const spec = ensureChild(volume, 'spec');
  defaultString(spec, 'persistentVolumeReclaimPolicy', 'Retain');
  defaultValue(spec, 'volumeMode', 'Filesystem');
  const hostPath = child(spec, 'hostPath');
  if (hostPath) defaultValue(hostPath, 'type', '');
  const rbd = child(spec, 'rbd');
  if (rbd) defaultRBD(rbd);
  const iscsi = child(spec, 'iscsi');
  if (iscsi) defaultString(iscsi, 'iscsiInterface', 'default');
  const azureDisk = child(spec, 'azureDisk');
  if (azureDisk) defaultAzureDisk(azureDisk);
  const scaleIO = child(spec, 'scaleIO');
  if (scaleIO) defaultScaleIO(scaleIO);
}

export function defaultSecret(secret: Obj): void {
  defaultString(secret, 'type', 'Opaque');
}

/** The label every named Namespace carries with its own name (upstream sets it unconditionally). */
export const namespaceNameLabel = 'kubernetes.io/metadata.name';

export function defaultNamespace(namespace: Obj): void {
  const metadata = child(namespace, 'metadata');
  const name = metadata?.['name'];
  if (metadata && typeof name === 'string' && name !== '') {
    ensureChild(metadata, 'labels')[namespaceNameLabel] = name;
  }
  defaultString(ensureChild(namespace, 'status'), 'phase', 'Active');
}

export function defaultNode(node: Obj): void {
  const status = child(node, 'status');
  if (status && isObj(status['capacity']) && (status['allocatable'] === undefined || status['allocatable'] === null)) {
    status['allocatable'] = { ...status['capacity'] };
  }
}

export function defaultLimitRange(limitRange: Obj): void {
  const spec = child(limitRange, 'spec');
  for (const item of objects(spec, 'limits')) {
    if (item['type'] !== 'Container') continue;
    // An empty map is omitted when upstream serializes, so only non-empty results are written.
    const defaults: Obj = { ...(child(item, 'default') ?? {}) };
    const defaultRequests: Obj = { ...(child(item, 'defaultRequest') ?? {}) };
    const fill = (into: Obj, from: unknown) => {
      if (!isObj(from)) return;
      for (const [name, value] of Object.entries(from)) if (!(name in into)) into[name] = value;
    };
    fill(defaults, item['max']);
    fill(defaultRequests, defaults);
    fill(defaultRequests, item['min']);
    if (Object.keys(defaults).length > 0) item['default'] = defaults;
    if (Object.keys(defaultRequests).length > 0) item['defaultRequest'] = defaultRequests;
  }
}
