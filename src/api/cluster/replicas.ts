/**
 * Default of spec.replicas for MachineDeployments and MachineSets, as upstream computes it: an explicit value is
 * kept; with both cluster-autoscaler size annotations, a new object starts at the minimum and an existing one is
 * brought into [min, max]; otherwise 1.
 */
import { badRequest } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/types.js';

export const AUTOSCALER_MIN_SIZE_ANNOTATION = 'cluster.x-k8s.io/cluster-api-autoscaler-node-group-min-size';
export const AUTOSCALER_MAX_SIZE_ANNOTATION = 'cluster.x-k8s.io/cluster-api-autoscaler-node-group-max-size';

function parseSize(kind: string, annotation: string, text: string): number {
  if (!/^[+-]?[0-9]+$/.test(text) || Math.abs(Number(text)) > 2 ** 31 - 1) {
    throw badRequest(`failed to calculate ${kind} replicas value: could not parse the value of the ${JSON.stringify(annotation)} annotation: strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`);
  }
  return Number(text);
}

/** The replicas an object gets after defaulting; throws 400 when an autoscaler annotation is not an integer. */
export function defaultReplicas(kind: string, obj: KubeObject & { spec?: { replicas?: number } }, old: (KubeObject & { spec?: { replicas?: number } }) | undefined): number {
  const current = obj.spec?.replicas;
  if (typeof current === 'number') return current;
  const annotations = obj.metadata?.annotations ?? {};
  const minText = annotations[AUTOSCALER_MIN_SIZE_ANNOTATION];
  const maxText = annotations[AUTOSCALER_MAX_SIZE_ANNOTATION];
  if (minText === undefined || maxText === undefined) return 1;
  const min = parseSize(kind, AUTOSCALER_MIN_SIZE_ANNOTATION, minText);
  const max = parseSize(kind, AUTOSCALER_MAX_SIZE_ANNOTATION, maxText);
  if (!old) return min;
  const previous = old.spec?.replicas;
  if (typeof previous !== 'number' || previous < min) return min;
  if (previous > max) return max;
  return previous;
}
