import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { describe, it } from 'node:test';
import { sourceIPs } from './source-ips.js';

// Cases from upstream's TestSourceIPs (k8s.io/apimachinery/pkg/util/net/http_test.go), then Node's address forms.
describe('sourceIPs', () => {
  const upstream: [name: string, realIP: string, forwardedFor: string, remoteAddr: string, want: string[]][] = [
    ['no headers, missing remoteAddr', '', '', '', []],
    ['no headers, just remoteAddr host:port', '', '', '1.2.3.4:555', ['1.2.3.4']],
    ['no headers, just remoteAddr host', '', '', '1.2.3.4', ['1.2.3.4']],
    ['empty forwarded-for chain', '', ' ', '1.2.3.4', ['1.2.3.4']],
    ['invalid forwarded-for chain', '', 'garbage garbage values!', '1.2.3.4', ['1.2.3.4']],
    ['partially invalid forwarded-for chain', '', 'garbage garbage values!,4.5.6.7', '1.2.3.4', ['4.5.6.7', '1.2.3.4']],
    ['valid forwarded-for chain', '', '120.120.120.126,2.2.2.2,4.5.6.7', '1.2.3.4', ['120.120.120.126', '2.2.2.2', '4.5.6.7', '1.2.3.4']],
    ['valid forwarded-for chain with redundant remoteAddr', '', '2.2.2.2,1.2.3.4', '1.2.3.4', ['2.2.2.2', '1.2.3.4']],
    ['invalid Real-Ip', 'garbage, just garbage!', '', '1.2.3.4', ['1.2.3.4']],
    ['invalid Real-Ip with forwarded-for', 'garbage, just garbage!', '2.2.2.2', '1.2.3.4', ['2.2.2.2', '1.2.3.4']],
    ['valid Real-Ip', '2.2.2.2', '', '1.2.3.4', ['2.2.2.2', '1.2.3.4']],
    ['redundant Real-Ip', '1.2.3.4', '', '1.2.3.4', ['1.2.3.4']],
    ['valid Real-Ip with forwarded-for', '2.2.2.2', '120.120.120.126,4.5.6.7', '1.2.3.4', ['120.120.120.126', '4.5.6.7', '2.2.2.2', '1.2.3.4']],
    ['redundant Real-Ip with forwarded-for', '2.2.2.2', '120.120.120.126,2.2.2.2,4.5.6.7', '1.2.3.4', ['120.120.120.126', '2.2.2.2', '4.5.6.7', '1.2.3.4']],
    ['full redundancy', '1.2.3.4', '1.2.3.4', '1.2.3.4', ['1.2.3.4']],
    [
      'full ipv6',
      'abcd:ef01:2345:6789:abcd:ef01:2345:6789',
      'aaaa:bbbb:cccc:dddd:eeee:ffff:0:1111,0:1111:2222:3333:4444:5555:6666:7777',
      'aaaa:aaaa:aaaa:aaaa:aaaa:aaaa:aaaa:aaaa',
      ['aaaa:bbbb:cccc:dddd:eeee:ffff:0:1111', '0:1111:2222:3333:4444:5555:6666:7777', 'abcd:ef01:2345:6789:abcd:ef01:2345:6789', 'aaaa:aaaa:aaaa:aaaa:aaaa:aaaa:aaaa:aaaa'],
    ],
    ['mixed ipv4 ipv6', '', 'aaaa:bbbb:cccc:dddd:eeee:ffff:0:1111,1.2.3.4', '0:0:0:0:0:ffff:102:304', ['aaaa:bbbb:cccc:dddd:eeee:ffff:0:1111', '1.2.3.4']],
  ];
  for (const [name, realIP, forwardedFor, remoteAddr, want] of upstream) {
    it(name, () => {
      const headers: IncomingHttpHeaders = {};
      if (forwardedFor) headers['x-forwarded-for'] = forwardedFor;
      if (realIP) headers['x-real-ip'] = realIP;
      assert.deepEqual(sourceIPs(headers, remoteAddr || undefined), want);
    });
  }

  const node: [name: string, remote: string, want: string[]][] = [
    ['IPv4-mapped remote address (Node dual-stack) printed as IPv4', '::ffff:127.0.0.1', ['127.0.0.1']],
    ['IPv6 loopback', '::1', ['::1']],
    ['IPv6 written long is compressed', '2001:0db8:0000:0000:0000:0000:0000:0001', ['2001:db8::1']],
    ['bracketed IPv6 with a port', '[2001:db8::1]:6443', ['2001:db8::1']],
  ];
  for (const [name, remote, want] of node) {
    it(name, () => assert.deepEqual(sourceIPs({}, remote), want));
  }
});
