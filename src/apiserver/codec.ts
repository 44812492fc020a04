/** Request body decoding and response content negotiation. */
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { badRequest, tooLarge, unsupportedMediaType, StatusError } from '../apimachinery/errors.js';
import type { IncomingMessage } from 'node:http';
import { decodeKubernetesProtobuf, isKubernetesProtobufContentType } from '../apimachinery/protobuf/index.js';
import type { PatchType } from './object-store.js';
import { readLimited } from '../apimachinery/read-limited.js';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(tooLarge(`the request body is too large: ${declared} bytes, limit is ${limit}`));
  }
  return readLimited(req, { limit, overflow: 'resume', tooLarge: () => tooLarge(`the request body is too large: more than ${limit} bytes`) });
}

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Decode a JSON or YAML body into a value; malformed input is a 400 naming the problem. */
export function decodeBody(body: Buffer, contentType: string | undefined): unknown {
  if (isKubernetesProtobufContentType(contentType)) return decodeKubernetesProtobuf(body);
  const mt = mediaType(contentType);
  const text = body.toString('utf8');
  if (text.trim() === '') throw badRequest('the request body is empty');
  if (mt === 'application/yaml' || mt === 'application/apply-patch+yaml' || mt === 'text/yaml') {
    try {
      const docs = parseAllDocuments(text);
      const real = docs.filter((d) => d.contents !== null);
      if (real.length > 1) throw badRequest('the request body holds more than one YAML document');
      const doc = real[0] ?? docs[0]!;
      if (doc.errors.length) throw new Error(doc.errors[0]!.message);
      return doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      if (e instanceof StatusError) throw e;
      throw badRequest(`error decoding YAML: ${(e as Error).message}`);
    }
  }
  if (mt === '' || mt === 'application/json' || mt.endsWith('+json') || mt === '*/*') {
    try {
      return JSON.parse(text);
    } catch (e) {
      // kubectl sometimes sends YAML without a content type; accept YAML as a fallback only for an empty type.
      if (mt === '') {
        try {
          return parseYaml(text);
        } catch {
          /* fall through */
        }
      }
      throw badRequest(`error decoding JSON: ${(e as Error).message}`);
    }
  }
  throw unsupportedMediaType(mt);
}

export function patchTypeOf(contentType: string | undefined): PatchType {
  switch (mediaType(contentType)) {
    case 'application/json-patch+json':
      return 'json';
    case 'application/merge-patch+json':
      return 'merge';
    case 'application/strategic-merge-patch+json':
      return 'strategic';
    case 'application/apply-patch+yaml':
    case 'application/apply-patch+cbor':
      return 'apply';
    default:
      throw new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got ${mediaType(contentType) || 'none'})`);
  }
}

export type OutputAs = 'object' | 'Table' | 'PartialObjectMetadata';

/** What representation the client asked for via Accept (as=Table;g=meta.k8s.io;v=v1 etc.). */
export function negotiateOutput(accept: string | undefined): OutputAs {
  if (!accept) return 'object';
  for (const part of accept.split(',')) {
    const params = new Map<string, string>();
    for (const p of part.split(';').slice(1)) {
      const [k, v] = p.split('=');
      if (k && v) params.set(k.trim(), v.trim());
    }
    const as = params.get('as');
    if (!as) return 'object';
    if (params.get('g') !== 'meta.k8s.io' || (params.get('v') !== 'v1' && params.get('v') !== 'v1beta1')) continue;
    if (as === 'Table') return 'Table';
    if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') return 'PartialObjectMetadata';
  }
  return 'object';
}
