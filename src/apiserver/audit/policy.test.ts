import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  AuditPolicyError,
  evaluatePolicy,
  loadPolicyFile,
  parsePolicy,
  pathMatches,
  policyFromObject,
  unionStages,
  validatePolicy,
  type Level,
  type Policy,
  type PolicyAttributes,
  type PolicyRule,
  type Stage,
} from './policy.js';

// Cases from upstream's staging/src/k8s.io/apiserver/pkg/audit/policy/checker_test.go.

const tim = { name: 'tim@k8s.io', groups: ['humans', 'developers'] };
const requests: Record<string, PolicyAttributes> = {
  namespaced: { user: tim, verb: 'get', namespace: 'default', apiGroup: '', resource: 'pods', name: 'busybox', resourceRequest: true, path: '/api/v1/namespaces/default/pods/busybox' },
  cluster: { user: tim, verb: 'get', apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterroles', name: 'edit', resourceRequest: true, path: '/apis/rbac.authorization.k8s.io/v1beta1/clusterroles/edit' },
  nonResource: { user: tim, verb: 'get', resourceRequest: false, path: '/logs/kubelet.log' },
  subresource: { user: tim, verb: 'get', namespace: 'default', apiGroup: '', resource: 'pods', subresource: 'log', name: 'busybox', resourceRequest: true, path: '/api/v1/namespaces/default/pods/busybox' },
  Unauthorized: { verb: 'get', namespace: 'default', apiGroup: '', resource: 'pods', name: 'busybox', resourceRequest: true, path: '/api/v1/namespaces/default/pods/busybox' },
};

const rules: Record<string, PolicyRule> = {
  default: { level: 'Metadata' },
  create: { level: 'Request', verbs: ['create'] },
  tims: { level: 'Metadata', users: ['tim@k8s.io'] },
  humans: { level: 'Metadata', userGroups: ['humans'] },
  serviceAccounts: { level: 'Request', userGroups: ['system:serviceaccounts'] },
  getPods: { level: 'RequestResponse', verbs: ['get'], resources: [{ resources: ['pods'] }] },
  getPodLogs: { level: 'Request', verbs: ['get'], resources: [{ resources: ['pods/log'] }] },
  getPodWildcardMatching: { level: 'Request', verbs: ['get'], resources: [{ resources: ['*'] }] },
  getPodResourceWildcardMatching: { level: 'Request', verbs: ['get'], resources: [{ resources: ['*/log'] }] },
  getPodSubResourceWildcardMatching: { level: 'Request', verbs: ['get'], resources: [{ resources: ['pods/*'] }] },
  getClusterRoles: { level: 'RequestResponse', verbs: ['get'], resources: [{ group: 'rbac.authorization.k8s.io', resources: ['clusterroles'] }], namespaces: [''] },
  getLogs: { level: 'RequestResponse', verbs: ['get'], nonResourceURLs: ['/logs*'] },
  getMetrics: { level: 'Request', verbs: ['get'], nonResourceURLs: ['/metrics'] },
  clusterRoleEdit: { level: 'Request', resources: [{ group: 'rbac.authorization.k8s.io', resources: ['clusterroles'], resourceNames: ['edit'] }] },
  'omit RequestReceived': { level: 'Request', omitStages: ['RequestReceived'] },
  'only audit panic': { level: 'Request', omitStages: ['RequestReceived', 'ResponseStarted', 'ResponseComplete'] },
};

type Case = [request: string, level: Level, ruleNames: string[]];

// testAuditLevel: the expected omitStages are the policy's own in each of these.
const levelCases: Case[] = [
  ['namespaced', 'Metadata', ['default']],
  ['namespaced', 'None', ['create']],
  ['namespaced', 'Metadata', ['tims']],
  ['namespaced', 'Metadata', ['humans']],
  ['namespaced', 'None', ['serviceAccounts']],
  ['namespaced', 'RequestResponse', ['getPods']],
  ['namespaced', 'None', ['getClusterRoles']],
  ['namespaced', 'None', ['getLogs']],
  ['namespaced', 'None', ['getMetrics']],
  ['namespaced', 'Metadata', ['getMetrics', 'serviceAccounts', 'default']],
  ['namespaced', 'RequestResponse', ['getMetrics', 'getPods', 'default']],
  ['namespaced', 'RequestResponse', ['getPodLogs', 'getPods']],

  ['cluster', 'Metadata', ['default']],
  ['cluster', 'None', ['create']],
  ['cluster', 'Metadata', ['tims']],
  ['cluster', 'Metadata', ['humans']],
  ['cluster', 'None', ['serviceAccounts']],
  ['cluster', 'None', ['getPods']],
  ['cluster', 'RequestResponse', ['getClusterRoles']],
  ['cluster', 'Request', ['clusterRoleEdit', 'getClusterRoles']],
  ['cluster', 'None', ['getLogs']],
  ['cluster', 'None', ['getMetrics']],
  ['cluster', 'Metadata', ['getMetrics', 'serviceAccounts', 'default']],
  ['cluster', 'RequestResponse', ['getMetrics', 'getClusterRoles', 'default']],
  ['cluster', 'None', ['getPodLogs', 'getPods']],

  ['nonResource', 'Metadata', ['default']],
  ['nonResource', 'None', ['create']],
  ['nonResource', 'Metadata', ['tims']],
  ['nonResource', 'Metadata', ['humans']],
  ['nonResource', 'None', ['serviceAccounts']],
  ['nonResource', 'None', ['getPods']],
  ['nonResource', 'None', ['getClusterRoles']],
  ['nonResource', 'RequestResponse', ['getLogs']],
  ['nonResource', 'None', ['getMetrics']],
  ['nonResource', 'Metadata', ['getMetrics', 'serviceAccounts', 'default']],
  ['nonResource', 'RequestResponse', ['getLogs', 'getClusterRoles', 'default']],
  ['nonResource', 'None', ['getPodLogs', 'getPods']],

  ['subresource', 'Request', ['getPodLogs', 'getPods']],
  ['subresource', 'Request', ['getPodWildcardMatching']],
  ['subresource', 'Request', ['getPodResourceWildcardMatching']],
  ['subresource', 'Request', ['getPodSubResourceWildcardMatching']],

  ['Unauthorized', 'None', ['tims']],
  ['Unauthorized', 'Metadata', ['tims', 'default']],
  ['Unauthorized', 'None', ['humans']],
  ['Unauthorized', 'Metadata', ['humans', 'default']],
];

function policyOf(ruleNames: string[], omitStages?: Stage[]): Policy {
  const p: Policy = { apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: ruleNames.map((n) => structuredClone(rules[n]!)) };
  if (omitStages) p.omitStages = omitStages;
  return p;
}

function check(request: string, level: Level, policyStages: Stage[] | undefined, expStages: Stage[], ruleNames: string[]): void {
  const got = evaluatePolicy(policyOf(ruleNames, policyStages), requests[request]!);
  const label = `request ${request}, rules ${ruleNames.join(',')}`;
  assert.equal(got.level, level, label);
  assert.deepEqual([...got.omitStages].sort(), [...expStages].sort(), label);
}

describe('evaluatePolicy (upstream checker cases)', () => {
  for (const policyStages of [undefined, ['RequestReceived', 'ResponseStarted'] as Stage[]]) {
    const title = policyStages ? 'with policy omitStages' : 'without policy omitStages';
    it(`levels ${title}`, () => {
      for (const [req, level, names] of levelCases) check(req, level, policyStages, policyStages ?? [], names);
    });
  }

  it('rule omitStages (TestChecker)', () => {
    for (const req of ['namespaced', 'cluster', 'nonResource']) {
      check(req, 'Request', undefined, ['RequestReceived'], ['omit RequestReceived', 'getPods', 'default']);
      check(req, 'Request', undefined, ['RequestReceived', 'ResponseStarted', 'ResponseComplete'], ['only audit panic', 'getPods', 'default']);
    }
  });

  it('rule omitStages joined with the policy (TestCheckerPolicyOmitStages)', () => {
    const ps: Stage[] = ['RequestReceived', 'ResponseStarted'];
    for (const req of ['namespaced', 'cluster']) {
      check(req, 'Request', ps, ['RequestReceived', 'ResponseStarted'], ['omit RequestReceived', 'getPods', 'default']);
      check(req, 'Request', ps, ['RequestReceived', 'ResponseStarted', 'ResponseComplete'], ['only audit panic', 'getPods', 'default']);
    }
    check('nonResource', 'Metadata', ps, ['RequestReceived', 'ResponseStarted'], ['default', 'omit RequestReceived', 'getPods']);
    check('nonResource', 'Request', ps, ['RequestReceived', 'ResponseStarted', 'ResponseComplete'], ['only audit panic', 'getPods', 'default']);
  });

  it('unionStages (TestUnionStages)', () => {
    const cases: [Stage[] | undefined, Stage[], Stage[]][] = [
      [[], [], []],
      [['RequestReceived'], [], ['RequestReceived']],
      [['RequestReceived'], ['RequestReceived'], ['RequestReceived']],
      [['RequestReceived'], ['ResponseStarted'], ['RequestReceived', 'ResponseStarted']],
      [['RequestReceived', 'RequestReceived'], ['RequestReceived', 'RequestReceived'], ['RequestReceived']],
      [['RequestReceived', 'ResponseStarted'], ['Panic', 'RequestReceived'], ['RequestReceived', 'ResponseStarted', 'Panic']],
      [undefined, ['RequestReceived'], ['RequestReceived']],
    ];
    for (const [a, b, exp] of cases) assert.deepEqual(unionStages(a, b), exp);
  });

  it('omitManagedFields: a rule overrides the policy (TestOmitManagedFields)', () => {
    const attrs: PolicyAttributes = { verb: 'get', resourceRequest: false, path: '' };
    const cases: [policyDefault: boolean, rule: boolean | undefined, want: boolean][] = [
      [false, undefined, false],
      [true, undefined, true],
      [true, false, false],
      [false, true, true],
    ];
    for (const [policyDefault, ruleValue, want] of cases) {
      const rule: PolicyRule = { level: 'RequestResponse', verbs: ['get'] };
      if (ruleValue !== undefined) rule.omitManagedFields = ruleValue;
      const policy: Policy = { apiVersion: 'audit.k8s.io/v1', kind: 'Policy', omitManagedFields: policyDefault, rules: [rule] };
      assert.equal(evaluatePolicy(policy, attrs).omitManagedFields, want, `policy ${policyDefault}, rule ${ruleValue}`);
    }
  });

  it('no match: level None with the policy omitStages and omitManagedFields', () => {
    const policy: Policy = { apiVersion: 'audit.k8s.io/v1', kind: 'Policy', omitStages: ['Panic'], omitManagedFields: true, rules: [{ level: 'Metadata', verbs: ['create'] }] };
    assert.deepEqual({ ...evaluatePolicy(policy, requests.namespaced!) }, { level: 'None', omitStages: ['Panic'], omitManagedFields: true });
  });

  it('returns the same outcome object on every call (no allocation per request)', () => {
    const policy = policyOf(['getPods', 'default']);
    assert.equal(evaluatePolicy(policy, requests.namespaced!), evaluatePolicy(policy, requests.namespaced!));
  });
});

describe('resource and namespace matching', () => {
  const attrs = (over: Partial<PolicyAttributes>): PolicyAttributes => ({ ...requests.namespaced!, ...over });
  const cases: [name: string, rule: PolicyRule, over: Partial<PolicyAttributes>, matches: boolean][] = [
    ['"pods" does not match a pods subresource', { level: 'Metadata', resources: [{ resources: ['pods'] }] }, { subresource: 'status' }, false],
    ['"*/status" matches any status subresource', { level: 'Metadata', resources: [{ group: 'apps', resources: ['*/status'] }] }, { apiGroup: 'apps', resource: 'deployments', subresource: 'status' }, true],
    ['"*/status" does not match the main resource', { level: 'Metadata', resources: [{ resources: ['*/status'] }] }, {}, false],
    ['"*/status" does not match another subresource', { level: 'Metadata', resources: [{ resources: ['*/status'] }] }, { subresource: 'log' }, false],
    ['"pods/*" matches the main resource too (as upstream)', { level: 'Metadata', resources: [{ resources: ['pods/*'] }] }, {}, true],
    ['"pods/*" does not match another resource', { level: 'Metadata', resources: [{ resources: ['pods/*'] }] }, { resource: 'podtemplates', subresource: 'x' }, false],
    ['a group with no resources matches all its resources', { level: 'Metadata', resources: [{ group: '' }] }, { resource: 'secrets', subresource: 'x' }, true],
    ['another group does not match', { level: 'Metadata', resources: [{ group: 'apps' }] }, {}, false],
    ['resourceNames filter by name', { level: 'Metadata', resources: [{ resources: ['pods'], resourceNames: ['web'] }] }, {}, false],
    ['resourceNames match the name', { level: 'Metadata', resources: [{ resources: ['pods'], resourceNames: ['busybox'] }] }, {}, true],
    ['namespaces only: matches the namespace', { level: 'Metadata', namespaces: ['default'] }, {}, true],
    ['namespaces only: other namespace', { level: 'Metadata', namespaces: ['kube-system'] }, {}, false],
    ['"" namespace matches cluster-scoped', { level: 'Metadata', namespaces: [''] }, { namespace: undefined, resource: 'nodes' }, true],
    ['"" namespace does not match namespaced', { level: 'Metadata', namespaces: [''] }, {}, false],
    ['namespaces never match non-resource requests', { level: 'Metadata', namespaces: [''] }, { resourceRequest: false, path: '/healthz' }, false],
    ['userGroups need a user', { level: 'Metadata', userGroups: ['humans'] }, { user: undefined }, false],
    ['users by name', { level: 'Metadata', users: ['tim@k8s.io', 'bob'] }, {}, true],
  ];
  for (const [name, rule, over, want] of cases) {
    it(name, () => {
      const policy: Policy = { apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: [rule] };
      assert.equal(evaluatePolicy(policy, attrs(over)).level, want ? 'Metadata' : 'None');
    });
  }

  it('non-resource URL patterns', () => {
    const cases: [path: string, spec: string, want: boolean][] = [
      ['/healthz', '*', true],
      ['/healthz', '/healthz', true],
      ['/healthz/etcd', '/healthz', false],
      ['/healthz/etcd', '/healthz*', true],
      ['/healthz', '/healthz/*', false],
      ['/logs/kubelet.log', '/logs*', true],
      ['/version', '/api*', false],
      ['/apis', '/api*', true],
    ];
    for (const [path, spec, want] of cases) assert.equal(pathMatches(path, spec), want, `${path} vs ${spec}`);
  });
});

// Cases from upstream's staging/src/k8s.io/apiserver/pkg/apis/audit/validation/validation_test.go.

const validRules: PolicyRule[] = [
  { level: 'Metadata' },
  { level: 'None', userGroups: ['system:serviceaccounts', 'system:nodes'] },
  { level: 'RequestResponse', verbs: ['get'], resources: [{ group: 'rbac.authorization.k8s.io', resources: ['roles', 'rolebindings'] }], namespaces: ['kube-system'] },
  { level: 'Metadata', userGroups: ['developers'], nonResourceURLs: ['/logs*', '/healthz*', '/metrics', '*'] },
];

const invalidRules: [rule: Record<string, unknown>, errors: string[]][] = [
  [{}, ['rules[0].level: Required value']],
  [{ verbs: ['get'], resources: [{ resources: ['secrets'] }], namespaces: ['kube-system'] }, ['rules[0].level: Required value']],
  [{ level: 'FooBar' }, ['rules[0].level: Unsupported value: "FooBar": supported values: "None", "Metadata", "Request", "RequestResponse"']],
  [{ level: 'Metadata', namespaces: ['default'], nonResourceURLs: ['/logs*'] }, ['rules[0].nonResourceURLs: Invalid value: []interface {}{"/logs*"}: rules cannot apply to both regular resources and non-resource URLs']],
  [{ level: 'Metadata', resources: [{ resources: ['secrets'] }], nonResourceURLs: ['/logs*'] }, ['rules[0].nonResourceURLs: Invalid value: []interface {}{"/logs*"}: rules cannot apply to both regular resources and non-resource URLs']],
  [{ level: 'Metadata', resources: [{ group: 'rbac.authorization.k8s.io/v1beta1', resources: ['roles'] }] }, ['rules[0].resources[0].group: Invalid value: "rbac.authorization.k8s.io/v1beta1": ']],
  [{ level: 'Metadata', nonResourceURLs: ['logs', '/healthz*'] }, ['rules[0].nonResourceURLs[0]: Invalid value: "logs": non-resource URL rules must begin with a \'/\' character']],
  [{ level: 'Metadata', nonResourceURLs: ['', '/healthz*'] }, ['rules[0].nonResourceURLs[0]: Invalid value: "": non-resource URL rules must begin with a \'/\' character']],
  [{ level: 'Metadata', nonResourceURLs: ['/logs/*/*', '/metrics'] }, ['rules[0].nonResourceURLs[0]: Invalid value: "/logs/*/*": non-resource URL wildcards \'*\' must be the final character of the rule']],
  [{ level: 'Metadata', nonResourceURLs: ['/logs/*.log', '/metrics'] }, ['rules[0].nonResourceURLs[0]: Invalid value: "/logs/*.log": non-resource URL wildcards \'*\' must be the final character of the rule']],
  [{ level: 'Metadata', resources: [{ resourceNames: ['x'] }] }, ['rules[0].resources[0].resourceNames: Invalid value: []interface {}{"x"}: using resourceNames requires at least one resource']],
  [{ level: 'Metadata', omitStages: ['Sometime'] }, ['rules[0].omitStages[0]: Invalid value: "Sometime": allowed stages are RequestReceived,ResponseStarted,ResponseComplete,Panic']],
];

describe('validatePolicy (upstream validation cases)', () => {
  it('accepts the valid rules one by one and together, and an empty policy', () => {
    for (const rule of validRules) assert.deepEqual(validatePolicy({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: [rule] }), []);
    assert.deepEqual(validatePolicy({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: validRules }), []);
    assert.deepEqual(validatePolicy({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: [] }), []);
  });

  for (const [rule, errors] of invalidRules) {
    it(`rejects ${JSON.stringify(rule)}`, () => {
      const got = validatePolicy({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: [rule as unknown as PolicyRule] });
      assert.equal(got.length, errors.length, got.join('\n'));
      got.forEach((g, i) => assert.ok(g.startsWith(errors[i]!), `${g}\n  should start with\n${errors[i]}`));
    });
  }

  it('rejects the valid rules followed by an empty one, naming its index', () => {
    const got = validatePolicy({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: [...validRules, {} as PolicyRule] });
    assert.deepEqual(got, ['rules[4].level: Required value']);
  });

  it('checks the policy-level omitStages', () => {
    const got = validatePolicy({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', omitStages: ['Nope' as Stage], rules: [] });
    assert.deepEqual(got, ['omitStages[0]: Invalid value: "Nope": allowed stages are RequestReceived,ResponseStarted,ResponseComplete,Panic']);
  });
});

// The example policy of the Kubernetes documentation (Auditing, "Audit policy"), as data.
const documentedPolicy = `
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages:
  - "RequestReceived"
rules:
  - level: RequestResponse
    resources:
    - group: ""
      resources: ["pods"]
  - level: Metadata
    resources:
    - group: ""
      resources: ["pods/log", "pods/status"]
  - level: None
    resources:
    - group: ""
      resources: ["configmaps"]
      resourceNames: ["controller-leader"]
  - level: None
    users: ["system:kube-proxy"]
    verbs: ["watch"]
    resources:
    - group: ""
      resources: ["endpoints", "services"]
  - level: None
    userGroups: ["system:authenticated"]
    nonResourceURLs:
    - "/api*"
    - "/version"
  - level: Request
    resources:
    - group: ""
      resources: ["configmaps"]
    namespaces: ["kube-system"]
  - level: Metadata
    resources:
    - group: ""
      resources: ["secrets", "configmaps"]
  - level: Request
    resources:
    - group: ""
    - group: "extensions"
  - level: Metadata
    omitStages:
      - "RequestReceived"
`;

describe('parsePolicy', () => {
  const policy = parsePolicy(documentedPolicy);
  const alice = { name: 'alice', groups: ['system:authenticated'] };
  const res = (over: Partial<PolicyAttributes>): PolicyAttributes => ({ user: alice, verb: 'get', resourceRequest: true, path: '/api/v1/x', apiGroup: '', namespace: 'default', ...over });
  const cases: [string, PolicyAttributes, Level][] = [
    ['pod get', res({ resource: 'pods', name: 'p' }), 'RequestResponse'],
    ['pod log', res({ resource: 'pods', subresource: 'log', name: 'p' }), 'Metadata'],
    ['pod status', res({ resource: 'pods', subresource: 'status', name: 'p' }), 'Metadata'],
    ['pod exec falls to the core-group rule', res({ resource: 'pods', subresource: 'exec', name: 'p' }), 'Request'],
    ['leader configmap', res({ resource: 'configmaps', name: 'controller-leader' }), 'None'],
    ['kube-proxy watching services', res({ user: { name: 'system:kube-proxy', groups: [] }, verb: 'watch', resource: 'services' }), 'None'],
    ['another user watching services', res({ verb: 'watch', resource: 'services' }), 'Request'],
    ['/apis by an authenticated user', { user: alice, verb: 'get', resourceRequest: false, path: '/apis' }, 'None'],
    ['/healthz by an authenticated user', { user: alice, verb: 'get', resourceRequest: false, path: '/healthz' }, 'Metadata'],
    ['configmap in kube-system', res({ verb: 'update', resource: 'configmaps', namespace: 'kube-system', name: 'c' }), 'Request'],
    ['configmap elsewhere', res({ verb: 'update', resource: 'configmaps', name: 'c' }), 'Metadata'],
    ['secret', res({ resource: 'secrets', name: 's' }), 'Metadata'],
    ['extensions ingress', res({ apiGroup: 'extensions', resource: 'ingresses' }), 'Request'],
    ['a Cluster API cluster', res({ apiGroup: 'cluster.x-k8s.io', resource: 'clusters' }), 'Metadata'],
  ];
  for (const [name, attrs, level] of cases) {
    it(`documented example: ${name} → ${level}`, () => {
      const got = evaluatePolicy(policy, attrs);
      assert.equal(got.level, level);
      assert.ok(got.omitStages.includes('RequestReceived'));
    });
  }

  it('reads JSON too', () => {
    const p = parsePolicy(JSON.stringify({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: [{ level: 'Metadata' }] }));
    assert.deepEqual(p.rules, [{ level: 'Metadata' }]);
  });

  const errorCases: [string, string, string][] = [
    ['an unsupported level names the rule and value', 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: None\n- level: Metadata\n- level: Everything\n', 'rules[2].level: Unsupported value: "Everything": supported values: "None", "Metadata", "Request", "RequestResponse"'],
    ['no rules', 'apiVersion: audit.k8s.io/v1\nkind: Policy\n', 'loaded illegal policy with 0 rules'],
    ['an old apiVersion', 'apiVersion: audit.k8s.io/v1beta1\nkind: Policy\nrules:\n- level: None\n', 'apiVersion: Unsupported value: "audit.k8s.io/v1beta1": supported values: "audit.k8s.io/v1"'],
    ['no apiVersion', 'kind: Policy\nrules:\n- level: None\n', 'apiVersion: Required value'],
    ['another kind', 'apiVersion: audit.k8s.io/v1\nkind: Pod\nrules:\n- level: None\n', 'kind: Unsupported value: "Pod": supported values: "Policy"'],
    ['users not a list', 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: None\n  users: bob\n', 'rules[0].users: Invalid value: "bob": must be a list of strings'],
    ['omitManagedFields not a boolean', 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: None\n  omitManagedFields: "yes"\n', 'rules[0].omitManagedFields: Invalid value: "yes": must be a boolean'],
    ['a group given with its version', 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: None\n  resources:\n  - group: apps/v1\n', 'rules[0].resources[0].group: Invalid value: "apps/v1": a lowercase RFC 1123 subdomain'],
    ['bad YAML', 'apiVersion: [\n', 'failed decoding: '],
    ['not an object', '- level: None\n', 'failed decoding: a Policy must be a YAML or JSON object'],
  ];
  for (const [name, text, message] of errorCases) {
    it(`rejects ${name}`, () => {
      assert.throws(() => parsePolicy(text), (e: unknown) => {
        assert.ok(e instanceof AuditPolicyError);
        assert.ok(e.message.startsWith(message), e.message);
        return true;
      });
    });
  }

  it('lists several problems in brackets', () => {
    assert.throws(
      () => policyFromObject({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: [{}, { level: 'Bad' }] }),
      (e: unknown) => e instanceof AuditPolicyError && e.errors.length === 2 && e.message.startsWith('[rules[0].level: Required value, rules[1].level: Unsupported value: "Bad"'),
    );
  });

  it('loadPolicyFile names the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-policy-'));
    try {
      const file = join(dir, 'policy.yaml');
      writeFileSync(file, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Everything\n');
      assert.throws(() => loadPolicyFile(file), (e: unknown) => e instanceof AuditPolicyError && e.message.endsWith(`: from file ${file}`) && e.message.startsWith('rules[0].level: Unsupported value: "Everything"'));
      writeFileSync(file, documentedPolicy);
      assert.equal(loadPolicyFile(file).rules.length, 9);
      assert.throws(() => loadPolicyFile(join(dir, 'missing.yaml')), /failed to read file path/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
