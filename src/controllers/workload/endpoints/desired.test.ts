import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../../apimachinery/types.js';
import { desiredEndpointSlices, desiredEndpointSubsets, findPort, shouldPodBeInEndpoints, truncateSubsets } from './desired.js';

function pod(name: string, o: { ip?: string | string[]; ready?: boolean; phase?: string; deleting?: boolean; ports?: { name?: string; containerPort: number; protocol?: string }[]; node?: string; hostname?: string; subdomain?: string } = {}): KubeObject {
  const ips = o.ip === undefined ? ['10.244.0.1'] : Array.isArray(o.ip) ? o.ip : o.ip ? [o.ip] : [];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: { nodeName: o.node ?? 'n1', ...(o.hostname ? { hostname: o.hostname, subdomain: o.subdomain } : {}), containers: [{ name: 'c', ports: o.ports ?? [{ name: 'http', containerPort: 8080 }] }] },
    status: { phase: o.phase ?? 'Running', ...(ips.length ? { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) } : {}), conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  };
}

function service(spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc', namespace: 'ns' }, spec: { selector: { a: 'b' }, ...spec } };
}

describe('findPort (upstream TestFindPort cases)', () => {
  const p = pod('p', { ports: [{ name: 'foo', containerPort: 8080, protocol: 'TCP' }, { name: 'bar', containerPort: 9000, protocol: 'UDP' }] });
  const cases: [string, number | string | undefined, string | undefined, number | undefined][] = [
    ['number', 8081, 'TCP', 8081],
    ['named TCP', 'foo', 'TCP', 8080],
    ['named, wrong protocol', 'foo', 'UDP', undefined],
    ['named UDP', 'bar', 'UDP', 9000],
    ['unknown name', 'baz', 'TCP', undefined],
    ['numeric string', '8082', 'TCP', 8082],
    ['no targetPort: the port', undefined, 'TCP', 80],
  ];
  for (const [name, target, protocol, want] of cases) it(name, () => assert.equal(findPort(p, { port: 80, targetPort: target, protocol }), want));
  it('sidecar init containers count', () => {
    const s: KubeObject = { ...p, spec: { containers: [], initContainers: [{ name: 'side', restartPolicy: 'Always', ports: [{ name: 'proxy', containerPort: 15001 }] }, { name: 'init', ports: [{ name: 'once', containerPort: 1 }] }] } };
    assert.equal(findPort(s, { port: 80, targetPort: 'proxy' }), 15001);
    assert.equal(findPort(s, { port: 80, targetPort: 'once' }), undefined);
  });
});

describe('shouldPodBeInEndpoints', () => {
  const cases: [string, KubeObject, boolean, boolean][] = [
    ['running with IP', pod('a'), false, true],
    ['no IP', pod('a', { ip: '' }), false, false],
    ['succeeded', pod('a', { phase: 'Succeeded' }), false, false],
    ['failed', pod('a', { phase: 'Failed' }), true, false],
    ['terminating, not included', pod('a', { deleting: true }), false, false],
    ['terminating, included', pod('a', { deleting: true }), true, true],
    ['not ready still counts', pod('a', { ready: false }), false, true],
  ];
  for (const [name, p, inc, want] of cases) it(name, () => assert.equal(shouldPodBeInEndpoints(p, inc), want));
});

describe('desiredEndpointSubsets', () => {
  it('groups Pods by the ports they resolve to, ready and not ready apart, addresses sorted', () => {
    const svc = service({ ports: [{ name: 'web', port: 80, targetPort: 'http' }] });
    const subsets = desiredEndpointSubsets(svc, [
      pod('a', { ip: '10.0.0.3' }),
      pod('b', { ip: '10.0.0.2', ready: false }),
      pod('c', { ip: '10.0.0.1', ports: [{ name: 'http', containerPort: 9090 }] }),
      pod('d', { ip: '10.0.0.4', ports: [] }),
      pod('e', { ip: '10.0.0.5', deleting: true }),
    ]);
    assert.deepEqual(subsets, [
      { addresses: [{ ip: '10.0.0.3', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'ns', name: 'a', uid: 'uid-a' } }], notReadyAddresses: [{ ip: '10.0.0.2', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'ns', name: 'b', uid: 'uid-b' } }], ports: [{ name: 'web', port: 8080, protocol: 'TCP' }] },
      { addresses: [{ ip: '10.0.0.1', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'ns', name: 'c', uid: 'uid-c' } }], ports: [{ name: 'web', port: 9090, protocol: 'TCP' }] },
    ]);
  });
  it('publishNotReadyAddresses: not-ready and terminating Pods are addresses', () => {
    const subsets = desiredEndpointSubsets(service({ publishNotReadyAddresses: true, ports: [{ port: 80, targetPort: 8080 }] }), [pod('a', { ready: false }), pod('b', { ip: '10.244.0.2', deleting: true })]);
    assert.equal(subsets.length, 1);
    assert.deepEqual(subsets[0]!.addresses!.map((a) => a.ip), ['10.244.0.1', '10.244.0.2']);
    assert.equal(subsets[0]!.notReadyAddresses, undefined);
  });
  it('headless without ports lists addresses only; hostname when the subdomain is the Service', () => {
    const subsets = desiredEndpointSubsets(service({ clusterIP: 'None' }), [pod('a', { hostname: 'a', subdomain: 'svc' }), pod('b', { ip: '10.244.0.2', hostname: 'b', subdomain: 'other' })]);
    assert.deepEqual(subsets.map((s) => [s.ports, s.addresses!.map((a) => a.hostname)]), [[undefined, ['a', undefined]]]);
  });
  it('no Pods: no subsets', () => assert.deepEqual(desiredEndpointSubsets(service({ ports: [{ port: 80 }] }), []), []));
});

describe('desiredEndpointSlices', () => {
  const zone = (n: string): string | undefined => (n === 'n1' ? 'zone-a' : undefined);
  it('conditions of ready, not-ready and terminating Pods; zone from the Node', () => {
    const slices = desiredEndpointSlices(service({ ports: [{ name: 'web', port: 80, targetPort: 8080 }] }), [pod('a', { ip: '10.0.0.1' }), pod('b', { ip: '10.0.0.2', ready: false, node: 'n2' }), pod('c', { ip: '10.0.0.3', deleting: true })], zone);
    assert.equal(slices.length, 1);
    assert.deepEqual(slices[0]!.ports, [{ name: 'web', port: 8080, protocol: 'TCP' }]);
    assert.deepEqual(slices[0]!.endpoints.map((e) => [e.addresses[0], e.conditions, e.zone]), [
      ['10.0.0.1', { ready: true, serving: true, terminating: false }, 'zone-a'],
      ['10.0.0.2', { ready: false, serving: false, terminating: false }, undefined],
      ['10.0.0.3', { ready: false, serving: true, terminating: true }, 'zone-a'],
    ]);
  });
  it('one slice per family for dual-stack Services', () => {
    const slices = desiredEndpointSlices(service({ ipFamilies: ['IPv6', 'IPv4'], ports: [{ port: 80 }] }), [pod('a', { ip: ['10.0.0.1', 'fd00::1'] })], zone);
    assert.deepEqual(slices.map((s) => [s.addressType, s.endpoints[0]!.addresses]), [['IPv4', ['10.0.0.1']], ['IPv6', ['fd00::1']]]);
  });
  it('splits at the maximum per slice', () => {
    const pods = Array.from({ length: 7 }, (_, i) => pod(`p${i}`, { ip: `10.0.0.${i + 1}` }));
    assert.deepEqual(desiredEndpointSlices(service({ ports: [{ port: 80 }] }), pods, zone, 3).map((s) => s.endpoints.length), [3, 3, 1]);
  });
  it('an empty placeholder slice when nothing matches', () => {
    assert.deepEqual(desiredEndpointSlices(service({ ports: [{ port: 80 }] }), [], zone), [{ addressType: 'IPv4', ports: [], endpoints: [] }]);
  });
});

describe('truncateSubsets', () => {
  const addr = (ip: string) => ({ ip, targetRef: { kind: 'Pod' as const, namespace: 'ns', name: ip, uid: ip } });
  it('leaves subsets under the limit alone', () => {
    const subsets = [{ addresses: [addr('1')] }];
    assert.deepEqual(truncateSubsets(subsets, 4), { subsets, truncated: false });
  });
  it('keeps ready addresses first, then not-ready ones with the room left', () => {
    const { subsets, truncated } = truncateSubsets([{ addresses: [addr('1'), addr('2'), addr('3')], notReadyAddresses: [addr('4'), addr('5')] }], 4);
    assert.ok(truncated);
    assert.deepEqual(subsets.map((s) => [s.addresses?.length, s.notReadyAddresses?.length]), [[3, 1]]);
  });
  it('shares the limit across subsets in proportion', () => {
    const { subsets } = truncateSubsets([{ addresses: ['1', '2', '3', '4'].map(addr), notReadyAddresses: [addr('9')] }, { addresses: ['5', '6'].map(addr) }], 3);
    assert.deepEqual(subsets.map((s) => [s.addresses?.length, s.notReadyAddresses?.length]), [[2, undefined], [1, undefined]]);
  });
});
