import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../apimachinery/types.js';
import { infraTemplateFacts, nodeGroupOf, parseGoDuration, templateNode, MAX_SIZE_ANNOTATION, MIN_SIZE_ANNOTATION, type NodeGroup } from './node-groups.js';

function md(annotations: Record<string, string>, replicas = 1): KubeObject {
  return { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'MachineDeployment', metadata: { namespace: 'ns', name: 'md', annotations }, spec: { clusterName: 'c', replicas } } as KubeObject;
}

describe('nodeGroupOf', () => {
  const cases: [string, Record<string, string>, { min: number; max: number } | string | undefined][] = [
    ['no annotations: not a group', {}, undefined],
    ['min and max', { [MIN_SIZE_ANNOTATION]: '1', [MAX_SIZE_ANNOTATION]: '3' }, { min: 1, max: 3 }],
    ['zero min (scale from zero)', { [MIN_SIZE_ANNOTATION]: '0', [MAX_SIZE_ANNOTATION]: '5' }, { min: 0, max: 5 }],
    ['max missing', { [MIN_SIZE_ANNOTATION]: '1' }, 'must be a non-negative integer'],
    ['negative', { [MIN_SIZE_ANNOTATION]: '-1', [MAX_SIZE_ANNOTATION]: '3' }, 'must be a non-negative integer'],
    ['max below min', { [MIN_SIZE_ANNOTATION]: '4', [MAX_SIZE_ANNOTATION]: '3' }, 'less than min size'],
  ];
  for (const [name, a, want] of cases) {
    it(name, () => {
      const r = nodeGroupOf(md(a));
      if (want === undefined) assert.equal(r, undefined);
      else if (typeof want === 'string') assert.match((r as { error: string }).error, new RegExp(want));
      else {
        const g = (r as { group: NodeGroup }).group;
        assert.deepEqual([g.id, g.minSize, g.maxSize, g.replicas, g.clusterName], ['MachineDeployment/ns/md', want.min, want.max, 1, 'c']);
      }
    });
  }
  it('per-group options from the autoscaling-options annotations', () => {
    const g = (nodeGroupOf(md({ [MIN_SIZE_ANNOTATION]: '1', [MAX_SIZE_ANNOTATION]: '3', 'cluster.x-k8s.io/autoscaling-options-scaledownunneededtime': '2s', 'cluster.x-k8s.io/autoscaling-options-scaledownutilizationthreshold': '0.3' })) as { group: NodeGroup }).group;
    assert.deepEqual(g.options, { scaleDownUnneededTimeMs: 2000, scaleDownUtilizationThreshold: 0.3 });
  });
});

describe('parseGoDuration', () => {
  for (const [text, ms] of [['10m', 600_000], ['1m30s', 90_000], ['500ms', 500], ['0', 0], ['2h', 7_200_000], ['x', undefined], ['', undefined], ['5', undefined]] as const) {
    it(`${JSON.stringify(text)} → ${ms}`, () => assert.equal(parseGoDuration(text), ms));
  }
});

describe('templateNode', () => {
  const group = (nodeGroupOf(md({ [MIN_SIZE_ANNOTATION]: '0', [MAX_SIZE_ANNOTATION]: '3' })) as { group: NodeGroup }).group;
  it('from the sim template: numCPUs, memoryMiB and os (Windows pools)', () => {
    const infra = infraTemplateFacts({ apiVersion: 'infrastructure.slipway.dev/v1alpha1', kind: 'SimMachineTemplate', metadata: { name: 't' }, spec: { template: { spec: { numCPUs: 4, memoryMiB: 8192, os: 'windows' } } } } as KubeObject);
    const n = templateNode(group, 0, { infra });
    assert.equal(n.status?.allocatable?.cpu, '4');
    assert.equal(n.status?.allocatable?.memory, '8192Mi');
    assert.equal(n.status?.allocatable?.pods, '110');
    assert.equal(n.metadata?.labels?.['kubernetes.io/os'], 'windows');
  });
  it('capacity annotations win over the template; labels and taints annotations', () => {
    const g = (nodeGroupOf(md({ [MIN_SIZE_ANNOTATION]: '0', [MAX_SIZE_ANNOTATION]: '3', 'capacity.cluster-autoscaler.kubernetes.io/cpu': '8', 'capacity.cluster-autoscaler.kubernetes.io/memory': '16G', 'capacity.cluster-autoscaler.kubernetes.io/maxPods': '50', 'capacity.cluster-autoscaler.kubernetes.io/labels': 'pool=a,tier=b', 'capacity.cluster-autoscaler.kubernetes.io/taints': 'dedicated=gpu:NoSchedule' })) as { group: NodeGroup }).group;
    const n = templateNode(g, 0, { infra: { capacity: { cpu: '2', memory: '4Gi' } } });
    assert.deepEqual([n.status?.allocatable?.cpu, n.status?.allocatable?.memory, n.status?.allocatable?.pods], ['8', '16G', '50']);
    assert.equal(n.metadata?.labels?.pool, 'a');
    assert.deepEqual(n.spec?.taints, [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }]);
  });
  it('from a live member: its labels, taints and allocatable under a new name, without node.kubernetes.io taints', () => {
    const n = templateNode(group, 1, { member: { metadata: { name: 'w1', labels: { 'kubernetes.io/hostname': 'w1', pool: 'x' } }, spec: { taints: [{ key: 'dedicated', value: 'apps', effect: 'PreferNoSchedule' }, { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] }, status: { allocatable: { cpu: '2' } } } });
    assert.notEqual(n.metadata?.name, 'w1');
    assert.equal(n.metadata?.labels?.['kubernetes.io/hostname'], n.metadata?.name);
    assert.equal(n.metadata?.labels?.pool, 'x');
    assert.deepEqual(n.spec?.taints, [{ key: 'dedicated', value: 'apps', effect: 'PreferNoSchedule' }]);
  });
});
