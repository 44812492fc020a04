import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtinResources } from '../api/builtin/index.js';
import { ObjectStore } from '../apiserver/object-store.js';
import { ResourceRegistry } from '../apiserver/registry.js';
import type { AuthzAttributes } from '../apiserver/authz/attributes.js';
import { MemoryStore } from '../storage/memory/memory-store.js';
import { ForbiddenError } from './errors.js';
import { inProcessClient } from './index.js';

async function objects(): Promise<ObjectStore> {
  const registry = new ResourceRegistry();
  registry.setOwned('builtin', builtinResources());
  const o = new ObjectStore(new MemoryStore(), registry);
  await o.create(registry.get('', 'v1', 'namespaces')!, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  return o;
}

describe('in-process transport with an authorizer', () => {
  it('asks for every call with the verb, resource, namespace and name an HTTP request would carry, and refuses with 403', async () => {
    const asked: AuthzAttributes[] = [];
    const user = { name: 'system:serviceaccount:kube-system:robot', groups: ['system:serviceaccounts', 'system:authenticated'] };
    const client = inProcessClient(await objects(), {
      user,
      authorize(a) {
        asked.push(a);
        return a.resource === 'configmaps' ? { allowed: true } : { allowed: false, reason: '' };
      },
    });
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' } };
    await client.create(cm);
    await client.get({ apiVersion: 'v1', kind: 'ConfigMap' }, { namespace: 'default', name: 'x' });
    await client.list({ apiVersion: 'v1', kind: 'ConfigMap' }, { namespace: 'default' });
    assert.deepEqual(asked.map((a) => `${a.verb} ${a.resource} ${a.namespace ?? '-'} ${a.name ?? '-'}`), ['create configmaps default -', 'get configmaps default x', 'list configmaps default -']);
    assert.equal(asked[0]!.user, user);
    await assert.rejects(client.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' } }), (e: unknown) => {
      assert.ok(e instanceof ForbiddenError);
      assert.equal(e.message, 'secrets is forbidden: User "system:serviceaccount:kube-system:robot" cannot create resource "secrets" in API group "" in the namespace "default"');
      return true;
    });
  });
});
