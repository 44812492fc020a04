/**
 * What a node's bootstrap files put into its cluster besides kubeadm's own control plane:
 *  - static Pod manifests in /etc/kubernetes/manifests other than kubeadm's four components (kube-vip's, say): the
 *    kubelet runs them and mirrors each into the API as `<name>-<node>` (Running, owned by the Node);
 *  - addon manifests in /etc/kubernetes/addons (a Slipway sim convention standing in for the addon packages a real
 *    cluster gets after `kubeadm init`, e.g. kube-vip-cloud-provider's ConfigMap): applied once by `kubeadm init`.
 * Files that do not parse are skipped, as a kubelet skips a manifest it cannot read.
 */
import { createHash } from 'node:crypto';
import YAML from 'yaml';
import { isPlainObject, type KubeObject } from '../../apimachinery/types.js';
import type { BootFacts } from './boot-facts.js';
import { CONTROL_PLANE_COMPONENTS } from './node.js';

export const STATIC_POD_DIR = '/etc/kubernetes/manifests/';
export const ADDON_DIR = '/etc/kubernetes/addons/';

function documents(content: string): KubeObject[] {
  try {
    return YAML.parseAllDocuments(content)
      .map((d) => d.toJS() as unknown)
      .filter((o): o is KubeObject => isPlainObject(o) && typeof o.kind === 'string' && typeof o.apiVersion === 'string');
  } catch {
    return [];
  }
}

function isManifest(path: string, dir: string): boolean {
  return path.startsWith(dir) && /\.(ya?ml|json)$/.test(path) && !path.slice(dir.length).includes('/');
}

/** The mirror Pods of the node's extra static Pod manifests. */
export function extraStaticPods(facts: BootFacts, node: KubeObject, internalIP: string, now: string): KubeObject[] {
  const nodeName = node.metadata!.name!;
  const components = new Set<string>(CONTROL_PLANE_COMPONENTS.map((c) => `${STATIC_POD_DIR}${c}.yaml`));
  const pods: KubeObject[] = [];
  for (const f of facts.files) {
    if (!isManifest(f.path, STATIC_POD_DIR) || components.has(f.path)) continue;
    for (const doc of documents(f.content.toString('utf8'))) {
      if (doc.apiVersion !== 'v1' || doc.kind !== 'Pod' || !doc.metadata?.name) continue;
      const spec: Record<string, unknown> = { ...(isPlainObject(doc.spec) ? doc.spec : {}), nodeName };
      const hash = createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 32);
      const containers = Array.isArray(spec.containers) ? (spec.containers as { name?: string; image?: string }[]) : [];
      const hostNetwork = spec.hostNetwork === true;
      pods.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `${doc.metadata.name}-${nodeName}`,
          namespace: doc.metadata.namespace ?? 'default',
          ...(doc.metadata.labels ? { labels: doc.metadata.labels } : {}),
          annotations: { ...(doc.metadata.annotations ?? {}), 'kubernetes.io/config.hash': hash, 'kubernetes.io/config.mirror': hash, 'kubernetes.io/config.seen': now, 'kubernetes.io/config.source': 'file' },
          ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: node.metadata!.uid!, controller: true }],
        },
        spec,
        status: {
          phase: 'Running',
          hostIP: internalIP,
          ...(hostNetwork ? { podIP: internalIP, podIPs: [{ ip: internalIP }] } : {}),
          startTime: now,
          conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: now })),
          containerStatuses: containers.map((c) => ({ name: c.name ?? 'container', image: c.image ?? '', imageID: '', ready: true, started: true, restartCount: 0, state: { running: { startedAt: now } } })),
        },
      });
    }
  }
  return pods;
}

/** The objects of the node's addon manifests (applied by `kubeadm init`). */
export function addonObjects(facts: BootFacts): KubeObject[] {
  return facts.files.filter((f) => isManifest(f.path, ADDON_DIR)).flatMap((f) => documents(f.content.toString('utf8')));
}
