import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { discoverVIPs, findFreeAddress, preferredSharedIPv4, parseAddressList, type InUse } from './allocate.js';
import { formatAddr, parseAddr } from './ip.js';
import { parsePool } from './pool.js';

function inUse(...ips: string[]): InUse {
  const v4 = new Set<bigint>();
  const v6 = new Set<bigint>();
  for (const t of ips) {
    const a = parseAddr(t);
    (a.family === 'IPv4' ? v4 : v6).add(a.value);
  }
  return { IPv4: v4, IPv6: v6 };
}

/** Upstream's FindAvailableHostFromRange / FromCidr for a one-family pool; 'ERR' when out of addresses. */
function find(pool: string, used: string[], opts: { desc?: boolean; skip?: boolean } = {}): string {
  const p = parsePool(pool, { skipEndIPsInCIDR: opts.skip });
  const fp = p.IPv4 ?? p.IPv6!;
  try {
    return formatAddr(fp.family, findFreeAddress(fp, inUse(...used)[fp.family], 'ns', opts.desc));
  } catch {
    return 'ERR';
  }
}

describe('findFreeAddress over ranges (upstream FindAvailableHostFromRange)', () => {
  const cases: [string, string[], boolean, string][] = [
    ['192.168.0.10-192.168.0.10', [], false, '192.168.0.10'],
    ['192.168.0.10-192.168.0.10', [], true, '192.168.0.10'],
    ['192.168.0.10-192.168.0.12', [], false, '192.168.0.10'],
    ['192.168.0.10-192.168.0.12', [], true, '192.168.0.12'],
    ['192.168.0.253-192.168.1.2', ['192.168.0.253', '192.168.0.254'], false, '192.168.1.1'],
    ['192.168.0.253-192.168.1.2', ['192.168.1.1', '192.168.1.2'], true, '192.168.0.254'],
    ['192.168.0.10-192.168.0.11,192.168.1.20-192.168.1.21', ['192.168.0.9', '192.168.0.10'], false, '192.168.0.11'],
    ['192.168.0.10-192.168.0.11,192.168.1.20-192.168.1.22', ['192.168.1.21', '192.168.1.22'], true, '192.168.1.20'],
    ['fe80::13-fe80::14', [], false, 'fe80::13'],
    ['fe80::13-fe80::14', [], true, 'fe80::14'],
    ['fe80::13-fe80::15', [], false, 'fe80::13'],
    ['fe80::13-fe80::15', [], true, 'fe80::15'],
    ['fe80::ffff-fe80::1:3', ['fe80::ffff'], false, 'fe80::1:0'],
    ['fe80::ffff-fe80::1:3', ['fe80::1:3', 'fe80::1:2', 'fe80::1:1', 'fe80::1:0'], true, 'fe80::ffff'],
    ['fe80::10-fe80::12,fe81::20-fe81::21', ['fe80::10', 'fe80::11', 'fe80::12'], false, 'fe81::20'],
    ['fe80::10-fe80::12,fe81::20-fe81::21', ['fe81::21', 'fe81::20'], true, 'fe80::12'],
  ];
  for (const [pool, used, desc, want] of cases) it(`${pool} [${used.join(' ')}]${desc ? ' desc' : ''}`, () => assert.equal(find(pool, used, { desc }), want));
});

describe('findFreeAddress over CIDRs (upstream FindAvailableHostFromCidr)', () => {
  const cases: [string, string[], { desc?: boolean; skip?: boolean }, string][] = [
    ['192.168.0.200/30', [], {}, '192.168.0.200'],
    ['192.168.0.200/30', [], { skip: true }, '192.168.0.201'],
    ['192.168.0.200/30', [], { desc: true }, '192.168.0.203'],
    ['192.168.0.200/30', [], { desc: true, skip: true }, '192.168.0.202'],
    ['192.168.0.10/24', [], {}, '192.168.0.1'],
    ['192.168.0.10/24', [], { desc: true }, '192.168.0.254'],
    ['192.168.0.255/30', ['192.168.0.254', '192.168.0.252', '192.168.0.253'], {}, 'ERR'],
    ['192.168.0.255/30', ['192.168.0.254', '192.168.0.252', '192.168.0.253'], { desc: true }, 'ERR'],
    ['192.168.0.200/30,192.168.0.200/29', ['192.168.0.201', '192.168.0.202'], {}, '192.168.0.200'],
    ['192.168.0.200/30,192.168.0.200/29', ['192.168.0.201', '192.168.0.202'], { skip: true }, '192.168.0.203'],
    ['192.168.0.200/30,192.168.0.200/29', ['192.168.0.201', '192.168.0.202'], { desc: true }, '192.168.0.207'],
    ['192.168.0.200/30,192.168.0.200/29', ['192.168.0.201', '192.168.0.202'], { desc: true, skip: true }, '192.168.0.206'],
    ['2001::49fe/127', [], {}, '2001::49fe'],
    ['2001::49fe/127', [], { skip: true }, '2001::49fe'],
    ['2001::49fe/127', [], { desc: true }, '2001::49ff'],
    ['2001::49fe/127', ['2001::49fe', '2001::49ff'], {}, 'ERR'],
    ['2001::49fe/127', ['2001::49fe', '2001::49ff'], { desc: true }, 'ERR'],
    ['2001::10/126,2001::12/127', ['2001::10', '2001::11'], {}, '2001::12'],
    ['2001::10/126,2001::12/127', ['2001::10', '2001::11'], { desc: true }, '2001::13'],
    ['2001::/127', [], {}, '2001::'],
  ];
  for (const [pool, used, o, want] of cases) it(`${pool} [${used.join(' ')}] ${JSON.stringify(o)}`, () => assert.equal(find(pool, used, o), want));
  it('out of addresses names the namespace and the normalised pool', () => {
    const p = parsePool('10.0.0.1/32,10.0.0.2-10.0.0.3'.split(',')[0]!).IPv4!;
    assert.throws(() => findFreeAddress(p, new Set([p.hosts[0]!.first]), 'team-a'), { message: 'no addresses available in [team-a] cidr [10.0.0.1/32]' });
    const r = parsePool('10.0.0.3-10.0.0.4,10.0.0.1-10.0.0.2').IPv4!;
    assert.throws(() => findFreeAddress(r, new Set([1n, 2n, 3n, 4n].map((x) => x + (10n << 24n))), 'b'), { message: 'no addresses available in [b] range [10.0.0.1-10.0.0.4]' });
  });
});

describe('discoverVIPs: the address of a pool (upstream discoverAddress)', () => {
  const many = ['10.10.10.8', '172.16.0.3', '192.168.1.1', '10.10.10.9', '10.10.10.10', '172.16.0.4', '192.168.1.2', '10.10.10.12'];
  const cases: [string, string[], string][] = [
    ['10.10.10.8/29', ['10.10.10.8', '10.10.10.9', '10.10.10.10', '10.10.10.12'], '10.10.10.11'],
    ['192.168.1.1/24', many, '192.168.1.3'],
    ['fe80::10/126', ['fe80::10', 'fe80::11', 'fe80::12'], 'fe80::13'],
    ['10.10.10.8-10.10.10.15', ['10.10.10.8', '10.10.10.9', '10.10.10.10', '10.10.10.12'], '10.10.10.11'],
    ['192.168.1.1-192.168.1.254', many, '192.168.1.3'],
    ['fe80::ffff-fe80::1:3', ['fe80::ffff', 'fe80::1:0', 'fe80::1:1'], 'fe80::1:2'],
  ];
  for (const [pool, used, want] of cases) it(pool, () => assert.deepEqual(discoverVIPs({ namespace: 'ns', pool, inUse: inUse(...used) }), [want]));
  it('DHCP mode', () => assert.deepEqual(discoverVIPs({ namespace: 'ns', pool: '0.0.0.0/32', inUse: inUse('0.0.0.0') }), ['0.0.0.0']));
});

describe('discoverVIPs: families (upstream discoverVIPs table)', () => {
  const P4 = '10.10.10.8-10.10.10.15';
  const P6 = 'fd00::1-fd00::10';
  const S = '10.10.10.8-10.10.10.9,fd00::1-fd00::2';
  const U4 = ['10.10.10.8', '10.10.10.9', '10.10.10.10', '10.10.10.12'];
  const U6 = ['fd00::1', 'fd00::2', 'fd00::4'];
  const v46 = ['IPv4', 'IPv6'];
  const v64 = ['IPv6', 'IPv4'];
  const cases: [number, string | undefined, string[] | undefined, string, string | undefined, string[], string | RegExp][] = [
    [1, undefined, undefined, P4, undefined, U4, '10.10.10.11'],
    [2, 'SingleStack', ['IPv4'], P4, undefined, U4, '10.10.10.11'],
    [3, 'SingleStack', ['IPv4'], P4, '10.10.10.9', U4, '10.10.10.9'],
    [4, undefined, undefined, P6, undefined, U6, 'fd00::3'],
    [5, 'SingleStack', ['IPv6'], P6, undefined, U6, 'fd00::3'],
    [6, 'SingleStack', ['IPv4'], P6, undefined, [], /^could not find suitable pool for the IP family of the service$/],
    [7, 'SingleStack', ['IPv6'], P4, undefined, [], /^could not find suitable pool for the IP family of the service$/],
    [8, 'PreferDualStack', v46, P4, undefined, U4, '10.10.10.11'],
    [9, 'PreferDualStack', v46, P4, '10.10.10.10', U4, '10.10.10.10'],
    [10, 'PreferDualStack', v46, P6, undefined, U6, 'fd00::3'],
    [11, 'PreferDualStack', undefined, `${P4},${P6}`, undefined, [], '10.10.10.8,fd00::1'],
    [12, 'PreferDualStack', v46, `${P4},${P6}`, undefined, [], '10.10.10.8,fd00::1'],
    [13, 'PreferDualStack', v64, `${P4},${P6}`, undefined, [], 'fd00::1,10.10.10.8'],
    [14, 'PreferDualStack', v46, `${P4},${P6}`, '10.10.10.8', U4, '10.10.10.8,fd00::1'],
    [15, 'PreferDualStack', v64, `${P4},${P6}`, '10.10.10.8', U4, 'fd00::1,10.10.10.8'],
    [16, 'PreferDualStack', v46, S, undefined, ['fd00::1', 'fd00::2'], '10.10.10.8'],
    [17, 'PreferDualStack', v46, S, undefined, ['10.10.10.8', '10.10.10.9'], 'fd00::1'],
    [
      20,
      'PreferDualStack',
      v46,
      S,
      undefined,
      ['10.10.10.8', '10.10.10.9', 'fd00::1', 'fd00::2'],
      /^could not allocate any IP address for PreferDualStack service: \n\t- no addresses available in \[ns\] range \[10\.10\.10\.8-10\.10\.10\.9\]\n\t- no addresses available in \[ns\] range \[fd00::1-fd00::2\]$/,
    ],
    [21, 'PreferDualStack', v46, `${S},invalid-pool`, undefined, [], /ParseAddr\("invalid"\)/],
    [22, 'RequireDualStack', v46, P4, undefined, [], /^service requires dual-stack, but the configuration does not have both IPv4 and IPv6 pools listed for the namespace$/],
    [23, 'RequireDualStack', v46, P6, undefined, [], /^service requires dual-stack/],
    [24, 'RequireDualStack', v46, '', undefined, [], /^could not discover address: pool is not specified$/],
    [25, 'RequireDualStack', v46, `${P4},${P6}`, undefined, [], '10.10.10.8,fd00::1'],
    [26, 'RequireDualStack', v64, `${P4},${P6}`, undefined, [], 'fd00::1,10.10.10.8'],
    [27, 'RequireDualStack', v46, S, undefined, ['fd00::1', 'fd00::2'], /^could not allocate required IP addresses for RequireDualStack service: \n\t- no addresses available in \[ns\] range \[fd00::1-fd00::2\]$/],
    [28, 'RequireDualStack', v46, S, undefined, ['10.10.10.8', '10.10.10.9'], /^could not allocate required IP addresses for RequireDualStack service: \n\t- no addresses available in \[ns\] range \[10\.10\.10\.8-10\.10\.10\.9\]$/],
    [31, 'RequireDualStack', v46, S, undefined, ['10.10.10.8', '10.10.10.9', 'fd00::1', 'fd00::2'], /^could not allocate required IP addresses for RequireDualStack service: (\n\t- no addresses .*){2}$/],
  ];
  for (const [n, policy, families, pool, pref, used, want] of cases) {
    it(`#${n} ${policy ?? 'nil'} ${families?.join(',') ?? 'nil'} ${pool}`, () => {
      const run = (): string[] => discoverVIPs({ namespace: 'ns', policy, families, pool, preferredIPv4: pref ? parseAddr(pref).value : undefined, inUse: inUse(...used) });
      if (typeof want === 'string') assert.equal(run().join(','), want);
      else assert.throws(run, { message: want });
    });
  }
  it('single stack with no families falls back to the IPv6 pool only when there is no IPv4 pool', () => {
    assert.deepEqual(discoverVIPs({ namespace: 'ns', pool: `${P4},${P6}`, inUse: inUse() }), ['10.10.10.8']);
    assert.deepEqual(discoverVIPs({ namespace: 'ns', policy: 'SingleStack', families: [], pool: P6, inUse: inUse() }), ['fd00::1']);
  });
  it('desc and skip reach the pool', () => {
    assert.deepEqual(discoverVIPs({ namespace: 'ns', pool: '192.168.0.200/30', descending: true, skipEndIPsInCIDR: true, inUse: inUse() }), ['192.168.0.202']);
  });
});

describe('preferredSharedIPv4', () => {
  const h = (ips: string, ports: number[]) => ({ addresses: parseAddressList(ips), ports });
  const cases: [string, ReturnType<typeof h>[], number[], string | undefined][] = [
    ['nothing held', [], [80], undefined],
    ['no collision', [h('10.0.0.2', [123])], [345], '10.0.0.2'],
    ['protocol ignored: same number collides', [h('10.0.0.2', [53])], [53], undefined],
    ['the lowest shareable address', [h('10.0.0.9', [1]), h('10.0.0.3', [80]), h('10.0.0.5', [2])], [80], '10.0.0.5'],
    ['a Service with no ports marks its address unshareable', [h('10.0.0.2', [])], [80], undefined],
    ['a new Service with no ports shares any shareable address', [h('10.0.0.2', [80])], [], '10.0.0.2'],
    ['IPv6 is never shared', [h('2001::1', [80])], [81], undefined],
    ['ports of every holder count', [h('10.0.0.2,2001::', [123]), h('10.0.0.2,2001::1', [345]), h('10.0.0.3', [80])], [345], '10.0.0.3'],
  ];
  for (const [name, holders, ports, want] of cases) {
    it(name, () => {
      const got = preferredSharedIPv4(holders, ports);
      assert.equal(got === undefined ? undefined : formatAddr('IPv4', got), want);
    });
  }
});
