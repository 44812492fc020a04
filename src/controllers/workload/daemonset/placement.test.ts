import { test } from 'node:test';
import assert from 'node:assert/strict';
import { daemonPodTolerations, pinnedAffinity, placement, targetNodeOf, withDaemonTolerations } from './placement.js';

const node = (labels: Record<string, string> = {}, taints: { key: string; value?: string; effect: string }[] = [], name = 'n1') => ({ metadata: { name, labels }, spec: { taints } });

test('placement: upstream NodeShouldRunDaemonPod cases', () => {
  const cases: { name: string; spec: Parameters<typeof placement>[0]; node: ReturnType<typeof node>; want: [boolean, boolean] }[] = [
    { name: 'plain node', spec: {}, node: node(), want: [true, true] },
    { name: 'nodeSelector matches', spec: { nodeSelector: { disk: 'ssd' } }, node: node({ disk: 'ssd' }), want: [true, true] },
    { name: 'nodeSelector mismatch', spec: { nodeSelector: { disk: 'ssd' } }, node: node({ disk: 'hdd' }), want: [false, false] },
    { name: 'nodeName other node', spec: { nodeName: 'n2' }, node: node(), want: [false, false] },
    { name: 'nodeName this node', spec: { nodeName: 'n1' }, node: node(), want: [true, true] },
    {
      name: 'required affinity mismatch',
      spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } } } },
      node: node({ zone: 'b' }),
      want: [false, false],
    },
    { name: 'untolerated NoSchedule: no new pod, existing stays', spec: {}, node: node({}, [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }]), want: [false, true] },
    { name: 'untolerated NoExecute: pod goes', spec: {}, node: node({}, [{ key: 'dedicated', value: 'x', effect: 'NoExecute' }]), want: [false, false] },
    { name: 'PreferNoSchedule ignored', spec: {}, node: node({}, [{ key: 'dedicated', effect: 'PreferNoSchedule' }]), want: [true, true] },
    { name: 'tolerated taint', spec: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'x', effect: 'NoSchedule' }] }, node: node({}, [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }]), want: [true, true] },
    { name: 'unschedulable taint tolerated automatically', spec: {}, node: node({}, [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]), want: [true, true] },
    { name: 'not-ready NoExecute tolerated automatically', spec: {}, node: node({}, [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }]), want: [true, true] },
    { name: 'network-unavailable only for hostNetwork', spec: {}, node: node({}, [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }]), want: [false, true] },
    { name: 'network-unavailable tolerated with hostNetwork', spec: { hostNetwork: true }, node: node({}, [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }]), want: [true, true] },
    { name: 'control-plane taint', spec: {}, node: node({}, [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }]), want: [false, true] },
  ];
  for (const c of cases) {
    const p = placement(c.spec, c.node);
    assert.deepEqual([p.shouldRun, p.shouldContinueRunning], c.want, c.name);
  }
});

test('daemon tolerations: six always, network-unavailable with hostNetwork; equal ones replaced not duplicated', () => {
  assert.equal(daemonPodTolerations(false).length, 6);
  assert.equal(daemonPodTolerations(true).length, 7);
  const t = withDaemonTolerations([{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }, { key: 'a', operator: 'Exists' }], false);
  assert.equal(t.length, 7);
  assert.equal(t.find((x) => x.key === 'node.kubernetes.io/not-ready')?.tolerationSeconds, undefined);
});

test('pinned affinity replaces required terms and is read back', () => {
  const a = pinnedAffinity({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'x', operator: 'Exists' }] }] } } }, 'node-3');
  assert.deepEqual(a.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms, [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-3'] }] }]);
  assert.equal(targetNodeOf({ affinity: a }), 'node-3');
  assert.equal(targetNodeOf({ nodeName: 'n9', affinity: a }), 'n9');
  assert.equal(targetNodeOf({}), undefined);
});
