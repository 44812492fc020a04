import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { updateManagedFields, serverSideApply, LAST_APPLIED_ANNOTATION, type ServerSideApplyArgs } from './index.js';
import { StatusError } from '../errors.js';
import type { KubeObject, ManagedFieldsEntry } from '../types.js';
import { configMapSchema, widgetSchema, deploymentSchema } from './test-schemas.js';

const T1 = '2024-01-01T00:00:00Z';
const T2 = '2024-01-02T00:00:00Z';
const T3 = '2024-01-03T00:00:00Z';

const cm = (data: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'c', namespace: 'default', ...extra },
  data,
});

function withMF(obj: KubeObject, mf: ManagedFieldsEntry[]): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, managedFields: mf } };
}

function entry(mf: ManagedFieldsEntry[], manager: string, operation?: string): ManagedFieldsEntry | undefined {
  return mf.find((e) => e.manager === manager && (!operation || e.operation === operation));
}

function update(oldObj: KubeObject | undefined, newObj: KubeObject, manager: string, now = T1, extra: Partial<Parameters<typeof updateManagedFields>[0]> = {}) {
  return updateManagedFields({ oldObj, newObj, manager, operation: 'Update', schema: configMapSchema, apiVersion: 'v1', now, ...extra });
}

function ssa(live: KubeObject | undefined, applied: KubeObject, manager: string, extra: Partial<ServerSideApplyArgs> = {}) {
  return serverSideApply({ live, applied, manager, force: false, schema: configMapSchema, apiVersion: 'v1', now: T1, ...extra });
}

function conflictOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 409);
    assert.equal(e.reason, 'Conflict');
    return e;
  }
  assert.fail('expected a conflict');
}

describe('updateManagedFields', () => {
  it('create: owner of everything it set, nodes marked, meta stripped', () => {
    const mf = update(undefined, cm({ a: '1' }, { labels: { x: 'y' }, resourceVersion: '1', uid: 'u', generation: 1, creationTimestamp: T1 }), 'kubectl-create');
    assert.deepEqual(mf, [
      {
        manager: 'kubectl-create',
        operation: 'Update',
        apiVersion: 'v1',
        time: T1,
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { '.': {}, 'f:a': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:x': {} } } },
      },
    ]);
  });

  it('another manager changing a field takes it; the first keeps the rest', () => {
    const v1 = withMF(cm({ a: '1', b: '2' }), update(undefined, cm({ a: '1', b: '2' }), 'creator'));
    const mf = update(v1, cm({ a: '1', b: '3' }), 'editor', T2);
    assert.deepEqual(entry(mf, 'creator')!.fieldsV1, { 'f:data': { '.': {}, 'f:a': {} } });
    assert.equal(entry(mf, 'creator')!.time, T1);
    assert.deepEqual(entry(mf, 'editor')!.fieldsV1, { 'f:data': { 'f:b': {} } });
    assert.equal(entry(mf, 'editor')!.time, T2);
    assert.deepEqual(mf.map((e) => e.manager), ['creator', 'editor']);
  });

  it('removing a field strips it from every owner and adds no entry', () => {
    const v1 = withMF(cm({ a: '1', b: '2' }), update(undefined, cm({ a: '1', b: '2' }), 'creator'));
    const mf = update(v1, cm({ a: '1' }), 'remover', T2);
    assert.equal(entry(mf, 'remover'), undefined);
    assert.deepEqual(entry(mf, 'creator')!.fieldsV1, { 'f:data': { '.': {}, 'f:a': {} } });
  });

  it('entries that become empty are dropped', () => {
    const v1 = withMF(cm({ a: '1' }), update(undefined, cm({ a: '1' }), 'creator'));
    const mf = update(v1, { ...cm({}), data: undefined } as KubeObject, 'remover', T2);
    assert.deepEqual(mf, []);
  });

  it('a no-op update leaves entries and times alone', () => {
    const first = update(undefined, cm({ a: '1' }), 'creator');
    const v1 = withMF(cm({ a: '1' }), first);
    assert.deepEqual(update(v1, withMF(cm({ a: '1' }), first), 'other', T2), first);
  });

  it('the same manager with another apiVersion or subresource gets its own entry', () => {
    const v1 = withMF(cm({ a: '1' }), update(undefined, cm({ a: '1' }), 'm'));
    const mf = update(v1, cm({ a: '2' }), 'm', T2, { apiVersion: 'v2' });
    assert.deepEqual(mf.map((e) => [e.manager, e.apiVersion]), [['m', 'v1'], ['m', 'v2']]);
    const st = updateManagedFields({
      oldObj: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 1 } },
      newObj: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 1 }, status: { replicas: 1 } },
      manager: 'kube-controller-manager',
      operation: 'Update',
      schema: deploymentSchema,
      apiVersion: 'apps/v1',
      now: T2,
      subresource: 'status',
    });
    assert.deepEqual(st, [
      { manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'apps/v1', time: T2, fieldsType: 'FieldsV1', fieldsV1: { 'f:status': { '.': {}, 'f:replicas': {} } }, subresource: 'status' },
    ]);
  });

  it('resetFields are not recorded', () => {
    const mf = updateManagedFields({
      oldObj: undefined,
      newObj: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 1 }, status: { replicas: 1 } },
      manager: 'm',
      operation: 'Update',
      schema: deploymentSchema,
      apiVersion: 'apps/v1',
      now: T1,
      resetFields: [['status']],
    });
    assert.deepEqual(mf[0]!.fieldsV1, { 'f:spec': { '.': {}, 'f:replicas': {} } });
  });

  it('managedFields sent by the client replace the stored ones; [{}] clears them', () => {
    const v1 = withMF(cm({ a: '1' }), update(undefined, cm({ a: '1' }), 'creator'));
    const custom: ManagedFieldsEntry[] = [{ manager: 'someone', operation: 'Apply', apiVersion: 'v1', time: T1, fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} } } }];
    const mf = update(v1, withMF(cm({ a: '1' }), custom), 'editor', T2);
    assert.deepEqual(mf, custom);
    assert.deepEqual(update(v1, withMF(cm({ a: '1' }), [{}]), 'editor', T2), []);
    // An empty list does not reset.
    assert.equal(update(v1, withMF(cm({ a: '1' }), []), 'editor', T2)[0]!.manager, 'creator');
  });

  it('caps Update entries at 10, folding the oldest into ancient-changes', () => {
    let obj = cm({});
    let mf: ManagedFieldsEntry[] = [];
    for (let i = 0; i < 12; i++) {
      const next = cm({ ...(obj.data as Record<string, string>), [`k${i}`]: 'v' });
      mf = update(withMF(obj, mf), next, `m${i}`, `2024-01-01T00:00:${String(i).padStart(2, '0')}Z`);
      obj = next;
    }
    assert.equal(mf.length, 10);
    const ancient = entry(mf, 'ancient-changes')!;
    assert.deepEqual(ancient.fieldsV1, { 'f:data': { 'f:k0': {}, 'f:k1': {}, 'f:k2': {} } });
    assert.equal(entry(mf, 'm0'), undefined);
  });

  it('times are stored at second precision', () => {
    assert.equal(update(undefined, cm({ a: '1' }), 'm', '2024-01-01T00:00:00.123456Z')[0]!.time, T1);
  });

  it('sorts Apply entries before Update entries', () => {
    const applied = ssa(undefined, cm({ a: '1' }), 'applier').object;
    const mf = update(applied, cm({ a: '1', b: '2' }), 'updater', T2);
    assert.deepEqual(mf.map((e) => `${e.operation}/${e.manager}`), ['Apply/applier', 'Update/updater']);
  });
});

describe('serverSideApply', () => {
  it('creates the object and records an Apply entry', () => {
    const r = ssa(undefined, cm({ a: '1' }, { labels: { x: 'y' }, resourceVersion: '99', managedFields: [{ manager: 'x' }] }), 'kubectl');
    assert.deepEqual(r.managedFields, [
      { manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', time: T1, fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} }, 'f:metadata': { 'f:labels': { 'f:x': {} } } } },
    ]);
    assert.equal(r.object.metadata!.resourceVersion, undefined);
    assert.deepEqual(r.object.data, { a: '1' });
    assert.deepEqual(r.object.metadata!.managedFields, r.managedFields);
    assert.equal(r.changed, true);
  });

  it('re-applying the same configuration is a no-op', () => {
    const first = ssa(undefined, cm({ a: '1' }), 'kubectl').object;
    const again = ssa(first, cm({ a: '1' }), 'kubectl', { now: T2 });
    assert.equal(again.changed, false);
    assert.equal(again.managedFields[0]!.time, T1);
    assert.deepEqual(again.object, first);
  });

  it('fields dropped from the configuration are removed', () => {
    const first = ssa(undefined, cm({ a: '1', b: '2' }, { labels: { x: 'y', z: 'w' } }), 'kubectl').object;
    const r = ssa(first, cm({ a: '1' }, { labels: { x: 'y' } }), 'kubectl', { now: T2 });
    assert.deepEqual(r.object.data, { a: '1' });
    assert.deepEqual(r.object.metadata!.labels, { x: 'y' });
    assert.equal(r.managedFields[0]!.time, T2);
  });

  it('fields still owned by another manager are kept when dropped', () => {
    const first = ssa(undefined, cm({ a: '1', b: '2' }), 'one').object;
    const second = ssa(first, cm({ b: '2' }), 'two').object;
    const r = ssa(second, cm({ a: '1' }), 'one', { now: T2 });
    assert.deepEqual(r.object.data, { a: '1', b: '2' });
    assert.deepEqual(entry(r.managedFields, 'two')!.fieldsV1, { 'f:data': { 'f:b': {} } });
  });

  it('fields changed by an Update manager survive the applier dropping them', () => {
    const first = ssa(undefined, cm({ a: '1', b: '2' }), 'applier').object;
    const edited = { ...cm({ a: '1', b: 'edited' }), metadata: { ...first.metadata, managedFields: update(first, cm({ a: '1', b: 'edited' }), 'kubectl-edit', T2) } };
    const r = ssa(edited, cm({ a: '1' }), 'applier', { now: T3 });
    assert.deepEqual(r.object.data, { a: '1', b: 'edited' });
  });

  it('one conflict: kube message and causes', () => {
    const created = withMF(cm({ key: 'old' }), update(undefined, cm({ key: 'old' }), 'kubectl-client-side-apply'));
    const e = conflictOf(() => ssa(created, cm({ key: 'new' }), 'mgr'));
    assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .data.key');
    assert.deepEqual(e.details, { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using v1', field: '.data.key' }] });
  });

  it('several conflicts across managers: grouped, managers sorted', () => {
    let obj = ssa(undefined, cm({ a: '1', b: '1' }), 'zeta').object;
    obj = { ...cm({ a: '1', b: '1', c: '1' }), metadata: { ...obj.metadata, managedFields: update(obj, cm({ a: '1', b: '1', c: '1' }), 'alpha', T2) } };
    const e = conflictOf(() => ssa(obj, cm({ a: '2', b: '2', c: '2' }), 'mgr'));
    assert.equal(e.message, 'Apply failed with 3 conflicts: conflicts with "alpha" using v1:\n- .data.c\nconflicts with "zeta":\n- .data.a\n- .data.b');
    assert.deepEqual(
      e.details!.causes!.map((c) => [c.message, c.field]),
      [
        ['conflict with "alpha" using v1', '.data.c'],
        ['conflict with "zeta"', '.data.a'],
        ['conflict with "zeta"', '.data.b'],
      ],
    );
  });

  it('applying an unchanged value shares ownership without conflict', () => {
    const created = ssa(undefined, cm({ key: 'same' }), 'one').object;
    const r = ssa(created, cm({ key: 'same' }), 'two');
    assert.deepEqual(entry(r.managedFields, 'one')!.fieldsV1, { 'f:data': { 'f:key': {} } });
    assert.deepEqual(entry(r.managedFields, 'two')!.fieldsV1, { 'f:data': { 'f:key': {} } });
  });

  it('force takes ownership away from the other manager', () => {
    const created = ssa(undefined, cm({ key: 'old', keep: 'k' }), 'one').object;
    const r = ssa(created, cm({ key: 'new' }), 'two', { force: true, now: T2 });
    assert.deepEqual(r.object.data, { key: 'new', keep: 'k' });
    assert.deepEqual(entry(r.managedFields, 'one')!.fieldsV1, { 'f:data': { 'f:keep': {} } });
    assert.deepEqual(entry(r.managedFields, 'two')!.fieldsV1, { 'f:data': { 'f:key': {} } });
  });

  it('a subresource manager is printed with its subresource', () => {
    const base = ssa(undefined, cm({ a: '1' }), 'ctl', { subresource: 'status' }).object;
    const e = conflictOf(() => ssa(base, cm({ a: '2' }), 'other'));
    assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "ctl" with subresource "status": .data.a');
    assert.equal(entry(base.metadata!.managedFields!, 'ctl')!.subresource, 'status');
  });

  it('objects without managedFields are first owned by before-first-apply', () => {
    const legacy = cm({ a: '1' });
    const e = conflictOf(() => ssa(legacy, cm({ a: '2' }), 'kubectl'));
    assert.match(e.message, /conflict with "before-first-apply" using v1: \.data\.a/);
  });

  it('kubectl --server-side may take over fields matching last-applied-configuration', () => {
    const lastApplied = JSON.stringify(cm({ a: '1' }));
    const live0 = cm({ a: '1' }, { annotations: { [LAST_APPLIED_ANNOTATION]: lastApplied } });
    const live = withMF(live0, update(undefined, live0, 'kubectl-client-side-apply'));
    const r = ssa(live, cm({ a: '1', b: '2' }), 'kubectl');
    assert.deepEqual(r.object.data, { a: '1', b: '2' });
    const ann = JSON.parse(r.object.metadata!.annotations![LAST_APPLIED_ANNOTATION]!);
    assert.deepEqual(ann.data, { a: '1', b: '2' });
    // Another manager name gets the conflict on the changed value.
    conflictOf(() => ssa(live, cm({ a: '9' }), 'other'));
  });

  it('null in the configuration removes a non-nullable field but keeps ownership', () => {
    const first = ssa(undefined, cm({ a: '1', b: '2' }), 'one').object;
    const r = ssa(first, { ...cm({ a: '1' }), data: { a: '1', b: null } } as unknown as KubeObject, 'one');
    assert.deepEqual(r.object.data, { a: '1' });
    assert.deepEqual(entry(r.managedFields, 'one')!.fieldsV1, { 'f:data': { 'f:a': {}, 'f:b': {} } });
  });

  describe('lists and maps of a CRD', () => {
    const w = (spec: Record<string, unknown>, meta: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', ...meta }, spec });
    const apply = (live: KubeObject | undefined, applied: KubeObject, manager: string, extra: Partial<ServerSideApplyArgs> = {}) =>
      serverSideApply({ live, applied, manager, force: false, schema: widgetSchema, apiVersion: 'example.com/v1', now: T1, ...extra });

    it('map lists merge per key and prune only the applier’s items', () => {
      const a = apply(undefined, w({ ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }] }), 'one').object;
      const b = apply(a, w({ ports: [{ name: 'metrics', port: 9090 }] }), 'two').object;
      assert.deepEqual((b.spec as any).ports.map((p: any) => p.name), ['http', 'https', 'metrics']);
      const c = apply(b, w({ ports: [{ name: 'https', port: 8443 }] }), 'one').object;
      assert.deepEqual((c.spec as any).ports, [{ name: 'https', port: 8443 }, { name: 'metrics', port: 9090 }]);
    });
    it('set lists union and prune', () => {
      const a = apply(undefined, w({ features: ['a', 'b'] }), 'one').object;
      const b = apply(a, w({ features: ['c'] }), 'two').object;
      assert.deepEqual((b.spec as any).features, ['a', 'b', 'c']);
      const c = apply(b, w({ features: ['b'] }), 'one').object;
      assert.deepEqual((c.spec as any).features, ['b', 'c']);
    });
    it('atomic lists are replaced and conflict as a whole', () => {
      const a = apply(undefined, w({ tags: ['a', 'b'] }), 'one').object;
      const e = conflictOf(() => apply(a, w({ tags: ['c'] }), 'two'));
      assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "one": .spec.tags');
      const f = apply(a, w({ tags: ['c'] }), 'two', { force: true });
      assert.deepEqual((f.object.spec as any).tags, ['c']);
    });
    it('atomic maps are replaced', () => {
      const a = apply(undefined, w({ selector: { a: '1', b: '2' } }), 'one').object;
      const b = apply(a, w({ selector: { c: '3' } }), 'one').object;
      assert.deepEqual((b.spec as any).selector, { c: '3' });
    });
    it('conflict paths name list keys', () => {
      const a = apply(undefined, w({ ports: [{ name: 'http', port: 80 }] }), 'one').object;
      const e = conflictOf(() => apply(a, w({ ports: [{ name: 'http', port: 81 }] }), 'two'));
      assert.equal(e.details!.causes![0]!.field, '.spec.ports[name="http"].port');
    });
    it('labels are granular and finalizers a set between managers', () => {
      const a = apply(undefined, w({}, { labels: { one: '1' }, finalizers: ['f1'] }), 'one').object;
      const b = apply(a, w({}, { labels: { two: '2' }, finalizers: ['f2'] }), 'two').object;
      assert.deepEqual(b.metadata!.labels, { one: '1', two: '2' });
      assert.deepEqual(b.metadata!.finalizers, ['f1', 'f2']);
      const c = apply(b, w({}, {}), 'one').object;
      assert.deepEqual(c.metadata!.labels, { two: '2' });
      assert.deepEqual(c.metadata!.finalizers, ['f2']);
    });
    it('ownerReferences merge by uid', () => {
      const ref = (uid: string) => ({ apiVersion: 'v1', kind: 'X', name: uid, uid });
      const a = apply(undefined, w({}, { ownerReferences: [ref('u1')] }), 'one').object;
      const b = apply(a, w({}, { ownerReferences: [ref('u2')] }), 'two').object;
      assert.deepEqual(b.metadata!.ownerReferences!.map((r) => r.uid), ['u1', 'u2']);
      assert.deepEqual(entry(b.metadata!.managedFields!, 'two')!.fieldsV1, { 'f:metadata': { 'f:ownerReferences': { 'k:{"uid":"u2"}': {} } } });
    });
    it('status is ignored on the main resource and applied via the status subresource', () => {
      const a = apply(undefined, { ...w({ size: 1 }), status: { phase: 'X' } }, 'one', { resetFields: [['status']] });
      assert.equal(a.object.status, undefined);
      assert.deepEqual(a.managedFields[0]!.fieldsV1, { 'f:spec': { 'f:size': {} } });
      const s = apply(a.object, { ...w({}), status: { phase: 'Ready' } }, 'ctrl', { subresource: 'status', resetFields: [['spec']] });
      assert.deepEqual(s.object.status, { phase: 'Ready' });
      assert.deepEqual(entry(s.managedFields, 'ctrl'), { manager: 'ctrl', operation: 'Apply', apiVersion: 'example.com/v1', time: T1, fieldsType: 'FieldsV1', fieldsV1: { 'f:status': { 'f:phase': {} } }, subresource: 'status' });
    });
    it('dropping a whole struct the applier alone owned removes it', () => {
      const a = apply(undefined, w({ size: 1, extra: { x: 1 } }), 'one').object;
      const b = apply(a, w({ size: 1 }), 'one').object;
      assert.deepEqual(b.spec, { size: 1 });
    });
  });

  it('dropping a container the applier owned removes it, keeping others’ containers', () => {
    const d = (containers: unknown[]): KubeObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 1, template: { spec: { containers } } } });
    const args = { force: false, schema: deploymentSchema, apiVersion: 'apps/v1', now: T1 };
    const a = serverSideApply({ live: undefined, applied: d([{ name: 'app', image: 'a' }, { name: 'old', image: 'o' }]), manager: 'one', ...args }).object;
    const b = serverSideApply({ live: a, applied: d([{ name: 'side', image: 's' }]), manager: 'two', ...args }).object;
    const c = serverSideApply({ live: b, applied: d([{ name: 'app', image: 'a' }]), manager: 'one', ...args }).object;
    assert.deepEqual((c.spec as any).template.spec.containers.map((x: any) => x.name), ['app', 'side']);
    assert.equal((c.spec as any).replicas, 1);
  });

  it('built-in keyed lists (patch merge key) merge containers by name', () => {
    const d = (containers: unknown[]): KubeObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template: { spec: { containers } } } });
    const args = { force: false, schema: deploymentSchema, apiVersion: 'apps/v1', now: T1 };
    const a = serverSideApply({ live: undefined, applied: d([{ name: 'app', image: 'app:1' }]), manager: 'one', ...args }).object;
    const b = serverSideApply({ live: a, applied: d([{ name: 'side', image: 'side:1' }]), manager: 'two', ...args }).object;
    assert.deepEqual((b.spec as any).template.spec.containers.map((c: any) => c.name), ['app', 'side']);
    const e = conflictOf(() => serverSideApply({ live: b, applied: d([{ name: 'app', image: 'app:2' }]), manager: 'two', ...args }));
    assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "one": .spec.template.spec.containers[name="app"].image');
  });
});
