/** Which writes start a workload cluster's controllers, from the storage key alone. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseClusterKey, startsControllers } from './host.js';

test('keys of logical clusters parse into cluster, resource and the rest', () => {
  assert.deepEqual(parseClusterKey('/clusters/team-a/dev/registry/apps/deployments/default/web'), { ref: { namespace: 'team-a', name: 'dev' }, resource: 'apps/deployments', rest: ['default', 'web'] });
  assert.deepEqual(parseClusterKey('/clusters/team-a/dev/registry/core/nodes/dev-md-0-x'), { ref: { namespace: 'team-a', name: 'dev' }, resource: 'core/nodes', rest: ['dev-md-0-x'] });
  assert.equal(parseClusterKey('/registry/core/pods/default/x'), undefined);
  assert.equal(parseClusterKey('/clusters/team-a/dev/other/core/pods/default/x'), undefined);
});

test('what kubeadm and the kubelets write is quiet; a user\'s workload starts the controllers', () => {
  const cases: [string, boolean][] = [
    ['/clusters/n/c/registry/core/nodes/node-1', false],
    ['/clusters/n/c/registry/coordination.k8s.io/leases/kube-node-lease/node-1', false],
    ['/clusters/n/c/registry/core/events/default/x.1', false],
    ['/clusters/n/c/registry/core/pods/kube-system/kube-apiserver-node-1', false],
    ['/clusters/n/c/registry/core/configmaps/kube-system/kubeadm-config', false],
    ['/clusters/n/c/registry/core/configmaps/kube-public/cluster-info', false],
    ['/clusters/n/c/registry/core/secrets/kube-system/bootstrap-token-abcdef', false],
    ['/clusters/n/c/registry/core/namespaces/kube-system', false],
    ['/clusters/n/c/registry/core/namespaces/default', false],
    ['/clusters/n/c/registry/core/namespaces/team-x', true],
    ['/clusters/n/c/registry/apps/deployments/default/web', true],
    ['/clusters/n/c/registry/core/pods/default/nginx', true],
    ['/clusters/n/c/registry/apps/daemonsets/kube-system/cni', true],
    ['/clusters/n/c/registry/storage.k8s.io/storageclasses/standard', true],
  ];
  for (const [key, want] of cases) assert.equal(startsControllers(parseClusterKey(key)!), want, key);
});
