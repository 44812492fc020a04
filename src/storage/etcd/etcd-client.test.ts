import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseEndpoint } from './etcd-client.js';

describe('parseEndpoint', () => {
  const cases: Array<[string, { target: string; secure: boolean }]> = [
    ['http://127.0.0.1:2379', { target: '127.0.0.1:2379', secure: false }],
    ['https://etcd-0.example:2379', { target: 'etcd-0.example:2379', secure: true }],
    ['https://etcd-0.example:2379/', { target: 'etcd-0.example:2379', secure: true }],
    ['http://[::1]:2379', { target: '[::1]:2379', secure: false }],
    ['127.0.0.1:2379', { target: '127.0.0.1:2379', secure: false }],
    ['unix:///run/etcd.sock', { target: 'unix:/run/etcd.sock', secure: false }],
  ];
  for (const [url, want] of cases) it(url, () => assert.deepEqual(parseEndpoint(url), want));

  it('rejects what is not an endpoint', () => {
    assert.throws(() => parseEndpoint('ftp://x:1'), /invalid etcd endpoint/);
    assert.throws(() => parseEndpoint('etcd'), /invalid etcd endpoint/);
  });
});
