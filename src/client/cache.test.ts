import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../apimachinery/types.js';
import { Indexer, objectKeyOf, splitKey } from './cache.js';
import { Lister } from './lister.js';

const cm = (ns: string, name: string, labels: Record<string, string> = {}, owner?: string, rv = '1'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { namespace: ns, name, labels, resourceVersion: rv, ...(owner ? { ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'o', uid: owner }] } : {}) },
});

describe('Indexer and Lister', () => {
  it('indexes by namespace, owner uid, label and custom functions, and keeps indexes right on update/delete', () => {
    const idx = new Indexer({ byValue: (o) => [String((o as { data?: { v?: string } }).data?.v ?? '')] });
    idx.set(cm('a', 'one', { app: 'web' }, 'u1'));
    idx.set(cm('a', 'two', { app: 'db' }));
    idx.set(cm('b', 'one', { app: 'web' }, 'u1'));
    idx.set({ ...cm('b', 'three'), data: { v: 'x' } });
    const l = new Lister(idx);
    assert.equal(l.size, 4);
    assert.deepEqual(l.list({ namespace: 'a' }).map(objectKeyOf).sort(), ['a/one', 'a/two']);
    assert.deepEqual(l.list({ labelSelector: 'app=web' }).map(objectKeyOf).sort(), ['a/one', 'b/one']);
    assert.deepEqual(l.list({ namespace: 'b', labelSelector: 'app in (web,db)' }).map(objectKeyOf), ['b/one']);
    assert.deepEqual(l.ownedBy('u1').map(objectKeyOf).sort(), ['a/one', 'b/one']);
    assert.deepEqual(l.withLabel('app', 'db').map(objectKeyOf), ['a/two']);
    assert.deepEqual(l.byIndex('byValue', 'x').map(objectKeyOf), ['b/three']);
    assert.equal(l.get('one', 'b')?.metadata?.namespace, 'b');
    // Relabel: the old index entry goes away.
    idx.set(cm('a', 'one', { app: 'db' }, undefined, '2'));
    assert.deepEqual(l.withLabel('app', 'web').map(objectKeyOf), ['b/one']);
    assert.deepEqual(l.ownedBy('u1').map(objectKeyOf), ['b/one']);
    idx.delete('b/one');
    assert.deepEqual(l.withLabel('app', 'web'), []);
    assert.deepEqual(idx.indexValues('label').sort(), ['app=db']);
    // An index added later covers existing objects.
    idx.addIndexers({ byName: (o) => [o.metadata!.name!] });
    assert.deepEqual(l.byIndex('byName', 'two').map(objectKeyOf), ['a/two']);
    assert.throws(() => l.byIndex('nope', 'x'), /no index named "nope"/);
  });

  it('keys are namespace/name, or name for cluster-scoped objects', () => {
    assert.equal(objectKeyOf({ metadata: { name: 'n' } }), 'n');
    assert.deepEqual(splitKey('ns/n'), { namespace: 'ns', name: 'n' });
    assert.deepEqual(splitKey('n'), { name: 'n' });
  });
});
