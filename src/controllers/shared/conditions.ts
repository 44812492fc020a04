/** Condition helpers Cluster API's controllers share (v1beta1 util/conditions: mirror with fallback). */
import type { KubeObject } from '../../apimachinery/types.js';
import type { Clock } from '../../runtime/clock.js';
import { getCondition, setCondition, type ConditionSeverity } from '../../runtime/conditions.js';

export interface Fallback {
  /** True: the fallback is status True; false: status False with reason, severity, message. */
  ok: boolean;
  reason?: string;
  severity?: Exclude<ConditionSeverity, ''>;
  message?: string;
}

/**
 * Set `type` on target to the source's Ready condition (status, severity, reason, message), or to the fallback when
 * the source has no Ready condition (SetMirror with WithFallbackValue).
 */
export function mirrorReady(target: KubeObject, type: string, source: KubeObject | undefined, fallback: Fallback, clock?: Clock): boolean {
  const ready = source ? getCondition(source, 'Ready') : undefined;
  if (ready) {
    return setCondition(target, { type, status: ready.status, severity: ready.severity || undefined, reason: ready.reason, message: ready.message }, clock);
  }
  if (fallback.ok) return setCondition(target, { type, status: 'True' }, clock);
  return setCondition(target, { type, status: 'False', reason: fallback.reason, severity: fallback.severity ?? 'Info', message: fallback.message }, clock);
}
