import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatAddr, type IPFamily } from './ip.js';
import { discoverPool, parsePool, type FamilyPool } from './pool.js';

/** Every address of a family pool's hosts, as text. */
function hosts(p: FamilyPool | undefined): string[] {
  const out: string[] = [];
  for (const s of p?.hosts ?? []) for (let v = s.first; v <= s.last; v++) out.push(formatAddr(p!.family, v));
  return out;
}

function only(value: string, family: IPFamily, skip = false): string[] {
  const p = parsePool(value, { skipEndIPsInCIDR: skip });
  return hosts(p[family]);
}

describe('parsePool: addresses of a range pool (upstream buildAddressesFromRange)', () => {
  const cases: [string, IPFamily, string[]][] = [
    ['192.168.0.10-192.168.0.10', 'IPv4', ['192.168.0.10']],
    ['192.168.0.10-192.168.0.12', 'IPv4', ['192.168.0.10', '192.168.0.11', '192.168.0.12']],
    ['192.168.0.253-192.168.1.2', 'IPv4', ['192.168.0.253', '192.168.0.254', '192.168.0.255', '192.168.1.0', '192.168.1.1', '192.168.1.2']],
    ['192.168.0.10-192.168.0.11,192.168.1.20-192.168.1.21', 'IPv4', ['192.168.0.10', '192.168.0.11', '192.168.1.20', '192.168.1.21']],
    ['192.168.0.10-192.168.0.11,192.168.0.10-192.168.0.13', 'IPv4', ['192.168.0.10', '192.168.0.11', '192.168.0.12', '192.168.0.13']],
    ['fe80::13-fe80::14', 'IPv6', ['fe80::13', 'fe80::14']],
    ['fe80::ffff-fe80::1:3', 'IPv6', ['fe80::ffff', 'fe80::1:0', 'fe80::1:1', 'fe80::1:2', 'fe80::1:3']],
    ['fe80::10-fe80::12,fe81::13-fe81::14', 'IPv6', ['fe80::10', 'fe80::11', 'fe80::12', 'fe81::13', 'fe81::14']],
    ['fe80::10-fe80::12,fe80::10-fe80::14', 'IPv6', ['fe80::10', 'fe80::11', 'fe80::12', 'fe80::13', 'fe80::14']],
  ];
  for (const [range, family, want] of cases) it(range, () => assert.deepEqual(only(range, family), want));
});

describe('parsePool: addresses of a CIDR pool (upstream buildHostsFromCidr)', () => {
  const cases: [string, boolean, IPFamily, string[]][] = [
    ['192.168.0.200/32', false, 'IPv4', ['192.168.0.200']],
    ['192.168.0.200/32', true, 'IPv4', ['192.168.0.200']],
    ['192.168.0.200/30', false, 'IPv4', ['192.168.0.200', '192.168.0.201', '192.168.0.202', '192.168.0.203']],
    ['192.168.0.200/30', true, 'IPv4', ['192.168.0.201', '192.168.0.202']],
    ['192.168.0.200/31', true, 'IPv4', ['192.168.0.200', '192.168.0.201']],
    ['192.168.0.200/30,192.168.0.200/29', false, 'IPv4', ['200', '201', '202', '203', '204', '205', '206', '207'].map((x) => `192.168.0.${x}`)],
    ['192.168.0.200/30,192.168.0.200/29', true, 'IPv4', ['201', '202', '203', '204', '205', '206'].map((x) => `192.168.0.${x}`)],
    ['fe80::10/127', false, 'IPv6', ['fe80::10', 'fe80::11']],
    ['fe80::10/127,fe80::fe/127', false, 'IPv6', ['fe80::10', 'fe80::11', 'fe80::fe', 'fe80::ff']],
    ['fe80::10/126,fe80::12/127', false, 'IPv6', ['fe80::10', 'fe80::11', 'fe80::12', 'fe80::13']],
  ];
  for (const [cidr, skip, family, want] of cases) it(`${cidr}${skip ? ' skip' : ''}`, () => assert.deepEqual(only(cidr, family, skip), want));
});

describe('parsePool: split by family, normalised (upstream SplitCIDRsByIPFamily / SplitRangesByIPFamily)', () => {
  const cases: [string, string, string][] = [
    ['192.168.0.200/30', '192.168.0.200/30', ''],
    ['192.168.0.200/30,192.168.1.200/30', '192.168.0.200/30,192.168.1.200/30', ''],
    ['fe80::10/127', '', 'fe80::10/127'],
    ['fe80::10/127,fe80::fe/127', '', 'fe80::10/127,fe80::fe/127'],
    ['192.168.0.200/30,fe80::10/127', '192.168.0.200/30', 'fe80::10/127'],
    ['192.168.0.200/30,192.168.1.200/30,fe80::10/127,fe80::fe/127', '192.168.0.200/30,192.168.1.200/30', 'fe80::10/127,fe80::fe/127'],
    ['192.168.0.10-192.168.0.12', '192.168.0.10-192.168.0.12', ''],
    ['192.168.0.10-192.168.0.12,192.168.0.100-192.168.0.120', '192.168.0.10-192.168.0.12,192.168.0.100-192.168.0.120', ''],
    ['fe80::13-fe80::14', '', 'fe80::13-fe80::14'],
    ['fe80::13-fe80::14,fe80::130-fe80::140', '', 'fe80::13-fe80::14,fe80::130-fe80::140'],
    ['192.168.0.10-192.168.0.12,fe80::13-fe80::14', '192.168.0.10-192.168.0.12', 'fe80::13-fe80::14'],
    ['192.168.0.10-192.168.0.12,192.168.0.100-192.168.0.120,fe80::13-fe80::14,fe80::130-fe80::140', '192.168.0.10-192.168.0.12,192.168.0.100-192.168.0.120', 'fe80::13-fe80::14,fe80::130-fe80::140'],
    // Normalised: masked, merged, sorted.
    ['192.168.1.1/24', '192.168.1.0/24', ''],
    ['192.168.0.13-192.168.0.20,192.168.0.10-192.168.0.12', '192.168.0.10-192.168.0.20', ''],
    ['192.168.0.200/30,192.168.0.204/30', '192.168.0.200/29', ''],
  ];
  for (const [pool, v4, v6] of cases) {
    it(pool, () => {
      const p = parsePool(pool);
      assert.equal(p.IPv4?.text ?? '', v4);
      assert.equal(p.IPv6?.text ?? '', v6);
    });
  }
});

describe('parsePool: errors', () => {
  const cases: [string, RegExp][] = [
    ['', /^could not discover address: pool is not specified$/],
    ['192.168.0.1/24, 192.168.1.1/24', /ParsePrefix/],
    ['192.168.0.1/24,192.168.1.1-192.168.1.2', /ParsePrefix\("192\.168\.1\.1-192\.168\.1\.2"\): no '\/'/],
    ['192.168.0.1', /^unable to parse IP range \[192\.168\.0\.1\]$/],
    ['1.1.1.1-1.1.1.2-1.1.1.3', /^unable to parse IP range \[1\.1\.1\.1-1\.1\.1\.2-1\.1\.1\.3\]$/],
    ['192.168.0.20-192.168.0.10', /invalid IP range/],
    ['192.168.0.1-fe80::1', /invalid IP range/],
    ['10.0.0.1-nope', /ParseAddr\("nope"\)/],
    ['10.0.0.0/33', /^netip.ParsePrefix\("10.0.0.0\/33"\): prefix length out of range$/],
  ];
  for (const [pool, want] of cases) it(JSON.stringify(pool), () => assert.throws(() => parsePool(pool), { message: want }));
  it('the content decides: a cidr- key holding a range is a range', () => assert.equal(parsePool('2001::10-2001::20').IPv6?.kind, 'range'));
});

describe('discoverPool (upstream discoverPool / getConfig)', () => {
  const a = { 'cidr-dummystart': '172.16.0.1/24', 'cidr-global': '192.168.1.1/24', 'cidr-system': '10.10.10.8/29', 'allow-share-system': 'true', 'cidr-dummyend': '172.16.0.2/24', 'cidr-ipv6': '2001::10/127' };
  const b = { 'range-dummystart': '172.16.0.1-172.16.0.2', 'range-global': '192.168.1.1-192.168.1.254', 'range-system': '10.10.10.8-10.10.10.15', 'range-dummyend': '172.16.0.3-172.16.0.4', 'cidr-ipv6': '2001::10-2001::20' };
  const cases: [string, Record<string, string>, string, string, boolean, boolean][] = [
    ['A system', a, 'system', '10.10.10.8/29', false, true],
    ['A ipv6', a, 'ipv6', '2001::10/127', false, false],
    ['A basic', a, 'basic', '192.168.1.1/24', true, false],
    ['B system', b, 'system', '10.10.10.8-10.10.10.15', false, false],
    ['B ipv6', b, 'ipv6', '2001::10-2001::20', false, false],
    ['B basic', b, 'basic', '192.168.1.1-192.168.1.254', true, false],
    ['cidr-global wins over range-<ns>', { 'cidr-global': '10.0.0.0/24', 'range-x': '10.1.0.1-10.1.0.9' }, 'x', '10.0.0.0/24', true, false],
    ['an empty value still counts', { 'cidr-x': '', 'cidr-global': '10.0.0.0/24' }, 'x', '', false, false],
    ['global share, namespace pool', { 'range-x': '10.1.0.1-10.1.0.9', 'allow-share-global': 'T' }, 'x', '10.1.0.1-10.1.0.9', false, true],
    ['namespace share overrides global', { 'range-global': '10.1.0.1-10.1.0.9', 'allow-share-global': 'true', 'allow-share-x': 'false' }, 'x', '10.1.0.1-10.1.0.9', true, false],
    ['invalid bool is false', { 'range-global': '10.1.0.1-10.1.0.9', 'allow-share-global': 'yes' }, 'x', '10.1.0.1-10.1.0.9', true, false],
  ];
  for (const [name, data, ns, pool, global, share] of cases) {
    it(name, () => {
      const c = discoverPool(data, ns);
      assert.deepEqual([c.pool, c.global, c.allowShare], [pool, global, share]);
    });
  }
  it('no keys', () => assert.throws(() => discoverPool({ 'allow-share-global': 'true' }, 'x'), /^Error: no address pools could be found$/));
  it('no data', () => assert.throws(() => discoverPool(undefined, 'x'), /^Error: no address pools could be found$/));
  it('global settings and the interface', () => {
    const c = discoverPool({ 'cidr-global': '10.0.0.0/24', 'search-order': 'desc', 'skip-end-ips-in-cidr': 'true', 'interface-x': 'eth1', 'interface-global': 'eth0' }, 'x');
    assert.deepEqual([c.descending, c.skipEndIPsInCIDR, c.serviceInterface], [true, true, 'eth1']);
    const d = discoverPool({ 'cidr-global': '10.0.0.0/24', 'search-order': 'DESC', 'skip-end-ips-in-cidr': 'True', 'interface-global': 'eth0' }, 'y');
    assert.deepEqual([d.descending, d.skipEndIPsInCIDR, d.serviceInterface], [false, false, 'eth0']);
    assert.equal(discoverPool({ 'cidr-global': '10.0.0.0/24', 'interface-what': 'eth0' }, 'test').serviceInterface, undefined);
  });
});
