import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../apimachinery/errors.js';
import { aggregateAll, aggregatedRules, isAggregated } from './aggregation.js';
import type { PolicyRule, RoleObject } from './rules.js';

// Upstream clusterroleaggregation_controller_test.go TestSyncClusterRole, as data.
const hammerRules = (): PolicyRule[] => [
  { verbs: ['hammer'], resources: ['nails'] },
  { verbs: ['hammer'], resources: ['wedges'] },
];
const chiselRules = (): PolicyRule[] => [{ verbs: ['chisel'], resources: ['mortises'] }];
const sawRules = (): PolicyRule[] => [{ verbs: ['saw'], resources: ['boards'] }];

function role(name: string, labels: Record<string, string>, rules: PolicyRule[]): RoleObject {
  return { metadata: { name, labels }, rules };
}

function combined(selectors: Record<string, string>[], ...rules: PolicyRule[][]): RoleObject {
  return { metadata: { name: 'combined' }, aggregationRule: { clusterRoleSelectors: selectors.map((m) => ({ matchLabels: m })) }, rules: rules.flat() };
}

const cases: { name: string; roles: RoleObject[]; expected: PolicyRule[] }[] = [
  {
    name: 'remove dead rules',
    roles: [role('hammer', { foo: 'bar' }, hammerRules()), combined([{ foo: 'bar' }], sawRules())],
    expected: hammerRules(),
  },
  {
    name: 'strip rules',
    roles: [role('hammer', { foo: 'not-bar' }, hammerRules()), combined([{ foo: 'bar' }], hammerRules())],
    expected: [],
  },
  {
    name: 'select properly and put in order',
    roles: [role('hammer', { foo: 'bar' }, hammerRules()), role('chisel', { foo: 'bar' }, chiselRules()), role('saw', { foo: 'not-bar' }, sawRules()), combined([{ foo: 'bar' }])],
    expected: [...chiselRules(), ...hammerRules()],
  },
  {
    name: 'select properly with multiple selectors',
    roles: [
      role('hammer', { foo: 'bar' }, hammerRules()),
      role('chisel', { foo: 'bar' }, chiselRules()),
      role('saw', { foo: 'not-bar' }, sawRules()),
      combined([{ foo: 'bar' }, { foo: 'not-bar' }]),
    ],
    expected: [...chiselRules(), ...hammerRules(), ...sawRules()],
  },
  {
    name: 'select properly remove duplicates',
    roles: [
      role('hammer', { foo: 'bar' }, hammerRules()),
      role('chisel', { foo: 'bar' }, chiselRules()),
      role('saw', { foo: 'bar' }, sawRules()),
      role('other-saw', { foo: 'not-bar' }, sawRules()),
      combined([{ foo: 'bar' }, { foo: 'not-bar' }]),
    ],
    expected: [...chiselRules(), ...hammerRules(), ...sawRules()],
  },
  {
    name: 'no diff',
    roles: [role('hammer', { foo: 'bar' }, hammerRules()), combined([{ foo: 'bar' }], hammerRules())],
    expected: hammerRules(),
  },
];

for (const c of cases) {
  test(`aggregatedRules: ${c.name}`, () => {
    const target = c.roles.find((r) => r.metadata?.name === 'combined')!;
    assert.deepEqual(aggregatedRules(target, c.roles), c.expected);
  });
}

test('aggregatedRules: match expressions, and a role never aggregates itself', () => {
  const self: RoleObject = {
    metadata: { name: 'self', labels: { tier: 'a' } },
    aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] }] },
    rules: [{ verbs: ['own'], resources: ['x'] }],
  };
  const b = role('b', { tier: 'b' }, [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]);
  const c = role('c', { tier: 'c' }, [{ verbs: ['get'], apiGroups: [''], resources: ['nodes'] }]);
  assert.deepEqual(aggregatedRules(self, [self, b, c]), [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]);
});

test('aggregatedRules: an invalid selector fails as the controller sync does', () => {
  const bad: RoleObject = { metadata: { name: 'bad' }, aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: 'k', operator: 'Near' }] }] } };
  assert.throws(() => aggregatedRules(bad, [bad]), StatusError);
});

test('isAggregated: any aggregationRule, even with no selectors', () => {
  assert.equal(isAggregated({ metadata: { name: 'a' }, aggregationRule: {} }), true);
  assert.equal(isAggregated({ metadata: { name: 'a' } }), false);
  assert.equal(isAggregated({ metadata: { name: 'a' }, aggregationRule: null }), false);
});

test('aggregateAll settles nested aggregation (admin ⊇ edit ⊇ view)', () => {
  const L = (k: string) => ({ [`rbac.authorization.k8s.io/aggregate-to-${k}`]: 'true' });
  const sel = (k: string) => ({ clusterRoleSelectors: [{ matchLabels: L(k) }] });
  const read: PolicyRule = { verbs: ['get'], apiGroups: [''], resources: ['pods'] };
  const write: PolicyRule = { verbs: ['create'], apiGroups: [''], resources: ['pods'] };
  const grant: PolicyRule = { verbs: ['create'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings'] };
  const roles: RoleObject[] = [
    { metadata: { name: 'admin' }, aggregationRule: sel('admin') },
    { metadata: { name: 'edit', labels: L('admin') }, aggregationRule: sel('edit') },
    { metadata: { name: 'view', labels: L('edit') }, aggregationRule: sel('view') },
    role('to-admin', L('admin'), [grant]),
    role('to-edit', L('edit'), [write]),
    role('to-view', L('view'), [read]),
    role('unrelated', {}, [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]),
  ];
  const got = aggregateAll(roles);
  assert.deepEqual(got.get('view'), [read]);
  assert.deepEqual(new Set(got.get('edit')!.map((r) => JSON.stringify(r))), new Set([write, read].map((r) => JSON.stringify(r))));
  assert.deepEqual(new Set(got.get('admin')!.map((r) => JSON.stringify(r))), new Set([grant, write, read].map((r) => JSON.stringify(r))));
  assert.equal(got.has('unrelated'), false);
  // Already settled: nothing changes.
  const settled = roles.map((r) => (got.has(r.metadata!.name!) ? { ...r, rules: got.get(r.metadata!.name!)! } : r));
  assert.equal(aggregateAll(settled).size, 0);
});
