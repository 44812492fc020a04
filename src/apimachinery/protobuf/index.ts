/**
 * Decoding of `application/vnd.kubernetes.protobuf` request bodies into the JSON object form.
 *
 * Wire layout (k8s.io/apimachinery/pkg/runtime/serializer/protobuf):
 *   4-byte magic `k8s\x00`, then a `runtime.Unknown` message
 *     typeMeta        = 1 (TypeMeta {apiVersion = 1, kind = 2})
 *     raw             = 2 (bytes: the typed message for apiVersion/kind)
 *     contentEncoding = 3
 *     contentType     = 4
 *
 * The typed message is converted (./decode.ts) into exactly what the Kubernetes JSON serialisation
 * would produce, with `omitempty` semantics (zero values of non-pointer fields are left out),
 * following a field table: for the built-in kinds of k8s.io/api the generated table of
 * ./kubernetes-messages.ts, for the rest the hand-written ones of ./schema.ts and ./apiextensions.ts.
 */

import { badRequest, StatusError } from '../errors.js';
import type { JsonObject, KubeObject } from '../types.js';
import { decodeUtf8, readFields, WIRE_BYTES, WIRE_FIXED64, WIRE_VARINT, WireError, type WireValue } from './wire.js';
import { decodeMessage } from './decode.js';
import * as S from './schema.js';
import { CustomResourceDefinition } from './apiextensions.js';
import { kubernetesMessages } from './kubernetes-messages.js';
import type { MessageSchema } from './schema.js';

export type { FieldSpec, LeafType, MessageSchema } from './schema.js';
export { decodeMessage } from './decode.js';

/** The media type kubectl and client-go use for protobuf bodies. */
export const KUBERNETES_PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

/** `k8s\x00`: the prefix of every Kubernetes protobuf payload. */
export const KUBERNETES_PROTOBUF_MAGIC: Readonly<Uint8Array> = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

/** True when a Content-Type header names the Kubernetes protobuf encoding (parameters ignored). */
export function isKubernetesProtobufContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  return contentType.split(';')[0]!.trim().toLowerCase() === KUBERNETES_PROTOBUF_MEDIA_TYPE;
}

/** The decoded `runtime.Unknown` envelope. */
export interface ProtobufEnvelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
  contentType: string;
}

interface RegisteredKind {
  apiVersion: string;
  kind: string;
  schema: MessageSchema;
}

/** Kinds outside the generated k8s.io/api table (./kubernetes-messages.ts), with hand-written tables. */
const HAND_WRITTEN: RegisteredKind[] = [
  { apiVersion: 'meta.k8s.io/v1', kind: 'DeleteOptions', schema: S.DeleteOptions },
  { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', schema: CustomResourceDefinition },
];

let registry: { kinds: RegisteredKind[]; byKey: Map<string, MessageSchema> } | undefined;

/** The generated tables (every kind of k8s.io/api they list) win over the hand-written ones. */
function registered(): { kinds: RegisteredKind[]; byKey: Map<string, MessageSchema> } {
  if (registry) return registry;
  const byKey = new Map<string, MessageSchema>();
  const kinds: RegisteredKind[] = [];
  for (const r of [...kubernetesMessages().kinds, ...HAND_WRITTEN]) {
    const key = `${r.apiVersion}|${r.kind}`;
    if (byKey.has(key)) continue;
    byKey.set(key, r.schema);
    kinds.push(r);
  }
  registry = { kinds, byKey };
  return registry;
}

/** The (apiVersion, kind) pairs this decoder understands. DeleteOptions is accepted under any apiVersion. */
export function supportedProtobufKinds(): Array<{ apiVersion: string; kind: string }> {
  return registered().kinds.map(({ apiVersion, kind }) => ({ apiVersion, kind }));
}

/** The message table for a kind, or undefined when the kind cannot be decoded from protobuf. */
export function protobufSchemaFor(apiVersion: string, kind: string): MessageSchema | undefined {
  const exact = registered().byKey.get(`${apiVersion}|${kind}`);
  if (exact) return exact;
  // DeleteOptions is registered into every group version (v1, apps/v1, ...) with the same message.
  if (kind === 'DeleteOptions') return S.DeleteOptions;
  return undefined;
}

function malformed(message: string): StatusError {
  return badRequest(`unable to decode protobuf request body: ${message}`);
}

/** Checks the magic prefix and decodes the `runtime.Unknown` envelope. Throws 400 on malformed input. */
export function decodeProtobufEnvelope(body: Uint8Array): ProtobufEnvelope {
  if (body.length < 4 || !KUBERNETES_PROTOBUF_MAGIC.every((b, i) => body[i] === b)) {
    throw malformed('missing the "k8s\\x00" protobuf prefix');
  }
  const env: ProtobufEnvelope = { apiVersion: '', kind: '', raw: new Uint8Array(0), contentEncoding: '', contentType: '' };
  try {
    for (const { field, data } of readFields(body.subarray(4))) {
      switch (field) {
        case 1: {
          for (const tm of readFields(expectBytes(data, 'Unknown.typeMeta'))) {
            if (tm.field === 1) env.apiVersion = decodeUtf8(expectBytes(tm.data, 'TypeMeta.apiVersion'));
            else if (tm.field === 2) env.kind = decodeUtf8(expectBytes(tm.data, 'TypeMeta.kind'));
          }
          break;
        }
        case 2:
          env.raw = expectBytes(data, 'Unknown.raw');
          break;
        case 3:
          env.contentEncoding = decodeUtf8(expectBytes(data, 'Unknown.contentEncoding'));
          break;
        case 4:
          env.contentType = decodeUtf8(expectBytes(data, 'Unknown.contentType'));
          break;
        default:
          break; // unknown envelope fields are ignored, as gogo-protobuf does
      }
    }
  } catch (err) {
    if (err instanceof WireError) throw malformed(`envelope: ${err.message}`);
    throw err;
  }
  if (!env.kind) throw malformed('the envelope does not name a kind (typeMeta.kind is empty)');
  if (!env.apiVersion) throw malformed(`the envelope does not name an apiVersion for kind "${env.kind}"`);
  return env;
}

/**
 * Decodes a whole `application/vnd.kubernetes.protobuf` body into the JSON object form.
 *
 * Throws StatusError 415 (UnsupportedMediaType) for kinds without a message table, and 400
 * (BadRequest) for bytes that are not a valid Kubernetes protobuf payload.
 */
export function decodeKubernetesProtobuf(body: Uint8Array): KubeObject {
  const env = decodeProtobufEnvelope(body);
  if (env.contentEncoding) throw malformed(`unsupported contentEncoding "${env.contentEncoding}" in the envelope`);
  const innerType = env.contentType.split(';')[0]!.trim().toLowerCase();
  if (innerType === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(decodeUtf8(env.raw));
    } catch (err) {
      throw malformed(`raw JSON of ${env.kind}: ${(err as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw malformed(`raw JSON of ${env.kind} is not an object`);
    return { apiVersion: env.apiVersion, kind: env.kind, ...(parsed as JsonObject) };
  }
  if (innerType !== '' && innerType !== KUBERNETES_PROTOBUF_MEDIA_TYPE) {
    throw malformed(`unsupported contentType "${env.contentType}" in the envelope`);
  }
  return decodeProtobufObject(env.apiVersion, env.kind, env.raw);
}

/** Decodes the typed message bytes (the envelope's `raw`) of a known kind. */
export function decodeProtobufObject(apiVersion: string, kind: string, raw: Uint8Array): KubeObject {
  const schema = protobufSchemaFor(apiVersion, kind);
  if (!schema) {
    throw new StatusError(
      415,
      'UnsupportedMediaType',
      `the server cannot decode kind "${kind}" (apiVersion "${apiVersion}") from ${KUBERNETES_PROTOBUF_MEDIA_TYPE}; send the request body as application/json`,
      { kind },
    );
  }
  let body: JsonObject;
  try {
    body = decodeMessage(schema, raw, kind);
  } catch (err) {
    if (err instanceof WireError) throw malformed(err.message);
    throw err;
  }
  return { apiVersion, kind, ...body };
}

// ---------------------------------------------------------------------------------------------

function wireName(data: WireValue): string {
  switch (data.wireType) {
    case WIRE_VARINT:
      return 'varint';
    case WIRE_BYTES:
      return 'length-delimited';
    case WIRE_FIXED64:
      return 'fixed64';
    default:
      return 'fixed32';
  }
}

function expectBytes(data: WireValue, path: string): Uint8Array {
  if (data.wireType !== WIRE_BYTES) throw new WireError(`${path}: expected a length-delimited field, got ${wireName(data)}`);
  return data.value;
}
