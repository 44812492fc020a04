/**
 * Table printers for batch/v1 Job and CronJob, as kube-apiserver's (printJob, printCronJob).
 */
import type { KubeObject } from '../apimachinery/types.js';
import {
  ageColumn,
  ageSince,
  col,
  CONTAINERS_DESCRIPTION,
  containerCells,
  count,
  created,
  formatLabelSelector,
  get,
  humanDuration,
  IMAGES_DESCRIPTION,
  int,
  nameColumn,
  nameOf,
  parseTimestamp,
  records,
  s,
  type TableCell,
  type TablePrinter,
} from './table-cells.js';
import { FIELD_DOCS } from './table-field-docs.js';

/** hasJobCondition: the first condition of the type decides. */
function hasJobCondition(o: KubeObject, type: string): boolean {
  const c = records(get(o, 'status', 'conditions')).find((x) => x['type'] === type);
  return c !== undefined && c['status'] === 'True';
}

/** COMPLETIONS: "succeeded/completions", or "succeeded/1" (" of N" with parallelism N > 1) for work queues. */
export function jobCompletions(o: KubeObject): string {
  const succeeded = int(get(o, 'status', 'succeeded'));
  const completions = get(o, 'spec', 'completions');
  if (typeof completions === 'number') return `${succeeded}/${Math.trunc(completions)}`;
  const parallelism = int(get(o, 'spec', 'parallelism'));
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

/** DURATION: "" before the start, running time so far, or completion − start. */
export function jobDuration(o: KubeObject, now: Date): string {
  const start = typeof get(o, 'status', 'startTime') === 'string' ? parseTimestamp(get(o, 'status', 'startTime') as string) : undefined;
  if (!start) return '';
  const done = typeof get(o, 'status', 'completionTime') === 'string' ? parseTimestamp(get(o, 'status', 'completionTime') as string) : undefined;
  return humanDuration((done ?? now).getTime() - start.getTime());
}

export function jobStatus(o: KubeObject): string {
  if (hasJobCondition(o, 'Complete')) return 'Complete';
  if (hasJobCondition(o, 'Failed')) return 'Failed';
  if (o.metadata?.deletionTimestamp) return 'Terminating';
  if (hasJobCondition(o, 'Suspended')) return 'Suspended';
  if (hasJobCondition(o, 'FailureTarget')) return 'FailureTarget';
  if (hasJobCondition(o, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

function jobCells(o: KubeObject, now: Date): TableCell[] {
  return [nameOf(o), jobStatus(o), jobCompletions(o), jobDuration(o, now), created(o, now), ...containerCells(get(o, 'spec', 'template')), formatLabelSelector(get(o, 'spec', 'selector'))];
}

/** printBoolPtr. */
const boolPointer = (v: unknown): string => (typeof v === 'boolean' ? (v ? 'True' : 'False') : '<unset>');

function cronJobCells(o: KubeObject, now: Date): TableCell[] {
  const last = get(o, 'status', 'lastScheduleTime');
  const timeZone = get(o, 'spec', 'timeZone');
  const jobSpec = get(o, 'spec', 'jobTemplate', 'spec');
  return [
    nameOf(o),
    s(get(o, 'spec', 'schedule')),
    typeof timeZone === 'string' ? timeZone : '<none>',
    boolPointer(get(o, 'spec', 'suspend')),
    count(get(o, 'status', 'active')),
    typeof last === 'string' ? ageSince(last, now) : '<none>',
    created(o, now),
    ...containerCells(get(jobSpec, 'template')),
    formatLabelSelector(get(jobSpec, 'selector')),
  ];
}

const containerColumns = () => [col('Containers', 'string', CONTAINERS_DESCRIPTION, { priority: 1 }), col('Images', 'string', IMAGES_DESCRIPTION, { priority: 1 })];

export const BATCH_PRINTERS: Record<string, TablePrinter> = {
  'batch/Job': {
    columns: [
      nameColumn(),
      col('Status', 'string', 'Status of the job.'),
      col('Completions', 'string', FIELD_DOCS['JobStatus.succeeded']),
      col('Duration', 'string', 'Time required to complete the job.'),
      ageColumn(),
      ...containerColumns(),
      col('Selector', 'string', FIELD_DOCS['JobSpec.selector'], { priority: 1 }),
    ],
    cells: jobCells,
  },
  'batch/CronJob': {
    columns: [
      nameColumn(),
      col('Schedule', 'string', FIELD_DOCS['CronJobSpec.schedule']),
      col('Timezone', 'string', FIELD_DOCS['CronJobSpec.timeZone']),
      col('Suspend', 'boolean', FIELD_DOCS['CronJobSpec.suspend']),
      col('Active', 'integer', FIELD_DOCS['CronJobStatus.active']),
      col('Last Schedule', 'string', FIELD_DOCS['CronJobStatus.lastScheduleTime']),
      ageColumn(),
      ...containerColumns(),
      col('Selector', 'string', FIELD_DOCS['JobSpec.selector'], { priority: 1 }),
    ],
    cells: cronJobCells,
  },
};
