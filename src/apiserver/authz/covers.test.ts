import { test } from 'node:test';
import assert from 'node:assert/strict';
import { breakdownRule, compactRules, covers, nonResourceURLCovers } from './covers.js';
import { ruleEquals, type PolicyRule } from './rules.js';

// Upstream policy_comparator_test.go, as data.
const coverCases: { name: string; owner: PolicyRule[]; servant: PolicyRule[]; covered: boolean; uncovered: PolicyRule[] }[] = [
  {
    name: 'ExactMatch',
    owner: [{ apiGroups: ['v1'], verbs: ['get'], resources: ['builds'] }],
    servant: [{ apiGroups: ['v1'], verbs: ['get'], resources: ['builds'] }],
    covered: true,
    uncovered: [],
  },
  {
    name: 'SubresourceWildcard',
    owner: [{ apiGroups: ['v1'], verbs: ['get'], resources: ['*/scale'] }],
    servant: [{ apiGroups: ['v1'], verbs: ['get'], resources: ['foo/scale'] }],
    covered: true,
    uncovered: [],
  },
  {
    name: 'MultipleRulesCoveringSingleRule',
    owner: [
      { apiGroups: ['v1'], verbs: ['delete'], resources: ['deployments'] },
      { apiGroups: ['v1'], verbs: ['delete'], resources: ['builds'] },
      { apiGroups: ['v1'], verbs: ['update'], resources: ['builds', 'deployments'] },
    ],
    servant: [{ apiGroups: ['v1'], verbs: ['delete', 'update'], resources: ['builds', 'deployments'] }],
    covered: true,
    uncovered: [],
  },
  {
    name: 'MultipleAPIGroupsCoveringSingleRule',
    owner: [
      { apiGroups: ['group1'], verbs: ['delete'], resources: ['deployments'] },
      { apiGroups: ['group1'], verbs: ['delete'], resources: ['builds'] },
      { apiGroups: ['group1'], verbs: ['update'], resources: ['builds', 'deployments'] },
      { apiGroups: ['group2'], verbs: ['delete'], resources: ['deployments'] },
      { apiGroups: ['group2'], verbs: ['delete'], resources: ['builds'] },
      { apiGroups: ['group2'], verbs: ['update'], resources: ['builds', 'deployments'] },
    ],
    servant: [{ apiGroups: ['group1', 'group2'], verbs: ['delete', 'update'], resources: ['builds', 'deployments'] }],
    covered: true,
    uncovered: [],
  },
  {
    name: 'SingleAPIGroupsCoveringMultiple',
    owner: [{ apiGroups: ['group1', 'group2'], verbs: ['delete', 'update'], resources: ['builds', 'deployments'] }],
    servant: [
      { apiGroups: ['group1'], verbs: ['delete'], resources: ['deployments'] },
      { apiGroups: ['group1'], verbs: ['delete'], resources: ['builds'] },
      { apiGroups: ['group1'], verbs: ['update'], resources: ['builds', 'deployments'] },
      { apiGroups: ['group2'], verbs: ['delete'], resources: ['deployments'] },
      { apiGroups: ['group2'], verbs: ['delete'], resources: ['builds'] },
      { apiGroups: ['group2'], verbs: ['update'], resources: ['builds', 'deployments'] },
    ],
    covered: true,
    uncovered: [],
  },
  {
    name: 'MultipleRulesMissingSingleVerbResourceCombination',
    owner: [
      { apiGroups: ['v1'], verbs: ['delete', 'update'], resources: ['builds', 'deployments'] },
      { apiGroups: ['v1'], verbs: ['delete'], resources: ['pods'] },
    ],
    servant: [{ apiGroups: ['v1'], verbs: ['delete', 'update'], resources: ['builds', 'deployments', 'pods'] }],
    covered: false,
    uncovered: [{ apiGroups: ['v1'], verbs: ['update'], resources: ['pods'] }],
  },
  {
    name: 'APIGroupStarCoveringMultiple',
    owner: [{ apiGroups: ['*'], verbs: ['get'], resources: ['roles'] }],
    servant: [{ apiGroups: ['group1', 'group2'], verbs: ['get'], resources: ['roles'] }],
    covered: true,
    uncovered: [],
  },
  {
    name: 'EnumerationNotCoveringAPIGroupStar',
    owner: [{ apiGroups: ['dummy-group'], verbs: ['get'], resources: ['roles'] }],
    servant: [{ apiGroups: ['*'], verbs: ['get'], resources: ['roles'] }],
    covered: false,
    uncovered: [{ apiGroups: ['*'], verbs: ['get'], resources: ['roles'] }],
  },
  {
    name: 'APIGroupStarCoveringStar',
    owner: [{ apiGroups: ['*'], verbs: ['get'], resources: ['roles'] }],
    servant: [{ apiGroups: ['*'], verbs: ['get'], resources: ['roles'] }],
    covered: true,
    uncovered: [],
  },
  {
    name: 'VerbStarCoveringMultiple',
    owner: [{ apiGroups: ['v1'], verbs: ['*'], resources: ['roles'] }],
    servant: [{ apiGroups: ['v1'], verbs: ['watch', 'list'], resources: ['roles'] }],
    covered: true,
    uncovered: [],
  },
  {
    name: 'EnumerationNotCoveringVerbStar',
    owner: [{ apiGroups: ['v1'], verbs: ['get', 'list', 'watch', 'create', 'update', 'delete', 'exec'], resources: ['roles'] }],
    servant: [{ apiGroups: ['v1'], verbs: ['*'], resources: ['roles'] }],
    covered: false,
    uncovered: [{ apiGroups: ['v1'], verbs: ['*'], resources: ['roles'] }],
  },
  {
    name: 'VerbStarCoveringStar',
    owner: [{ apiGroups: ['v1'], verbs: ['*'], resources: ['roles'] }],
    servant: [{ apiGroups: ['v1'], verbs: ['*'], resources: ['roles'] }],
    covered: true,
    uncovered: [],
  },
  {
    name: 'ResourceStarCoveringMultiple',
    owner: [{ apiGroups: ['v1'], verbs: ['get'], resources: ['*'] }],
    servant: [{ apiGroups: ['v1'], verbs: ['get'], resources: ['resourcegroup:deployments'] }],
    covered: true,
    uncovered: [],
  },
  {
    name: 'EnumerationNotCoveringResourceStar',
    owner: [{ apiGroups: ['v1'], verbs: ['get'], resources: ['roles', 'resourcegroup:deployments'] }],
    servant: [{ apiGroups: ['v1'], verbs: ['get'], resources: ['*'] }],
    covered: false,
    uncovered: [{ apiGroups: ['v1'], verbs: ['get'], resources: ['*'] }],
  },
  {
    name: 'ResourceStarCoveringStar',
    owner: [{ apiGroups: ['v1'], verbs: ['get'], resources: ['*'] }],
    servant: [{ apiGroups: ['v1'], verbs: ['get'], resources: ['*'] }],
    covered: true,
    uncovered: [],
  },
  {
    name: 'ResourceNameEmptyCoveringMultiple',
    owner: [{ apiGroups: ['v1'], verbs: ['get'], resources: ['pods'], resourceNames: [] }],
    servant: [{ apiGroups: ['v1'], verbs: ['get'], resources: ['pods'], resourceNames: ['foo', 'bar'] }],
    covered: true,
    uncovered: [],
  },
  {
    name: 'EnumerationNotCoveringResourceNameEmpty',
    owner: [{ apiGroups: ['v1'], verbs: ['get'], resources: ['pods'], resourceNames: ['foo', 'bar'] }],
    servant: [{ apiGroups: ['v1'], verbs: ['get'], resources: ['pods'], resourceNames: [] }],
    covered: false,
    uncovered: [{ apiGroups: ['v1'], verbs: ['get'], resources: ['pods'] }],
  },
  {
    name: 'NonResourceURLs',
    owner: [{ nonResourceURLs: ['/apis'], verbs: ['*'] }],
    servant: [{ nonResourceURLs: ['/apis'], verbs: ['*'] }],
    covered: true,
    uncovered: [],
  },
  {
    name: 'NonResourceURLsStar',
    owner: [{ nonResourceURLs: ['*'], verbs: ['*'] }],
    servant: [{ nonResourceURLs: ['/apis', '/apis/v1', '/'], verbs: ['*'] }],
    covered: true,
    uncovered: [],
  },
  {
    name: 'NonResourceURLsStarAfterPrefixDoesntCover',
    owner: [{ nonResourceURLs: ['/apis/*'], verbs: ['*'] }],
    servant: [{ nonResourceURLs: ['/apis', '/apis/v1'], verbs: ['get'] }],
    covered: false,
    uncovered: [{ nonResourceURLs: ['/apis'], verbs: ['get'] }],
  },
  {
    name: 'NonResourceURLsStarAfterPrefix',
    owner: [{ nonResourceURLs: ['/apis/*'], verbs: ['*'] }],
    servant: [{ nonResourceURLs: ['/apis/v1/foo', '/apis/v1'], verbs: ['get'] }],
    covered: true,
    uncovered: [],
  },
  {
    name: 'NonResourceURLsWithOtherFields',
    owner: [{ apiGroups: ['v1'], verbs: ['get'], resources: ['builds'], nonResourceURLs: ['/apis'] }],
    servant: [{ apiGroups: ['v1'], verbs: ['get'], resources: ['builds'], nonResourceURLs: ['/apis'] }],
    covered: true,
    uncovered: [],
  },
  {
    name: 'NonResourceURLsWithOtherFieldsFailure',
    owner: [{ apiGroups: ['v1'], verbs: ['get'], resources: ['builds'] }],
    servant: [{ apiGroups: ['v1'], verbs: ['get'], resources: ['builds'], nonResourceURLs: ['/apis'] }],
    covered: false,
    uncovered: [{ nonResourceURLs: ['/apis'], verbs: ['get'] }],
  },
];

/** Same rules regardless of order (upstream's rulesMatch). */
function sameRuleSet(a: PolicyRule[], b: PolicyRule[]): boolean {
  return a.length === b.length && a.every((x) => b.some((y) => ruleEquals(x, y)));
}

for (const c of coverCases) {
  test(`covers: ${c.name}`, () => {
    const got = covers(c.owner, c.servant);
    assert.equal(got.covered, c.covered);
    assert.ok(sameRuleSet(got.uncovered, c.uncovered), JSON.stringify(got.uncovered));
  });
}

// Upstream TestNonResourceURLCovers.
const urlCases: [string, string, boolean][] = [
  ['*', '', true],
  ['*', '/', true],
  ['*', '/api', true],
  ['/*', '', false],
  ['/*', '/', true],
  ['/*', '/foo', true],
  ['/api', '/api', true],
  ['/apis', '/api', false],
  ['/api/v1', '/api', false],
  ['/api/v1', '/api/v1', true],
  ['/api/*', '/api/v1', true],
  ['/api/*', '/api', false],
  ['/api/*/*', '/api/v1', false],
  ['/*/v1/*', '/api/v1', false],
];

test('nonResourceURLCovers', () => {
  for (const [owner, requested, want] of urlCases) assert.equal(nonResourceURLCovers(owner, requested), want, `${owner} ${requested}`);
});

test('breakdownRule splits into single group/resource/verb/name tuples', () => {
  assert.deepEqual(breakdownRule({ apiGroups: ['a', 'b'], resources: ['r'], verbs: ['get', 'list'], resourceNames: ['n1', 'n2'] }).length, 8);
  assert.deepEqual(breakdownRule({ verbs: ['get'], nonResourceURLs: ['/x', '/y'] }), [
    { nonResourceURLs: ['/x'], verbs: ['get'] },
    { nonResourceURLs: ['/y'], verbs: ['get'] },
  ]);
  assert.deepEqual(breakdownRule({ verbs: ['get'], resources: ['pods'] }), [], 'no groups, nothing');
});

// Upstream policy_compact_test.go cases (results compared as sets; upstream's map order is random).
test('compactRules merges simple rules per group/resource/name', () => {
  const got = compactRules([
    { verbs: ['get'], apiGroups: [''], resources: ['pods'] },
    { verbs: ['list'], apiGroups: [''], resources: ['pods'] },
    { verbs: ['create'], apiGroups: [''], resources: ['pods'] },
    { verbs: ['get'], apiGroups: ['extensions'], resources: ['jobs'] },
    { verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] },
    { verbs: ['update'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] },
    { verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a', 'b'] },
    { verbs: ['get'], apiGroups: ['', 'apps'], resources: ['pods'] },
    { verbs: ['get'], nonResourceURLs: ['/healthz'] },
  ]);
  assert.ok(
    sameRuleSet(got, [
      { verbs: ['get', 'list', 'create'], apiGroups: [''], resources: ['pods'] },
      { verbs: ['get'], apiGroups: ['extensions'], resources: ['jobs'] },
      { verbs: ['get', 'update'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] },
      { verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a', 'b'] },
      { verbs: ['get'], apiGroups: ['', 'apps'], resources: ['pods'] },
      { verbs: ['get'], nonResourceURLs: ['/healthz'] },
    ]),
    JSON.stringify(got),
  );
});

test('compactRules does not modify its input', () => {
  const input: PolicyRule[] = [
    { verbs: ['get'], apiGroups: [''], resources: ['pods'] },
    { verbs: ['list'], apiGroups: [''], resources: ['pods'] },
  ];
  compactRules(input);
  assert.deepEqual(input[0]!.verbs, ['get']);
});

/** A small deterministic generator (LCG), so the cross-check below is the same on every run. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('covers agrees with ruleAllows: owner rules cover the atomic rule of a request exactly when they allow it', async () => {
  const { rulesAllow } = await import('./rules.js');
  const rnd = lcg(14);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const some = <T>(xs: readonly T[]): T[] => xs.filter(() => rnd() < 0.4);
  const verbs = ['get', 'list', 'create', '*'];
  const groups = ['', 'apps', '*'];
  const resources = ['pods', 'pods/log', 'deployments', 'deployments/scale', '*/scale', '*'];
  const names = ['a', 'b'];
  const paths = ['/api', '/api/v1', '/apis', '/apis/*', '/healthz', '*'];
  for (let i = 0; i < 300; i++) {
    const owner: PolicyRule[] = [];
    for (let j = 0; j < 3; j++) {
      if (rnd() < 0.7) {
        const r: PolicyRule = { verbs: some(verbs), apiGroups: some(groups), resources: some(resources) };
        if (rnd() < 0.3) r.resourceNames = some(names);
        owner.push(r);
      } else {
        owner.push({ verbs: some(verbs), nonResourceURLs: some(paths) });
      }
    }
    for (let k = 0; k < 20; k++) {
      const verb = pick(['get', 'list', 'create']);
      if (rnd() < 0.7) {
        const group = pick(['', 'apps']);
        const combined = pick(['pods', 'pods/log', 'deployments', 'deployments/scale', 'replicasets/scale']);
        const [resource, subresource] = combined.split('/') as [string, string | undefined];
        const name = pick(['', 'a', 'c']);
        const allowed = rulesAllow({ user: { name: 'u', groups: [] }, verb, resourceRequest: true, apiGroup: group, resource, subresource, name }, owner);
        const atomic: PolicyRule = { verbs: [verb], apiGroups: [group], resources: [combined] };
        if (name) atomic.resourceNames = [name];
        assert.equal(covers(owner, [atomic]).covered, allowed, JSON.stringify({ owner, atomic }));
      } else {
        const path = pick(['/api', '/api/v1', '/apis', '/apis/apps/v1', '/healthz', '/metrics']);
        const allowed = rulesAllow({ user: { name: 'u', groups: [] }, verb, resourceRequest: false, path }, owner);
        assert.equal(covers(owner, [{ verbs: [verb], nonResourceURLs: [path] }]).covered, allowed, JSON.stringify({ owner, path }));
      }
    }
  }
});
