/**
 * The identity of a StatefulSet's Pods and claims (upstream stateful_set_utils): `<set>-<ordinal>` names, the
 * pod-name and pod-index labels, hostname and subdomain, claim names `<claim>-<set>-<ordinal>` mounted in place of the
 * template's volumes of the same name, and whom a claim belongs to under the persistentVolumeClaimRetentionPolicy. Pure.
 */
import type { OwnerReference } from '../../../apimachinery/types.js';
import type { Pod, PodTemplate } from '../shared/pods.js';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

export interface ClaimTemplate {
  metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
}

export interface RetentionPolicy {
  whenDeleted?: string;
  whenScaled?: string;
}

export function podName(set: string, ordinal: number): string {
  return `${set}-${ordinal}`;
}

/** The ordinal of a Pod of the set, from its name; undefined when the name is not `<set>-<n>`. */
export function ordinalOf(set: string, name: string | undefined): number | undefined {
  if (!name?.startsWith(`${set}-`)) return undefined;
  const rest = name.slice(set.length + 1);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : undefined;
}

export function claimName(claim: string, set: string, ordinal: number): string {
  return `${claim}-${set}-${ordinal}`;
}

/** A Pod of the set at an ordinal from a template (without owner or revision label). */
export function podFromTemplate(set: { name: string; namespace?: string; serviceName?: string }, template: PodTemplate, claims: readonly ClaimTemplate[], ordinal: number): Pod {
  const name = podName(set.name, ordinal);
  const spec = structuredClone(template.spec ?? {});
  spec.hostname = name;
  if (set.serviceName) spec.subdomain = set.serviceName;
  const volumes = [...(spec.volumes ?? [])];
  for (const c of claims) {
    const cn = c.metadata?.name ?? '';
    const v = { name: cn, persistentVolumeClaim: { claimName: claimName(cn, set.name, ordinal) } };
    const i = volumes.findIndex((x) => x.name === cn);
    if (i >= 0) volumes[i] = v;
    else volumes.push(v);
  }
  if (volumes.length) spec.volumes = volumes;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: set.namespace,
      labels: { ...(template.metadata?.labels ?? {}), [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal) },
      ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
    },
    spec,
  };
}

/**
 * Owners a claim should have: the set when whenDeleted is Delete; the Pod when whenScaled is Delete and the Pod's
 * ordinal is being scaled away (at or beyond the replica range).
 */
export function claimOwners(policy: RetentionPolicy | undefined, set: OwnerReference, pod: OwnerReference | undefined, condemned: boolean): OwnerReference[] {
  const out: OwnerReference[] = [];
  if (policy?.whenDeleted === 'Delete') out.push(set);
  if (policy?.whenScaled === 'Delete' && condemned && pod) out.push(pod);
  return out;
}
