import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../../apimachinery/types.js';
import { StatusError } from '../../../apimachinery/errors.js';
import { LogicalClusterHost } from '../../../apiserver/logical-clusters.js';
import { ObjectStore } from '../../../apiserver/object-store.js';
import { ResourceRegistry } from '../../../apiserver/registry.js';
import { workloadClusterResources, workloadClusterStrategies } from '../../../api/kubernetes/index.js';
import { MemoryStore } from '../../../storage/memory/memory-store.js';
import pino from 'pino';
import { inProcessClient } from '../../../client/index.js';
import { startWorkloadEnv, type WorkloadEnv } from '../../../../test/support/workload-env.js';
import { workloadServiceAdmission, workloadServiceAdmissionWith, SERVICE_ALLOCATION_PLUGIN, type AllocationPlugin } from './admission.js';
import { parseCidr, parseIP, cidrContains } from './cidr.js';

const SVC = { apiVersion: 'v1', kind: 'Service' } as const;
const IPADDR = { apiVersion: 'networking.k8s.io/v1', kind: 'IPAddress' } as const;

interface Spec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
  ports?: { port: number; nodePort?: number; protocol?: string; name?: string }[];
  healthCheckNodePort?: number;
  externalTrafficPolicy?: string;
  selector?: Record<string, string>;
}

function service(name: string, spec: Partial<Spec> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec } };
}

function specOf(o: KubeObject): Spec {
  return o.spec as Spec;
}

async function refusal(p: Promise<unknown>): Promise<StatusError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
  assert.fail('expected a refusal');
}

async function settle(env: WorkloadEnv): Promise<void> {
  const plugin = env.objects.admission.find((p) => p.name === SERVICE_ALLOCATION_PLUGIN) as unknown as { settled(): Promise<void> };
  await plugin.settled();
}

const RANGE = parseCidr('10.96.0.0/12')!;

describe('Service allocation (default 10.96.0.0/12, ports 30000-32767)', () => {
  let env: WorkloadEnv;
  before(async () => {
    env = await startWorkloadEnv([], { admission: workloadServiceAdmission });
  });
  after(async () => env.close());

  it('gives a ClusterIP from the range, with IPv4 SingleStack, and an IPAddress naming the Service', async () => {
    const s = specOf(await env.client.create(service('a')));
    assert.ok(s.clusterIP && cidrContains(RANGE, parseIP(s.clusterIP)!), s.clusterIP);
    assert.deepEqual(s.clusterIPs, [s.clusterIP]);
    assert.deepEqual(s.ipFamilies, ['IPv4']);
    assert.equal(s.ipFamilyPolicy, 'SingleStack');
    assert.notEqual(s.clusterIP, '10.96.0.1');
    const ip = await env.client.get(IPADDR, s.clusterIP);
    assert.deepEqual((ip.spec as { parentRef: unknown }).parentRef, { group: '', resource: 'services', namespace: 'default', name: 'a' });
    assert.equal(ip.metadata?.labels?.['ipaddress.kubernetes.io/managed-by'], 'ipallocator.k8s.io');
  });

  it('honours a requested clusterIP and refuses it when taken, with upstream message', async () => {
    const s = specOf(await env.client.create(service('req', { clusterIP: '10.96.0.10' })));
    assert.equal(s.clusterIP, '10.96.0.10');
    assert.deepEqual(s.clusterIPs, ['10.96.0.10']);
    const e = await refusal(env.client.create(service('req2', { clusterIP: '10.96.0.10' })));
    assert.equal(e.code, 422);
    assert.equal(e.message, 'Service "req2" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated');
    // Nothing stored for the refused one.
    await assert.rejects(env.client.get(SVC, { namespace: 'default', name: 'req2' }));
  });

  it('refuses an IP outside the range', async () => {
    const e = await refusal(env.client.create(service('out', { clusterIP: '192.168.0.5' })));
    assert.equal(e.message, 'Service "out" is invalid: spec.clusterIPs: Invalid value: []string{"192.168.0.5"}: failed to allocate IP 192.168.0.5: provided IP is not in the valid range. The range of valid IPs is 10.96.0.0/12');
  });

  it('refuses the network address as outside the valid range', async () => {
    const e = await refusal(env.client.create(service('net', { clusterIP: '10.96.0.0' })));
    assert.match(e.message, /provided IP is not in the valid range/);
  });

  it('headless Services get None and no IPAddress', async () => {
    const s = specOf(await env.client.create(service('hl', { clusterIP: 'None' })));
    assert.equal(s.clusterIP, 'None');
    assert.deepEqual(s.clusterIPs, ['None']);
    assert.deepEqual(s.ipFamilies, ['IPv4']);
    assert.equal(s.ipFamilyPolicy, 'SingleStack');
  });

  it('headless without selector defaults to RequireDualStack with both families, as upstream', async () => {
    const s = specOf(await env.client.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'hl2', namespace: 'default' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } }));
    assert.equal(s.ipFamilyPolicy, 'RequireDualStack');
    assert.deepEqual(s.ipFamilies, ['IPv4', 'IPv6']);
  });

  it('refuses dual-stack on a single-stack cluster and IPv6 families', async () => {
    let e = await refusal(env.client.create(service('ds', { ipFamilyPolicy: 'RequireDualStack' })));
    assert.equal(e.message, 'Service "ds" is invalid: spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services');
    e = await refusal(env.client.create(service('v6', { ipFamilies: ['IPv6'] })));
    assert.equal(e.message, 'Service "v6" is invalid: spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster');
    e = await refusal(env.client.create(service('v6ip', { clusterIP: 'fd00::10' })));
    assert.match(e.message, /spec\.clusterIPs\[0\]: Invalid value: \[\]string\{"fd00::10"\}: IPv6 is not configured on this cluster/);
    const s = specOf(await env.client.create(service('pds', { ipFamilyPolicy: 'PreferDualStack' })));
    assert.deepEqual(s.ipFamilies, ['IPv4']);
    assert.equal(s.clusterIPs?.length, 1);
  });

  it('ExternalName Services get no IP', async () => {
    const s = specOf(await env.client.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'example.com' } }));
    assert.equal(s.clusterIP, undefined);
  });

  it('gives NodePorts from 30000-32767, honours requested ones and refuses taken or out-of-range ones', async () => {
    const s = specOf(await env.client.create(service('np', { type: 'NodePort', ports: [{ port: 80, name: 'http' }, { port: 443, name: 'https', nodePort: 30443 }] })));
    const p0 = s.ports![0]!.nodePort!;
    assert.ok(p0 >= 30000 && p0 <= 32767, String(p0));
    assert.equal(s.ports![1]!.nodePort, 30443);
    let e = await refusal(env.client.create(service('np2', { type: 'NodePort', ports: [{ port: 80, nodePort: 30443 }] })));
    assert.equal(e.message, 'Service "np2" is invalid: spec.ports[0].nodePort: Invalid value: 30443: provided port is already allocated');
    e = await refusal(env.client.create(service('np3', { type: 'NodePort', ports: [{ port: 80, nodePort: 8080 }] })));
    assert.equal(e.message, 'Service "np3" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767');
    // A refused Service gives back its IP: np2's and np3's clusterIPs were released.
    const ips = (await env.client.list(IPADDR)).items.map((i) => (i.spec as { parentRef: { name: string } }).parentRef.name);
    assert.ok(!ips.includes('np2') && !ips.includes('np3'));
  });

  it('LoadBalancer with externalTrafficPolicy Local gets a healthCheckNodePort', async () => {
    const s = specOf(await env.client.create(service('lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local' })));
    assert.ok(s.ports![0]!.nodePort! >= 30000);
    assert.ok(s.healthCheckNodePort! >= 30000 && s.healthCheckNodePort !== s.ports![0]!.nodePort);
  });

  it('keeps allocations over an update that omits them, and refuses changing the clusterIP', async () => {
    const created = await env.client.create(service('upd', { type: 'NodePort' }));
    const s = specOf(created);
    const replaced = await env.client.update({ ...service('upd', { type: 'NodePort' }), metadata: { ...created.metadata } });
    assert.equal(specOf(replaced).clusterIP, s.clusterIP);
    assert.equal(specOf(replaced).ports![0]!.nodePort, s.ports![0]!.nodePort);
    const e = await refusal(env.client.update({ ...replaced, spec: { ...specOf(replaced), clusterIP: '10.96.0.99', clusterIPs: ['10.96.0.99'] } }));
    assert.match(e.message, /spec\.clusterIPs\[0\]: Invalid value: \[\]string\{"10\.96\.0\.99"\}: may not change once set/);
  });

  it('releases NodePorts on a change to ClusterIP and the IP on a change to ExternalName', async () => {
    const created = await env.client.create(service('chg', { type: 'NodePort', ports: [{ port: 80, nodePort: 31000 }] }));
    const ip = specOf(created).clusterIP!;
    const asClusterIP = await env.client.update({ ...created, spec: { ...specOf(created), type: 'ClusterIP' } });
    assert.equal(specOf(asClusterIP).ports![0]!.nodePort, undefined);
    await settle(env);
    const other = await env.client.create(service('takes-31000', { type: 'NodePort', ports: [{ port: 80, nodePort: 31000 }] }));
    assert.equal(specOf(other).ports![0]!.nodePort, 31000);
    await env.client.update({ ...asClusterIP, spec: { type: 'ExternalName', externalName: 'example.com', ports: [{ port: 80 }] } });
    await settle(env);
    await assert.rejects(env.client.get(IPADDR, ip));
  });

  it('releases the IP and ports on delete', async () => {
    const created = await env.client.create(service('del', { type: 'NodePort', clusterIP: '10.96.0.77', ports: [{ port: 80, nodePort: 31777 }] }));
    assert.equal(specOf(created).clusterIP, '10.96.0.77');
    await env.client.delete(SVC, { namespace: 'default', name: 'del' });
    await settle(env);
    await assert.rejects(env.client.get(IPADDR, '10.96.0.77'));
    const again = specOf(await env.client.create(service('del-again', { type: 'NodePort', clusterIP: '10.96.0.77', ports: [{ port: 80, nodePort: 31777 }] })));
    assert.equal(again.clusterIP, '10.96.0.77');
  });

  it('a Service deleted and created again at once under the same name keeps its requested IP and port', async () => {
    await env.client.create(service('again', { type: 'NodePort', clusterIP: '10.96.0.78', ports: [{ port: 80, nodePort: 31778 }] }));
    await env.client.delete(SVC, { namespace: 'default', name: 'again' });
    const s = specOf(await env.client.create(service('again', { type: 'NodePort', clusterIP: '10.96.0.78', ports: [{ port: 80, nodePort: 31778 }] })));
    await settle(env);
    assert.equal(s.clusterIP, '10.96.0.78');
    // The release of the first one left the second one's holdings alone.
    const ip = await env.client.get(IPADDR, '10.96.0.78');
    assert.equal((ip.spec as { parentRef: { name: string } }).parentRef.name, 'again');
    const e = await refusal(env.client.create(service('thief', { type: 'NodePort', ports: [{ port: 80, nodePort: 31778 }] })));
    assert.match(e.message, /provided port is already allocated/);
  });

  it('dry-run allocates nothing', async () => {
    const s = specOf(await env.client.create(service('dry', { clusterIP: '10.96.0.90' }), { dryRun: true }));
    assert.equal(s.clusterIP, '10.96.0.90');
    await assert.rejects(env.client.get(IPADDR, '10.96.0.90'));
  });

  it('50 concurrent creates get 50 distinct IPs and node ports', async () => {
    const made = await Promise.all(Array.from({ length: 50 }, (_, i) => env.client.create(service(`c${i}`, { type: 'NodePort' }))));
    const ips = new Set(made.map((m) => specOf(m).clusterIP));
    const ports = new Set(made.map((m) => specOf(m).ports![0]!.nodePort));
    assert.equal(ips.size, 50);
    assert.equal(ports.size, 50);
  });

  it('a new ObjectStore on the same storage sees the same allocations (restart)', async () => {
    const taken = specOf(await env.client.get(SVC, { namespace: 'default', name: 'req' })).clusterIP!;
    const restarted = new ObjectStore(env.objects.store, env.objects.registry, { strategies: new Map() });
    for (const p of workloadServiceAdmission({ namespace: 'test', name: 'wl' }, restarted)) restarted.admission.push(p);
    const client = inProcessClient(restarted, { fieldManager: 'kubectl' });
    const e = await refusal(client.create(service('after-restart', { clusterIP: taken })));
    assert.match(e.message, /provided IP is already allocated/);
    const e2 = await refusal(client.create(service('after-restart2', { type: 'NodePort', ports: [{ port: 80, nodePort: 30443 }] })));
    assert.match(e2.message, /provided port is already allocated/);
  });
});

describe('Service allocation from the cluster kubeadm-config', () => {
  let env: WorkloadEnv;
  before(async () => {
    env = await startWorkloadEnv([], { admission: workloadServiceAdmission });
    await env.client.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kubeadm-config', namespace: 'kube-system' },
      data: { ClusterConfiguration: 'apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\nnetworking:\n  serviceSubnet: 10.128.0.0/24,fd00:10::/112\n' },
    });
  });
  after(async () => env.close());

  it('uses the serviceSubnet and gives dual-stack Services two IPs', async () => {
    const s = specOf(await env.client.create(service('d', { ipFamilyPolicy: 'RequireDualStack' })));
    assert.deepEqual(s.ipFamilies, ['IPv4', 'IPv6']);
    assert.equal(s.clusterIPs?.length, 2);
    assert.ok(cidrContains(parseCidr('10.128.0.0/24')!, parseIP(s.clusterIPs![0]!)!));
    assert.ok(cidrContains(parseCidr('fd00:10::/112')!, parseIP(s.clusterIPs![1]!)!));
    await env.client.get(IPADDR, s.clusterIPs![1]!);
    const single = specOf(await env.client.create(service('s')));
    assert.equal(single.clusterIPs?.length, 1);
    const e = await refusal(env.client.create(service('o', { clusterIP: '10.96.0.10' })));
    assert.match(e.message, /The range of valid IPs is 10\.128\.0\.0\/24/);
  });
});

describe('Service allocation in a small range under concurrency', () => {
  let env: WorkloadEnv;
  before(async () => {
    env = await startWorkloadEnv([], { admission: workloadServiceAdmission });
    await env.client.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kubeadm-config', namespace: 'kube-system' },
      data: { ClusterConfiguration: 'networking:\n  serviceSubnet: 10.0.0.0/27\napiServer:\n  extraArgs:\n    service-node-port-range: 30000-30031\n' },
    });
  });
  after(async () => env.close());

  it('fills a /27 with distinct addresses (.2 to .30; .1 is the kubernetes Service one) and then reports it full', async () => {
    const made = await Promise.all(Array.from({ length: 29 }, (_, i) => env.client.create(service(`s${i}`, { type: 'NodePort' }))));
    const ips = made.map((m) => specOf(m).clusterIP!).sort((a, b) => parseIP(a)!.value < parseIP(b)!.value ? -1 : 1);
    assert.deepEqual(ips, Array.from({ length: 29 }, (_, i) => `10.0.0.${i + 2}`));
    assert.equal(new Set(made.map((m) => specOf(m).ports![0]!.nodePort)).size, 29);
    const e = await refusal(env.client.create(service('full')));
    assert.equal(e.code, 500);
    assert.equal(e.message, 'Internal error occurred: failed to allocate a serviceIP: range is full');
    const k = specOf(await env.client.create(service('kubernetes', { clusterIP: '10.0.0.1' })));
    assert.equal(k.clusterIP, '10.0.0.1');
  });
});

describe('Service allocation repair', () => {
  let env: WorkloadEnv;
  before(async () => {
    env = await startWorkloadEnv([], { admission: workloadServiceAdmissionWith({ repairGraceMs: 0, repairIntervalMs: 0 }) });
  });
  after(async () => env.close());

  it('drops allocations no Service holds (left by a stopped process) and keeps held ones', async () => {
    const kept = specOf(await env.client.create(service('kept', { type: 'NodePort' })));
    await env.client.create({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IPAddress',
      metadata: { name: '10.96.7.7', labels: { 'ipaddress.kubernetes.io/managed-by': 'ipallocator.k8s.io' } },
      spec: { parentRef: { group: '', resource: 'services', namespace: 'default', name: 'ghost' } },
    });
    await env.objects.store.create(`${env.objects.keyRoot}ranges/servicenodeports/30999`, JSON.stringify({ namespace: 'default', name: 'ghost', at: 0 }));
    const plugin = env.objects.admission.find((p) => p.name === SERVICE_ALLOCATION_PLUGIN) as AllocationPlugin;
    assert.deepEqual(await plugin.repair(), { ips: ['10.96.7.7'], ports: [30999] });
    await env.client.get(IPADDR, kept.clusterIP!);
    const np = specOf(await env.client.create(service('takes-30999', { type: 'NodePort', ports: [{ port: 80, nodePort: 30999 }] })));
    assert.equal(np.ports![0]!.nodePort, 30999);
    const e = await refusal(env.client.create(service('dup', { type: 'NodePort', ports: [{ port: 80, nodePort: kept.ports![0]!.nodePort! }] })));
    assert.match(e.message, /provided port is already allocated/);
    assert.deepEqual(await plugin.repair(), { ips: [], ports: [] });
  });
});

describe('Service allocation ends with its cluster', () => {
  it('a destroyed workload cluster stops its release watch and repair timer', async () => {
    const registry = new ResourceRegistry();
    registry.setOwned('builtin', workloadClusterResources());
    const store = new MemoryStore();
    const host = new LogicalClusterHost({ store, registry, strategies: workloadClusterStrategies(), caLookup: async () => undefined, logger: pino({ level: 'silent' }), admission: workloadServiceAdmission });
    const ref = { namespace: 'fleet', name: 'gone' };
    const objects = await host.start(ref);
    const plugin = objects.admission.find((p) => p.name === SERVICE_ALLOCATION_PLUGIN) as AllocationPlugin;
    assert.equal(plugin.active, false, 'nothing runs before the first Service');
    await objects.create(registry.get('', 'v1', 'services')!, 'default', service('web'), {});
    assert.equal(plugin.active, true);
    assert.ok((await host.destroy(ref)) > 0);
    assert.equal(plugin.active, false);
    assert.equal((await store.list('/clusters/fleet/gone/')).items.length, 0);
  });
});
