/**
 * Pruning of unknown fields (apiextensions-apiserver schema/pruning), tracking the removed paths so the API server can
 * emit `unknown field "spec.foo"` for fieldValidation=Strict/Warn.
 */
import { isPlainObject } from './path.js';
import type { JSONSchemaProps } from './types.js';

export interface PruneOptions {
  /**
   * The value is the root of a resource: apiVersion, kind and metadata are never pruned (metadata is handled by
   * ObjectMeta decoding, not by the schema). Defaults to true.
   */
  isResourceRoot?: boolean;
  /** Only report the unknown paths; leave the value as it is. */
  reportOnly?: boolean;
}

const META_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

/** Paths as kube's UnknownFieldPathOptions renders them: `a.b`, `a[0].b` (map keys are dotted, too). */
function appendKey(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

interface PruneCtx {
  paths: string[];
  reportOnly: boolean;
}

function prune(x: unknown, s: JSONSchemaProps | undefined, embedded: boolean, parent: string, ctx: PruneCtx): void {
  if (s && s['x-kubernetes-preserve-unknown-fields']) {
    skipPrune(x, s, embedded, parent, ctx);
    return;
  }
  if (Array.isArray(x)) {
    const items = s?.items;
    const itemsEmbedded = !!items?.['x-kubernetes-embedded-resource'];
    for (let i = 0; i < x.length; i++) prune(x[i], items, itemsEmbedded, `${parent}[${i}]`, ctx);
    return;
  }
  if (!isPlainObject(x)) return;
  if (!s) {
    for (const k of Object.keys(x)) {
      ctx.paths.push(appendKey(parent, k));
      if (!ctx.reportOnly) delete x[k];
    }
    return;
  }
  const ap = s.additionalProperties;
  for (const k of Object.keys(x)) {
    if (embedded && META_FIELDS.has(k)) continue;
    const prop = s.properties && Object.prototype.hasOwnProperty.call(s.properties, k) ? s.properties[k] : undefined;
    if (prop) prune(x[k], prop, !!prop['x-kubernetes-embedded-resource'], appendKey(parent, k), ctx);
    else if (ap !== undefined) {
      const aps = typeof ap === 'object' ? ap : undefined;
      prune(x[k], aps, !!aps?.['x-kubernetes-embedded-resource'], appendKey(parent, k), ctx);
    } else {
      if (!META_FIELDS.has(k) || parent !== '') ctx.paths.push(appendKey(parent, k));
      if (!ctx.reportOnly) delete x[k];
    }
  }
}

function skipPrune(x: unknown, s: JSONSchemaProps, embedded: boolean, parent: string, ctx: PruneCtx): void {
  if (Array.isArray(x)) {
    const items = s.items;
    if (!items) return;
    const itemsEmbedded = !!items['x-kubernetes-embedded-resource'];
    for (let i = 0; i < x.length; i++) skipPrune(x[i], items, itemsEmbedded, `${parent}[${i}]`, ctx);
    return;
  }
  if (!isPlainObject(x)) return;
  const ap = s.additionalProperties;
  for (const k of Object.keys(x)) {
    if (embedded && META_FIELDS.has(k)) continue;
    const prop = s.properties && Object.prototype.hasOwnProperty.call(s.properties, k) ? s.properties[k] : undefined;
    if (prop) prune(x[k], prop, !!prop['x-kubernetes-embedded-resource'], appendKey(parent, k), ctx);
    else if (ap !== undefined) {
      const aps = typeof ap === 'object' ? ap : undefined;
      prune(x[k], aps, !!aps?.['x-kubernetes-embedded-resource'], appendKey(parent, k), ctx);
    }
  }
}

/**
 * Remove, in place, every field of value that the structural schema does not specify (honouring
 * x-kubernetes-preserve-unknown-fields, additionalProperties and x-kubernetes-embedded-resource) and return the
 * removed field paths, sorted as kube-apiserver sorts them (e.g. `spec.foo`, `spec.items[0].bar`).
 */
export function pruneUnknownFields(schema: JSONSchemaProps, value: unknown, opts: PruneOptions = {}): string[] {
  const ctx: PruneCtx = { paths: [], reportOnly: !!opts.reportOnly };
  const root = opts.isResourceRoot ?? true;
  prune(value, schema, root || !!schema['x-kubernetes-embedded-resource'], '', ctx);
  return ctx.paths.sort();
}
