import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { statusDocument, type StatusInput } from './status.js';

const input = (now: string, over: Partial<StatusInput> = {}): StatusInput => ({
  now,
  registered: { total: 2, ready: 2, notStarted: 0 },
  scaleUpInProgress: false,
  scaleDownCandidates: 0,
  groups: [{ id: 'MachineDeployment/default/md', minSize: 1, maxSize: 3, target: 1, registered: { total: 1, ready: 1, notStarted: 0 }, scaleUpInProgress: false, scaleDownCandidates: 0 }],
  ...over,
});

interface Doc {
  time: string;
  autoscalerStatus: string;
  clusterWide: Record<string, { status: string; lastProbeTime: string; lastTransitionTime: string; candidates?: number; nodeCounts?: { registered: { total: number; ready: number } } }>;
  nodeGroups: { name: string; health: { status: string; cloudProviderTarget: number; minSize: number; maxSize: number }; scaleUp: { status: string; lastTransitionTime: string } }[];
}

describe('statusDocument', () => {
  it('upstream shape: cluster-wide health / scaleUp / scaleDown and the same per node group', () => {
    const d = YAML.parse(statusDocument(input('2026-01-01T00:00:00Z'))) as Doc;
    assert.equal(d.autoscalerStatus, 'Running');
    assert.equal(d.clusterWide.health!.status, 'Healthy');
    assert.deepEqual(d.clusterWide.health!.nodeCounts!.registered, { total: 2, ready: 2, notStarted: 0 });
    assert.equal(d.clusterWide.scaleUp!.status, 'NoActivity');
    assert.equal(d.clusterWide.scaleDown!.status, 'NoCandidates');
    assert.deepEqual(d.nodeGroups[0]!.health, { ...d.nodeGroups[0]!.health, status: 'Healthy', cloudProviderTarget: 1, minSize: 1, maxSize: 3 });
  });
  it('transition times carry over while a status stays, and move when it changes', () => {
    const first = statusDocument(input('2026-01-01T00:00:00Z'));
    const same = YAML.parse(statusDocument(input('2026-01-01T00:01:00Z'), first)) as Doc;
    assert.equal(same.clusterWide.scaleUp!.lastTransitionTime, '2026-01-01T00:00:00Z');
    assert.equal(same.clusterWide.scaleUp!.lastProbeTime, '2026-01-01T00:01:00Z');
    const changed = YAML.parse(statusDocument(input('2026-01-01T00:02:00Z', { scaleUpInProgress: true, scaleDownCandidates: 2 }), first)) as Doc;
    assert.equal(changed.clusterWide.scaleUp!.status, 'InProgress');
    assert.equal(changed.clusterWide.scaleUp!.lastTransitionTime, '2026-01-01T00:02:00Z');
    assert.deepEqual([changed.clusterWide.scaleDown!.status, changed.clusterWide.scaleDown!.candidates], ['CandidatesPresent', 2]);
  });
  it('a broken previous document is ignored', () => {
    assert.doesNotThrow(() => statusDocument(input('2026-01-01T00:00:00Z'), ': : :\n\t- ['));
  });
});
