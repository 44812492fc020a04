/**
 * Which objects carry a pod: Pods themselves, and the workload kinds whose pod template is
 * evaluated (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob, ReplicationController,
 * PodTemplate), with where each keeps its template.
 */
import { isMap, map } from './pod.js';

/** A kind to match; `group` undefined matches the kind in any API group. */
export interface KindMatcher {
  group?: string;
  kind: string;
}

export const DEFAULT_POD_KINDS: readonly KindMatcher[] = [{ group: '', kind: 'Pod' }];

export const DEFAULT_TEMPLATE_KINDS: readonly KindMatcher[] = [
  { group: 'apps', kind: 'Deployment' },
  { group: 'apps', kind: 'ReplicaSet' },
  { group: 'apps', kind: 'StatefulSet' },
  { group: 'apps', kind: 'DaemonSet' },
  { group: 'batch', kind: 'Job' },
  { group: 'batch', kind: 'CronJob' },
  { group: '', kind: 'ReplicationController' },
  { group: '', kind: 'PodTemplate' },
];

export function matchesKind(matchers: readonly KindMatcher[], group: string, kind: string): boolean {
  for (const m of matchers) if (m.kind === kind && (m.group === undefined || m.group === group)) return true;
  return false;
}

/** The path to the pod template of a workload kind. */
export function templatePath(kind: string): readonly string[] {
  if (kind === 'CronJob') return ['spec', 'jobTemplate', 'spec', 'template'];
  if (kind === 'PodTemplate') return ['template'];
  return ['spec', 'template'];
}

export interface PodParts {
  metadata: unknown;
  spec: unknown;
  /** Whether this came from a template (warn/audit only in admission). */
  template: boolean;
}

/** metadata+spec of a Pod, or of a workload's template (undefined when the template has no spec). */
export function podParts(obj: Record<string, unknown>, isTemplate: boolean, kind: string): PodParts | undefined {
  if (!isTemplate) return { metadata: obj.metadata, spec: obj.spec, template: false };
  let t: unknown = obj;
  for (const k of templatePath(kind)) t = map(t)[k];
  if (!isMap(t) || t.spec === undefined || t.spec === null) return undefined;
  return { metadata: t.metadata, spec: t.spec, template: true };
}

/** `apps/v1` → `apps`, `v1` → `` */
export function groupOf(apiVersion: unknown): string {
  if (typeof apiVersion !== 'string') return '';
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}
