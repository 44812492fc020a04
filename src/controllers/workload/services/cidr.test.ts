import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressAt, canonicalIP, cidrContains, cidrSize, parseCidr, parseIP, usableOffsets } from './cidr.js';
import { DEFAULT_NODE_PORT_RANGE, serviceNetworkingFromKubeadmConfig } from './config.js';

describe('IP addresses', () => {
  const cases: [string, string | undefined][] = [
    ['10.96.0.1', '10.96.0.1'],
    ['255.255.255.255', '255.255.255.255'],
    ['10.96.0.256', undefined],
    ['10.96.01.1', undefined],
    ['10.96.0', undefined],
    ['2001:db8::1', '2001:db8::1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['::1', '::1'],
    ['fd00:10::', 'fd00:10::'],
    ['2001:db8::1::2', undefined],
    ['::ffff:10.0.0.1', '::ffff:10.0.0.1'],
    ['::FFFF:a00:1', '::ffff:10.0.0.1'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['1:2:3:4:5:6:7:8:9', undefined],
    ['gggg::1', undefined],
  ];
  for (const [text, want] of cases) it(`${text} → ${want ?? 'invalid'}`, () => assert.equal(canonicalIP(text), want));
});

describe('CIDRs', () => {
  it('parses and clears host bits', () => {
    assert.equal(parseCidr('10.96.0.5/12')!.text, '10.96.0.0/12');
    assert.equal(parseCidr('fd00:10::7/112')!.text, 'fd00:10::/112');
    assert.equal(parseCidr('10.96.0.0/33'), undefined);
    assert.equal(parseCidr('10.96.0.0'), undefined);
  });
  it('sizes, contains and indexes', () => {
    const c = parseCidr('10.96.0.0/12')!;
    assert.equal(cidrSize(c), 1n << 20n);
    assert.ok(cidrContains(c, parseIP('10.111.255.255')!));
    assert.ok(!cidrContains(c, parseIP('10.112.0.0')!));
    assert.ok(!cidrContains(c, parseIP('fd00::1')!));
    assert.equal(addressAt(c, 1n), '10.96.0.1');
    assert.equal(addressAt(c, 256n), '10.96.1.0');
  });
  it('usable offsets leave out the network and IPv4 broadcast addresses', () => {
    assert.deepEqual(usableOffsets(parseCidr('10.0.0.0/29')!), [1n, 6n]);
    assert.deepEqual(usableOffsets(parseCidr('fd00::/125')!), [1n, 7n]);
    assert.equal(usableOffsets(parseCidr('10.0.0.0/32')!), undefined);
  });
});

describe('service networking from kubeadm-config', () => {
  it('defaults without a ConfigMap', () => {
    const n = serviceNetworkingFromKubeadmConfig(undefined);
    assert.deepEqual(n.cidrs.map((c) => c.text), ['10.96.0.0/12']);
    assert.deepEqual(n.nodePorts, DEFAULT_NODE_PORT_RANGE);
  });
  it('reads serviceSubnet (dual-stack) and the node-port range in either extraArgs shape', () => {
    const v3 = serviceNetworkingFromKubeadmConfig({ ClusterConfiguration: 'networking:\n  serviceSubnet: "fd00::/108,10.100.0.0/16"\napiServer:\n  extraArgs:\n    service-node-port-range: 20000-22767\n' });
    assert.deepEqual(v3.cidrs.map((c) => c.text), ['fd00::/108', '10.100.0.0/16']);
    assert.deepEqual(v3.nodePorts, { first: 20000, last: 22767 });
    const v4 = serviceNetworkingFromKubeadmConfig({ ClusterConfiguration: 'apiServer:\n  extraArgs:\n  - name: service-node-port-range\n    value: 30000-30100\n' });
    assert.deepEqual(v4.nodePorts, { first: 30000, last: 30100 });
  });
  it('falls back on unreadable values', () => {
    assert.deepEqual(serviceNetworkingFromKubeadmConfig({ ClusterConfiguration: 'networking:\n  serviceSubnet: nonsense\n' }).cidrs.map((c) => c.text), ['10.96.0.0/12']);
    assert.deepEqual(serviceNetworkingFromKubeadmConfig({ ClusterConfiguration: ': : :' }).cidrs.map((c) => c.text), ['10.96.0.0/12']);
  });
});
