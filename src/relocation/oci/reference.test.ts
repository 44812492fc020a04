import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatReference, joinRepo, parseImageReference, parseRepoLocation } from './reference.js';

describe('registry locations and image references', () => {
  it('parses HOST[:PORT]/PREFIX', () => {
    assert.deepEqual(parseRepoLocation('registry.example.com:5000/slipway/tkg'), { registry: 'registry.example.com:5000', prefix: 'slipway/tkg' });
    assert.deepEqual(parseRepoLocation('https://127.0.0.1:5000/'), { registry: '127.0.0.1:5000', prefix: '' });
    assert.deepEqual(parseRepoLocation('localhost/a'), { registry: 'localhost', prefix: 'a' });
    assert.equal(joinRepo({ registry: 'r', prefix: 'p/q' }, 'kubernetes/pause'), 'p/q/kubernetes/pause');
    assert.equal(joinRepo({ registry: 'r', prefix: '' }, 'pause'), 'pause');
  });

  it('names the flag and the bad part', () => {
    assert.throws(() => parseRepoLocation('bad host/x', '--destination-repo'), /^Error: --destination-repo: invalid registry host "bad host"/);
    assert.throws(() => parseRepoLocation('reg.io/Upper/Case', '--source-repo'), /--source-repo: invalid repository prefix "Upper\/Case"/);
  });

  it('parses and formats image references', () => {
    const d = `sha256:${'a'.repeat(64)}` as const;
    assert.deepEqual(parseImageReference(`127.0.0.1:5000/site/kubernetes/pause:3.7@${d}`), { registry: '127.0.0.1:5000', repository: 'site/kubernetes/pause', tag: '3.7', digest: d });
    assert.deepEqual(parseImageReference('reg.io:443/a/b'), { registry: 'reg.io:443', repository: 'a/b', tag: undefined, digest: undefined });
    assert.equal(formatReference({ registry: 'r:1', repository: 'a/b', tag: 't', digest: d }), `r:1/a/b:t@${d}`);
    assert.throws(() => parseImageReference('reg.io/a:bad tag'), /invalid tag/);
    assert.throws(() => parseImageReference('reg.io/a@sha256:xyz'), /invalid digest/);
  });
});
