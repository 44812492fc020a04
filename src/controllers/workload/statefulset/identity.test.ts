import { test } from 'node:test';
import assert from 'node:assert/strict';
import { claimName, claimOwners, ordinalOf, podFromTemplate, podName } from './identity.js';

test('names and ordinals', () => {
  assert.equal(podName('web', 3), 'web-3');
  assert.equal(claimName('www', 'web', 0), 'www-web-0');
  const cases: [string, number | undefined][] = [['web-0', 0], ['web-12', 12], ['web-01', undefined], ['web-', undefined], ['web-x', undefined], ['webx-1', undefined], ['web-1-2', undefined]];
  for (const [name, want] of cases) assert.equal(ordinalOf('web', name), want, name);
});

test('pod from template: identity labels, hostname, subdomain, claim volumes replacing template volumes', () => {
  const pod = podFromTemplate(
    { name: 'web', namespace: 'ns', serviceName: 'nginx' },
    { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'c' }], volumes: [{ name: 'www', emptyDir: {} }, { name: 'cfg', configMap: { name: 'x' } }] } },
    [{ metadata: { name: 'www' } }, { metadata: { name: 'data' } }],
    2,
  );
  assert.equal(pod.metadata?.name, 'web-2');
  assert.deepEqual(pod.metadata?.labels, { app: 'nginx', 'statefulset.kubernetes.io/pod-name': 'web-2', 'apps.kubernetes.io/pod-index': '2' });
  assert.equal(pod.spec?.hostname, 'web-2');
  assert.equal(pod.spec?.subdomain, 'nginx');
  assert.deepEqual(pod.spec?.volumes, [
    { name: 'www', persistentVolumeClaim: { claimName: 'www-web-2' } },
    { name: 'cfg', configMap: { name: 'x' } },
    { name: 'data', persistentVolumeClaim: { claimName: 'data-web-2' } },
  ]);
});

test('claim owners per retention policy', () => {
  const set = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 's' };
  const pod = { apiVersion: 'v1', kind: 'Pod', name: 'web-1', uid: 'p' };
  assert.deepEqual(claimOwners(undefined, set, pod, true), []);
  assert.deepEqual(claimOwners({ whenDeleted: 'Retain', whenScaled: 'Retain' }, set, pod, true), []);
  assert.deepEqual(claimOwners({ whenDeleted: 'Delete', whenScaled: 'Retain' }, set, pod, true), [set]);
  assert.deepEqual(claimOwners({ whenDeleted: 'Retain', whenScaled: 'Delete' }, set, pod, false), []);
  assert.deepEqual(claimOwners({ whenDeleted: 'Retain', whenScaled: 'Delete' }, set, pod, true), [pod]);
  assert.deepEqual(claimOwners({ whenDeleted: 'Delete', whenScaled: 'Delete' }, set, pod, true), [set, pod]);
});
