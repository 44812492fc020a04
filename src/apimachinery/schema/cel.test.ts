import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { causeMessage, type StatusCause } from '../errors.js';
import { compileRules, escapeCelName, evaluateExpression, validateValue } from './index.js';
import type { JSONSchemaProps, ValidationRule } from './types.js';

const msgs = (c: StatusCause[]) => c.map(causeMessage);

function specWith(rules: ValidationRule[], props: Record<string, JSONSchemaProps> = {}, extra: Partial<JSONSchemaProps> = {}): JSONSchemaProps {
  return {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        'x-kubernetes-validations': rules,
        properties: {
          replicas: { type: 'integer' },
          minReplicas: { type: 'integer' },
          ratio: { type: 'number' },
          name: { type: 'string' },
          port: { 'x-kubernetes-int-or-string': true },
          tags: { type: 'array', items: { type: 'string' } },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
          ...props,
        },
        ...extra,
      },
    },
  };
}

interface Case {
  name: string;
  rules: ValidationRule[];
  value: Record<string, unknown>;
  old?: Record<string, unknown>;
  want: string[];
  reasons?: string[];
}

const cases: Case[] = [
  { name: 'passing rule', rules: [{ rule: 'self.replicas >= self.minReplicas' }], value: { replicas: 3, minReplicas: 1 }, want: [] },
  {
    name: 'failing rule default message',
    rules: [{ rule: 'self.replicas >= self.minReplicas' }],
    value: { replicas: 1, minReplicas: 3 },
    want: ['spec: Invalid value: "object": failed rule: self.replicas >= self.minReplicas'],
    reasons: ['FieldValueInvalid'],
  },
  {
    name: 'failing rule custom message',
    rules: [{ rule: 'self.replicas >= self.minReplicas', message: 'replicas must be >= minReplicas' }],
    value: { replicas: 1, minReplicas: 3 },
    want: ['spec: Invalid value: "object": replicas must be >= minReplicas'],
  },
  {
    name: 'messageExpression',
    rules: [{ rule: 'self.replicas >= self.minReplicas', messageExpression: "'replicas ' + string(self.replicas) + ' below ' + string(self.minReplicas)" }],
    value: { replicas: 1, minReplicas: 3 },
    want: ['spec: Invalid value: "object": replicas 1 below 3'],
  },
  {
    name: 'messageExpression failure falls back to message',
    rules: [{ rule: 'false', message: 'static', messageExpression: 'self.missing' }],
    value: {},
    want: ['spec: Invalid value: "object": static'],
  },
  {
    name: 'reason Forbidden',
    rules: [{ rule: '!has(self.name)', message: 'name is not allowed', reason: 'FieldValueForbidden' }],
    value: { name: 'x' },
    want: ['spec: Forbidden: name is not allowed'],
    reasons: ['FieldValueForbidden'],
  },
  {
    name: 'reason Required',
    rules: [{ rule: 'has(self.name)', message: 'name is needed', reason: 'FieldValueRequired' }],
    value: {},
    want: ['spec: Required value: name is needed'],
  },
  {
    name: 'reason Duplicate',
    rules: [{ rule: 'false', reason: 'FieldValueDuplicate' }],
    value: {},
    want: ['spec: Duplicate value: "object"'],
  },
  {
    name: 'fieldPath',
    rules: [{ rule: 'self.replicas >= 0', message: 'negative', fieldPath: '.replicas' }],
    value: { replicas: -1 },
    want: ['spec.replicas: Invalid value: "object": negative'],
  },
  {
    name: 'fieldPath into map key',
    rules: [{ rule: "self.labels['app'] == 'x'", fieldPath: ".labels['app']" }],
    value: { labels: { app: 'y' } },
    want: ["spec.labels[app]: Invalid value: \"object\": failed rule: self.labels['app'] == 'x'"],
  },
  {
    name: 'runtime error: missing key',
    rules: [{ rule: 'self.name == "a"' }],
    value: {},
    want: ['spec: Invalid value: "object": no such key: name evaluating rule: self.name == "a"'],
  },
  {
    name: 'integers are CEL ints',
    rules: [{ rule: 'self.replicas + 1 == 4 && type(self.replicas) == int' }],
    value: { replicas: 3 },
    want: [],
  },
  { name: 'numbers are CEL doubles', rules: [{ rule: 'type(self.ratio) == double && self.ratio > 0.5' }], value: { ratio: 1 }, want: [] },
  { name: 'int-or-string as int', rules: [{ rule: 'type(self.port) == int ? self.port > 0 : self.port.startsWith("http")' }], value: { port: 80 }, want: [] },
  { name: 'int-or-string as string', rules: [{ rule: 'type(self.port) == int ? self.port > 0 : self.port.startsWith("http")' }], value: { port: 'https' }, want: [] },
  {
    name: 'int-or-string mismatch fails',
    rules: [{ rule: 'type(self.port) == int ? self.port > 0 : self.port.startsWith("http")' }],
    value: { port: 'grpc' },
    want: ['spec: Invalid value: "object": failed rule: type(self.port) == int ? self.port > 0 : self.port.startsWith("http")'],
  },
  {
    name: 'int-or-string overload error',
    rules: [{ rule: 'self.port > 0' }],
    value: { port: 'http' },
    want: ["spec: Invalid value: \"object\": 'no such overload': call arguments did not match a supported operator, function or macro signature for rule: self.port > 0"],
  },
  { name: 'macros all/exists', rules: [{ rule: "self.tags.all(t, t.size() < 5) && self.tags.exists(t, t == 'a')" }], value: { tags: ['a', 'bb'] }, want: [] },
  { name: 'map iteration', rules: [{ rule: "self.labels.all(k, k.startsWith('x') && self.labels[k] != '')" }], value: { labels: { xa: '1' } }, want: [] },
  { name: 'matches', rules: [{ rule: "self.name.matches('^[a-z]+$')" }], value: { name: 'abc' }, want: [] },
  { name: 'list isSorted/sum/min/max', rules: [{ rule: '[1, 2, 3].isSorted() && [1, 2, 3].sum() == 6 && [3, 1].min() == 1 && [3, 1].max() == 3' }], value: {}, want: [] },
  { name: 'list indexOf/lastIndexOf', rules: [{ rule: "self.tags.indexOf('b') == 1 && self.tags.lastIndexOf('a') == 2" }], value: { tags: ['a', 'b', 'a'] }, want: [] },
  {
    name: 'string library',
    rules: [{ rule: "self.name.lowerAscii() == 'abc' && self.name.upperAscii() == 'ABC' && 'a,b'.split(',').size() == 2 && ['a','b'].join('-') == 'a-b' && ' x '.trim() == 'x' && 'aXa'.replace('X', 'b') == 'aba' && 'abc'.indexOf('c') == 2" }],
    value: { name: 'aBc' },
    want: [],
  },
  { name: 'regex find', rules: [{ rule: "'abc123'.find('[0-9]+') == '123' && 'a1b2'.findAll('[0-9]') == ['1', '2']" }], value: {}, want: [] },
  { name: 'sets library', rules: [{ rule: 'sets.contains([1, 2, 3], [2]) && sets.intersects([1], [1, 4]) && sets.equivalent([1, 2], [2, 1])' }], value: {}, want: [] },
  {
    name: 'several rules, several failures, in order',
    rules: [{ rule: 'self.replicas > 10' }, { rule: 'self.replicas > 0' }, { rule: 'self.replicas > 20', message: 'too small' }],
    value: { replicas: 5 },
    want: ['spec: Invalid value: "object": failed rule: self.replicas > 10', 'spec: Invalid value: "object": too small'],
  },
  // transition rules
  {
    name: 'transition rule skipped on create',
    rules: [{ rule: 'self.name == oldSelf.name', message: 'name is immutable' }],
    value: { name: 'b' },
    want: [],
  },
  {
    name: 'transition rule enforced on update',
    rules: [{ rule: 'self.name == oldSelf.name', message: 'name is immutable' }],
    value: { name: 'b' },
    old: { name: 'a' },
    want: ['spec: Invalid value: "object": name is immutable'],
  },
  { name: 'transition rule passes on update', rules: [{ rule: 'self.name == oldSelf.name' }], value: { name: 'a', replicas: 2 }, old: { name: 'a', replicas: 1 }, want: [] },
  {
    name: 'transition rule on scalar field',
    rules: [],
    value: { replicas: 1 },
    old: { replicas: 3 },
    want: ['spec.replicas: Invalid value: "integer": replicas may only grow'],
  },
  {
    name: 'optionalOldSelf evaluates on create',
    rules: [{ rule: '!oldSelf.hasValue() ? self.replicas == 1 : self.replicas >= oldSelf.value().replicas', optionalOldSelf: true, message: 'bad' }],
    value: { replicas: 2 },
    want: ['spec: Invalid value: "object": bad'],
  },
  {
    name: 'optionalOldSelf evaluates on update',
    rules: [{ rule: '!oldSelf.hasValue() ? self.replicas == 1 : self.replicas >= oldSelf.value().replicas', optionalOldSelf: true, message: 'bad' }],
    value: { replicas: 2 },
    old: { replicas: 1 },
    want: [],
  },
  {
    name: 'ratcheting: unchanged object with failing non-transition rule is tolerated',
    rules: [{ rule: 'self.replicas > 5' }],
    value: { replicas: 1 },
    old: { replicas: 1 },
    want: [],
  },
  {
    name: 'ratcheting: changed object is validated',
    rules: [{ rule: 'self.replicas > 5' }],
    value: { replicas: 2 },
    old: { replicas: 1 },
    want: ['spec: Invalid value: "object": failed rule: self.replicas > 5'],
  },
];

describe('x-kubernetes-validations (CEL)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const props: Record<string, JSONSchemaProps> =
        c.name === 'transition rule on scalar field'
          ? { replicas: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self >= oldSelf', message: 'replicas may only grow' }] } }
          : {};
      const schema = specWith(c.rules, props);
      const got = validateValue(schema, { spec: c.value }, c.old ? { oldValue: { spec: c.old } } : {});
      assert.deepEqual(msgs(got), c.want);
      if (c.reasons) assert.deepEqual(got.map((x) => x.reason), c.reasons);
    });
  }

  it('rules run on list items and map values with [i]/[key] paths', () => {
    const schema: JSONSchemaProps = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            items: { type: 'array', items: { type: 'object', properties: { n: { type: 'integer' } }, 'x-kubernetes-validations': [{ rule: 'self.n > 0' }] } },
            m: { type: 'object', additionalProperties: { type: 'string', 'x-kubernetes-validations': [{ rule: "self != ''", message: 'empty' }] } },
          },
        },
      },
    };
    const got = validateValue(schema, { spec: { items: [{ n: 1 }, { n: 0 }], m: { a: 'x', b: '' } } });
    assert.deepEqual(msgs(got), ['spec.items[1]: Invalid value: "object": failed rule: self.n > 0', 'spec.m[b]: Invalid value: "string": empty']);
  });

  it('transition rules on list-type=map items correlate by key', () => {
    const schema: JSONSchemaProps = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            ports: {
              type: 'array',
              'x-kubernetes-list-type': 'map',
              'x-kubernetes-list-map-keys': ['name'],
              items: {
                type: 'object',
                required: ['name'],
                properties: { name: { type: 'string' }, port: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'port is immutable' }] } },
              },
            },
          },
        },
      },
    };
    const old = { spec: { ports: [{ name: 'http', port: 80 }, { name: 'grpc', port: 9000 }] } };
    const next = { spec: { ports: [{ name: 'grpc', port: 9000 }, { name: 'http', port: 8080 }, { name: 'new', port: 1 }] } };
    assert.deepEqual(msgs(validateValue(schema, next, { oldValue: old })), ['spec.ports[1].port: Invalid value: "integer": port is immutable']);
  });

  it('atomic maps do not correlate oldSelf', () => {
    const schema: JSONSchemaProps = {
      type: 'object',
      properties: {
        spec: { type: 'object', 'x-kubernetes-map-type': 'atomic', properties: { a: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf' }] } } },
      },
    };
    assert.deepEqual(validateValue(schema, { spec: { a: 'x' } }, { oldValue: { spec: { a: 'y' } } }), []);
  });

  it('blocking schema errors skip CEL', () => {
    const schema = specWith([{ rule: 'self.replicas > 100' }]);
    const got = validateValue(schema, { spec: { replicas: 'x' } });
    assert.deepEqual(msgs(got), [
      'spec.replicas: Invalid value: "x": spec.replicas in body must be of type integer: "string"',
      'Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
    ]);
  });

  it('non-blocking schema errors still run CEL', () => {
    const schema = specWith([{ rule: 'self.name.size() > 5' }], { name: { type: 'string', pattern: '^z' } });
    assert.equal(validateValue(schema, { spec: { name: 'abc' } }).length, 2);
  });

  it('root rules see apiVersion/kind/metadata.name', () => {
    const schema: JSONSchemaProps = { type: 'object', 'x-kubernetes-validations': [{ rule: "self.metadata.name.startsWith('a') && self.kind == 'Widget'" }], properties: { spec: { type: 'object' } } };
    assert.deepEqual(validateValue(schema, { apiVersion: 'x/v1', kind: 'Widget', metadata: { name: 'abc' }, spec: {} }), []);
    assert.equal(validateValue(schema, { apiVersion: 'x/v1', kind: 'Widget', metadata: { name: 'zzz' }, spec: {} }).length, 1);
  });

  it('escapes property names', () => {
    assert.equal(escapeCelName('foo-bar'), 'foo__dash__bar');
    assert.equal(escapeCelName('namespace'), '__namespace__');
    assert.equal(escapeCelName('a.b/c__d'), 'a__dot__b__slash__c__underscores__d');
    assert.equal(escapeCelName('1abc'), undefined);
    const schema = specWith([{ rule: "self.foo__dash__bar == 'x' && self.__namespace__ == 'y'" }], { 'foo-bar': { type: 'string' }, namespace: { type: 'string' } });
    assert.deepEqual(validateValue(schema, { spec: { 'foo-bar': 'x', namespace: 'y' } }), []);
  });

  it('date-time and duration formats become timestamp/duration', () => {
    const schema = specWith([{ rule: "self.at < timestamp('2030-01-01T00:00:00Z') && self.every > duration('1m')" }], {
      at: { type: 'string', format: 'date-time' },
      every: { type: 'string', format: 'duration' },
    });
    assert.deepEqual(validateValue(schema, { spec: { at: '2024-05-01T10:00:00Z', every: '5m' } }), []);
  });

  it('evaluateExpression helper', () => {
    assert.equal(evaluateExpression('self.a + 1', { self: { a: 1 } }, { type: 'object', properties: { a: { type: 'integer' } } }), 2n);
  });
});

describe('compileRules', () => {
  const base = 'spec.versions[0].schema.openAPIV3Schema';
  it('accepts valid rules', () => {
    assert.deepEqual(compileRules(specWith([{ rule: 'self.replicas > 0', messageExpression: "'x'" }]), base), []);
  });
  it('reports syntax errors with the rule rendered like kube', () => {
    const got = compileRules({ type: 'object', 'x-kubernetes-validations': [{ rule: 'self.x +' }] }, 'spec.validation.openAPIV3Schema');
    assert.equal(got.length, 1);
    assert.equal(got[0]!.field, 'spec.validation.openAPIV3Schema.x-kubernetes-validations[0].rule');
    assert.match(
      got[0]!.message,
      /^Invalid value: apiextensions\.ValidationRule\{Rule:"self\.x \+", Message:"", MessageExpression:"", Reason:\(\*apiextensions\.FieldValueErrorReason\)\(nil\), FieldPath:"", OptionalOldSelf:\(\*bool\)\(nil\)\}: compilation failed: ERROR: <input>:1:\d+: Syntax error: /,
    );
  });
  it('reports undeclared references and functions', () => {
    const got = compileRules(specWith([{ rule: 'foo > 1' }, { rule: 'self.name.frobnicate()' }, { rule: 'self.tags.all(t, t == x)' }]), base);
    assert.deepEqual(
      got.map((c) => [c.field, c.message.replace(/^.*compilation failed: /, '')]),
      [
        [`${base}.properties[spec].x-kubernetes-validations[0].rule`, "ERROR: <input>:1:1: undeclared reference to 'foo' (in container '')"],
        [`${base}.properties[spec].x-kubernetes-validations[1].rule`, "ERROR: <input>:1:10: undeclared reference to 'frobnicate' (in container '')"],
        [`${base}.properties[spec].x-kubernetes-validations[2].rule`, "ERROR: <input>:1:23: undeclared reference to 'x' (in container '')"],
      ],
    );
  });
  it('checks messageExpression, reason, fieldPath, empty rules and oldSelf placement', () => {
    const schema: JSONSchemaProps = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: { a: { type: 'string' }, l: { type: 'array', items: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf' }] } } },
          'x-kubernetes-validations': [
            { rule: '' },
            { rule: 'true', messageExpression: 'self.' },
            { rule: 'true', reason: 'Bogus' as ValidationRule['reason'] },
            { rule: 'true', fieldPath: '.nope' },
            { rule: 'true', optionalOldSelf: true },
          ],
        },
      },
    };
    const got = msgs(compileRules(schema, 'x'));
    assert.equal(got.length, 6);
    assert.equal(got[0], 'x.properties[spec].x-kubernetes-validations[0].rule: Required value');
    assert.match(got[1]!, /^x\.properties\[spec\]\.x-kubernetes-validations\[1\]\.messageExpression: Invalid value: "self\.": messageExpression compilation failed: ERROR: /);
    assert.equal(got[2], 'x.properties[spec].x-kubernetes-validations[2].reason: Unsupported value: "Bogus": supported values: "FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"');
    assert.equal(got[3], 'x.properties[spec].x-kubernetes-validations[3].fieldPath: Invalid value: ".nope": fieldPath must be a valid path: does not refer to a valid field');
    assert.match(got[4]!, /optionalOldSelf: Forbidden/);
    assert.match(got[5]!, /^x\.properties\[spec\]\.properties\[l\]\.items\.x-kubernetes-validations\[0\]\.rule: Invalid value: "self == oldSelf": oldSelf cannot be used on the uncorrelatable portion of the schema/);
  });
});
