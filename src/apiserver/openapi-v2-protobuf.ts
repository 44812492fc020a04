/**
 * The Swagger 2.0 document in gnostic's protobuf form (message openapi.v2.Document), which kube-apiserver serves at
 * /openapi/v2 for `Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`. kubectl asks for exactly
 * this when it validates objects on the client side (`kubectl create -f` of a kind whose OpenAPI has no PATCH
 * operation, such as the access and token reviews) and for `kubectl explain --output=plaintext-openapiv2`.
 *
 * Field numbers follow gnostic's OpenAPIv2.proto. Free-form values (defaults, enums, examples, vendor extensions)
 * travel as openapi.v2.Any with their YAML text; JSON text is YAML, so that is what is written.
 */
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';

/**
 * The media type answered (kube-openapi's; Go's mime parser refuses the "@" of the older spelling kubectl still asks
 * for, so the response must not carry that one).
 */
export const OPENAPI_V2_PROTOBUF_MEDIA_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
/** The spelling client-go's discovery client asks for. */
const OPENAPI_V2_PROTOBUF_MEDIA_TYPE_AT = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

/** Whether an Accept header asks for the protobuf form of /openapi/v2 (either spelling). */
export function acceptsOpenApiV2Protobuf(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => {
    const type = part.split(';')[0]!.trim().toLowerCase();
    return type === OPENAPI_V2_PROTOBUF_MEDIA_TYPE || type === OPENAPI_V2_PROTOBUF_MEDIA_TYPE_AT;
  });
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

// --- field writers: each writes nothing for an absent (or proto3-default) value -----------------------------

function str(w: BinaryWriter, no: number, v: unknown): void {
  if (typeof v === 'string' && v !== '') w.tag(no, WireType.LengthDelimited).string(v);
}

function strs(w: BinaryWriter, no: number, v: unknown): void {
  if (Array.isArray(v)) for (const s of v) if (typeof s === 'string') w.tag(no, WireType.LengthDelimited).string(s);
}

function bool(w: BinaryWriter, no: number, v: unknown): void {
  if (v === true) w.tag(no, WireType.Varint).bool(true);
}

function int64(w: BinaryWriter, no: number, v: unknown): void {
  if (typeof v === 'number' && Number.isInteger(v) && v !== 0) w.tag(no, WireType.Varint).int64(v);
}

function double(w: BinaryWriter, no: number, v: unknown): void {
  if (typeof v === 'number' && v !== 0) w.tag(no, WireType.Bit64).double(v);
}

function message(w: BinaryWriter, no: number, body: (w: BinaryWriter) => void): void {
  w.tag(no, WireType.LengthDelimited).fork();
  body(w);
  w.join();
}

/** openapi.v2.Any: the value as YAML text (field 2). */
function any(w: BinaryWriter, no: number, v: unknown): void {
  if (v === undefined) return;
  message(w, no, (m) => m.tag(2, WireType.LengthDelimited).string(JSON.stringify(v)));
}

/**
 * gnostic's Named* entries: one message `no` per key of `o` whose value is an object (`{ name = 1; value = 2 }`), the
 * value written by `value`; keys `skip` refuses are left out.
 */
function namedObjects(w: BinaryWriter, no: number, o: Json, value: (x: BinaryWriter, v: Json) => void, skip?: (key: string) => boolean): void {
  for (const [name, v] of Object.entries(o)) {
    if (!isObject(v) || skip?.(name)) continue;
    message(w, no, (named) => {
      str(named, 1, name);
      message(named, 2, (x) => value(x, v));
    });
  }
}

/** repeated NamedAny vendor_extension: every `x-` key of `o`, in order. */
function vendorExtensions(w: BinaryWriter, no: number, o: Json): void {
  for (const [k, v] of Object.entries(o)) {
    if (!k.startsWith('x-') || v === undefined) continue;
    message(w, no, (m) => {
      str(m, 1, k);
      any(m, 2, v);
    });
  }
}

// --- messages ------------------------------------------------------------------------------------------------

/** openapi.v2.Schema */
function schema(w: BinaryWriter, s: Json): void {
  str(w, 1, s.$ref);
  str(w, 2, s.format);
  str(w, 3, s.title);
  str(w, 4, s.description);
  any(w, 5, s.default);
  double(w, 6, s.multipleOf);
  double(w, 7, s.maximum);
  bool(w, 8, s.exclusiveMaximum);
  double(w, 9, s.minimum);
  bool(w, 10, s.exclusiveMinimum);
  int64(w, 11, s.maxLength);
  int64(w, 12, s.minLength);
  str(w, 13, s.pattern);
  int64(w, 14, s.maxItems);
  int64(w, 15, s.minItems);
  bool(w, 16, s.uniqueItems);
  int64(w, 17, s.maxProperties);
  int64(w, 18, s.minProperties);
  strs(w, 19, s.required);
  if (Array.isArray(s.enum)) for (const e of s.enum) any(w, 20, e);
  const ap = s.additionalProperties;
  if (typeof ap === 'boolean') message(w, 21, (m) => m.tag(2, WireType.Varint).bool(ap));
  else if (isObject(ap)) message(w, 21, (m) => message(m, 1, (x) => schema(x, ap)));
  const type = typeof s.type === 'string' ? [s.type] : s.type;
  if (Array.isArray(type) && type.length > 0) message(w, 22, (m) => strs(m, 1, type));
  const items = isObject(s.items) ? [s.items] : Array.isArray(s.items) ? s.items.filter(isObject) : undefined;
  if (items) message(w, 23, (m) => items.forEach((i) => message(m, 1, (x) => schema(x, i))));
  if (Array.isArray(s.allOf)) for (const sub of s.allOf) if (isObject(sub)) message(w, 24, (m) => schema(m, sub));
  if (isObject(s.properties)) {
    const props = s.properties;
    message(w, 25, (m) => namedObjects(m, 1, props, schema));
  }
  str(w, 26, s.discriminator);
  bool(w, 27, s.readOnly);
  any(w, 30, s.example);
  vendorExtensions(w, 31, s);
}

/** A non-body parameter's sub-schema; query and formData number their fields one higher than path and header. */
function nonBodyParameter(w: BinaryWriter, p: Json, withAllowEmpty: boolean): void {
  const o = withAllowEmpty ? 1 : 0;
  bool(w, 1, p.required);
  str(w, 2, p.in);
  str(w, 3, p.description);
  str(w, 4, p.name);
  if (withAllowEmpty) bool(w, 5, p.allowEmptyValue);
  str(w, 5 + o, p.type);
  str(w, 6 + o, p.format);
  str(w, 8 + o, p.collectionFormat);
  any(w, 9 + o, p.default);
  bool(w, 19 + o, p.uniqueItems);
  if (Array.isArray(p.enum)) for (const e of p.enum) any(w, 20 + o, e);
  vendorExtensions(w, 22 + o, p);
}

/** openapi.v2.ParametersItem */
function parametersItem(w: BinaryWriter, p: Json): void {
  if (typeof p.$ref === 'string') {
    message(w, 2, (m) => {
      str(m, 1, p.$ref);
      str(m, 2, p.description);
    });
    return;
  }
  message(w, 1, (param) => {
    if (p.in === 'body') {
      message(param, 1, (b) => {
        str(b, 1, p.description);
        str(b, 2, p.name);
        str(b, 3, p.in);
        bool(b, 4, p.required);
        if (isObject(p.schema)) message(b, 5, (x) => schema(x, p.schema as Json));
        vendorExtensions(b, 6, p);
      });
      return;
    }
    const which = p.in === 'header' ? 1 : p.in === 'formData' ? 2 : p.in === 'query' ? 3 : 4;
    message(param, 2, (nb) => message(nb, which, (x) => nonBodyParameter(x, p, which === 2 || which === 3)));
  });
}

/** openapi.v2.ResponseValue: a $ref (JsonReference), or the response itself. */
function responseValue(value: BinaryWriter, r: Json): void {
  if (typeof r.$ref === 'string') {
    message(value, 2, (ref) => str(ref, 1, r.$ref));
    return;
  }
  message(value, 1, (resp) => {
    str(resp, 1, r.description);
    if (isObject(r.schema)) message(resp, 2, (item) => message(item, 1, (x) => schema(x, r.schema as Json)));
    vendorExtensions(resp, 5, r);
  });
}

/** openapi.v2.Operation */
function operation(w: BinaryWriter, op: Json): void {
  strs(w, 1, op.tags);
  str(w, 2, op.summary);
  str(w, 3, op.description);
  str(w, 5, op.operationId);
  strs(w, 6, op.produces);
  strs(w, 7, op.consumes);
  if (Array.isArray(op.parameters)) for (const p of op.parameters) if (isObject(p)) message(w, 8, (m) => parametersItem(m, p));
  if (isObject(op.responses)) {
    const responses = op.responses;
    message(w, 9, (m) => namedObjects(m, 1, responses, responseValue));
  }
  strs(w, 10, op.schemes);
  bool(w, 11, op.deprecated);
  vendorExtensions(w, 13, op);
}

const METHOD_FIELDS: ReadonlyArray<[string, number]> = [['get', 2], ['put', 3], ['post', 4], ['delete', 5], ['options', 6], ['head', 7], ['patch', 8]];

/** openapi.v2.PathItem */
function pathItem(w: BinaryWriter, item: Json): void {
  str(w, 1, item.$ref);
  for (const [method, no] of METHOD_FIELDS) {
    const op = item[method];
    if (isObject(op)) message(w, no, (m) => operation(m, op));
  }
  if (Array.isArray(item.parameters)) for (const p of item.parameters) if (isObject(p)) message(w, 9, (m) => parametersItem(m, p));
  vendorExtensions(w, 10, item);
}

/** openapi.v2.SecurityDefinitionsItem (API keys and basic authentication, what Kubernetes publishes). */
function securityDefinition(w: BinaryWriter, d: Json): void {
  if (d.type === 'basic') {
    message(w, 1, (m) => {
      str(m, 1, d.type);
      str(m, 2, d.description);
      vendorExtensions(m, 3, d);
    });
  } else if (d.type === 'apiKey') {
    message(w, 2, (m) => {
      str(m, 1, d.type);
      str(m, 2, d.name);
      str(m, 3, d.in);
      str(m, 4, d.description);
      vendorExtensions(m, 5, d);
    });
  }
}

/** Encodes a Swagger 2.0 document (as openapiV2 builds it) as gnostic's openapi.v2.Document. */
export function encodeOpenApiV2Protobuf(document: object): Uint8Array {
  const doc = document as Json;
  const w = new BinaryWriter();
  str(w, 1, doc.swagger);
  if (isObject(doc.info)) {
    const info = doc.info;
    message(w, 2, (m) => {
      str(m, 1, info.title);
      str(m, 2, info.version);
      str(m, 3, info.description);
      vendorExtensions(m, 7, info);
    });
  }
  str(w, 3, doc.host);
  str(w, 4, doc.basePath);
  strs(w, 5, doc.schemes);
  strs(w, 6, doc.consumes);
  strs(w, 7, doc.produces);
  if (isObject(doc.paths)) {
    const paths = doc.paths;
    message(w, 8, (m) => {
      vendorExtensions(m, 1, paths);
      namedObjects(m, 2, paths, pathItem, (path) => path.startsWith('x-'));
    });
  }
  if (isObject(doc.definitions)) {
    const defs = doc.definitions;
    message(w, 9, (m) => namedObjects(m, 1, defs, schema));
  }
  if (Array.isArray(doc.security)) {
    for (const req of doc.security) {
      if (!isObject(req)) continue;
      message(w, 12, (m) => {
        for (const [name, scopes] of Object.entries(req)) {
          message(m, 1, (named) => {
            str(named, 1, name);
            message(named, 2, (arr) => strs(arr, 1, scopes));
          });
        }
      });
    }
  }
  if (isObject(doc.securityDefinitions)) {
    const defs = doc.securityDefinitions;
    message(w, 13, (m) => namedObjects(m, 1, defs, securityDefinition));
  }
  vendorExtensions(w, 16, doc);
  return w.finish();
}
