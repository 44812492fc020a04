import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject } from '../../apimachinery/types.js';
import type { SharedInformer } from '../../client/informer.js';
import { FakeClock } from '../../runtime/clock.js';
import { CacheExpectations, EXPECTATION_TTL_MS } from './expectations.js';

/** Just what expectations read of an informer: its cache by key and the last resourceVersion it processed. */
function fakeInformer(): { informer: SharedInformer; objects: Map<string, KubeObject>; seen(rv: string): void } {
  const objects = new Map<string, KubeObject>();
  const fake = { cache: { get: (k: string) => objects.get(k) }, lastResourceVersion: '0' };
  return { informer: fake as unknown as SharedInformer, objects, seen: (rv) => void (fake.lastResourceVersion = rv) };
}

const obj = (name: string, rv: string, extra: Record<string, unknown> = {}): KubeObject => ({ metadata: { namespace: 'ns', name, uid: `${name}-uid`, resourceVersion: rv, ...extra } });

describe('cache expectations', () => {
  test('a write is awaited until the informer has processed its resourceVersion', () => {
    const e = new CacheExpectations(new FakeClock());
    const f = fakeInformer();
    assert.equal(e.satisfied('owner'), true);
    e.expectWrite('owner', f.informer, obj('a', '10'));
    e.expectWrite('owner', f.informer, obj('b', '12'));
    f.seen('9');
    assert.equal(e.satisfied('owner'), false);
    f.seen('11');
    assert.equal(e.satisfied('owner'), false, 'the second write is not seen yet');
    f.seen('12');
    assert.equal(e.satisfied('owner'), true);
    assert.equal(e.size, 0, 'seen expectations are forgotten');
  });
  test('non-numeric versions fall back to the object being in the cache', () => {
    const e = new CacheExpectations(new FakeClock());
    const f = fakeInformer();
    f.seen('');
    e.expectWrite('owner', f.informer, obj('a', 'abc'));
    assert.equal(e.satisfied('owner'), false);
    f.objects.set('ns/a', obj('a', 'abc'));
    assert.equal(e.satisfied('owner'), true);
  });
  test('a deletion is seen once the cache no longer shows the object live', () => {
    const e = new CacheExpectations(new FakeClock());
    const f = fakeInformer();
    const a = obj('a', '5');
    f.objects.set('ns/a', a);
    e.expectDeletion('owner', f.informer, a);
    assert.equal(e.satisfied('owner'), false);
    f.objects.set('ns/a', obj('a', '6', { deletionTimestamp: '2030-01-01T00:00:00Z' }));
    assert.equal(e.satisfied('owner'), true, 'marked for deletion');
    e.expectDeletion('owner', f.informer, a);
    f.objects.set('ns/a', obj('a', '7', { uid: 'someone-else' }));
    assert.equal(e.satisfied('owner'), true, 'replaced by another object of the same name');
    e.expectDeletion('owner', f.informer, a);
    f.objects.delete('ns/a');
    assert.equal(e.satisfied('owner'), true, 'gone');
  });
  test('owners are independent; forget drops one; a lost event expires after the TTL', async () => {
    const clock = new FakeClock();
    const e = new CacheExpectations(clock);
    const f = fakeInformer();
    e.expectWrite('x', f.informer, obj('a', '10'));
    e.expectWrite('y', f.informer, obj('b', '10'));
    assert.equal(e.satisfied('x'), false);
    e.forget('x');
    assert.equal(e.satisfied('x'), true);
    assert.equal(e.satisfied('y'), false);
    await clock.advance(EXPECTATION_TTL_MS - 1);
    assert.equal(e.satisfied('y'), false);
    await clock.advance(1);
    assert.equal(e.satisfied('y'), true);
  });
});
