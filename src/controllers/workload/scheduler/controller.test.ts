import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../apimachinery/types.js';
import { startWorkloadEnv, POD } from '../../../../test/support/workload-env.js';
import { eventually } from '../../../../test/support/plane.js';
import { setupScheduler } from './index.js';

function pod(name: string, cpu: string, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu } } }], ...extra } };
}

test('scheduler binds fitting pods, reports an unfit one and binds it once a bigger node joins', async () => {
  const env = await startWorkloadEnv([(ctx) => setupScheduler(ctx)]);
  try {
    await env.addNode('n1');
    await env.addNode('n2');
    await env.client.create(pod('small', '500m'));
    await env.client.create(pod('big', '3'));
    const small = await eventually(async () => {
      const p = await env.client.get(POD, { namespace: 'default', name: 'small' });
      return (p.spec as { nodeName?: string }).nodeName ? p : undefined;
    }, 5000, 'small bound');
    assert.match((small.spec as { nodeName: string }).nodeName, /^n[12]$/);
    const big = await eventually(async () => {
      const p = await env.client.get(POD, { namespace: 'default', name: 'big' });
      const c = ((p.status as { conditions?: { type: string; status: string; message?: string }[] })?.conditions ?? []).find((x) => x.type === 'PodScheduled');
      return c ? { p, c } : undefined;
    }, 5000, 'big condition');
    assert.equal(big.c.status, 'False');
    assert.equal(big.c.message, '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.');
    const ev = await eventually(async () => {
      const list = await env.client.list({ apiVersion: 'v1', kind: 'Event' }, { namespace: 'default' });
      return list.items.find((e) => (e as { reason?: string }).reason === 'FailedScheduling');
    }, 5000, 'event');
    assert.equal((ev as { message?: string }).message, big.c.message);
    assert.equal((ev as { type?: string }).type, 'Warning');
    assert.equal((ev as { reportingComponent?: string }).reportingComponent, 'default-scheduler');
    await env.addNode('huge', { cpu: '8' });
    const bound = await eventually(async () => {
      const p = await env.client.get(POD, { namespace: 'default', name: 'big' });
      return (p.spec as { nodeName?: string }).nodeName;
    }, 5000, 'big bound');
    assert.equal(bound, 'huge');
  } finally {
    await env.close();
  }
});
