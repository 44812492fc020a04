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
 * The typed message is converted with the field tables in ./schema.ts into exactly what the
 * Kubernetes JSON serialisation would produce, with `omitempty` semantics (zero values of
 * non-pointer fields are left out).
 */

import { badRequest, StatusError } from '../errors.js';
import type { JsonObject, JsonValue, KubeObject } from '../types.js';
import { decodeUtf8, readFields, readPackedVarints, WIRE_BYTES, WIRE_FIXED64, WIRE_VARINT, WireError, type WireValue } from './wire.js';
import * as S from './schema.js';
import { CustomResourceDefinition } from './apiextensions.js';
import { kubernetesMessages } from './kubernetes-messages.js';
import type { FieldSpec, LeafType, MessageSchema } from './schema.js';

export type { FieldSpec, LeafType, MessageSchema } from './schema.js';

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

/** Kinds outside the generated k8s.io/api table, with hand-written tables. */
const HAND_WRITTEN: RegisteredKind[] = [
  { apiVersion: 'v1', kind: 'ConfigMap', schema: S.ConfigMap },
  { apiVersion: 'v1', kind: 'Secret', schema: S.Secret },
  { apiVersion: 'v1', kind: 'Namespace', schema: S.Namespace },
  { apiVersion: 'v1', kind: 'ServiceAccount', schema: S.ServiceAccount },
  { apiVersion: 'v1', kind: 'Event', schema: S.CoreEvent },
  { apiVersion: 'events.k8s.io/v1', kind: 'Event', schema: S.EventsEvent },
  { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', schema: S.Lease },
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

function expectVarint(data: WireValue, path: string): bigint {
  if (data.wireType !== WIRE_VARINT) throw new WireError(`${path}: expected a varint field, got ${wireName(data)}`);
  return data.value;
}

function isZero(v: JsonValue | undefined): boolean {
  if (v === undefined || v === null || v === '' || v === false || v === 0) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v).length === 0;
  return false;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** RFC3339 in UTC, as Go formats `time.Time` (years outside 0..9999 are not representable). */
function formatTime(seconds: bigint, fraction: string): string {
  const ms = Number(seconds) * 1000;
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) throw new WireError(`timestamp ${seconds}s is out of range`);
  const y = d.getUTCFullYear();
  if (y < 0 || y > 9999) throw new WireError(`timestamp ${seconds}s is outside years 0000-9999`);
  return `${pad(y, 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}${fraction}Z`;
}

function decodeTimestamp(bytes: Uint8Array, path: string, micro: boolean): string | undefined {
  // An empty message is the zero time, which Go writes as JSON null: leave the field out.
  if (bytes.length === 0) return undefined;
  let seconds = 0n;
  let nanos = 0;
  for (const { field, data } of readFields(bytes)) {
    if (field === 1) seconds = BigInt.asIntN(64, expectVarint(data, `${path}.seconds`));
    else if (field === 2) nanos = Number(BigInt.asIntN(32, expectVarint(data, `${path}.nanos`)));
  }
  if (nanos < 0 || nanos > 999_999_999) throw new WireError(`${path}.nanos: ${nanos} is out of range`);
  // metav1.Time keeps whole seconds only; MicroTime truncates to microseconds.
  return formatTime(seconds, micro ? `.${pad(Math.floor(nanos / 1000), 6)}` : '');
}

function decodeRawJson(bytes: Uint8Array, path: string): JsonValue | undefined {
  let raw: Uint8Array | undefined;
  for (const { field, data } of readFields(bytes)) if (field === 1) raw = expectBytes(data, `${path}.raw`);
  if (!raw || raw.length === 0) return undefined;
  try {
    return JSON.parse(decodeUtf8(raw)) as JsonValue;
  } catch (err) {
    throw new WireError(`${path}: raw bytes are not JSON: ${(err as Error).message}`);
  }
}

function decodeLeaf(type: LeafType, data: WireValue, path: string): JsonValue | undefined {
  switch (type) {
    case 'string':
      return decodeUtf8(expectBytes(data, path));
    case 'bytes':
      return Buffer.from(expectBytes(data, path)).toString('base64');
    case 'bool':
      return expectVarint(data, path) !== 0n;
    case 'int32':
      return Number(BigInt.asIntN(32, expectVarint(data, path)));
    case 'int64':
      return Number(BigInt.asIntN(64, expectVarint(data, path)));
    case 'double': {
      if (data.wireType !== WIRE_FIXED64) throw new WireError(`${path}: expected a fixed64 field, got ${wireName(data)}`);
      return new DataView(data.value.buffer, data.value.byteOffset, 8).getFloat64(0, true);
    }
    case 'time':
      return decodeTimestamp(expectBytes(data, path), path, false);
    case 'microtime':
      return decodeTimestamp(expectBytes(data, path), path, true);
    case 'quantity': {
      let s = '';
      for (const q of readFields(expectBytes(data, path))) if (q.field === 1) s = decodeUtf8(expectBytes(q.data, `${path}.string`));
      return s === '' ? '0' : s; // the zero Quantity marshals as "0"
    }
    case 'intorstring': {
      let kind = 0n;
      let intVal = 0;
      let strVal = '';
      for (const q of readFields(expectBytes(data, path))) {
        if (q.field === 1) kind = expectVarint(q.data, `${path}.type`);
        else if (q.field === 2) intVal = Number(BigInt.asIntN(32, expectVarint(q.data, `${path}.intVal`)));
        else if (q.field === 3) strVal = decodeUtf8(expectBytes(q.data, `${path}.strVal`));
      }
      return kind === 1n ? strVal : intVal;
    }
    case 'rawjson':
    case 'fieldsv1':
      return decodeRawJson(expectBytes(data, path), path);
  }
}

function decodeValue(spec: FieldSpec, data: WireValue, path: string): JsonValue | undefined {
  if (typeof spec.type === 'function') {
    const schema = spec.type();
    const decoded = decodeMessage(schema, expectBytes(data, path), path);
    return schema.toJson ? schema.toJson(decoded) : decoded;
  }
  return decodeLeaf(spec.type, data, path);
}

/** Zero value of a map entry whose value field was omitted on the wire. */
function zeroOf(spec: FieldSpec): JsonValue {
  if (typeof spec.type === 'function') return {};
  switch (spec.type) {
    case 'bool':
      return false;
    case 'int32':
    case 'int64':
    case 'double':
    case 'intorstring':
      return 0;
    case 'quantity':
      return '0';
    case 'time':
    case 'microtime':
    case 'rawjson':
    case 'fieldsv1':
      return null;
    default:
      return '';
  }
}

function isVarintLeaf(spec: FieldSpec): boolean {
  return spec.type === 'bool' || spec.type === 'int32' || spec.type === 'int64';
}

/** Decodes one message into a JSON object following its field table. */
export function decodeMessage(schema: MessageSchema, bytes: Uint8Array, path: string): JsonObject {
  const byNo = new Map<number, WireValue[]>();
  for (const { field, data } of readFields(bytes)) {
    const list = byNo.get(field);
    if (list) list.push(data);
    else byNo.set(field, [data]);
  }
  const out: JsonObject = {};
  for (const spec of schema.fields) {
    const occurrences = byNo.get(spec.no);
    if (!occurrences) continue;
    const p = `${path}.${spec.json}`;
    if (spec.map) {
      const obj: JsonObject = {};
      for (const entry of occurrences) {
        let key = '';
        let value: JsonValue | undefined;
        let seen = false;
        for (const kv of readFields(expectBytes(entry, p))) {
          if (kv.field === 1) key = decodeUtf8(expectBytes(kv.data, `${p}.key`));
          else if (kv.field === 2) {
            seen = true;
            value = decodeValue(spec, kv.data, `${p}[${JSON.stringify(key)}]`);
          }
        }
        obj[key] = !seen || value === undefined ? zeroOf(spec) : value;
      }
      if (Object.keys(obj).length > 0) out[spec.json] = obj;
    } else if (spec.repeated) {
      const arr: JsonValue[] = [];
      for (const occ of occurrences) {
        if (isVarintLeaf(spec) && occ.wireType === WIRE_BYTES) {
          for (const v of readPackedVarints(occ.value)) {
            const item = decodeLeaf(spec.type as LeafType, { wireType: WIRE_VARINT, value: v }, `${p}[${arr.length}]`);
            arr.push(item === undefined ? null : item);
          }
        } else {
          const item = decodeValue(spec, occ, `${p}[${arr.length}]`);
          arr.push(item === undefined ? zeroOf(spec) : item);
        }
      }
      if (arr.length > 0) out[spec.json] = arr;
    } else {
      const value = decodeValue(spec, occurrences[occurrences.length - 1]!, p);
      if (value === undefined) continue;
      if (!spec.keepZero && isZero(value)) continue;
      if (spec.inline && typeof value === 'object' && value !== null && !Array.isArray(value)) Object.assign(out, value);
      else out[spec.json] = value;
    }
  }
  return out;
}
