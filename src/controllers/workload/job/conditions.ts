/** Job conditions as upstream writes them (types, reasons and messages of the Job controller). Pure. */
export interface JobCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastProbeTime?: string;
  lastTransitionTime?: string;
}

export const REASON_BACKOFF_LIMIT = 'BackoffLimitExceeded';
export const MESSAGE_BACKOFF_LIMIT = 'Job has reached the specified backoff limit';
export const REASON_DEADLINE = 'DeadlineExceeded';
export const MESSAGE_DEADLINE = 'Job was active longer than specified deadline';
export const REASON_POD_FAILURE_POLICY = 'PodFailurePolicy';
export const REASON_FAILED_INDEXES = 'FailedIndexes';
export const MESSAGE_FAILED_INDEXES = 'Job has failed indexes';
export const REASON_MAX_FAILED_INDEXES = 'MaxFailedIndexesExceeded';
export const MESSAGE_MAX_FAILED_INDEXES = 'Job has exceeded the specified maximal number of failed indexes';
export const REASON_COMPLETIONS = 'CompletionsReached';
export const MESSAGE_COMPLETIONS = 'Reached expected number of succeeded pods';

export function findCondition(conditions: readonly JobCondition[] | undefined, type: string): JobCondition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function isTrue(conditions: readonly JobCondition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

/** A finished Job has Complete or Failed True. */
export function isFinished(conditions: readonly JobCondition[] | undefined): boolean {
  return isTrue(conditions, 'Complete') || isTrue(conditions, 'Failed');
}

/** When the Job finished (the terminal condition's transition time). */
export function finishedAt(conditions: readonly JobCondition[] | undefined): string | undefined {
  const c = conditions?.find((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
  return c?.lastTransitionTime;
}

/**
 * Set a condition: the transition time changes only with the status; nothing changes when type, status, reason and
 * message are the same (returns the same array then).
 */
export function setCondition(conditions: readonly JobCondition[] | undefined, c: { type: string; status: string; reason?: string; message?: string }, now: string): JobCondition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((x) => x.type === c.type);
  if (i < 0) return [...list, { ...c, lastProbeTime: now, lastTransitionTime: now }];
  const old = list[i];
  if (old.status === c.status && old.reason === c.reason && old.message === c.message) return list;
  list[i] = { ...c, lastProbeTime: now, lastTransitionTime: old.status === c.status ? old.lastTransitionTime ?? now : now };
  return list;
}
