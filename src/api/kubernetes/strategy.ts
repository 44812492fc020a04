/**
 * The store strategy of each built-in kind of a workload cluster: kube-apiserver's defaulting on every write
 * (src/api/kubernetes/defaults), metadata.generation where upstream's registry keeps it (workloads, autoscalers,
 * disruption budgets, Ingress, NetworkPolicy, EndpointSlice), and a new Pod's status (phase Pending, QoS class).
 */
import type { KubeObject } from '../../apimachinery/types.js';
import { configMapStrategy, eventStrategy, leaseStrategy, namespaceStrategy, secretStrategy, serviceAccountStrategy } from '../../apiserver/builtin-strategies.js';
import { convertHorizontalPodAutoscaler } from '../../apiserver/hpa-conversion.js';
import { strategyKey } from '../../apiserver/object-store.js';
import type { ResourceInfo } from '../../apiserver/resource-info.js';
import type { KindStrategy } from '../../apiserver/strategy.js';
import { applyKubernetesDefaults, podStatusOnCreate } from './defaults/index.js';
import { kubernetesKinds } from './resources.js';

/** Kinds whose registry bumps metadata.generation on a spec change. */
const GENERATION_KINDS = new Set([
  'apps/Deployment',
  'apps/ReplicaSet',
  'apps/StatefulSet',
  'apps/DaemonSet',
  'batch/Job',
  'batch/CronJob',
  'autoscaling/HorizontalPodAutoscaler',
  'policy/PodDisruptionBudget',
  'networking.k8s.io/Ingress',
  'networking.k8s.io/NetworkPolicy',
  'discovery.k8s.io/EndpointSlice',
]);

/** Kinds served in versions of different shapes, with their conversion between them. */
const CONVERSIONS: Record<string, (obj: KubeObject, toVersion: string) => KubeObject> = {
  'autoscaling/HorizontalPodAutoscaler': convertHorizontalPodAutoscaler,
};

function strategyFor(group: string, version: string, kind: string): KindStrategy {
  // Defaults of the version the request was served in (a kind may be served in several).
  const defaults = (obj: KubeObject, info?: ResourceInfo): void => applyKubernetesDefaults(group, info?.version ?? version, kind, obj as Record<string, unknown>);
  const strategy: KindStrategy = {
    // RBAC names are path segments (ValidateRBACName), so `system:basic-user` is valid.
    ...(group === 'rbac.authorization.k8s.io' ? { nameRule: 'path' as const } : {}),
    generation: GENERATION_KINDS.has(`${group}/${kind}`),
    ...(CONVERSIONS[`${group}/${kind}`] ? { convert: CONVERSIONS[`${group}/${kind}`] } : {}),
    prepareForCreate(obj, info) {
      defaults(obj, info);
      if (group === '' && kind === 'Pod') obj.status = { ...podStatusOnCreate(obj as Record<string, unknown>), ...((obj.status as Record<string, unknown> | undefined) ?? {}) };
    },
    prepareForUpdate(obj, _old, info) {
      defaults(obj, info);
    },
  };
  return strategy;
}

/**
 * Strategies of every built-in kind, keyed as the object store looks them up (strategyKey); `existing` strategies
 * (the plane's Namespace, Secret, ... rules) run first, then the defaults.
 */
export function kubernetesStrategies(existing: Map<string, KindStrategy> = new Map()): Map<string, KindStrategy> {
  const out = new Map(existing);
  for (const k of kubernetesKinds()) {
    const mine = strategyFor(k.group, k.version, k.kind);
    const theirs = existing.get(strategyKey(k.group, k.kind));
    out.set(strategyKey(k.group, k.kind), theirs ? compose(theirs, mine) : mine);
  }
  return out;
}

/** `a`'s rules, then `b`'s defaulting (a's name rule, propagation and deletion hooks win). */
function compose(a: KindStrategy, b: KindStrategy): KindStrategy {
  return {
    ...b,
    ...a,
    generation: !!(a.generation || b.generation),
    prepareForCreate(obj, info) {
      a.prepareForCreate?.(obj, info);
      b.prepareForCreate?.(obj, info);
    },
    prepareForUpdate(obj, old, info) {
      a.prepareForUpdate?.(obj, old, info);
      b.prepareForUpdate?.(obj, old, info);
    },
  };
}

/** Every strategy of a workload cluster's API: the plane's rules for its own built-ins, then Kubernetes' defaults. */
export function workloadClusterStrategies(): Map<string, KindStrategy> {
  return kubernetesStrategies(
    new Map<string, KindStrategy>([
      [strategyKey('', 'Namespace'), namespaceStrategy],
      [strategyKey('', 'ConfigMap'), configMapStrategy],
      [strategyKey('', 'Secret'), secretStrategy],
      [strategyKey('', 'Event'), eventStrategy],
      [strategyKey('events.k8s.io', 'Event'), eventStrategy],
      [strategyKey('', 'ServiceAccount'), serviceAccountStrategy],
      [strategyKey('coordination.k8s.io', 'Lease'), leaseStrategy],
    ]),
  );
}
