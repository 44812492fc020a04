import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addrParseError, familyBits, familyMax, formatAddr, goQuote, parseAddr, parseAddrResult } from './ip.js';

/** Round trip: text → canonical String() (as Go's netip.ParseAddr(x).String()). */
const canonical: [string, string][] = [
  ['0.0.0.0', '0.0.0.0'],
  ['192.168.140.255', '192.168.140.255'],
  ['255.255.255.255', '255.255.255.255'],
  ['::', '::'],
  ['::1', '::1'],
  ['1::', '1::'],
  ['fd7a:115c:a1e0:ab12:4843:cd96:626b:430b', 'fd7a:115c:a1e0:ab12:4843:cd96:626b:430b'],
  ['FD7A:115C:A1E0:AB12:4843:CD96:626B:430B', 'fd7a:115c:a1e0:ab12:4843:cd96:626b:430b'],
  ['fd7a:115c::626b:430b', 'fd7a:115c::626b:430b'],
  ['fd7a:115c:0:0:0:0:626b:430b', 'fd7a:115c::626b:430b'],
  ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // first of two equal runs
  ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // longest run wins
  ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed
  ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
  ['0:0:0:0:0:0:0:0', '::'],
  ['1:0:0:0:0:0:0:0', '1::'],
  ['0:0:0:0:0:0:0:1', '::1'],
  ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
  ['::ffff:192.168.140.255', '::ffff:192.168.140.255'],
  ['::FFFF:c0a8:8cff', '::ffff:192.168.140.255'],
  ['::ffff:0.0.0.0', '::ffff:0.0.0.0'],
  ['::1.2.3.4', '::102:304'], // v4-compatible (not mapped) prints as hex
  ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
  ['fe80::1%eth0', 'fe80::1'], // zone dropped
  ['fe80::1cc0:3e8c:119f:c2e1%ens18', 'fe80::1cc0:3e8c:119f:c2e1'],
  ['fd00::1', 'fd00::1'],
];

describe('parseAddr / formatAddr (Go netip)', () => {
  for (const [input, want] of canonical) {
    it(`${input} → ${want}`, () => {
      const a = parseAddr(input);
      assert.ok(a, `expected ${input} to parse`);
      assert.equal(formatAddr(a), want);
      assert.deepEqual(parseAddr(want), a);
    });
  }

  it('families and values', () => {
    assert.deepEqual(parseAddr('10.0.0.1'), { family: 'IPv4', value: 0x0a000001n });
    assert.deepEqual(parseAddr('::ffff:10.0.0.1'), { family: 'IPv6', value: 0xffff0a000001n });
    assert.deepEqual(parseAddr('::'), { family: 'IPv6', value: 0n });
    assert.deepEqual(parseAddr('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'), { family: 'IPv6', value: familyMax('IPv6') });
    assert.equal(familyBits('IPv4'), 32);
    assert.equal(familyBits('IPv6'), 128);
    assert.equal(familyMax('IPv4'), 0xffffffffn);
  });

  it('keeps the zone in the detailed result', () => {
    const r = parseAddrResult('fe80::1%eth0');
    assert.ok(r.ok);
    assert.equal(r.addr.zone, 'eth0');
  });

  const invalid: [string, string][] = [
    ['', 'ParseAddr(""): unable to parse IP'],
    ['invalid', 'ParseAddr("invalid"): unable to parse IP'],
    ['42', 'ParseAddr("42"): unable to parse IP'],
    ['%eth0', 'ParseAddr("%eth0"): missing IPv6 address'],
    ['010.0.0.1', 'ParseAddr("010.0.0.1"): IPv4 field has octet with leading zero'],
    ['10.0.0.01', 'ParseAddr("10.0.0.01"): IPv4 field has octet with leading zero'],
    ['192.168.1.2612', 'ParseAddr("192.168.1.2612"): IPv4 field has value >255'],
    ['256.0.0.1', 'ParseAddr("256.0.0.1"): IPv4 field has value >255'],
    ['1.2.3', 'ParseAddr("1.2.3"): IPv4 address too short'],
    ['192.168.1.2.4', 'ParseAddr("192.168.1.2.4"): IPv4 address too long'],
    ['1..2.3', 'ParseAddr("1..2.3"): IPv4 field must have at least one digit (at ".2.3")'],
    ['.1.2.3', 'ParseAddr(".1.2.3"): IPv4 field must have at least one digit (at ".1.2.3")'],
    ['1.2.3.', 'ParseAddr("1.2.3."): IPv4 field must have at least one digit (at ".")'],
    ['1.2.3.4%eth0', 'ParseAddr("1.2.3.4%eth0"): unexpected character (at "%eth0")'],
    [' 1.2.3.4', 'ParseAddr(" 1.2.3.4"): unexpected character (at " 1.2.3.4")'],
    ['fe80::zzzz', 'ParseAddr("fe80::zzzz"): each colon-separated field must have at least one digit (at "zzzz")'],
    ['fe80::1%', 'ParseAddr("fe80::1%"): zone must be a non-empty string'],
    ['12345::', 'ParseAddr("12345::"): each group must have 4 or less digits (at "12345::")'],
    ['1:2:3:4:5:6:7', 'ParseAddr("1:2:3:4:5:6:7"): address string too short'],
    ['1:2:3:4:5:6:7:8:9', 'ParseAddr("1:2:3:4:5:6:7:8:9"): trailing garbage after address (at "9")'],
    ['1::2::3', 'ParseAddr("1::2::3"): multiple :: in address (at ":3")'],
    ['1:2:3:4::5:6:7:8', 'ParseAddr("1:2:3:4::5:6:7:8"): the :: must expand to at least one field of zeros'],
    ['1:2:', 'ParseAddr("1:2:"): colon must be followed by more characters (at ":")'],
    ['1:2x', 'ParseAddr("1:2x"): unexpected character, want colon (at "x")'],
    ['1:2:3:4:1.2.3.4', 'ParseAddr("1:2:3:4:1.2.3.4"): embedded IPv4 address must replace the final 2 fields of the address (at "1.2.3.4")'],
    ['::ffff:1.2.03.4', 'ParseAddr("::ffff:1.2.03.4"): IPv4 field has octet with leading zero'],
    ['::ffff:1.2.3', 'ParseAddr("::ffff:1.2.3"): IPv4 address too short'],
  ];
  for (const [input, message] of invalid) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      assert.equal(parseAddr(input), undefined);
      assert.equal(addrParseError(input), message);
    });
  }

  it('addrParseError is undefined for a valid address', () => {
    assert.equal(addrParseError('10.0.0.1'), undefined);
  });

  it('goQuote escapes like strconv.Quote for ASCII', () => {
    assert.equal(goQuote('a"b\\c\n'), '"a\\"b\\\\c\\n"');
  });
});
