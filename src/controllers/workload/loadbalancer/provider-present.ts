/**
 * Whether a workload cluster runs kube-vip as its Service load balancer: a kube-vip static Pod (the mirror Pod of
 * /etc/kubernetes/manifests/kube-vip.yaml, which the default class writes when `kubeVipLoadBalancerProvider` is true)
 * in kube-system whose kube-vip container has `svc_enable` "true". Read from the cluster's Pod informer.
 */
import type { KubeObject } from '../../../apimachinery/types.js';
import type { WorkloadContext } from '../context.js';

export const POD = { apiVersion: 'v1', kind: 'Pod' } as const;

interface Container {
  image?: string;
  env?: { name?: string; value?: string }[];
}

/** A kube-system Pod running kube-vip (with or without Service load balancing). */
export function isKubeVipPod(pod: KubeObject): boolean {
  const containers = ((pod.spec as { containers?: Container[] } | undefined)?.containers ?? []);
  return pod.metadata?.namespace === 'kube-system' && containers.some((c) => /(^|\/)kube-vip:/.test(c.image ?? ''));
}

/** A Pod running kube-vip with Service load balancing on. */
export function servesLoadBalancers(pod: KubeObject): boolean {
  if (pod.metadata?.deletionTimestamp) return false;
  const containers = ((pod.spec as { containers?: Container[] } | undefined)?.containers ?? []);
  return containers.some((c) => /(^|\/)kube-vip:/.test(c.image ?? '') && (c.env ?? []).some((e) => e.name === 'svc_enable' && e.value === 'true'));
}

/** The `enabled` option of loadBalancerSetup for clusters whose kube-vip static Pod serves Services. */
export function kubeVipPresent(ctx: WorkloadContext): () => boolean {
  const pods = ctx.manager.informers.for(POD);
  return () => pods.lister.list({ namespace: 'kube-system' }).some(servesLoadBalancers);
}
