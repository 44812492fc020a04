/** RFC 6902 JSON patch and RFC 7386 JSON merge patch with kube-apiserver's error mapping. */
import jsonpatch from 'fast-json-patch';
import { StatusError, badRequest, tooLarge } from '../errors.js';
import { deepClone, isPlainObject } from '../types.js';

/** kube-apiserver's cap on operations in one JSON patch. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/** 422 exactly as kube-apiserver builds it (NewGenericServerResponse drops the detail); the detail is kept as `cause`. */
function unprocessable(detail: string): StatusError {
  const err = new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
  Object.defineProperty(err, 'cause', { value: detail, enumerable: false, configurable: true });
  return err;
}

function goTypeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v === 'boolean' ? 'bool' : typeof v;
}

function unescapePointer(p: string): string {
  return p.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Wording of github.com/evanphx/json-patch for the failure fast-json-patch reported. */
function describeFailure(op: Record<string, unknown>, e: unknown): string {
  const kind = String(op.op);
  const path = String(op.path ?? '');
  const from = String(op.from ?? '');
  const name = (e as { name?: string })?.name ?? '';
  switch (name) {
    case 'TEST_OPERATION_FAILED':
      return `testing value ${path} failed: test failed`;
    case 'OPERATION_PATH_INVALID':
      return `${kind} operation failed to decode path`;
    case 'OPERATION_FROM_UNRESOLVABLE':
      return `${kind} operation does not apply: doc is missing from path: ${from}: missing value`;
    case 'OPERATION_VALUE_REQUIRED':
    case 'OPERATION_VALUE_CANNOT_CONTAIN_UNDEFINED':
      return `${kind} operation has an invalid value`;
    case 'OPERATION_PATH_ILLEGAL_ARRAY_INDEX':
    case 'OPERATION_VALUE_OUT_OF_BOUNDS':
      return `error in ${kind} for path: '${path}': invalid index referenced`;
    case 'OPERATION_PATH_CANNOT_ADD':
      return `${kind} operation does not apply: doc is missing path: "${path}": missing value`;
    case 'OPERATION_PATH_UNRESOLVABLE': {
      if (kind === 'remove') {
        const key = unescapePointer(path.slice(path.lastIndexOf('/') + 1));
        return `error in remove for path: '${path}': Unable to remove nonexistent key: ${key}: missing value`;
      }
      if (kind === 'replace') return `replace operation does not apply: doc is missing key: ${path}: missing value`;
      return `${kind} operation does not apply: doc is missing path: ${path}: missing value`;
    }
    default:
      return e instanceof Error ? e.message : String(e);
  }
}

/**
 * Apply an RFC 6902 JSON patch (`application/json-patch+json`) to `doc`
 * without mutating it. Malformed patches are 400 BadRequest (Go decode
 * wording), more than 10000 operations 413, and operations that cannot be
 * applied (including a failing `test`) 422 Invalid with kube's generic
 * message; the evanphx-style detail is attached as the error's `cause`.
 */
export function applyJsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) {
    throw badRequest(`json: cannot unmarshal ${goTypeName(ops)} into Go value of type jsonpatch.Patch`);
  }
  for (const op of ops) {
    if (!isPlainObject(op)) throw badRequest(`json: cannot unmarshal ${goTypeName(op)} into Go value of type jsonpatch.Operation`);
  }
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw tooLarge(`The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`);
  }
  let current: unknown = deepClone(doc);
  for (const raw of ops as Record<string, unknown>[]) {
    if (!OPS.has(String(raw.op))) throw unprocessable(`Unexpected kind: ${raw.op === undefined ? 'unknown' : String(raw.op)}`);
    if (typeof raw.path !== 'string') throw unprocessable(`${String(raw.op)} operation failed to decode path`);
    if ((raw.op === 'move' || raw.op === 'copy') && typeof raw.from !== 'string') {
      throw unprocessable(`${String(raw.op)} operation failed to decode from`);
    }
    // evanphx treats a missing value as null.
    const op = { ...raw } as Record<string, unknown>;
    if ((op.op === 'add' || op.op === 'replace' || op.op === 'test') && op.value === undefined) op.value = null;
    try {
      current = jsonpatch.applyOperation(current, deepClone(op) as unknown as jsonpatch.Operation, true, true, true).newDocument;
    } catch (e) {
      throw unprocessable(describeFailure(op, e));
    }
  }
  return current;
}

function pruneNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => x !== null).map(pruneNulls);
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = pruneNulls(x);
    return out;
  }
  return v;
}

function mergeValue(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return deepClone(patch);
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  if (!isPlainObject(target)) return pruneNulls(patch);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (!(k in out)) out[k] = pruneNulls(v);
    else out[k] = mergeValue(out[k], v);
  }
  return out;
}

/**
 * Apply an RFC 7386 JSON merge patch (`application/merge-patch+json`):
 * objects merge recursively, `null` deletes a key, arrays and scalars replace.
 * A patch that is not a JSON object is rejected with 400 `Invalid JSON Patch`
 * (as kube-apiserver does). `doc` is not mutated.
 */
export function applyMergePatch(doc: unknown, patch: unknown): unknown {
  return applyMergePatchShared(deepClone(doc), patch);
}

/**
 * applyMergePatch without the defensive copy: the result shares every subtree the patch does not touch with `doc`
 * (neither is mutated). For callers that own `doc` and never mutate the result in place.
 */
export function applyMergePatchShared(doc: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) throw badRequest('Invalid JSON Patch');
  return mergeValue(doc, patch);
}
