import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../../apimachinery/types.js';
import { eventually } from '../../../../test/support/plane.js';
import { startWorkloadEnv, type WorkloadEnv } from '../../../../test/support/workload-env.js';
import { IMPLEMENTATION_LABEL, LOAD_BALANCER_CLEANUP_FINALIZER, LOADBALANCER_IPS_ANNOTATION, loadBalancerSetup, type LoadBalancerOptions } from './controller.js';

const SERVICE = { apiVersion: 'v1', kind: 'Service' } as const;
const CONFIG_MAP = { apiVersion: 'v1', kind: 'ConfigMap' } as const;
const EVENT = { apiVersion: 'v1', kind: 'Event' } as const;

interface Ingress {
  ip: string;
  ports?: { port: number; protocol: string }[];
}

function service(name: string, o: { namespace?: string; ports?: { port: number; protocol?: string }[]; spec?: Record<string, unknown>; annotations?: Record<string, string> } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: o.namespace ?? 'default', ...(o.annotations ? { annotations: o.annotations } : {}) },
    spec: { type: 'LoadBalancer', selector: { app: name }, ports: (o.ports ?? [{ port: 80 }]).map((p) => ({ protocol: 'TCP', targetPort: p.port, ...p })), ...(o.spec ?? {}) },
  };
}

async function start(opts: LoadBalancerOptions = {}): Promise<WorkloadEnv> {
  return startWorkloadEnv([loadBalancerSetup({ workers: 4, ...opts })]);
}

async function setPool(env: WorkloadEnv, data: Record<string, string>): Promise<void> {
  try {
    const cm = await env.client.get(CONFIG_MAP, { namespace: 'kube-system', name: 'kubevip' });
    await env.client.update({ ...cm, data });
  } catch {
    await env.client.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kubevip', namespace: 'kube-system' }, data });
  }
}

async function get(env: WorkloadEnv, name: string, namespace = 'default'): Promise<KubeObject> {
  return env.client.get(SERVICE, { namespace, name });
}

function addresses(svc: KubeObject): string | undefined {
  return svc.metadata?.annotations?.[LOADBALANCER_IPS_ANNOTATION];
}

function ingress(svc: KubeObject): Ingress[] | undefined {
  return ((svc.status ?? {}) as { loadBalancer?: { ingress?: Ingress[] } }).loadBalancer?.ingress;
}

/** Wait until the Service's status shows addresses, and return the annotation. */
async function addressOf(env: WorkloadEnv, name: string, namespace = 'default'): Promise<string> {
  return eventually(async () => {
    const svc = await get(env, name, namespace);
    const ann = addresses(svc);
    const ips = ingress(svc)?.map((i) => i.ip).join(',');
    return ann && ips === ann ? ann : undefined;
  }, 10_000, `address of ${namespace}/${name}`);
}

async function events(env: WorkloadEnv, name: string, namespace = 'default'): Promise<{ type: string; reason: string; message: string }[]> {
  const list = await env.client.list(EVENT, { namespace });
  return list.items
    .filter((e) => (e as { involvedObject?: { name?: string } }).involvedObject?.name === name)
    .map((e) => {
      const ev = e as unknown as { type: string; reason: string; message: string };
      return { type: ev.type, reason: ev.reason, message: ev.message };
    });
}

async function warning(env: WorkloadEnv, name: string, text: string, namespace = 'default'): Promise<void> {
  await eventually(async () => (await events(env, name, namespace)).some((e) => e.type === 'Warning' && e.reason === 'SyncLoadBalancerFailed' && e.message === text), 10_000, `warning "${text}" on ${name}`);
}

describe('load-balancer controller (kube-vip cloud provider and daemon)', () => {
  let env: WorkloadEnv;
  before(async () => {
    env = await start();
    await env.client.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
  });
  after(() => env.close());

  it('allocates from the namespace pool, else the global one, and writes what kube-vip writes', async () => {
    await setPool(env, { 'range-team': '10.1.0.5-10.1.0.9', 'range-global': '10.2.0.0-10.2.0.9' });
    await env.client.create(service('web', { namespace: 'team', ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }] }));
    await env.client.create(service('api'));
    assert.equal(await addressOf(env, 'web', 'team'), '10.1.0.5');
    assert.equal(await addressOf(env, 'api'), '10.2.0.1');
    const web = await get(env, 'web', 'team');
    assert.equal(web.metadata?.labels?.[IMPLEMENTATION_LABEL], 'kube-vip');
    assert.equal((web.spec as { loadBalancerIP?: string }).loadBalancerIP, '10.1.0.5');
    assert.ok(web.metadata?.finalizers?.includes(LOAD_BALANCER_CLEANUP_FINALIZER));
    assert.deepEqual(ingress(web), [{ ip: '10.1.0.5', ports: [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] }]);
    await eventually(async () => {
      const reasons = (await events(env, 'web', 'team')).map((e) => e.reason);
      return reasons.includes('EnsuringLoadBalancer') && reasons.includes('EnsuredLoadBalancer');
    });
    await env.client.delete(SERVICE, { namespace: 'team', name: 'web' });
    await env.client.delete(SERVICE, { namespace: 'default', name: 'api' });
    await eventually(async () => (await env.client.list(SERVICE, { namespace: 'team' })).items.length === 0, 10_000, 'web deleted');
  });

  it('a Service with no pool waits with an Event, and gets an address once the pool appears', async () => {
    await env.client.delete(CONFIG_MAP, { namespace: 'kube-system', name: 'kubevip' });
    await eventually(async () => (await env.client.list(CONFIG_MAP, { namespace: 'kube-system' })).items.every((c) => c.metadata?.name !== 'kubevip'));
    // The informer may still show the old ConfigMap for a moment; wait for the failure before asserting anything.
    await env.client.create(service('nopool'));
    await warning(env, 'nopool', 'Error syncing load balancer: failed to ensure load balancer: no address pools could be found');
    const svc = await get(env, 'nopool');
    assert.equal(addresses(svc), undefined);
    assert.equal(ingress(svc), undefined);
    await setPool(env, { 'range-global': '10.3.0.1-10.3.0.1' });
    assert.equal(await addressOf(env, 'nopool'), '10.3.0.1');
  });

  it('exhaustion leaves a Service pending until another Service is deleted', async () => {
    await env.client.create(service('second'));
    await warning(env, 'second', 'Error syncing load balancer: failed to ensure load balancer: no addresses available in [default] range [10.3.0.1-10.3.0.1]');
    assert.equal(addresses(await get(env, 'second')), undefined);
    await env.client.delete(SERVICE, { namespace: 'default', name: 'nopool' });
    assert.equal(await addressOf(env, 'second'), '10.3.0.1');
  });

  it('changing the type away from LoadBalancer releases the address', async () => {
    await env.client.create(service('third'));
    await warning(env, 'third', 'Error syncing load balancer: failed to ensure load balancer: no addresses available in [default] range [10.3.0.1-10.3.0.1]');
    const second = await get(env, 'second');
    await env.client.update({ ...second, spec: { ...(second.spec as object), type: 'ClusterIP' } });
    const released = await eventually(async () => {
      const s = await get(env, 'second');
      return !s.metadata?.finalizers?.length && !addresses(s) && !s.metadata?.labels?.[IMPLEMENTATION_LABEL] && !(s.spec as { loadBalancerIP?: string }).loadBalancerIP && !ingress(s) ? s : undefined;
    }, 10_000, 'second released');
    assert.equal((released.spec as { type: string }).type, 'ClusterIP');
    assert.equal(await addressOf(env, 'third'), '10.3.0.1');
    await eventually(async () => (await events(env, 'second')).some((e) => e.reason === 'DeletedLoadBalancer'));
    await env.client.delete(SERVICE, { namespace: 'default', name: 'second' });
    await env.client.delete(SERVICE, { namespace: 'default', name: 'third' });
  });

  it('shares IPv4 addresses when allowed and ports do not collide', async () => {
    await setPool(env, { 'range-global': '10.4.0.1-10.4.0.3', 'allow-share-global': 'true' });
    await env.client.create(service('dns', { ports: [{ port: 53, protocol: 'UDP' }] }));
    assert.equal(await addressOf(env, 'dns'), '10.4.0.1');
    await env.client.create(service('http', { ports: [{ port: 80 }] }));
    assert.equal(await addressOf(env, 'http'), '10.4.0.1');
    // Protocol is ignored: TCP 53 collides with UDP 53.
    await env.client.create(service('dns-tcp', { ports: [{ port: 53 }] }));
    assert.equal(await addressOf(env, 'dns-tcp'), '10.4.0.2');
    await env.client.create(service('http2', { ports: [{ port: 80 }] }));
    assert.equal(await addressOf(env, 'http2'), '10.4.0.2');
    for (const n of ['dns', 'http', 'dns-tcp', 'http2']) await env.client.delete(SERVICE, { namespace: 'default', name: n });
  });

  it('does not share when sharing is not allowed', async () => {
    await setPool(env, { 'range-global': '10.5.0.1-10.5.0.3' });
    await env.client.create(service('one', { ports: [{ port: 80 }] }));
    assert.equal(await addressOf(env, 'one'), '10.5.0.1');
    await env.client.create(service('two', { ports: [{ port: 81 }] }));
    assert.equal(await addressOf(env, 'two'), '10.5.0.2');
    await env.client.delete(SERVICE, { namespace: 'default', name: 'two' });
  });

  it('honours an address the user asks for, and refuses one another Service holds', async () => {
    await env.client.create(service('pinned', { spec: { loadBalancerIP: '10.9.9.9' } }));
    assert.equal(await addressOf(env, 'pinned'), '10.9.9.9');
    assert.equal((await get(env, 'pinned')).metadata?.labels?.[IMPLEMENTATION_LABEL], 'kube-vip');
    await env.client.create(service('annotated', { annotations: { [LOADBALANCER_IPS_ANNOTATION]: '10.8.8.8,fd00::8' }, spec: { ipFamilyPolicy: 'PreferDualStack' } }));
    assert.equal(await addressOf(env, 'annotated'), '10.8.8.8,fd00::8');
    // 10.5.0.1 is held by "one" (sharing is off).
    await env.client.create(service('thief', { spec: { loadBalancerIP: '10.5.0.1' } }));
    await warning(env, 'thief', 'Error syncing load balancer: failed to ensure load balancer: address 10.5.0.1 is already in use by Service default/one');
    const thief = await get(env, 'thief');
    assert.equal(thief.metadata?.labels?.[IMPLEMENTATION_LABEL], undefined);
    assert.equal(ingress(thief), undefined);
    // The pool skips addresses users hold.
    await env.client.create(service('next'));
    assert.equal(await addressOf(env, 'next'), '10.5.0.2');
    // Once the holder goes, the request is granted.
    await env.client.delete(SERVICE, { namespace: 'default', name: 'one' });
    assert.equal(await addressOf(env, 'thief'), '10.5.0.1');
    for (const n of ['pinned', 'annotated', 'thief', 'next']) await env.client.delete(SERVICE, { namespace: 'default', name: n });
  });

  it('dual stack in the family order the Service asks for, and IPv6 alone', async () => {
    await setPool(env, { 'cidr-global': '10.120.120.1/24,fe80::10/126' });
    await env.client.create(service('dual', { spec: { ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv6', 'IPv4'] } }));
    assert.equal(await addressOf(env, 'dual'), 'fe80::10,10.120.120.1');
    const dual = await get(env, 'dual');
    assert.equal((dual.spec as { loadBalancerIP?: string }).loadBalancerIP, 'fe80::10');
    assert.deepEqual(ingress(dual), [
      { ip: 'fe80::10', ports: [{ port: 80, protocol: 'TCP' }] },
      { ip: '10.120.120.1', ports: [{ port: 80, protocol: 'TCP' }] },
    ]);
    await env.client.create(service('six', { spec: { ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv6'] } }));
    assert.equal(await addressOf(env, 'six'), 'fe80::11');
    await setPool(env, { 'cidr-global': '10.120.120.1/24' });
    await env.client.create(service('need-both', { spec: { ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv4', 'IPv6'] } }));
    await warning(env, 'need-both', 'Error syncing load balancer: failed to ensure load balancer: service requires dual-stack, but the configuration does not have both IPv4 and IPv6 pools listed for the namespace');
    for (const n of ['dual', 'six', 'need-both']) await env.client.delete(SERVICE, { namespace: 'default', name: n });
  });

  it('ignores Services with a loadBalancerClass', async () => {
    await env.client.create(service('classy', { spec: { loadBalancerClass: 'example.com/other' } }));
    await env.client.create(service('plain'));
    await addressOf(env, 'plain');
    const classy = await get(env, 'classy');
    assert.equal(addresses(classy), undefined);
    assert.equal(classy.metadata?.finalizers, undefined);
    assert.deepEqual(await events(env, 'classy'), []);
  });
});

describe('load-balancer controller under concurrency', () => {
  it('50 Services created at once get 50 distinct addresses', async () => {
    const env = await start({ workers: 8 });
    try {
      await setPool(env, { 'cidr-global': '10.7.0.0/26' });
      const names = Array.from({ length: 50 }, (_, i) => `svc-${i}`);
      await Promise.all(names.map((n) => env.client.create(service(n))));
      const got = await Promise.all(names.map((n) => addressOf(env, n)));
      assert.equal(new Set(got).size, 50);
      // .0 is never handed out; the lowest 50 others are.
      assert.deepEqual([...got].sort((a, b) => Number(a.split('.')[3]) - Number(b.split('.')[3])), Array.from({ length: 50 }, (_, i) => `10.7.0.${i + 1}`));
    } finally {
      await env.close();
    }
  });
});

describe('load-balancer controller when the cluster has no kube-vip provider', () => {
  it('leaves Services pending, with no events', async () => {
    let asked = 0;
    const env = await start({
      enabled: async () => {
        asked++;
        return false;
      },
    });
    try {
      await setPool(env, { 'cidr-global': '10.7.0.0/26' });
      await env.client.create(service('lonely'));
      await eventually(() => asked > 0, 10_000, 'enabled asked');
      const svc = await get(env, 'lonely');
      assert.equal(addresses(svc), undefined);
      assert.equal(svc.metadata?.finalizers, undefined);
      assert.equal(ingress(svc), undefined);
      assert.deepEqual(await events(env, 'lonely'), []);
    } finally {
      await env.close();
    }
  });
});
