/** pods/ephemeralcontainers: the update rules (pure) and the subresource through a real ObjectStore. */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { StatusError } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/types.js';
import { workloadClusterResources, workloadClusterStrategies } from '../api/kubernetes/index.js';
import { MemoryStore } from '../storage/memory/memory-store.js';
import { ObjectStore } from './object-store.js';
import { validateEphemeralContainersUpdate, withEphemeralContainers } from './pod-ephemeral-containers.js';
import { ResourceRegistry } from './registry.js';

const dbg = { name: 'dbg', image: 'busybox', targetContainerName: 'web' };
const pod = (ephemeral?: unknown[]): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'default' },
  spec: { containers: [{ name: 'web', image: 'nginx' }], initContainers: [{ name: 'init', image: 'busybox' }], ...(ephemeral ? { ephemeralContainers: ephemeral } : {}) },
});

describe('validateEphemeralContainersUpdate', () => {
  const cases: { name: string; old: unknown[] | undefined; next: unknown[] | undefined; want: string[] }[] = [
    { name: 'adding one', old: undefined, next: [dbg], want: [] },
    { name: 'adding a second', old: [dbg], next: [dbg, { name: 'dbg2', image: 'busybox' }], want: [] },
    { name: 'removing', old: [dbg], next: [], want: ['spec.ephemeralContainers: Forbidden: existing ephemeral containers "dbg" may not be removed'] },
    { name: 'changing', old: [dbg], next: [{ ...dbg, image: 'alpine' }], want: ['spec.ephemeralContainers: Forbidden: existing ephemeral containers "dbg" may not be changed'] },
    { name: 'a name already used by a container', old: undefined, next: [{ name: 'web', image: 'busybox' }], want: ['spec.ephemeralContainers[0].name: Duplicate value: "web"'] },
    { name: 'a name already used by an init container', old: undefined, next: [{ name: 'init', image: 'busybox' }], want: ['spec.ephemeralContainers[0].name: Duplicate value: "init"'] },
    { name: 'no name, no image', old: undefined, next: [{}], want: ['spec.ephemeralContainers[0].name: Required value', 'spec.ephemeralContainers[0].image: Required value'] },
    { name: 'an unknown target', old: undefined, next: [{ ...dbg, targetContainerName: 'nope' }], want: ['spec.ephemeralContainers[0].targetContainerName: Not found: "nope"'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const causes = validateEphemeralContainersUpdate(pod(c.next), pod(c.old));
      assert.deepEqual(causes.map((x) => `${x.field}: ${x.message}`), c.want);
    });
  }

  it('withEphemeralContainers takes only spec.ephemeralContainers from the input', () => {
    const input = { ...pod([dbg]), metadata: { name: 'p', labels: { a: 'b' } }, spec: { containers: [], ephemeralContainers: [dbg] } };
    const out = withEphemeralContainers(pod(), input);
    assert.deepEqual(out.spec, { ...(pod().spec as object), ephemeralContainers: [dbg] });
    assert.deepEqual(out.metadata, pod().metadata);
  });
});

describe('pods/ephemeralcontainers through the object store', () => {
  let objects: ObjectStore;
  const pods = () => objects.registry.get('', 'v1', 'pods')!;
  beforeEach(async () => {
    const registry = new ResourceRegistry();
    registry.setOwned('builtin', workloadClusterResources());
    objects = new ObjectStore(new MemoryStore(), registry, { strategies: workloadClusterStrategies() });
    await objects.create(registry.get('', 'v1', 'namespaces')!, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }, {});
    await objects.create(pods(), 'default', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'web', image: 'nginx' }] } }, {});
  });

  it('a strategic merge patch adds an ephemeral container (defaulted) and nothing else changes', async () => {
    const before = await objects.get(pods(), 'default', 'p');
    const r = await objects.patch(pods(), 'default', 'p', 'strategic', { metadata: { labels: { x: 'y' } }, spec: { ephemeralContainers: [dbg], containers: [{ name: 'web', image: 'httpd' }] } }, {}, 'ephemeralcontainers');
    const spec = r.object.spec as { containers: { image: string }[]; ephemeralContainers: Record<string, unknown>[] };
    assert.equal(spec.containers[0]!.image, 'nginx');
    assert.equal(spec.ephemeralContainers[0]!.name, 'dbg');
    assert.equal(spec.ephemeralContainers[0]!.terminationMessagePolicy, 'File');
    assert.equal(r.object.metadata?.labels, before.metadata?.labels);
    await assert.rejects(
      objects.update(pods(), 'default', 'p', { ...r.object, spec: { ...spec, ephemeralContainers: [] } }, {}, 'ephemeralcontainers'),
      (e: unknown) => e instanceof StatusError && e.code === 422 && /may not be removed/.test(e.message),
    );
  });
});
