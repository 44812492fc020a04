import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { builtinResources } from '../api/builtin/index.js';
import { readFields, decodeUtf8 } from '../apimachinery/protobuf/wire.js';
import { openapiV2 } from './openapi.js';
import type { ResourceInfo } from './resource-info.js';
import { acceptsOpenApiV2Protobuf, encodeOpenApiV2Protobuf, OPENAPI_V2_PROTOBUF_MEDIA_TYPE } from './openapi-v2-protobuf.js';

/** A decoded message: field number → occurrences (bytes, varints or 64-bit values). */
type Fields = Map<number, Array<Uint8Array | bigint>>;

function fields(buf: Uint8Array): Fields {
  const out: Fields = new Map();
  for (const f of readFields(buf)) {
    const list = out.get(f.field) ?? [];
    list.push(f.data.value);
    out.set(f.field, list);
  }
  return out;
}
const bytes = (m: Fields, no: number, i = 0): Uint8Array => {
  const v = m.get(no)?.[i];
  assert.ok(v instanceof Uint8Array, `field ${no}[${i}] is length-delimited`);
  return v;
};
const text = (m: Fields, no: number, i = 0): string => decodeUtf8(bytes(m, no, i));
const texts = (m: Fields, no: number): string[] => (m.get(no) ?? []).map((v) => decodeUtf8(v as Uint8Array));
const sub = (m: Fields, no: number, i = 0): Fields => fields(bytes(m, no, i));
/** Named entries (NamedSchema, NamedPathItem, NamedAny...): name (1) → value message (2). */
function named(m: Fields, no: number): Map<string, Fields> {
  const out = new Map<string, Fields>();
  for (const raw of m.get(no) ?? []) {
    const entry = fields(raw as Uint8Array);
    out.set(text(entry, 1), entry.has(2) ? sub(entry, 2) : new Map());
  }
  return out;
}

describe('encodeOpenApiV2Protobuf', () => {
  const doc = {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths: {
      '/api/v1/namespaces/{namespace}/configmaps/{name}': {
        patch: {
          operationId: 'patchCoreV1NamespacedConfigMap',
          consumes: ['application/merge-patch+json'],
          parameters: [
            { name: 'body', in: 'body', required: true, schema: { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch' } },
            { name: 'fieldValidation', in: 'query', type: 'string', uniqueItems: true, description: 'how' },
          ],
          responses: { '200': { description: 'OK', schema: { $ref: '#/definitions/io.k8s.api.core.v1.ConfigMap' } } },
          'x-kubernetes-action': 'patch',
          'x-kubernetes-group-version-kind': { group: '', kind: 'ConfigMap', version: 'v1' },
        },
        parameters: [{ name: 'name', in: 'path', required: true, type: 'string', uniqueItems: true }],
      },
    },
    definitions: {
      'io.k8s.api.core.v1.ConfigMap': {
        description: 'holds data',
        type: 'object',
        required: ['data'],
        properties: {
          data: { type: 'object', additionalProperties: { type: 'string' } },
          immutable: { type: 'boolean' },
          items: { type: 'array', items: { $ref: '#/definitions/X' }, maxItems: 3 },
          closed: { type: 'object', additionalProperties: false },
          ratio: { type: 'number', minimum: 0.5 },
        },
        'x-kubernetes-group-version-kind': [{ group: '', kind: 'ConfigMap', version: 'v1' }],
      },
    },
    security: [{ BearerToken: [] }],
    securityDefinitions: { BearerToken: { type: 'apiKey', name: 'authorization', in: 'header', description: 'Bearer Token authentication' } },
  };
  const top = fields(encodeOpenApiV2Protobuf(doc));

  it('writes the document header and info', () => {
    assert.equal(text(top, 1), '2.0');
    const info = sub(top, 2);
    assert.equal(text(info, 1), 'Kubernetes');
    assert.equal(text(info, 2), 'v1.32.0');
  });

  it('writes definitions as NamedSchema with type, properties, required, items, additionalProperties and extensions', () => {
    const defs = named(sub(top, 9), 1);
    const cm = defs.get('io.k8s.api.core.v1.ConfigMap')!;
    assert.equal(text(cm, 4), 'holds data');
    assert.deepEqual(texts(sub(cm, 22), 1), ['object']);
    assert.deepEqual(texts(cm, 19), ['data']);
    const props = named(sub(cm, 25), 1);
    assert.deepEqual([...props.keys()], ['data', 'immutable', 'items', 'closed', 'ratio']);
    const data = props.get('data')!;
    const apSchema = sub(sub(data, 21), 1);
    assert.deepEqual(texts(sub(apSchema, 22), 1), ['string']);
    const closed = sub(props.get('closed')!, 21);
    assert.deepEqual(closed.get(2), [0n], 'additionalProperties: false is written');
    const items = props.get('items')!;
    assert.equal(text(sub(sub(items, 23), 1), 1), '#/definitions/X');
    assert.deepEqual(items.get(14), [3n]);
    const ratio = props.get('ratio')!.get(9)![0] as Uint8Array;
    assert.equal(Buffer.from(ratio).readDoubleLE(0), 0.5);
    const ext = named(cm, 31).get('x-kubernetes-group-version-kind')!;
    assert.deepEqual(JSON.parse(text(ext, 2)), [{ group: '', kind: 'ConfigMap', version: 'v1' }]);
  });

  it('writes paths with operations, body, query and path parameters, responses and extensions', () => {
    const item = named(sub(top, 8), 2).get('/api/v1/namespaces/{namespace}/configmaps/{name}')!;
    const patch = sub(item, 8);
    assert.equal(text(patch, 5), 'patchCoreV1NamespacedConfigMap');
    assert.deepEqual(texts(patch, 7), ['application/merge-patch+json']);
    const [body, query] = [sub(sub(patch, 8, 0), 1), sub(sub(patch, 8, 1), 1)];
    const bodyParam = sub(body, 1);
    assert.equal(text(bodyParam, 2), 'body');
    assert.deepEqual(bodyParam.get(4), [1n]);
    assert.equal(text(sub(bodyParam, 5), 1), '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch');
    const q = sub(sub(query, 2), 3);
    assert.equal(text(q, 4), 'fieldValidation');
    assert.equal(text(q, 2), 'query');
    assert.equal(text(q, 6), 'string');
    assert.deepEqual(q.get(20), [1n]);
    const pathParam = sub(sub(sub(sub(item, 9), 1), 2), 4);
    assert.equal(text(pathParam, 4), 'name');
    assert.equal(text(pathParam, 5), 'string');
    const responses = named(sub(patch, 9), 1);
    const ok = sub(responses.get('200')!, 1);
    assert.equal(text(ok, 1), 'OK');
    assert.equal(text(sub(sub(ok, 2), 1), 1), '#/definitions/io.k8s.api.core.v1.ConfigMap');
    const exts = named(patch, 13);
    assert.equal(JSON.parse(text(exts.get('x-kubernetes-action')!, 2)), 'patch');
    assert.deepEqual(JSON.parse(text(exts.get('x-kubernetes-group-version-kind')!, 2)), { group: '', kind: 'ConfigMap', version: 'v1' });
  });

  it('writes security and the BearerToken API key', () => {
    const req = named(sub(top, 12), 1);
    assert.deepEqual([...req.keys()], ['BearerToken']);
    const def = named(sub(top, 13), 1).get('BearerToken')!;
    const apiKey = sub(def, 2);
    assert.equal(text(apiKey, 1), 'apiKey');
    assert.equal(text(apiKey, 2), 'authorization');
    assert.equal(text(apiKey, 3), 'header');
  });

  it('encodes the whole built-in document', () => {
    const full = openapiV2(builtinResources());
    const out = fields(encodeOpenApiV2Protobuf(full));
    const defs = named(sub(out, 9), 1);
    assert.equal(defs.size, Object.keys((full as { definitions: object }).definitions).length);
    assert.ok(named(sub(out, 8), 2).size > 0);
  });
});

describe('acceptsOpenApiV2Protobuf', () => {
  it('recognises both spellings kubectl and older clients send', () => {
    assert.equal(acceptsOpenApiV2Protobuf(OPENAPI_V2_PROTOBUF_MEDIA_TYPE), true);
    assert.equal(acceptsOpenApiV2Protobuf('application/com.github.proto-openapi.spec.v2@v1.0+protobuf'), true);
    assert.equal(acceptsOpenApiV2Protobuf('application/json, application/com.github.proto-openapi.spec.v2@v1.0+protobuf;q=0.9'), true);
    assert.equal(acceptsOpenApiV2Protobuf('application/json'), false);
    assert.equal(acceptsOpenApiV2Protobuf('application/vnd.kubernetes.protobuf'), false);
    assert.equal(acceptsOpenApiV2Protobuf(undefined), false);
  });
});

describe('openapiV2 of built-in kinds whose schemas accept nulls', () => {
  // The plane's schemas of upstream's kinds mark every field nullable (JSON nulls are accepted); kube-apiserver's v2
  // definitions of built-in kinds keep their types and fields, which kubectl's client-side validation relies on.
  const review: ResourceInfo = {
    group: 'authorization.k8s.io',
    version: 'v1',
    kind: 'SelfSubjectAccessReview',
    listKind: 'SelfSubjectAccessReviewList',
    plural: 'selfsubjectaccessreviews',
    singular: 'selfsubjectaccessreview',
    namespaced: false,
    shortNames: [],
    categories: [],
    verbs: ['create'],
    schema: {
      nullable: true,
      type: 'object',
      required: ['spec'],
      properties: {
        spec: { nullable: true, type: 'object', properties: { user: { nullable: true, type: 'string' }, groups: { nullable: true, type: 'array', items: { nullable: true, type: 'string' } } } },
        status: { nullable: true, type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      },
    },
    printerColumns: [],
    subresources: { status: false },
    builtin: true,
    storageVersion: 'v1',
  };

  it('keeps types, fields and required, without nullable', () => {
    const doc = openapiV2([review]) as { definitions: Record<string, { type?: string; required?: string[]; properties?: Record<string, { type?: string; properties?: Record<string, unknown>; items?: unknown }> }> };
    const def = doc.definitions['io.k8s.api.authorization.v1.SelfSubjectAccessReview']!;
    assert.equal(def.type, 'object');
    assert.deepEqual(def.required, ['spec']);
    assert.deepEqual(def.properties!.spec, { type: 'object', properties: { user: { type: 'string' }, groups: { type: 'array', items: { type: 'string' } } } });
    assert.deepEqual(def.properties!.status, { type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
    assert.ok(!JSON.stringify(doc).includes('"nullable"'));
  });

  it('a custom resource keeps the CRD rule (a nullable field loses its type)', () => {
    const doc = openapiV2([{ ...review, group: 'example.com', builtin: false }]) as { definitions: Record<string, { properties?: Record<string, unknown> }> };
    const def = doc.definitions['com.example.v1.SelfSubjectAccessReview']!;
    assert.equal(def.properties, undefined);
  });
});
