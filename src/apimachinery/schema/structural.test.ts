import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { causeMessage } from '../errors.js';
import { checkStructural } from './index.js';
import type { JSONSchemaProps } from './types.js';

const P = 'spec.versions[0].schema.openAPIV3Schema';

interface Case {
  name: string;
  schema: JSONSchemaProps;
  want: string[];
}

const spec = (s: JSONSchemaProps): JSONSchemaProps => ({ type: 'object', properties: { spec: s } });

const cases: Case[] = [
  {
    name: 'valid schema',
    schema: {
      type: 'object',
      properties: {
        metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 20 } } },
        spec: {
          type: 'object',
          properties: {
            port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
            raw: { 'x-kubernetes-preserve-unknown-fields': true },
            list: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } },
            set: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
            replicas: { type: 'integer', default: 1, minimum: 0 },
            tpl: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
          },
          anyOf: [{ required: ['port'] }, { required: ['raw'] }],
        },
      },
    },
    want: [],
  },
  { name: 'root type missing', schema: { properties: {} }, want: [`${P}.type: Required value: must not be empty at the root`] },
  { name: 'root type not object', schema: { type: 'string' }, want: [`${P}.type: Invalid value: "string": must be object at the root`] },
  { name: 'field type missing', schema: spec({ properties: { a: { type: 'string' } } }), want: [`${P}.properties[spec].type: Required value: must not be empty for specified object fields`] },
  { name: 'item type missing', schema: spec({ type: 'array', items: {} }), want: [`${P}.properties[spec].items.type: Required value: must not be empty for specified array items`] },
  { name: 'array without items', schema: spec({ type: 'array' }), want: [`${P}.properties[spec].items: Required value: must be specified`] },
  {
    name: 'properties and additionalProperties',
    schema: spec({ type: 'object', properties: { a: { type: 'string' } }, additionalProperties: { type: 'string' } }),
    want: [`${P}.properties[spec].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`],
  },
  { name: 'additionalProperties at root', schema: { type: 'object', additionalProperties: { type: 'string' } }, want: [`${P}.additionalProperties: Forbidden: must not be used at the root`] },
  { name: 'additionalProperties false', schema: spec({ type: 'object', additionalProperties: false }), want: [`${P}.properties[spec].additionalProperties: Forbidden: additionalProperties cannot be set to false`] },
  {
    name: 'metadata restrictions',
    schema: { type: 'object', properties: { metadata: { type: 'object', properties: { labels: { type: 'object' } } } } },
    want: [`${P}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`],
  },
  {
    name: 'nested value validation must not specify type/default/etc',
    schema: spec({ type: 'object', properties: { a: { type: 'string' } }, allOf: [{ properties: { a: { type: 'string', default: 'x' } } }] }),
    want: [`${P}.properties[spec].allOf[0].properties[a].type: Forbidden: must be empty to be structural`, `${P}.properties[spec].allOf[0].properties[a].default: Forbidden: must be undefined to be structural`],
  },
  {
    name: 'completeness of junctors at the root',
    schema: { type: 'object', properties: { spec: { type: 'object' } }, anyOf: [{ properties: { status: {} } }] },
    want: [`${P}.properties[status]: Required value: because it is defined in ${P}.anyOf[0].properties[status]`],
  },
  {
    name: 'int-or-string with preserve',
    schema: spec({ 'x-kubernetes-int-or-string': true, 'x-kubernetes-preserve-unknown-fields': true }),
    want: [`${P}.properties[spec].x-kubernetes-preserve-unknown-fields: Invalid value: true: must be false if x-kubernetes-int-or-string is true`],
  },
  {
    name: 'embedded resource must be object with properties',
    schema: spec({ type: 'string', 'x-kubernetes-embedded-resource': true }),
    want: [
      `${P}.properties[spec].type: Invalid value: "string": must be object if x-kubernetes-embedded-resource is true`,
      `${P}.properties[spec].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields`,
    ],
  },
  {
    name: 'list-map-keys without list-type map',
    schema: spec({ type: 'array', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', properties: { name: { type: 'string' } } } }),
    want: [`${P}.properties[spec].x-kubernetes-list-type: Required value: must be map if x-kubernetes-list-map-keys is non-empty`],
  },
  {
    name: 'list-type map without keys / non-object items',
    schema: spec({ type: 'array', 'x-kubernetes-list-type': 'map', items: { type: 'string' } }),
    want: [`${P}.properties[spec].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map`, `${P}.properties[spec].items.type: Invalid value: "string": must be object if parent array's x-kubernetes-list-type is map`],
  },
  {
    name: 'list-type on non-array',
    schema: spec({ type: 'object', 'x-kubernetes-list-type': 'set' }),
    want: [`${P}.properties[spec].x-kubernetes-list-type: Invalid value: "set": must only be used on array types`],
  },
  {
    name: 'list-type set of non-atomic objects',
    schema: spec({ type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'object', properties: { a: { type: 'string' } } } }),
    want: [`${P}.properties[spec].items.x-kubernetes-map-type: Invalid value: "": must be atomic as item of a list with x-kubernetes-list-type=set`],
  },
  { name: 'uniqueItems', schema: spec({ type: 'array', uniqueItems: true, items: { type: 'string' } }), want: [`${P}.properties[spec].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`] },
  {
    name: 'preserve-unknown-fields false',
    schema: spec({ type: 'object', 'x-kubernetes-preserve-unknown-fields': false }),
    want: [`${P}.properties[spec].x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined`],
  },
  { name: 'invalid pattern', schema: spec({ type: 'string', pattern: '([' }), want: [] },
  {
    name: 'invalid default',
    schema: spec({ type: 'object', properties: { r: { type: 'integer', default: 'x' } } }),
    want: [`${P}.properties[spec].properties[r].default: Invalid value: "x":  in body must be of type integer: "string"`],
  },
  {
    name: 'default with unknown fields',
    schema: spec({ type: 'object', default: { a: 1, b: 2 }, properties: { a: { type: 'integer' } } }),
    want: [`${P}.properties[spec].default: Invalid value: "object": must not have unknown fields, got: b`],
  },
  {
    name: 'nested x-kubernetes-validations forbidden in anyOf',
    schema: spec({ type: 'string', anyOf: [{ 'x-kubernetes-validations': [{ rule: 'true' }] }] }),
    want: [`${P}.properties[spec].anyOf[0].x-kubernetes-validations: Forbidden: must be empty to be structural`],
  },
];

describe('checkStructural', () => {
  for (const c of cases) {
    it(c.name, () => {
      const got = checkStructural(c.schema, P).map(causeMessage);
      if (c.name === 'invalid pattern') {
        assert.equal(got.length, 1);
        assert.match(got[0]!, /pattern: Invalid value: "\(\[": must be a valid regular expression, but isn't: /);
        return;
      }
      assert.deepEqual(got, c.want);
    });
  }
});
