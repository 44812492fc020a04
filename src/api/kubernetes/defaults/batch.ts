/** Defaults of batch/v1 kinds (upstream pkg/apis/batch/v1 SetDefaults_*). */
import { defaultPodTemplateSpec } from './pod.js';
import { child, defaultString, defaultValue, ensureChild, hasKeys, objects, unset, type Obj } from './fields.js';

/** backoffLimit when backoffLimitPerIndex is set: Go's math.MaxInt32. */
export const maxInt32 = 2147483647;

/** The parts of a JobSpec defaulted wherever the type appears (Job and CronJob's jobTemplate). */
function defaultJobSpecTypes(spec: Obj): void {
  for (const rule of objects(child(spec, 'podFailurePolicy'), 'rules')) {
    for (const pattern of objects(rule, 'onPodConditions')) defaultString(pattern, 'status', 'True');
  }
  defaultPodTemplateSpec(ensureChild(spec, 'template'));
}

export function defaultJob(job: Obj): void {
  const spec = ensureChild(job, 'spec');
  if (unset(spec, 'completions') && unset(spec, 'parallelism')) {
    spec['completions'] = 1;
    spec['parallelism'] = 1;
  }
  defaultValue(spec, 'parallelism', 1);
  defaultValue(spec, 'backoffLimit', unset(spec, 'backoffLimitPerIndex') ? 6 : maxInt32);
  const templateLabels = child(child(child(spec, 'template') ?? {}, 'metadata') ?? {}, 'labels');
  if (templateLabels && Object.keys(templateLabels).length > 0) {
    const metadata = ensureChild(job, 'metadata');
    if (!hasKeys(metadata, 'labels')) metadata['labels'] = { ...templateLabels };
  }
  defaultValue(spec, 'completionMode', 'NonIndexed');
  defaultValue(spec, 'suspend', false);
  defaultValue(spec, 'podReplacementPolicy', unset(spec, 'podFailurePolicy') ? 'TerminatingOrFailed' : 'Failed');
  defaultValue(spec, 'manualSelector', false);
  defaultJobSpecTypes(spec);
}

export function defaultCronJob(cronJob: Obj): void {
  const spec = ensureChild(cronJob, 'spec');
  defaultString(spec, 'concurrencyPolicy', 'Allow');
  defaultValue(spec, 'suspend', false);
  defaultValue(spec, 'successfulJobsHistoryLimit', 3);
  defaultValue(spec, 'failedJobsHistoryLimit', 1);
  // The job template only gets type-level defaults; SetDefaults_Job runs when the Job is created.
  defaultJobSpecTypes(ensureChild(ensureChild(spec, 'jobTemplate'), 'spec'));
}
