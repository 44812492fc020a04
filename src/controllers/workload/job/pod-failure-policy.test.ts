import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchPodFailurePolicy, type FailedPod, type PodFailurePolicy } from './pod-failure-policy.js';

const pod = (exit: Record<string, number>, conditions: { type: string; status: string }[] = [], init: Record<string, number> = {}): FailedPod => ({
  metadata: { namespace: 'default', name: 'mypod' },
  status: {
    conditions,
    containerStatuses: Object.entries(exit).map(([name, exitCode]) => ({ name, state: { terminated: { exitCode } } })),
    initContainerStatuses: Object.entries(init).map(([name, exitCode]) => ({ name, state: { terminated: { exitCode } } })),
  },
});

test('pod failure policy (upstream TestMatchPodFailurePolicy-style cases)', () => {
  const failJob: PodFailurePolicy = { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [2, 3] } }] };
  const cases: [string, PodFailurePolicy | undefined, FailedPod, { count: boolean; failJobMessage?: string; action?: string }][] = [
    ['no policy', undefined, pod({ main: 1 }), { count: true }],
    ['FailJob on exit code', failJob, pod({ main: 2 }), { count: true, action: 'FailJob', failJobMessage: 'Container main for pod default/mypod failed with exit code 2 matching FailJob rule at index 0' }],
    ['no match', failJob, pod({ main: 1 }), { count: true }],
    ['exit 0 never matches NotIn', { rules: [{ action: 'FailJob', onExitCodes: { operator: 'NotIn', values: [1] } }] }, pod({ main: 0, side: 1 }), { count: true }],
    ['NotIn matches other codes', { rules: [{ action: 'FailJob', onExitCodes: { operator: 'NotIn', values: [1] } }] }, pod({ main: 5 }), { count: true, action: 'FailJob', failJobMessage: 'Container main for pod default/mypod failed with exit code 5 matching FailJob rule at index 0' }],
    ['container name restricts', { rules: [{ action: 'FailJob', onExitCodes: { containerName: 'side', operator: 'In', values: [2] } }] }, pod({ main: 2 }), { count: true }],
    ['init container', failJob, pod({}, [], { setup: 3 }), { count: true, action: 'FailJob', failJobMessage: 'Container setup for pod default/mypod failed with exit code 3 matching FailJob rule at index 0' }],
    ['Ignore on condition', { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] }, pod({ main: 137 }, [{ type: 'DisruptionTarget', status: 'True' }]), { count: false, action: 'Ignore' }],
    ['condition status must match', { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'False' }] }] }, pod({ main: 137 }, [{ type: 'DisruptionTarget', status: 'True' }]), { count: true }],
    ['first matching rule wins', { rules: [{ action: 'Count', onExitCodes: { operator: 'In', values: [2] } }, { action: 'FailJob', onExitCodes: { operator: 'In', values: [2] } }] }, pod({ main: 2 }), { count: true, action: 'Count' }],
    ['FailJob on condition', { rules: [{ action: 'Ignore', onExitCodes: { operator: 'In', values: [9] } }, { action: 'FailJob', onPodConditions: [{ type: 'ConfigIssue', status: 'True' }] }] }, pod({ main: 1 }, [{ type: 'ConfigIssue', status: 'True' }]), { count: true, action: 'FailJob', failJobMessage: 'Pod default/mypod has condition ConfigIssue matching FailJob rule at index 1' }],
  ];
  for (const [name, policy, p, want] of cases) assert.deepEqual(matchPodFailurePolicy(policy, p), want, name);
});
