/** Pod templates of every workload kind are found and evaluated; other kinds are not evaluated. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LATEST } from './api.js';
import { evaluateObject, MalformedObjectError } from './manifest.js';
import { groupOf, matchesKind } from './workloads.js';

const LV = { level: 'baseline' as const, version: LATEST };
const podSpec = { hostPID: true, containers: [{ name: 'c', image: 'x' }] };
const template = { metadata: { labels: { a: 'b' } }, spec: podSpec };

describe('workload pod templates', () => {
  const objects: [string, string, Record<string, unknown>][] = [
    ['v1', 'Pod', { spec: podSpec }],
    ['apps/v1', 'Deployment', { spec: { template } }],
    ['apps/v1', 'ReplicaSet', { spec: { template } }],
    ['apps/v1', 'StatefulSet', { spec: { template } }],
    ['apps/v1', 'DaemonSet', { spec: { template } }],
    ['batch/v1', 'Job', { spec: { template } }],
    ['batch/v1', 'CronJob', { spec: { schedule: '@daily', jobTemplate: { spec: { template } } } }],
    ['v1', 'ReplicationController', { spec: { template } }],
    ['v1', 'PodTemplate', { template }],
  ];
  for (const [apiVersion, kind, body] of objects) {
    it(`evaluates ${kind}`, () => {
      const r = evaluateObject({ apiVersion, kind, metadata: { name: 'w', namespace: 'ns' }, ...body }, LV);
      assert.ok(r, kind);
      assert.deepEqual({ ...r, violations: r.violations.map((v) => v.check) }, { kind, namespace: 'ns', name: 'w', allowed: false, violations: ['hostNamespaces'] });
    });
  }

  it('skips other kinds, kinds of other groups and workloads without a template spec', () => {
    assert.equal(evaluateObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }, LV), undefined);
    assert.equal(evaluateObject({ apiVersion: 'example.com/v1', kind: 'Deployment', spec: { template } }, LV), undefined);
    assert.equal(evaluateObject({ apiVersion: 'apps/v1', kind: 'Deployment', spec: {} }, LV), undefined);
  });

  it('reports malformed pod specs with the path inside the object', () => {
    assert.throws(
      () => evaluateObject({ apiVersion: 'batch/v1', kind: 'CronJob', spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', securityContext: { capabilities: { add: 'NET_RAW' } } }] } } } } } }, LV),
      (e: unknown) => e instanceof MalformedObjectError && e.message === 'spec.jobTemplate.spec.template.spec.containers[0].securityContext.capabilities.add: must be a list',
    );
  });

  it('matches kinds by group, or in any group when the matcher has none', () => {
    assert.equal(groupOf('apps/v1'), 'apps');
    assert.equal(groupOf('v1'), '');
    assert.equal(matchesKind([{ group: '', kind: 'Pod' }], 'psa-test.slipway.dev', 'Pod'), false);
    assert.equal(matchesKind([{ kind: 'Pod' }], 'psa-test.slipway.dev', 'Pod'), true);
  });
});
