import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertDefaults, defaulted, defaultedTemplateSpec } from './defaults.test-util.js';

type Obj = Record<string, unknown>;
const labels = { job: 'pi' };
const template = { metadata: { labels }, spec: { restartPolicy: 'Never' } };
const defaultedTemplate = { metadata: { labels }, spec: defaultedTemplateSpec({ restartPolicy: 'Never' }) };
const specOf = (obj: Obj) => obj['spec'] as Obj;
const jobDefaults = {
  backoffLimit: 6, completionMode: 'NonIndexed', suspend: false, podReplacementPolicy: 'TerminatingOrFailed', manualSelector: false,
};

describe('Job defaults (upstream TestSetDefaultJob)', () => {
  const cases: { name: string; spec: Obj; expected: Obj }[] = [
    { name: 'completions and parallelism unset: both 1', spec: {}, expected: { completions: 1, parallelism: 1, ...jobDefaults } },
    { name: 'all set: nothing changes', spec: { completions: 11, parallelism: 10, backoffLimit: 3, completionMode: 'Indexed', suspend: true, podReplacementPolicy: 'Failed', manualSelector: true }, expected: { completions: 11, parallelism: 10, backoffLimit: 3, completionMode: 'Indexed', suspend: true, podReplacementPolicy: 'Failed', manualSelector: true } },
    { name: 'completions set: parallelism 1', spec: { completions: 11 }, expected: { completions: 11, parallelism: 1, ...jobDefaults } },
    { name: 'parallelism set: completions stay unset', spec: { parallelism: 11 }, expected: { parallelism: 11, ...jobDefaults } },
    { name: 'parallelism 0 is kept', spec: { completions: 0, parallelism: 0 }, expected: { completions: 0, parallelism: 0, ...jobDefaults } },
    { name: 'backoffLimitPerIndex: backoffLimit is MaxInt32', spec: { completionMode: 'Indexed', completions: 2, backoffLimitPerIndex: 1 }, expected: { ...jobDefaults, completionMode: 'Indexed', completions: 2, parallelism: 1, backoffLimitPerIndex: 1, backoffLimit: 2147483647 } },
    {
      name: 'podFailurePolicy: replacement Failed and onPodConditions status True',
      spec: { podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }, { type: 'ConfigIssue', status: 'False' }] }] } },
      expected: {
        completions: 1, parallelism: 1, ...jobDefaults, podReplacementPolicy: 'Failed',
        podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }, { type: 'ConfigIssue', status: 'False' }] }] },
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => assertDefaults('batch', 'v1', 'Job', {
      name: c.name,
      input: { metadata: { name: 'j' }, spec: { ...c.spec, template } },
      expected: { metadata: { name: 'j', labels }, spec: { ...c.expected, template: defaultedTemplate } },
    }));
  }

  it('labels come from the template only when the Job has none', () => {
    const own = defaulted('batch', 'v1', 'Job', { metadata: { labels: { mine: 'x' } }, spec: { template } });
    assert.deepEqual((own['metadata'] as Obj)['labels'], { mine: 'x' });
    const none = defaulted('batch', 'v1', 'Job', { metadata: { name: 'j' }, spec: { template: { spec: {} } } });
    assert.deepEqual(none['metadata'], { name: 'j' });
  });
});

describe('CronJob defaults (upstream TestSetDefaultCronJob)', () => {
  const jobTemplate = { spec: { template } };
  const defaultedJobTemplate = { spec: { template: defaultedTemplate } };
  it('empty spec', () => {
    const spec = specOf(defaulted('batch', 'v1', 'CronJob', { spec: { schedule: '* * * * *', jobTemplate } }));
    assert.deepEqual(spec, {
      schedule: '* * * * *', jobTemplate: defaultedJobTemplate, concurrencyPolicy: 'Allow', suspend: false,
      successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1,
    });
  });
  it('set values are kept', () => {
    const spec = { schedule: '@daily', concurrencyPolicy: 'Forbid', suspend: true, successfulJobsHistoryLimit: 5, failedJobsHistoryLimit: 5 };
    assertDefaults('batch', 'v1', 'CronJob', {
      name: 'set', input: { spec: { ...spec, jobTemplate } }, expected: { spec: { ...spec, jobTemplate: defaultedJobTemplate } },
    });
  });
  it('a missing job template is defaulted as the Go struct upstream always has', () => {
    const spec = specOf(defaulted('batch', 'v1', 'CronJob', { spec: { schedule: '@daily' } }));
    assert.deepEqual(spec['jobTemplate'], { spec: { template: { spec: defaultedTemplateSpec() } } });
  });
  it('the job template gets pod template defaults but not the Job defaults', () => {
    assertDefaults('batch', 'v1', 'CronJob', {
      name: 'job template',
      input: { spec: { schedule: '@hourly', jobTemplate: { spec: { template, podFailurePolicy: { rules: [{ action: 'Count', onPodConditions: [{ type: 'DisruptionTarget' }] }] } } } } },
      expected: {
        spec: {
          schedule: '@hourly', concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1,
          jobTemplate: { spec: { template: defaultedTemplate, podFailurePolicy: { rules: [{ action: 'Count', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] } } },
        },
      },
    });
  });
});
