import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { causeMessage, type StatusCause } from '../errors.js';
import { validateValue } from './index.js';
import type { JSONSchemaProps } from './types.js';

const msgs = (c: StatusCause[]) => c.map(causeMessage);

function wrap(spec: JSONSchemaProps): JSONSchemaProps {
  return { type: 'object', properties: { spec } };
}

interface Case {
  name: string;
  schema: JSONSchemaProps;
  value: unknown;
  want: string[];
  reasons?: string[];
}

const objSpec = (props: Record<string, JSONSchemaProps>, extra: Partial<JSONSchemaProps> = {}): JSONSchemaProps =>
  wrap({ type: 'object', properties: props, ...extra });

const cases: Case[] = [
  // type
  { name: 'integer ok', schema: objSpec({ replicas: { type: 'integer' } }), value: { spec: { replicas: 3 } }, want: [] },
  {
    name: 'integer given string',
    schema: objSpec({ replicas: { type: 'integer' } }),
    value: { spec: { replicas: 'string' } },
    want: ['spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"'],
    reasons: ['FieldValueTypeInvalid'],
  },
  {
    name: 'integer given float',
    schema: objSpec({ replicas: { type: 'integer' } }),
    value: { spec: { replicas: 1.5 } },
    want: ['spec.replicas: Invalid value: 1.5: spec.replicas in body must be of type integer: "number"'],
  },
  { name: 'number accepts integer', schema: objSpec({ r: { type: 'number' } }), value: { spec: { r: 2 } }, want: [] },
  {
    name: 'string given object',
    schema: objSpec({ s: { type: 'string' } }),
    value: { spec: { s: { a: 1 } } },
    want: ['spec.s: Invalid value: "object": spec.s in body must be of type string: "object"'],
  },
  {
    name: 'boolean given array',
    schema: objSpec({ b: { type: 'boolean' } }),
    value: { spec: { b: [true] } },
    want: ['spec.b: Invalid value: []interface {}{true}: spec.b in body must be of type boolean: "array"'],
  },
  {
    name: 'object given string',
    schema: wrap({ type: 'object' }),
    value: { spec: 'x' },
    want: ['spec: Invalid value: "x": spec in body must be of type object: "string"'],
  },
  {
    name: 'root type',
    schema: { type: 'object' },
    value: 5,
    want: ['Invalid value: 5:  in body must be of type object: "integer"'],
  },
  // nullable
  {
    name: 'null for non-nullable',
    schema: objSpec({ s: { type: 'string' } }),
    value: { spec: { s: null } },
    want: ['spec.s: Invalid value: "null": spec.s in body must be of type string: "null"'],
  },
  { name: 'null for nullable', schema: objSpec({ s: { type: 'string', nullable: true } }), value: { spec: { s: null } }, want: [] },
  { name: 'null for untyped preserve field', schema: objSpec({ s: { 'x-kubernetes-preserve-unknown-fields': true } }), value: { spec: { s: null } }, want: [] },
  // int-or-string
  { name: 'int-or-string int', schema: objSpec({ p: { 'x-kubernetes-int-or-string': true } }), value: { spec: { p: 80 } }, want: [] },
  { name: 'int-or-string string', schema: objSpec({ p: { 'x-kubernetes-int-or-string': true } }), value: { spec: { p: 'http' } }, want: [] },
  {
    name: 'int-or-string bool',
    schema: objSpec({ p: { 'x-kubernetes-int-or-string': true } }),
    value: { spec: { p: true } },
    want: ['spec.p: Invalid value: true: spec.p in body must be of type integer,string: "boolean"'],
  },
  {
    name: 'int-or-string float',
    schema: objSpec({ p: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] } }),
    value: { spec: { p: 1.5 } },
    want: ['spec.p: Invalid value: 1.5: spec.p in body must be of type integer,string: "number"'],
  },
  // required
  {
    name: 'required missing',
    schema: objSpec({ a: { type: 'string' }, b: { type: 'string' } }, { required: ['a', 'b'] }),
    value: { spec: { a: 'x' } },
    want: ['spec.b: Required value'],
    reasons: ['FieldValueRequired'],
  },
  { name: 'required present', schema: objSpec({ a: { type: 'string' } }, { required: ['a'] }), value: { spec: { a: '' } }, want: [] },
  // enum
  {
    name: 'enum string',
    schema: objSpec({ m: { type: 'string', enum: ['a', 'b'] } }),
    value: { spec: { m: 'x' } },
    want: ['spec.m: Unsupported value: "x": supported values: "a", "b"'],
    reasons: ['FieldValueNotSupported'],
  },
  {
    name: 'enum integer',
    schema: objSpec({ m: { type: 'integer', enum: [1, 2] } }),
    value: { spec: { m: 3 } },
    want: ['spec.m: Unsupported value: 3: supported values: "1", "2"'],
  },
  { name: 'enum ok', schema: objSpec({ m: { type: 'string', enum: ['a', 'b'] } }), value: { spec: { m: 'b' } }, want: [] },
  // strings
  {
    name: 'pattern',
    schema: objSpec({ n: { type: 'string', pattern: '^[a-z]+$' } }),
    value: { spec: { n: 'ABC' } },
    want: [`spec.n: Invalid value: "ABC": spec.n in body should match '^[a-z]+$'`],
  },
  {
    name: 'minLength',
    schema: objSpec({ n: { type: 'string', minLength: 3 } }),
    value: { spec: { n: 'ab' } },
    want: ['spec.n: Invalid value: "ab": spec.n in body should be at least 3 chars long'],
  },
  {
    name: 'maxLength',
    schema: objSpec({ n: { type: 'string', maxLength: 3 } }),
    value: { spec: { n: 'abcd' } },
    want: ['spec.n: Too long: may not be more than 3 bytes'],
    reasons: ['FieldValueTooLong'],
  },
  { name: 'maxLength counts runes', schema: objSpec({ n: { type: 'string', maxLength: 2 } }), value: { spec: { n: 'éé' } }, want: [] },
  {
    name: 'only first string failure',
    schema: objSpec({ n: { type: 'string', maxLength: 1, pattern: '^a$' } }),
    value: { spec: { n: 'bbb' } },
    want: ['spec.n: Too long: may not be more than 1 bytes'],
  },
  // numbers
  {
    name: 'minimum',
    schema: objSpec({ r: { type: 'integer', minimum: 1 } }),
    value: { spec: { r: 0 } },
    want: ['spec.r: Invalid value: 0: spec.r in body should be greater than or equal to 1'],
  },
  {
    name: 'exclusiveMinimum',
    schema: objSpec({ r: { type: 'integer', minimum: 1, exclusiveMinimum: true } }),
    value: { spec: { r: 1 } },
    want: ['spec.r: Invalid value: 1: spec.r in body should be greater than 1'],
  },
  {
    name: 'maximum',
    schema: objSpec({ r: { type: 'number', maximum: 1.5 } }),
    value: { spec: { r: 2 } },
    want: ['spec.r: Invalid value: 2: spec.r in body should be less than or equal to 1.5'],
  },
  {
    name: 'exclusiveMaximum',
    schema: objSpec({ r: { type: 'integer', maximum: 10, exclusiveMaximum: true } }),
    value: { spec: { r: 10 } },
    want: ['spec.r: Invalid value: 10: spec.r in body should be less than 10'],
  },
  {
    name: 'multipleOf',
    schema: objSpec({ r: { type: 'integer', multipleOf: 5 } }),
    value: { spec: { r: 7 } },
    want: ['spec.r: Invalid value: 7: spec.r in body should be a multiple of 5'],
  },
  { name: 'multipleOf float ok', schema: objSpec({ r: { type: 'number', multipleOf: 0.1 } }), value: { spec: { r: 0.3 } }, want: [] },
  // arrays
  {
    name: 'minItems',
    schema: objSpec({ l: { type: 'array', minItems: 2, items: { type: 'string' } } }),
    value: { spec: { l: ['a'] } },
    want: ['spec.l: Invalid value: 1: spec.l in body should have at least 2 items'],
  },
  {
    name: 'maxItems',
    schema: objSpec({ l: { type: 'array', maxItems: 1, items: { type: 'string' } } }),
    value: { spec: { l: ['a', 'b', 'c'] } },
    want: ['spec.l: Too many: 3: must have at most 1 items'],
    reasons: ['FieldValueTooMany'],
  },
  {
    name: 'uniqueItems',
    schema: objSpec({ l: { type: 'array', uniqueItems: true, items: { type: 'string' } } }),
    value: { spec: { l: ['a', 'a'] } },
    want: [`spec.l: Invalid value: "": spec.l in body shouldn't contain duplicates`],
  },
  {
    name: 'item errors use [i]',
    schema: objSpec({ items: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } } }),
    value: { spec: { items: [{ name: 'a' }, { name: 'b' }, {}] } },
    want: ['spec.items[2].name: Required value'],
  },
  // objects
  {
    name: 'minProperties',
    schema: objSpec({ m: { type: 'object', minProperties: 2, additionalProperties: { type: 'string' } } }),
    value: { spec: { m: { a: 'x' } } },
    want: ['spec.m: Invalid value: 1: spec.m in body should have at least 2 properties'],
  },
  {
    name: 'maxProperties',
    schema: objSpec({ m: { type: 'object', maxProperties: 1, additionalProperties: { type: 'string' } } }),
    value: { spec: { m: { a: 'x', b: 'y' } } },
    want: ['spec.m: Too many: 2: must have at most 1 items'],
  },
  {
    name: 'additionalProperties schema (kube-openapi dots map keys)',
    schema: objSpec({ m: { type: 'object', additionalProperties: { type: 'integer' } } }),
    value: { spec: { m: { a: 1, b: 'x' } } },
    want: ['spec.m.b: Invalid value: "x": spec.m.b in body must be of type integer: "string"'],
  },
  {
    name: 'additionalProperties false',
    schema: objSpec({ m: { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false } }),
    value: { spec: { m: { a: 'x', z: 1 } } },
    want: ['spec.m: Invalid value: "z": spec.m.z in body is a forbidden property'],
  },
  // formats
  ...(
    [
      ['uuid', 'not-a-uuid', '6e8bc430-9c3a-11d9-9669-0800200c9a66'],
      ['date-time', '2020-13-01T00:00:00Z', '2020-01-01T10:00:00Z'],
      ['date', '2020-02-30', '2020-02-29'],
      ['hostname', '-bad-', 'example.com'],
      ['ipv4', '256.1.1.1', '10.0.0.1'],
      ['ipv6', '10.0.0.1', '::1'],
      ['cidr', '10.0.0.0/33', '10.0.0.0/8'],
      ['email', 'nope', 'a@example.com'],
      ['uri', 'relative/path', 'https://example.com/x'],
      ['byte', 'not base64!', 'aGVsbG8='],
      ['duration', 'forever', '1h30m'],
      ['mac', 'zz:zz', '00:1a:2b:3c:4d:5e'],
    ] as const
  ).flatMap(([format, bad, good]): Case[] => [
    {
      name: `format ${format} bad`,
      schema: objSpec({ f: { type: 'string', format } }),
      value: { spec: { f: bad } },
      want: [`spec.f: Invalid value: ${JSON.stringify(bad)}: spec.f in body must be of type ${format}: ${JSON.stringify(bad)}`],
      reasons: ['FieldValueTypeInvalid'],
    },
    { name: `format ${format} good`, schema: objSpec({ f: { type: 'string', format } }), value: { spec: { f: good } }, want: [] },
  ]),
  { name: 'unknown format ignored', schema: objSpec({ f: { type: 'string', format: 'k8s-whatever' } }), value: { spec: { f: '!!' } }, want: [] },
  { name: 'int32 format not range checked', schema: objSpec({ f: { type: 'integer', format: 'int32' } }), value: { spec: { f: 2 ** 40 } }, want: [] },
  // junctors
  {
    name: 'anyOf none',
    schema: objSpec({ d: { type: 'string', anyOf: [{ maxLength: 2 }, { pattern: '^x' }] } }),
    value: { spec: { d: 'abcd' } },
    want: ['Invalid value: "": "spec.d" must validate at least one schema (anyOf)', 'spec.d: Too long: may not be more than 2 bytes'],
  },
  { name: 'anyOf one', schema: objSpec({ d: { type: 'string', anyOf: [{ maxLength: 2 }, { pattern: '^x' }] } }), value: { spec: { d: 'xyzw' } }, want: [] },
  {
    name: 'oneOf both',
    schema: objSpec({ d: { type: 'string', oneOf: [{ maxLength: 5 }, { pattern: '^x' }] } }),
    value: { spec: { d: 'xy' } },
    want: ['Invalid value: "": "spec.d" must validate one and only one schema (oneOf). Found 2 valid alternatives'],
  },
  {
    name: 'allOf',
    schema: objSpec({ d: { type: 'integer', allOf: [{ minimum: 1 }, { maximum: 5 }] } }),
    value: { spec: { d: 9 } },
    want: ['spec.d: Invalid value: 9: spec.d in body should be less than or equal to 5', 'Invalid value: "": "spec.d" must validate all the schemas (allOf)'],
  },
  {
    name: 'not',
    schema: objSpec({ d: { type: 'string', not: { enum: ['forbidden'] } } }),
    value: { spec: { d: 'forbidden' } },
    want: ['Invalid value: "": "spec.d" must not validate the schema (not)'],
  },
  // list types
  {
    name: 'list-type set duplicates',
    schema: objSpec({ s: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } } }),
    value: { spec: { s: ['a', 'b', 'a', 'a', 'b'] } },
    want: ['spec.s[2]: Duplicate value: "a"', 'spec.s[4]: Duplicate value: "b"'],
    reasons: ['FieldValueDuplicate', 'FieldValueDuplicate'],
  },
  {
    name: 'list-type map duplicate keys',
    schema: objSpec({
      m: {
        type: 'array',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name', 'port'],
        items: { type: 'object', properties: { name: { type: 'string' }, port: { type: 'integer' }, v: { type: 'string' } } },
      },
    }),
    value: { spec: { m: [{ name: 'a', port: 1, v: 'x' }, { name: 'a', port: 2 }, { name: 'a', port: 1, v: 'y' }] } },
    want: ['spec.m[2]: Duplicate value: map[string]interface {}{"name":"a", "port":1}'],
  },
  {
    name: 'list-type map non-object item',
    schema: objSpec({ m: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { 'x-kubernetes-preserve-unknown-fields': true } } }),
    value: { spec: { m: [{ name: 'a' }, 'b'] } },
    want: ['spec.m[1]: Invalid value: "b": must be an object for an array of list-type map'],
  },
  // embedded resources
  {
    name: 'embedded resource missing apiVersion/kind',
    schema: objSpec({ tpl: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true } }),
    value: { spec: { tpl: { metadata: { name: 'a/b' } } } },
    want: ['spec.tpl.apiVersion: Required value: must not be empty', 'spec.tpl.kind: Required value: must not be empty', "spec.tpl.metadata.name: Invalid value: \"a/b\": may not contain '/'"],
  },
  {
    name: 'embedded resource ok',
    schema: objSpec({ tpl: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true } }),
    value: { spec: { tpl: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x', labels: { app: 'x' } }, spec: {} } } },
    want: [],
  },
  {
    name: 'embedded resource bad kind',
    schema: objSpec({ tpl: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true } }),
    value: { spec: { tpl: { apiVersion: 'a/b/c', kind: '9x' } } },
    want: [
      'spec.tpl.apiVersion: Invalid value: "a/b/c": unexpected GroupVersion string: a/b/c',
      `spec.tpl.kind: Invalid value: "9x": may have mixed case, but should otherwise match: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
    ],
  },
  // preserve unknown fields
  { name: 'preserve-unknown-fields accepts anything', schema: objSpec({}, { 'x-kubernetes-preserve-unknown-fields': true }), value: { spec: { x: { y: [1] } } }, want: [] },
];

describe('validateValue (OpenAPI schema rules)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const got = validateValue(c.schema, c.value);
      assert.deepEqual(msgs(got), c.want);
      if (c.reasons) assert.deepEqual(got.map((x) => x.reason), c.reasons);
    });
  }

  it('orders causes by traversal (properties in schema order, then required)', () => {
    const schema = objSpec({ a: { type: 'integer' }, b: { type: 'string' }, c: { type: 'boolean' } }, { required: ['d'] });
    const got = validateValue(schema, { spec: { c: 1, b: 2, a: 'x' } });
    assert.deepEqual(got.map((x) => x.field), ['spec.a', 'spec.b', 'spec.c', 'spec.d']);
  });

  it('path option prefixes fields', () => {
    const got = validateValue({ type: 'object', properties: { r: { type: 'integer' } } }, { r: 'x' }, { path: 'status' });
    assert.deepEqual(msgs(got), ['status.r: Invalid value: "x": status.r in body must be of type integer: "string"']);
  });

  it('ratchets unchanged invalid fields on update', () => {
    const schema = objSpec({ n: { type: 'string', maxLength: 3 }, m: { type: 'string', maxLength: 3 } });
    const old = { spec: { n: 'toolong', m: 'ok' } };
    assert.deepEqual(validateValue(schema, { spec: { n: 'toolong', m: 'ok2' } }, { oldValue: old }), []);
    assert.deepEqual(msgs(validateValue(schema, { spec: { n: 'toolong2', m: 'ok' } }, { oldValue: old })), ['spec.n: Too long: may not be more than 3 bytes']);
    assert.equal(validateValue(schema, { spec: { n: 'toolong' } }).length, 1);
  });

  it('ratchets list-type=map items correlated by key, not atomic list items', () => {
    const item: JSONSchemaProps = { type: 'object', properties: { name: { type: 'string' }, v: { type: 'string', maxLength: 1 } } };
    const schema = objSpec({
      m: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: item },
      a: { type: 'array', items: item },
    });
    const old = { spec: { m: [{ name: 'x', v: 'long' }], a: [{ name: 'x', v: 'long' }] } };
    const next = { spec: { m: [{ name: 'y', v: 'o' }, { name: 'x', v: 'long' }], a: [{ name: 'y', v: 'o' }, { name: 'x', v: 'long' }] } };
    assert.deepEqual(msgs(validateValue(schema, next, { oldValue: old })), ['spec.a[1].v: Too long: may not be more than 1 bytes']);
  });

  it('list-type uniqueness is not enforced on update when the old object already violated it', () => {
    const schema = objSpec({ s: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } } });
    assert.deepEqual(validateValue(schema, { spec: { s: ['a', 'a', 'b'] } }, { oldValue: { spec: { s: ['a', 'a'] } } }), []);
    assert.equal(validateValue(schema, { spec: { s: ['a', 'a', 'b'] } }, { oldValue: { spec: { s: ['a'] } } }).length, 1);
  });

});
