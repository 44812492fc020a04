import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyDefaults } from './index.js';
import type { JSONSchemaProps } from './types.js';

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      default: {},
      properties: {
        replicas: { type: 'integer', default: 1 },
        mode: { type: 'string', default: 'auto' },
        nullableWithDefault: { type: 'string', nullable: true, default: 'd' },
        nonNullable: { type: 'string' },
        nullable: { type: 'string', nullable: true },
        strategy: {
          type: 'object',
          default: { type: 'Rolling' },
          properties: { type: { type: 'string' }, maxSurge: { type: 'integer', default: 25 } },
        },
        list: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, weight: { type: 'integer', default: 10 } } } },
        scalars: { type: 'array', items: { type: 'string', default: 'x' } },
        map: { type: 'object', additionalProperties: { type: 'object', properties: { on: { type: 'boolean', default: true } } } },
        mapNull: { type: 'object', additionalProperties: { type: 'string', default: 'filled' } },
        tags: { type: 'array', default: ['a'], items: { type: 'string' } },
      },
    },
  },
};

interface Case {
  name: string;
  in: unknown;
  want: unknown;
}

const cases: Case[] = [
  {
    name: 'missing spec gets default and nested defaults',
    in: {},
    want: { spec: { replicas: 1, mode: 'auto', nullableWithDefault: 'd', strategy: { type: 'Rolling', maxSurge: 25 }, tags: ['a'] } },
  },
  {
    name: 'present values are kept',
    in: { spec: { replicas: 5, mode: 'manual', strategy: { type: 'Recreate', maxSurge: 1 }, tags: [] } },
    want: { spec: { replicas: 5, mode: 'manual', nullableWithDefault: 'd', strategy: { type: 'Recreate', maxSurge: 1 }, tags: [] } },
  },
  {
    name: 'non-nullable null with default is defaulted',
    in: { spec: { replicas: null } },
    want: { spec: { replicas: 1, mode: 'auto', nullableWithDefault: 'd', strategy: { type: 'Rolling', maxSurge: 25 }, tags: ['a'] } },
  },
  {
    name: 'non-nullable null without default is dropped; nullable null kept',
    in: { spec: { nonNullable: null, nullable: null, nullableWithDefault: null } },
    want: { spec: { nullable: null, nullableWithDefault: null, replicas: 1, mode: 'auto', strategy: { type: 'Rolling', maxSurge: 25 }, tags: ['a'] } },
  },
  {
    name: 'array items and additionalProperties get defaults',
    in: { spec: { list: [{ name: 'a' }, { name: 'b', weight: 3 }], map: { x: {}, y: { on: false } }, scalars: ['q', null], mapNull: { k: null } } },
    want: {
      spec: {
        list: [{ name: 'a', weight: 10 }, { name: 'b', weight: 3 }],
        map: { x: { on: true }, y: { on: false } },
        scalars: ['q', 'x'],
        mapNull: { k: 'filled' },
        replicas: 1,
        mode: 'auto',
        nullableWithDefault: 'd',
        strategy: { type: 'Rolling', maxSurge: 25 },
        tags: ['a'],
      },
    },
  },
];

describe('applyDefaults', () => {
  for (const c of cases) {
    it(c.name, () => {
      const v = structuredClone(c.in);
      const out = applyDefaults(schema, v);
      assert.deepEqual(out, c.want);
      assert.equal(out, v, 'defaults are applied in place');
    });
  }

  it('deep-clones defaults', () => {
    const a = applyDefaults(schema, {}) as { spec: { tags: string[]; strategy: { type: string } } };
    a.spec.tags.push('mutated');
    a.spec.strategy.type = 'mutated';
    const b = applyDefaults(schema, {}) as { spec: { tags: string[]; strategy: { type: string } } };
    assert.deepEqual(b.spec.tags, ['a']);
    assert.equal(b.spec.strategy.type, 'Rolling');
    assert.deepEqual((schema.properties!.spec!.properties!.tags!.default as string[]), ['a']);
  });

  it('leaves scalars and unknown fields alone', () => {
    assert.equal(applyDefaults(schema, 5), 5);
    assert.deepEqual(applyDefaults(schema, { other: { x: null } }), { other: { x: null }, spec: { replicas: 1, mode: 'auto', nullableWithDefault: 'd', strategy: { type: 'Rolling', maxSurge: 25 }, tags: ['a'] } });
  });
});
