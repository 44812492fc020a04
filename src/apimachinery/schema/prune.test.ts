import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pruneUnknownFields } from './index.js';
import type { JSONSchemaProps } from './types.js';

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        items: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        nested: { type: 'object', additionalProperties: { type: 'object', properties: { a: { type: 'string' } } } },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { typed: { type: 'object', properties: { a: { type: 'string' } } } } },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', properties: { x: { type: 'string' } } } } },
        anything: { type: 'array', items: { 'x-kubernetes-preserve-unknown-fields': true } },
        scalars: { type: 'array', items: { type: 'string' } },
      },
    },
  },
};

interface Case {
  name: string;
  in: unknown;
  want: unknown;
  paths: string[];
  opts?: { isResourceRoot?: boolean };
}

const cases: Case[] = [
  {
    name: 'root keeps apiVersion/kind/metadata and drops unknown',
    in: { apiVersion: 'a/v1', kind: 'K', metadata: { name: 'n', whatever: 1 }, spec: { name: 'x' }, status: {} },
    want: { apiVersion: 'a/v1', kind: 'K', metadata: { name: 'n', whatever: 1 }, spec: { name: 'x' } },
    paths: ['status'],
  },
  {
    name: 'nested unknown fields and list items',
    in: { spec: { foo: 1, items: [{ name: 'a', bar: 2 }, { baz: 3 }] } },
    want: { spec: { items: [{ name: 'a' }, {}] } },
    paths: ['spec.foo', 'spec.items[0].bar', 'spec.items[1].baz'],
  },
  {
    name: 'additionalProperties (paths dot map keys like kube)',
    in: { spec: { labels: { a: 'x', b: 'y' }, nested: { k: { a: 'x', z: 1 } } } },
    want: { spec: { labels: { a: 'x', b: 'y' }, nested: { k: { a: 'x' } } } },
    paths: ['spec.nested.k.z'],
  },
  {
    name: 'preserve-unknown-fields keeps unknown but prunes inside specified properties',
    in: { spec: { free: { anything: { deep: 1 }, typed: { a: 'x', b: 'y' } } } },
    want: { spec: { free: { anything: { deep: 1 }, typed: { a: 'x' } } } },
    paths: ['spec.free.typed.b'],
  },
  {
    name: 'embedded resource keeps apiVersion/kind/metadata',
    in: { spec: { template: { apiVersion: 'v1', kind: 'Pod', metadata: { labels: { a: 'b' } }, spec: { x: 'y', z: 1 }, extra: true } } },
    want: { spec: { template: { apiVersion: 'v1', kind: 'Pod', metadata: { labels: { a: 'b' } }, spec: { x: 'y' } } } },
    paths: ['spec.template.extra', 'spec.template.spec.z'],
  },
  {
    name: 'items with preserve-unknown-fields',
    in: { spec: { anything: [{ a: 1 }, 'x'], scalars: ['a'] } },
    want: { spec: { anything: [{ a: 1 }, 'x'], scalars: ['a'] } },
    paths: [],
  },
  {
    name: 'not a resource root: top-level metadata is pruned but, like kube, not reported',
    in: { metadata: {}, spec: {}, kind: 'x' },
    want: { spec: {} },
    paths: [],
    opts: { isResourceRoot: false },
  },
  {
    name: 'paths are sorted',
    in: { zeta: 1, spec: { b: 1, a: 2 }, alpha: 3 },
    want: { spec: {} },
    paths: ['alpha', 'spec.a', 'spec.b', 'zeta'],
  },
];

describe('pruneUnknownFields', () => {
  for (const c of cases) {
    it(c.name, () => {
      const v = structuredClone(c.in);
      const paths = pruneUnknownFields(schema, v, c.opts);
      assert.deepEqual(v, c.want);
      assert.deepEqual(paths, c.paths);
    });
  }

  it('whole-object preserve-unknown-fields keeps everything', () => {
    const v = { spec: { a: { b: 1 } }, other: true };
    assert.deepEqual(pruneUnknownFields({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, v), []);
    assert.deepEqual(v, { spec: { a: { b: 1 } }, other: true });
  });
});
