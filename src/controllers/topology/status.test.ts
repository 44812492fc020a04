/** TopologyReconciled for MachineDeployments and MachinePools: upstream's reasons, messages naming the objects. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { VersionPlan } from '../../topology/versions.js';
import { TOPOLOGY_REASONS, topologyCondition } from './status.js';

const cp = { apiVersion: 'controlplane.cluster.x-k8s.io/v1beta1', kind: 'KubeadmControlPlane', metadata: { name: 'dev-cp' }, spec: { version: 'v1.32.0' }, status: { version: 'v1.32.0' } };

function plan(workers: VersionPlan['workers']): VersionPlan {
  return { controlPlane: 'v1.32.0', controlPlaneUpgradePlan: [], workersUpgradePlan: ['v1.32.0'], workers };
}

test('MachinePools get the MachinePools* reasons and are named by object name; MachineDeployments keep theirs and come first', () => {
  const names = { machineDeploymentNames: { 'md-0': 'dev-md-0-abcde' }, machinePoolNames: { 'mp-0': 'dev-mp-0-fghij', 'mp-1': 'dev-mp-1-klmno' } };
  const cases: [VersionPlan['workers'], Set<string>, string | undefined, RegExp | undefined][] = [
    [{ 'md-0': { version: 'v1.32.0' }, 'pool/mp-0': { version: 'v1.32.0' } }, new Set(), undefined, undefined],
    [{ 'pool/mp-0': { version: 'v1.32.0', upgrading: true } }, new Set(), TOPOLOGY_REASONS.machinePoolsUpgradePending, /MachinePool dev-mp-0-fghij upgrading to version v1\.32\.0/],
    [{ 'pool/mp-0': { version: 'v1.31.2', pendingUpgrade: true }, 'pool/mp-1': { version: 'v1.31.2', pendingUpgrade: true } }, new Set(), TOPOLOGY_REASONS.machinePoolsUpgradePending, /MachinePools dev-mp-0-fghij, dev-mp-1-klmno pending upgrade to version v1\.32\.0/],
    [{ 'pool/mp-0': { version: 'v1.31.2', pendingUpgrade: true } }, new Set(['pool/mp-0']), TOPOLOGY_REASONS.machinePoolsUpgradeDeferred, /MachinePool dev-mp-0-fghij upgrade to version v1\.32\.0 deferred/],
    [{ 'pool/mp-1': { version: 'v1.32.0', pendingCreate: true } }, new Set(), TOPOLOGY_REASONS.machinePoolsCreatePending, /MachinePool mp-1 creation deferred/],
    [{ 'md-0': { version: 'v1.31.2', pendingUpgrade: true }, 'pool/mp-0': { version: 'v1.31.2', pendingUpgrade: true } }, new Set(), TOPOLOGY_REASONS.machineDeploymentsUpgradePending, /MachineDeployment dev-md-0-abcde pending[\s\S]*MachinePool dev-mp-0-fghij pending/],
    // A deferred MachineDeployment and a deferred pool of the same topology name are told apart.
    [{ 'md-0': { version: 'v1.31.2', pendingUpgrade: true } }, new Set(['pool/md-0']), TOPOLOGY_REASONS.machineDeploymentsUpgradePending, /MachineDeployment dev-md-0-abcde pending/],
  ];
  for (const [workers, deferred, reason, message] of cases) {
    const c = topologyCondition({ version: 'v1.32.0', controlPlane: cp, versions: plan(workers), deferred, ...names });
    assert.equal(c.reason, reason, JSON.stringify(workers));
    assert.equal(c.status, reason ? 'False' : 'True');
    if (message) assert.match(c.message!, message);
  }
});
