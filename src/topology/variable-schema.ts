/**
 * Variable schemas: Cluster API's JSONSchemaProps subset mapped onto the structural-schema machinery of
 * src/apimachinery/schema (which implements apiextensions semantics), plus the error rewriting Cluster API applies:
 * the rejected value is always the whole variable value as raw JSON, and the " in body " prefix of root errors goes.
 */
import type { StatusCause } from '../apimachinery/errors.js';
import type { JSONSchemaProps } from '../apimachinery/schema/index.js';
import type { VariableSchemaProps } from './types.js';

const converted = new WeakMap<object, JSONSchemaProps>();

/** Drop the Cluster API-only keywords (`example`, `x-metadata`) recursively; results are cached per schema object. */
export function toStructuralSchema(s: VariableSchemaProps): JSONSchemaProps {
  const hit = converted.get(s);
  if (hit) return hit;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'example' || k === 'x-metadata') continue;
    if (k === 'properties' && v && typeof v === 'object') {
      const props: Record<string, JSONSchemaProps> = {};
      for (const [pk, pv] of Object.entries(v as Record<string, VariableSchemaProps>)) props[pk] = toStructuralSchema(pv);
      out[k] = props;
    } else if ((k === 'items' || k === 'additionalProperties' || k === 'not') && v && typeof v === 'object') {
      out[k] = toStructuralSchema(v as VariableSchemaProps);
    } else if ((k === 'allOf' || k === 'anyOf' || k === 'oneOf') && Array.isArray(v)) {
      out[k] = (v as VariableSchemaProps[]).map((x) => toStructuralSchema(x));
    } else {
      out[k] = v;
    }
  }
  const r = out as JSONSchemaProps;
  converted.set(s, r);
  return r;
}

/** `{type: object, properties: {variableValue: schema}}`: structural checks and pruning want an object at the root. */
export function wrapSchema(s: JSONSchemaProps, name = 'variableValue'): JSONSchemaProps {
  return { type: 'object', properties: { [name]: s } };
}

/** Length of the rendered bad value at the start of `s` (a Go %v/%q/%#v rendering as fieldError produces them). */
function badValueLength(s: string): number {
  if (s.startsWith('"')) {
    for (let i = 1; i < s.length; i++) {
      if (s[i] === '\\') i++;
      else if (s[i] === '"') return i + 1;
    }
    return s.length;
  }
  if (s.startsWith('[]interface {}{') || s.startsWith('map[')) {
    let depth = 0;
    let inStr = false;
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (inStr) {
        if (c === '\\') i++;
        else if (c === '"') inStr = false;
      } else if (c === '"') inStr = true;
      else if (c === '{') depth++;
      else if (c === '}') {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    return s.length;
  }
  const j = s.indexOf(': ');
  return j < 0 ? s.length : j;
}

const VALUE_PREFIXES = ['Invalid value: ', 'Unsupported value: ', 'Duplicate value: ', 'Too many: '];

/**
 * Rewrite a schema-validation cause the way Cluster API reports variable errors: field prefixed with `base`,
 * bad value replaced by the raw JSON of the whole variable (as a Go %q string), " in body " dropped.
 */
export function rewriteCause(c: StatusCause, base: string, rawJSON: string): StatusCause {
  const field = c.field === '' ? base : `${base}.${c.field}`;
  let message = c.message;
  for (const p of VALUE_PREFIXES) {
    if (!message.startsWith(p)) continue;
    const rest = message.slice(p.length);
    const n = badValueLength(rest);
    let tail = rest.slice(n);
    if (tail.startsWith(':  in body ')) tail = `: ${tail.slice(':  in body '.length)}`;
    message = `${p}${JSON.stringify(rawJSON)}${tail}`;
    break;
  }
  return { reason: c.reason, field, message };
}

/** JSON as a Kubernetes client would send it (keys sorted, like Go's json.Marshal of a map). */
export function rawJSON(v: unknown): string {
  if (v === undefined) return 'null';
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(rawJSON).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .sort()
    .filter((k) => o[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${rawJSON(o[k])}`)
    .join(',')}}`;
}
