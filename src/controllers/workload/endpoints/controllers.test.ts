import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../../apimachinery/types.js';
import { eventually } from '../../../../test/support/plane.js';
import { startWorkloadEnv, type WorkloadEnv } from '../../../../test/support/workload-env.js';
import { setupKubernetesService, workloadServiceAdmission } from '../services/index.js';
import { setupEndpointsControllers } from './controllers.js';
import { MANAGED_BY, MANAGED_BY_LABEL, SERVICE_NAME_LABEL, type EndpointSubset, type SliceEndpoint } from './desired.js';

const POD = { apiVersion: 'v1', kind: 'Pod' } as const;
const ENDPOINTS = { apiVersion: 'v1', kind: 'Endpoints' } as const;
const SLICE = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' } as const;
const SVC = { apiVersion: 'v1', kind: 'Service' } as const;

function pod(name: string, labels: Record<string, string>, node = 'n1'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels },
    spec: { nodeName: node, containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9090 }] }] },
  };
}

/** As the kubelet does: running with an IP, Ready or not. */
async function setStatus(env: WorkloadEnv, name: string, ip: string, ready: boolean): Promise<void> {
  const p = await env.client.get(POD, { namespace: 'default', name });
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  await env.client.updateStatus({
    ...p,
    status: {
      ...(p.status as object),
      phase: 'Running',
      podIP: ip,
      podIPs: [{ ip }],
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now }],
    },
  });
}

async function endpointsOf(env: WorkloadEnv, name: string): Promise<EndpointSubset[]> {
  const ep = await env.client.get(ENDPOINTS, { namespace: 'default', name });
  return ((ep as { subsets?: EndpointSubset[] }).subsets ?? []);
}

async function slicesOf(env: WorkloadEnv, name: string): Promise<KubeObject[]> {
  return (await env.client.list(SLICE, { namespace: 'default', labelSelector: `${SERVICE_NAME_LABEL}=${name}` })).items;
}

describe('Endpoints and EndpointSlice controllers', () => {
  let env: WorkloadEnv;
  before(async () => {
    env = await startWorkloadEnv([(ctx) => setupEndpointsControllers(ctx, { staleRequeueMs: 5 }), (ctx) => setupKubernetesService(ctx)], { admission: workloadServiceAdmission });
    await env.addNode('n1', { labels: { 'topology.kubernetes.io/zone': 'zone-a' } });
    await env.addNode('cp1', { labels: { 'node-role.kubernetes.io/control-plane': '' } });
  });
  after(async () => env.close());

  it('keeps the kubernetes Service at .1 with its endpoints on the control-plane Nodes', async () => {
    const svc = await eventually(() => env.client.get(SVC, { namespace: 'default', name: 'kubernetes' }).catch(() => undefined));
    assert.equal((svc.spec as { clusterIP: string }).clusterIP, '10.96.0.1');
    assert.deepEqual((svc.spec as { ports: unknown[] }).ports, [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }]);
    const subsets = await eventually(async () => {
      const s = await endpointsOf(env, 'kubernetes').catch(() => []);
      return s.length ? s : undefined;
    });
    assert.deepEqual(subsets, [{ addresses: [{ ip: '10.0.0.11' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }]);
    const slice = await eventually(() => env.client.get(SLICE, { namespace: 'default', name: 'kubernetes' }).catch(() => undefined));
    assert.deepEqual((slice.endpoints as SliceEndpoint[]).map((e) => e.addresses), [['10.0.0.11']]);
    const cidr = await eventually(async () => {
      const c = await env.client.get({ apiVersion: 'networking.k8s.io/v1', kind: 'ServiceCIDR' }, 'kubernetes').catch(() => undefined);
      return (c?.status as { conditions?: unknown[] } | undefined)?.conditions?.length ? c : undefined;
    });
    assert.deepEqual((cidr.spec as { cidrs: string[] }).cidrs, ['10.96.0.0/12']);
    assert.deepEqual((cidr.status as { conditions: { type: string; status: string }[] }).conditions.map((c) => [c.type, c.status]), [['Ready', 'True']]);
    // Deleted: made again.
    await env.client.delete(SVC, { namespace: 'default', name: 'kubernetes' });
    const again = await eventually(() => env.client.get(SVC, { namespace: 'default', name: 'kubernetes' }).catch(() => undefined));
    assert.equal((again.spec as { clusterIP: string }).clusterIP, '10.96.0.1');
  });

  it('follows Pods becoming Ready, with named ports resolved, node and zone', async () => {
    await env.client.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default', labels: { tier: 'front' } }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'metrics', port: 9100, targetPort: 'metrics' }] } });
    await env.client.create(pod('web-1', { app: 'web' }));
    await env.client.create(pod('web-2', { app: 'web' }));
    await env.client.create(pod('other', { app: 'other' }));
    await setStatus(env, 'web-1', '10.244.0.5', false);
    await setStatus(env, 'web-2', '10.244.0.6', true);
    const subsets = await eventually(async () => {
      const s = await endpointsOf(env, 'web').catch(() => []);
      return s[0]?.addresses?.length === 1 && s[0]?.notReadyAddresses?.length === 1 ? s : undefined;
    });
    assert.equal(subsets.length, 1);
    assert.deepEqual(subsets[0]!.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'metrics', port: 9090, protocol: 'TCP' }]);
    assert.equal(subsets[0]!.addresses![0]!.ip, '10.244.0.6');
    assert.equal(subsets[0]!.addresses![0]!.nodeName, 'n1');
    assert.equal(subsets[0]!.addresses![0]!.targetRef.name, 'web-2');
    assert.equal(subsets[0]!.notReadyAddresses![0]!.ip, '10.244.0.5');
    const ep = await env.client.get(ENDPOINTS, { namespace: 'default', name: 'web' });
    assert.equal(ep.metadata?.labels?.tier, 'front');

    const slices = await slicesOf(env, 'web');
    assert.equal(slices.length, 1);
    const slice = slices[0]!;
    assert.equal(slice.metadata?.labels?.[MANAGED_BY_LABEL], MANAGED_BY);
    assert.equal(slice.metadata?.ownerReferences?.[0]?.name, 'web');
    assert.equal(slice.addressType, 'IPv4');
    const eps = slice.endpoints as SliceEndpoint[];
    assert.deepEqual(eps.map((e) => [e.addresses[0], e.conditions, e.zone, e.nodeName]), [
      ['10.244.0.5', { ready: false, serving: false, terminating: false }, 'zone-a', 'n1'],
      ['10.244.0.6', { ready: true, serving: true, terminating: false }, 'zone-a', 'n1'],
    ]);

    // web-1 becomes Ready, as the kubelet reports it.
    await setStatus(env, 'web-1', '10.244.0.5', true);
    await eventually(async () => {
      const s = await endpointsOf(env, 'web');
      return s[0]?.addresses?.length === 2 && !s[0].notReadyAddresses;
    });
    await eventually(async () => {
      const [s] = await slicesOf(env, 'web');
      return (s?.endpoints as SliceEndpoint[]).every((e) => e.conditions.ready);
    });

    // A Pod that loses the label leaves.
    const p2 = await env.client.get(POD, { namespace: 'default', name: 'web-2' });
    await env.client.update({ ...p2, metadata: { ...p2.metadata, labels: { app: 'gone' } } });
    await eventually(async () => (await endpointsOf(env, 'web'))[0]?.addresses?.length === 1);
    await eventually(async () => ((await slicesOf(env, 'web'))[0]?.endpoints as SliceEndpoint[]).length === 1);
  });

  it('publishNotReadyAddresses lists not-ready Pods as ready', async () => {
    await env.client.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'pnr', namespace: 'default' }, spec: { selector: { app: 'pnr' }, publishNotReadyAddresses: true, ports: [{ port: 80, targetPort: 8080 }] } });
    await env.client.create(pod('pnr-1', { app: 'pnr' }));
    await setStatus(env, 'pnr-1', '10.244.0.9', false);
    const s = await eventually(async () => {
      const x = await endpointsOf(env, 'pnr').catch(() => []);
      return x[0]?.addresses?.length ? x : undefined;
    });
    assert.equal(s[0]!.notReadyAddresses, undefined);
    const slice = await eventually(async () => {
      const [x] = await slicesOf(env, 'pnr');
      return (x?.endpoints as SliceEndpoint[] | undefined)?.length ? x : undefined;
    });
    assert.deepEqual((slice.endpoints as SliceEndpoint[])[0]!.conditions, { ready: true, serving: false, terminating: false });
  });

  it('leaves Services without a selector alone', async () => {
    await env.client.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'manual', namespace: 'default' }, spec: { ports: [{ port: 80 }] } });
    await env.client.create({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'manual', namespace: 'default' }, subsets: [{ addresses: [{ ip: '192.168.1.1' }], ports: [{ port: 80 }] }] });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await endpointsOf(env, 'manual'))[0]!.addresses![0]!.ip, '192.168.1.1');
    assert.equal((await slicesOf(env, 'manual')).length, 0);
  });

  it('splits EndpointSlices at 100 endpoints', async () => {
    await env.client.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'big', namespace: 'default' }, spec: { selector: { app: 'big' }, ports: [{ port: 80, targetPort: 8080 }] } });
    for (let i = 0; i < 230; i++) {
      const p = pod(`big-${i}`, { app: 'big' });
      p.status = { phase: 'Running', podIP: `10.244.1.${i}`, podIPs: [{ ip: `10.244.1.${i}` }], conditions: [{ type: 'Ready', status: 'True' }] };
      const created = await env.client.create(p);
      await env.client.updateStatus({ ...created, status: p.status });
    }
    const slices = await eventually(async () => {
      const s = await slicesOf(env, 'big');
      const total = s.reduce((n, x) => n + ((x.endpoints as unknown[]) ?? []).length, 0);
      return total === 230 ? s : undefined;
    }, 20_000);
    assert.deepEqual(slices.map((s) => (s.endpoints as unknown[]).length).sort((a, b) => b - a), [100, 100, 30]);
    const ep = await endpointsOf(env, 'big');
    assert.equal(ep[0]!.addresses!.length, 230);
    // Scale down: the slices follow, surplus ones go.
    for (let i = 100; i < 230; i++) await env.client.delete(POD, { namespace: 'default', name: `big-${i}` }, { gracePeriodSeconds: 0 } as never);
    await eventually(async () => {
      const s = await slicesOf(env, 'big');
      return s.length === 1 && (s[0]!.endpoints as unknown[]).length === 100;
    }, 20_000);
  });
});
