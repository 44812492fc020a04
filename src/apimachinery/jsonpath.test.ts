import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileJsonPath, evaluateJsonPath, JsonPathSyntaxError } from './jsonpath.js';

const obj = {
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: {
    name: 'w1',
    labels: { app: 'web', 'app.kubernetes.io/name': 'widget' },
    annotations: { 'a.b': 'dotted' },
  },
  spec: {
    replicas: 3,
    enabled: false,
    nothing: null,
    items: [
      { name: 'a', size: 1 },
      { name: 'b', size: 5 },
      { name: 'c', size: 10, tags: ['x'] },
    ],
    nested: { deep: { name: 'inner' } },
  },
  status: {
    conditions: [
      { type: 'Ready', status: 'True', reason: 'AllGood' },
      { type: 'Synced', status: 'False' },
    ],
  },
};

describe('evaluateJsonPath', () => {
  const cases: [string, unknown[]][] = [
    ['.spec.replicas', [3]],
    ['.spec.enabled', [false]],
    ['.spec.nothing', [null]],
    ['.metadata.name', ['w1']],
    ['.metadata.labels.app', ['web']],
    [".metadata.labels['app.kubernetes.io/name']", ['widget']],
    ['.metadata.labels["app.kubernetes.io/name"]', ['widget']],
    ['.metadata.labels.app\\.kubernetes\\.io/name', ['widget']],
    ["['metadata']['annotations']['a.b']", ['dotted']],
    ["$.metadata.labels['app','missing','app.kubernetes.io/name']", ['web', 'widget']],
    ['{.metadata.name}', ['w1']],
    ['.spec.items[0].name', ['a']],
    ['.spec.items[-1].name', ['c']],
    ['.spec.items[5].name', []],
    ['.spec.items[*].name', ['a', 'b', 'c']],
    ['.spec.items[0:2].name', ['a', 'b']],
    ['.spec.items[1:].name', ['b', 'c']],
    ['.spec.items[::2].name', ['a', 'c']],
    ['.spec.items[-2:].name', ['b', 'c']],
    ['.spec.items[0,2].name', ['a', 'c']],
    ['.spec.items[ 1 ].size', [5]],
    ['.spec.items.name', []],
    ['.spec.nested.*.name', ['inner']],
    ['.spec.items.*.size', [1, 5, 10]],
    ['.status.conditions[?(@.type=="Ready")].status', ['True']],
    [".status.conditions[?(@.type=='Synced')].status", ['False']],
    ['.status.conditions[?(@.type != "Ready")].type', ['Synced']],
    ['.status.conditions[?(@.reason)].type', ['Ready']],
    ['.status.conditions[?(@.type=="Missing")].status', []],
    ['.spec.items[?(@.size>4)].name', ['b', 'c']],
    ['.spec.items[?(@.size>=5)].name', ['b', 'c']],
    ['.spec.items[?(@.size<5)].name', ['a']],
    ['.spec.items[?(@.size<=5)].name', ['a', 'b']],
    ['.spec.items[?(@.size==10)].name', ['c']],
    ['.spec.items[?(@.size=="10")].name', []],
    ['.spec.items[?(@.name==$.metadata.labels.missing)].name', []],
    ['.spec.items[?(@.tags[0]=="x")].name', ['c']],
    ['..name', ['w1', 'a', 'b', 'c', 'inner']],
    ['.spec..size', [1, 5, 10]],
    ['.missing.deep', []],
    ['.metadata.name.deeper', []],
    ['.spec.replicas[0]', []],
    ['.status.conditions[?(@.type=="Ready")]', [{ type: 'Ready', status: 'True', reason: 'AllGood' }]],
  ];
  for (const [expr, want] of cases) {
    it(expr, () => assert.deepEqual(evaluateJsonPath(compileJsonPath(expr), obj), want));
  }

  it('"." selects the whole object', () => {
    assert.deepEqual(evaluateJsonPath(compileJsonPath('.'), obj), [obj]);
  });
  it('works on non-object roots', () => {
    assert.deepEqual(evaluateJsonPath(compileJsonPath('.a'), null), []);
    assert.deepEqual(evaluateJsonPath(compileJsonPath('[1]'), ['x', 'y']), ['y']);
  });
});

describe('compileJsonPath errors', () => {
  const bad = [
    '',
    '   ',
    'spec.replicas',
    '.spec[',
    '.spec[abc]',
    ".spec['unterminated]",
    '.spec.items[?(@.a=="x"]',
    '.spec.items[1:2:0]',
    '.spec.items[1:2:3:4]',
    '{.spec',
    '.spec)',
    '.spec..',
    '.spec.items[?(==1)]',
  ];
  for (const expr of bad) {
    it(JSON.stringify(expr), () => {
      assert.throws(
        () => compileJsonPath(expr),
        (e: unknown) => e instanceof JsonPathSyntaxError && e instanceof Error && e.message.startsWith('invalid JSONPath'),
      );
    });
  }
  it('message names the expression and position', () => {
    assert.throws(() => compileJsonPath('.spec[abc]'), { message: 'invalid JSONPath ".spec[abc]" at position 6: invalid array index \'a\'' });
  });
});
