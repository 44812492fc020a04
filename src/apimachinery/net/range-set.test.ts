import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseAddr, type IPFamily } from './ip.js';
import { formatRange, IPRangeSet, parseAddressItem, parsePrefix, parseRange, prefixRange, type IPRange } from './range-set.js';

function v(text: string): bigint {
  const a = parseAddr(text);
  assert.ok(a, `bad test address ${text}`);
  return a.value;
}

/** The union of address items, as upstream's AddressesToIPSet (throws on a bad item). */
function setOf(family: IPFamily, items: string[]): IPRangeSet {
  const s = new IPRangeSet(family);
  for (const item of items) {
    const r = parseAddressItem(item);
    assert.ok(r, `bad item ${item}`);
    s.addRange(r);
  }
  return s;
}

function show(s: IPRangeSet): string[] {
  return s.ranges().map(formatRange);
}

describe('parseRange / parsePrefix / parseAddressItem', () => {
  it('AddressStrParses: true cases', () => {
    for (const t of ['192.168.1.2', '192.168.1.2-192.168.1.4', '192.168.1.2/24', 'fe80::1', 'fe80::1-fe80::3', 'fe80::1/64']) {
      assert.ok(parseAddressItem(t), t);
    }
  });

  it('AddressStrParses: false cases', () => {
    for (const t of ['192.168.1.2.4', '192.168.1.4-192.168.1.1', '192.168.1.2/33', 'fe80::zzzz', 'fe80::3-fe80::1', 'fe80::1/129']) {
      assert.equal(parseAddressItem(t), undefined, t);
    }
  });

  it('AddressesToIPSet: error cases', () => {
    for (const t of [
      '192.168.1.2612',
      '192.168.1.2-192.168.1.4-',
      '192.168.1.2-192.168.1.4-192.168.1.9',
      '192.168.1.4-192.168.1.2',
      '192.168.1.4/21-192.168.1.2',
      '192.168.1.4/-192.168.1.2',
    ]) {
      assert.equal(parseAddressItem(t), undefined, t);
    }
  });

  it('ranges: single-address range, mixed families, zones, whitespace', () => {
    assert.deepEqual(parseRange('10.0.0.1-10.0.0.1'), { family: 'IPv4', first: v('10.0.0.1'), last: v('10.0.0.1') });
    assert.equal(parseRange('10.0.0.1-fd00::1'), undefined);
    assert.equal(parseRange('10.0.0.1 - 10.0.0.2'), undefined);
    assert.equal(parseRange('10.0.0.1'), undefined);
    assert.deepEqual(parseRange('fe80::1%eth0-fe80::2'), { family: 'IPv6', first: v('fe80::1'), last: v('fe80::2') }); // zones dropped
    assert.deepEqual(parseRange('fe80::1%eth0-fe80::2%eth0'), { family: 'IPv6', first: v('fe80::1'), last: v('fe80::2') });
    assert.equal(parseRange('::ffff:1.2.3.4-1.2.3.5'), undefined); // v4-mapped is IPv6
  });

  it('prefixes: bits syntax and range', () => {
    assert.deepEqual(parsePrefix('10.0.0.5/24'), { family: 'IPv4', addr: v('10.0.0.5'), bits: 24 });
    assert.deepEqual(parsePrefix('10.0.0.5/0'), { family: 'IPv4', addr: v('10.0.0.5'), bits: 0 });
    assert.deepEqual(parsePrefix('::/128'), { family: 'IPv6', addr: 0n, bits: 128 });
    for (const bad of ['10.0.0.5/024', '10.0.0.5/+24', '10.0.0.5/-1', '10.0.0.5/', '10.0.0.5/33', '10.0.0.5/9999', 'fe80::1/129', 'fe80::1%eth0/64', '10.0.0.5', '10.0.0.5/2 4', '010.0.0.5/24']) {
      assert.equal(parsePrefix(bad), undefined, bad);
    }
  });

  it('prefix ranges are masked', () => {
    assert.deepEqual(show(IPRangeSet.of('IPv4', [prefixRange(parsePrefix('10.0.0.5/24')!)])), ['10.0.0.0-10.0.0.255']);
    assert.equal(formatRange(prefixRange(parsePrefix('10.0.1.0/23')!)), '10.0.0.0-10.0.1.255');
    assert.equal(formatRange(prefixRange(parsePrefix('1.2.3.4/0')!)), '0.0.0.0-255.255.255.255');
    assert.equal(formatRange(prefixRange(parsePrefix('1.2.3.4/32')!)), '1.2.3.4-1.2.3.4');
    assert.equal(formatRange(prefixRange(parsePrefix('fe80::1/126')!)), 'fe80::-fe80::3');
    assert.equal(formatRange(prefixRange(parsePrefix('fd01::3/112')!)), 'fd01::-fd01::ffff');
    assert.equal(formatRange(prefixRange(parsePrefix('::/0')!)), '::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff');
  });

  it('single addresses drop the zone', () => {
    assert.deepEqual(parseAddressItem('fe80::1%eth0'), { family: 'IPv6', first: v('fe80::1'), last: v('fe80::1') });
  });
});

describe('AddressesToIPSet (union of items)', () => {
  it('IPv4 items', () => {
    const s = setOf('IPv4', ['192.168.1.25', '192.168.1.26-192.168.1.28', '192.168.2.16/30']);
    for (const a of ['192.168.1.25', '192.168.1.26', '192.168.1.27', '192.168.1.28', '192.168.2.16', '192.168.2.17', '192.168.2.18', '192.168.2.19']) assert.ok(s.has(v(a)), a);
    for (const a of ['192.168.1.29', '192.168.2.15', '192.168.2.20', '192.168.1.24']) assert.ok(!s.has(v(a)), a);
    assert.deepEqual(show(s), ['192.168.1.25-192.168.1.28', '192.168.2.16-192.168.2.19']);
  });

  it('IPv6 items', () => {
    const s = setOf('IPv6', ['fe80::10/127', 'fe80::13-fe80::14', 'fe80::16']);
    for (const a of ['fe80::10', 'fe80::11', 'fe80::13', 'fe80::14', 'fe80::16']) assert.ok(s.has(v(a)), a);
    for (const a of ['fe80::9', 'fe80::12', 'fe80::15', 'fe80::f', 'fe80::17']) assert.ok(!s.has(v(a)), a);
  });
});

describe('IPSetCount (count is exact, bigint)', () => {
  const cases: [string, string[], bigint][] = [
    ['none', [], 0n],
    ['one', ['192.168.1.1'], 1n],
    ['two', ['192.168.1.1', '192.168.1.2'], 2n],
    ['two ranges', ['192.168.1.1-192.168.1.10', '192.168.1.20-192.168.1.25'], 16n],
    ['overlapping ranges', ['192.168.1.1-192.168.1.10', '192.168.1.5-192.168.1.15'], 15n],
    ['two prefixes', ['192.168.1.1/24', '192.168.2.1/31'], 258n],
    ['v6 /20 (upstream: MaxInt)', ['fe80::1/20'], 1n << 108n],
    ['v6 /65 (upstream: MaxInt)', ['fe80::1/65'], 1n << 63n],
    ['v6 /126', ['fe80::1/126'], 4n],
  ];
  for (const [name, items, want] of cases) {
    it(name, () => {
      const family: IPFamily = items.some((i) => i.includes(':')) ? 'IPv6' : 'IPv4';
      assert.equal(setOf(family, items).count(), want);
    });
  }
  it('whole IPv6 space', () => {
    assert.equal(setOf('IPv6', ['::/0']).count(), 1n << 128n);
  });
});

describe('IPRangeSet add / remove', () => {
  const addCases: [string, [string, string][], string[]][] = [
    ['disjoint, out of order', [['10.0.0.20', '10.0.0.30'], ['10.0.0.1', '10.0.0.5']], ['10.0.0.1-10.0.0.5', '10.0.0.20-10.0.0.30']],
    ['adjacent merges', [['10.0.0.1', '10.0.0.5'], ['10.0.0.6', '10.0.0.9']], ['10.0.0.1-10.0.0.9']],
    ['adjacent on the left merges', [['10.0.0.6', '10.0.0.9'], ['10.0.0.1', '10.0.0.5']], ['10.0.0.1-10.0.0.9']],
    ['overlap merges', [['10.0.0.1', '10.0.0.5'], ['10.0.0.3', '10.0.0.9']], ['10.0.0.1-10.0.0.9']],
    ['bridging several', [['10.0.0.1', '10.0.0.2'], ['10.0.0.5', '10.0.0.6'], ['10.0.0.9', '10.0.0.10'], ['10.0.0.20', '10.0.0.20'], ['10.0.0.2', '10.0.0.9']], ['10.0.0.1-10.0.0.10', '10.0.0.20-10.0.0.20']],
    ['contained is a no-op', [['10.0.0.1', '10.0.0.9'], ['10.0.0.3', '10.0.0.4']], ['10.0.0.1-10.0.0.9']],
    ['covering swallows', [['10.0.0.3', '10.0.0.4'], ['10.0.0.7', '10.0.0.7'], ['10.0.0.1', '10.0.0.9']], ['10.0.0.1-10.0.0.9']],
    ['at 0.0.0.0 and the top', [['0.0.0.0', '0.0.0.0'], ['255.255.255.255', '255.255.255.255'], ['0.0.0.1', '0.0.0.1']], ['0.0.0.0-0.0.0.1', '255.255.255.255-255.255.255.255']],
    ['one address gap stays', [['10.0.0.1', '10.0.0.4'], ['10.0.0.6', '10.0.0.9']], ['10.0.0.1-10.0.0.4', '10.0.0.6-10.0.0.9']],
  ];
  for (const [name, adds, want] of addCases) {
    it(`add: ${name}`, () => {
      const s = new IPRangeSet('IPv4');
      for (const [a, b] of adds) s.add(v(a), v(b));
      assert.deepEqual(show(s), want);
    });
  }

  it('add of an empty (reversed) range is a no-op', () => {
    const s = new IPRangeSet('IPv4');
    s.add(5n, 4n);
    assert.ok(s.isEmpty());
  });

  const removeCases: [string, [string, string][], [string, string], string[]][] = [
    ['middle splits', [['10.0.0.1', '10.0.0.9']], ['10.0.0.4', '10.0.0.5'], ['10.0.0.1-10.0.0.3', '10.0.0.6-10.0.0.9']],
    ['left end trims', [['10.0.0.1', '10.0.0.9']], ['10.0.0.0', '10.0.0.3'], ['10.0.0.4-10.0.0.9']],
    ['right end trims', [['10.0.0.1', '10.0.0.9']], ['10.0.0.7', '10.0.0.20'], ['10.0.0.1-10.0.0.6']],
    ['whole range', [['10.0.0.1', '10.0.0.9']], ['10.0.0.1', '10.0.0.9'], []],
    ['single address', [['10.0.0.5', '10.0.0.5']], ['10.0.0.5', '10.0.0.5'], []],
    ['across several', [['10.0.0.1', '10.0.0.3'], ['10.0.0.5', '10.0.0.6'], ['10.0.0.8', '10.0.0.10']], ['10.0.0.2', '10.0.0.9'], ['10.0.0.1-10.0.0.1', '10.0.0.10-10.0.0.10']],
    ['gap only', [['10.0.0.1', '10.0.0.3'], ['10.0.0.8', '10.0.0.10']], ['10.0.0.4', '10.0.0.7'], ['10.0.0.1-10.0.0.3', '10.0.0.8-10.0.0.10']],
    ['outside', [['10.0.0.1', '10.0.0.3']], ['10.0.0.5', '10.0.0.7'], ['10.0.0.1-10.0.0.3']],
    ['first address', [['10.0.0.0', '10.0.0.255']], ['10.0.0.0', '10.0.0.0'], ['10.0.0.1-10.0.0.255']],
  ];
  for (const [name, adds, [a, b], want] of removeCases) {
    it(`remove: ${name}`, () => {
      const s = new IPRangeSet('IPv4');
      for (const [x, y] of adds) s.add(v(x), v(y));
      s.remove(v(a), v(b));
      assert.deepEqual(show(s), want);
    });
  }

  it('IPv6 remove splits at the top of the space', () => {
    const s = setOf('IPv6', ['::/0']);
    s.remove(v('::'), v('::'));
    s.remove(v('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'), v('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'));
    assert.deepEqual(show(s), ['::1-ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe']);
    assert.equal(s.count(), (1n << 128n) - 2n);
  });

  it('addRange rejects the other family; removeRange ignores it', () => {
    const s = setOf('IPv4', ['10.0.0.0/30']);
    assert.throws(() => s.addRange({ family: 'IPv6', first: 1n, last: 2n }));
    s.removeRange({ family: 'IPv6', first: 0n, last: 1n << 100n });
    assert.equal(s.count(), 4n);
  });
});

describe('IPRangeSet queries', () => {
  const s = setOf('IPv4', ['10.0.0.10-10.0.0.15', '10.0.0.20', '10.0.0.30-10.0.0.31']);

  it('has', () => {
    const inside = ['10.0.0.10', '10.0.0.12', '10.0.0.15', '10.0.0.20', '10.0.0.30', '10.0.0.31'];
    const outside = ['10.0.0.9', '10.0.0.16', '10.0.0.19', '10.0.0.21', '10.0.0.29', '10.0.0.32', '0.0.0.0'];
    for (const a of inside) assert.ok(s.has(v(a)), a);
    for (const a of outside) assert.ok(!s.has(v(a)), a);
  });

  it('hasRange', () => {
    assert.ok(s.hasRange(v('10.0.0.10'), v('10.0.0.15')));
    assert.ok(s.hasRange(v('10.0.0.11'), v('10.0.0.12')));
    assert.ok(!s.hasRange(v('10.0.0.10'), v('10.0.0.20')));
    assert.ok(!s.hasRange(v('10.0.0.16'), v('10.0.0.16')));
  });

  it('lowest / highest', () => {
    assert.equal(s.lowest(), v('10.0.0.10'));
    assert.equal(s.highest(), v('10.0.0.31'));
    const empty = new IPRangeSet('IPv6');
    assert.equal(empty.lowest(), undefined);
    assert.equal(empty.highest(), undefined);
    assert.equal(empty.lowestAtOrAfter(0n), undefined);
    assert.equal(empty.count(), 0n);
    assert.ok(empty.isEmpty());
  });

  const after: [string, string | undefined][] = [
    ['0.0.0.0', '10.0.0.10'],
    ['10.0.0.10', '10.0.0.10'],
    ['10.0.0.13', '10.0.0.13'],
    ['10.0.0.15', '10.0.0.15'],
    ['10.0.0.16', '10.0.0.20'],
    ['10.0.0.21', '10.0.0.30'],
    ['10.0.0.31', '10.0.0.31'],
    ['10.0.0.32', undefined],
  ];
  for (const [from, want] of after) {
    it(`lowestAtOrAfter(${from}) = ${want}`, () => {
      assert.equal(s.lowestAtOrAfter(v(from)), want === undefined ? undefined : v(want));
    });
  }

  it('count and ranges', () => {
    assert.equal(s.count(), 9n);
    const rs: readonly IPRange[] = s.ranges();
    assert.deepEqual(rs.map(formatRange), ['10.0.0.10-10.0.0.15', '10.0.0.20-10.0.0.20', '10.0.0.30-10.0.0.31']);
  });

  it('clone is independent', () => {
    const c = s.clone();
    c.remove(v('10.0.0.10'), v('10.0.0.31'));
    assert.ok(c.isEmpty());
    assert.equal(s.count(), 9n);
  });

  it('union and difference return new sets', () => {
    const o = setOf('IPv4', ['10.0.0.14-10.0.0.21']);
    assert.deepEqual(show(s.union(o)), ['10.0.0.10-10.0.0.21', '10.0.0.30-10.0.0.31']);
    assert.deepEqual(show(s.difference(o)), ['10.0.0.10-10.0.0.13', '10.0.0.30-10.0.0.31']);
    assert.deepEqual(show(o.difference(s)), ['10.0.0.16-10.0.0.19', '10.0.0.21-10.0.0.21']);
    assert.equal(s.count(), 9n);
    assert.throws(() => s.union(new IPRangeSet('IPv6')));
    assert.equal(s.difference(setOf('IPv6', ['::/0'])).count(), 9n);
  });

  it('formatRange of IPv6 and v4-mapped', () => {
    assert.equal(formatRange(parseRange('FE80::0010-fe80::0:0014')!), 'fe80::10-fe80::14');
    assert.equal(formatRange(parseAddressItem('::ffff:10.0.0.1')!), '::ffff:10.0.0.1-::ffff:10.0.0.1');
  });
});
