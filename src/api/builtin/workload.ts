/**
 * core/v1 Node and Pod: the kinds every workload cluster serves in this scope (their controllers and the full
 * upstream schemas come with the workloads issue). The schemas name the fields Slipway reads and writes and keep
 * every other field as sent.
 */
import type { JSONSchemaProps } from '../../apimachinery/schema/types.js';
import type { ResourceInfo } from '../../apiserver/resource-info.js';
import { arrayOf, bool, builtinResource, int32, kindSchema, object, str, stringMap } from './meta.js';

const open = (s: JSONSchemaProps): JSONSchemaProps => ({ ...s, 'x-kubernetes-preserve-unknown-fields': true });

function conditionList(description: string): JSONSchemaProps {
  return arrayOf(
    open(object({ type: str('Type of the condition.'), status: str('True, False or Unknown.'), reason: str('Machine-readable reason.'), message: str('Human-readable message.'), lastHeartbeatTime: str('Last time the condition was probed.', { format: 'date-time' }), lastTransitionTime: str('Last time the status changed.', { format: 'date-time' }) }, 'A condition.')),
    description,
    { 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'], 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'type' },
  );
}

function nodeSchema(): JSONSchemaProps {
  const taint = object({ key: str('Taint key.'), value: str('Taint value.'), effect: str('NoSchedule, PreferNoSchedule or NoExecute.'), timeAdded: str('When the taint was added (NoExecute only).', { format: 'date-time' }) }, 'A taint: pods that do not tolerate it are kept off the node.', { required: ['key', 'effect'] });
  return kindSchema('A worker machine of the cluster, as its kubelet registers it.', {
    spec: open(
      object(
        {
          podCIDR: str('The pod IP range assigned to the node.'),
          podCIDRs: arrayOf({ type: 'string' }, 'Pod IP ranges of the node (one per family).'),
          providerID: str('The machine as the infrastructure provider knows it, e.g. sim://default/dev-md-0-x7k2p.'),
          taints: arrayOf(taint, 'Taints of the node.'),
          unschedulable: bool('Set by cordon: no new pods are placed on the node.'),
        },
        'The desired state of the node.',
      ),
    ),
    status: open(
      object(
        {
          addresses: arrayOf(object({ type: str('Hostname, InternalIP, ExternalIP, InternalDNS or ExternalDNS.'), address: str('The address.') }, 'An address of the node.'), 'Addresses of the node.', {
            'x-kubernetes-patch-strategy': 'merge',
            'x-kubernetes-patch-merge-key': 'type',
          }),
          allocatable: open(object({}, 'Resources available to pods.')),
          capacity: open(object({}, 'Total resources of the node.')),
          conditions: conditionList('Conditions of the node (Ready, MemoryPressure, DiskPressure, PIDPressure, NetworkUnavailable).'),
          nodeInfo: open(object({ kubeletVersion: str('Version of the kubelet.'), osImage: str('Operating system image.'), operatingSystem: str('linux or windows.'), architecture: str('CPU architecture.'), kernelVersion: str('Kernel version.'), containerRuntimeVersion: str('Container runtime and version.') }, 'Facts the kubelet reports about the machine.')),
          daemonEndpoints: open(object({}, 'Endpoints of daemons on the node.')),
        },
        'The observed state of the node.',
      ),
    ),
  });
}

function podSchema(): JSONSchemaProps {
  return kindSchema('A group of containers scheduled together onto a node.', {
    spec: open(
      object(
        {
          containers: arrayOf(open(object({ name: str('Container name.'), image: str('Container image.'), command: arrayOf({ type: 'string' }, 'Entrypoint.') }, 'A container.', { required: ['name'] })), 'Containers of the pod.', {
            'x-kubernetes-patch-strategy': 'merge',
            'x-kubernetes-patch-merge-key': 'name',
          }),
          nodeName: str('The node the pod is bound to.'),
          priority: int32('Priority of the pod.'),
          priorityClassName: str('Priority class of the pod.'),
          hostNetwork: bool('Use the node network namespace.'),
          nodeSelector: stringMap('Labels a node must carry to run the pod.'),
          tolerations: arrayOf(open(object({}, 'A toleration.')), 'Tolerations of the pod.'),
        },
        'The desired state of the pod.',
      ),
    ),
    status: open(
      object(
        {
          phase: str('Pending, Running, Succeeded, Failed or Unknown.'),
          conditions: conditionList('Conditions of the pod (PodScheduled, Initialized, ContainersReady, Ready).'),
          hostIP: str('IP of the node the pod runs on.'),
          podIP: str('IP of the pod.'),
          startTime: str('When the kubelet acknowledged the pod.', { format: 'date-time' }),
          containerStatuses: arrayOf(open(object({ name: str('Container name.'), ready: bool('Whether the container passes its readiness probe.'), restartCount: int32('Restarts of the container.') }, 'Status of a container.')), 'Container statuses.'),
        },
        'The observed state of the pod.',
      ),
    ),
  });
}

/** Node and Pod ResourceInfos. */
export function workloadResources(): ResourceInfo[] {
  return [
    builtinResource({ group: '', version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false, shortNames: ['no'], schema: nodeSchema(), subresources: { status: true } }),
    builtinResource({ group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true, shortNames: ['po'], categories: ['all'], schema: podSchema(), subresources: { status: true } }),
  ];
}
