import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../apimachinery/types.js';
import { addFinalizer, getControllerOf, hasFinalizer, isBeingDeleted, isOwnedBy, removeFinalizer, removeOwnerReference, setControllerReference, setOwnerReference } from './meta.js';
import { createMergePatch } from './patch.js';

const owner = (name: string, uid: string): KubeObject => ({ apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', metadata: { name, uid, namespace: 'default' } });

describe('finalizers', () => {
  it('add and remove report whether they changed anything', () => {
    const o: KubeObject = { metadata: { name: 'x' } };
    assert.equal(addFinalizer(o, 'slipway.dev/cleanup'), true);
    assert.equal(addFinalizer(o, 'slipway.dev/cleanup'), false);
    assert.ok(hasFinalizer(o, 'slipway.dev/cleanup'));
    assert.deepEqual(o.metadata!.finalizers, ['slipway.dev/cleanup']);
    assert.equal(removeFinalizer(o, 'other'), false);
    assert.equal(removeFinalizer(o, 'slipway.dev/cleanup'), true);
    assert.equal(o.metadata!.finalizers, undefined);
    assert.equal(isBeingDeleted(o), false);
  });
});

describe('owner references', () => {
  it('sets a controller reference once and refuses a second controller', () => {
    const o: KubeObject = { metadata: { name: 'md' } };
    assert.equal(setControllerReference(o, owner('c1', 'u1')), true);
    assert.equal(setControllerReference(o, owner('c1', 'u1')), false);
    assert.deepEqual(getControllerOf(o), { apiVersion: 'cluster.x-k8s.io/v1beta1', kind: 'Cluster', name: 'c1', uid: 'u1', controller: true, blockOwnerDeletion: true });
    assert.throws(() => setControllerReference(o, owner('c2', 'u2')), /already controlled by Cluster "c1"/);
    assert.equal(setOwnerReference(o, owner('c2', 'u2')), true);
    assert.ok(isOwnedBy(o, owner('c2', 'u2')));
    assert.equal(o.metadata!.ownerReferences!.length, 2);
    assert.equal(removeOwnerReference(o, { apiVersion: 'cluster.x-k8s.io/v1', kind: 'Cluster', name: 'c2' }), true, 'matches across versions');
    assert.equal(o.metadata!.ownerReferences!.length, 1);
    assert.throws(() => setOwnerReference(o, { apiVersion: 'v1', kind: 'X', metadata: { name: 'no-uid' } }), /uid/);
  });
});

describe('createMergePatch', () => {
  it('contains only changed fields; removals are null; arrays replace', () => {
    const from = { spec: { a: 1, b: { c: 2, d: 3 }, list: [1, 2], gone: 'x' }, same: { k: 'v' } };
    const to = { spec: { a: 1, b: { c: 2, d: 4 }, list: [1, 2, 3], added: true }, same: { k: 'v' } };
    assert.deepEqual(createMergePatch(from, to), { spec: { b: { d: 4 }, list: [1, 2, 3], gone: null, added: true } });
    assert.equal(createMergePatch(from, structuredClone(from)), undefined);
    assert.deepEqual(createMergePatch({ a: { b: 1 } }, { a: 'scalar' }), { a: 'scalar' });
  });
});
