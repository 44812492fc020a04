/**
 * kube-apiserver's DefaultTolerationSeconds admission, as a pure function: a Pod that does not already
 * tolerate node.kubernetes.io/not-ready:NoExecute (or unreachable) gets an `Exists` toleration for it with
 * tolerationSeconds 300 (configurable), so taint-based eviction removes it 5 minutes after its Node fails.
 * A toleration counts when its key is that taint's key or empty and its effect is NoExecute or empty.
 * Upstream runs it on Pod CREATE (not on subresources).
 */
import type { KubeObject } from '../../../apimachinery/types.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../../apiserver/strategy.js';
import type { Toleration } from '../scheduler/types.js';
import { TAINT_NOT_READY, TAINT_UNREACHABLE } from './taints.js';

export const DEFAULT_NOT_READY_TOLERATION_SECONDS = 300;
export const DEFAULT_UNREACHABLE_TOLERATION_SECONDS = 300;

export interface DefaultTolerationSecondsOptions {
  notReadySeconds?: number;
  unreachableSeconds?: number;
}

function coversNoExecute(t: Toleration, key: string): boolean {
  return (!t.key || t.key === key) && (!t.effect || t.effect === 'NoExecute');
}

/** The Pod's tolerations with the default not-ready/unreachable ones appended where missing (input untouched). */
export function withDefaultTolerationSeconds(tolerations: readonly Toleration[] | null | undefined, opts: DefaultTolerationSecondsOptions = {}): Toleration[] {
  const out = [...(tolerations ?? [])];
  const defaults: [string, number][] = [
    [TAINT_NOT_READY, opts.notReadySeconds ?? DEFAULT_NOT_READY_TOLERATION_SECONDS],
    [TAINT_UNREACHABLE, opts.unreachableSeconds ?? DEFAULT_UNREACHABLE_TOLERATION_SECONDS],
  ];
  for (const [key, seconds] of defaults) {
    if (!out.some((t) => coversNoExecute(t, key))) out.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds });
  }
  return out;
}

/** Sets spec.tolerations of a Pod object in place; returns whether anything was added. */
export function applyDefaultTolerationSeconds(pod: KubeObject, opts: DefaultTolerationSecondsOptions = {}): boolean {
  const spec = (pod.spec ?? (pod.spec = {})) as { tolerations?: Toleration[] | null };
  const before = spec.tolerations?.length ?? 0;
  const after = withDefaultTolerationSeconds(spec.tolerations, opts);
  if (after.length === before) return false;
  spec.tolerations = after;
  return true;
}

/** The same as a (mutating) admission plugin of a workload cluster's store: Pod CREATE, no subresource. */
export function defaultTolerationSecondsAdmission(opts: DefaultTolerationSecondsOptions = {}): AdmissionPlugin {
  return {
    name: 'DefaultTolerationSeconds',
    admit(attrs: AdmissionAttributes): void {
      if (attrs.operation !== 'CREATE' || attrs.subresource) return;
      if (attrs.info.group !== '' || attrs.info.kind !== 'Pod' || !attrs.object) return;
      applyDefaultTolerationSeconds(attrs.object, opts);
    },
  };
}
