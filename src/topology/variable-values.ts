/**
 * Cluster variable values (`spec.topology.variables` and the control plane / MachineDeployment / MachinePool
 * `variables.overrides`): defaulting and validation against the ClusterClass definitions, with Cluster API's
 * semantics and error wording, e.g. `spec.topology.variables[proxy].value.httpProxy: Required value`.
 */
import { fieldError, type StatusCause } from '../apimachinery/errors.js';
import { applyDefaults, pruneUnknownFields, validateValue, type JSONSchemaProps } from '../apimachinery/schema/index.js';
import { schemaHasRules, validateCelRules } from '../apimachinery/schema/cel.js';
import { cloneJSON } from './objects.js';
import type { ClusterClassVariable, ClusterVariable } from './types.js';
import { rawJSON, rewriteCause, toStructuralSchema, wrapSchema } from './variable-schema.js';

export interface ValidateVariablesOptions {
  /** Field path of the list, e.g. `spec.topology.variables`. */
  path?: string;
  /** Values before this update: enables CEL transition rules (`oldSelf`). */
  oldValues?: ClusterVariable[];
  /** Top-level values must include every required variable; overrides need not. */
  validateRequired?: boolean;
}

/** Validate values against their definitions; returns causes in Cluster API's order and wording. */
export function validateClusterVariables(values: ClusterVariable[] | undefined, definitions: ClusterClassVariable[] | undefined, opts: ValidateVariablesOptions = {}): StatusCause[] {
  const path = opts.path ?? 'spec.topology.variables';
  const list = values ?? [];
  const out: StatusCause[] = [];

  // Index the values: each name once, definitionFrom never set.
  const byName = new Map<string, ClusterVariable>();
  for (const v of list) {
    const p = `${path}[${v.name}]`;
    if (v.definitionFrom) {
      out.push(fieldError.invalid(p, rawJSON(v.value), `variable ${JSON.stringify(v.name)} has DefinitionFrom set. DefinitionFrom is deprecated, must not be set anymore and is going to be removed in the next apiVersion`));
    }
    if (byName.has(v.name)) out.push(fieldError.invalid(p, rawJSON(v.value), `variable ${JSON.stringify(v.name)} is set more than once`));
    else byName.set(v.name, v);
  }
  if (out.length > 0) return out;

  const defs = new Map<string, ClusterClassVariable>();
  for (const d of definitions ?? []) defs.set(d.name, d);

  if (opts.validateRequired) {
    for (const d of definitions ?? []) {
      if (d.required && !byName.has(d.name)) out.push(fieldError.required(path, `required variable ${JSON.stringify(d.name)} must be set`));
    }
  }

  const oldByName = new Map<string, ClusterVariable>();
  for (const v of opts.oldValues ?? []) oldByName.set(v.name, v);

  for (const v of list) {
    const p = `${path}[${v.name}]`;
    const def = defs.get(v.name);
    if (!def) {
      out.push(fieldError.invalid(p, rawJSON(v.value), 'variable is not defined'));
      continue;
    }
    out.push(...validateClusterVariable(v, def, p, oldByName.get(v.name)));
  }
  return out;
}

const validated = new WeakMap<ClusterClassVariable, Map<string, StatusCause[]>>();

/**
 * Validate one value against its definition; `path` is `spec.topology.variables[NAME]`. Results are memoized per
 * definition, path, value and old value (validation is a pure function of them).
 */
export function validateClusterVariable(value: ClusterVariable, def: ClusterClassVariable, path: string, old?: ClusterVariable): StatusCause[] {
  let memo = validated.get(def);
  if (!memo) validated.set(def, (memo = new Map()));
  const key = `${path}\u0000${JSON.stringify(value.value === undefined ? null : value.value)}\u0000${old && old.value !== undefined ? JSON.stringify(old.value) : ''}`;
  const hit = memo.get(key);
  if (hit) return hit.map((c) => ({ ...c }));
  const causes = validateUncached(value, def, path, old);
  if (memo.size > 10_000) memo.clear();
  memo.set(key, causes.map((c) => ({ ...c })));
  return causes;
}

function validateUncached(value: ClusterVariable, def: ClusterClassVariable, path: string, old?: ClusterVariable): StatusCause[] {
  const schemaProps = def.schema?.openAPIV3Schema;
  if (!schemaProps) return [{ reason: 'InternalError', field: path, message: `Internal error: failed to convert schema definition for variable ${JSON.stringify(def.name)}; ClusterClass should be checked` }];
  const schema = toStructuralSchema(schemaProps);
  const v = value.value === undefined ? null : value.value;
  const raw = rawJSON(v);
  const valuePath = `${path}.value`;

  const errs = validateValue(withoutRules(schema), v);
  if (errs.length > 0) return errs.map((c) => rewriteCause(c, valuePath, raw));

  // Unknown fields (unless x-kubernetes-preserve-unknown-fields).
  const wrapped = { variableValue: cloneJSON(v) };
  const pruned = pruneUnknownFields(wrapSchema(schema), wrapped, { isResourceRoot: false }).map((f) => f.replace(/^variableValue\./, ''));
  if (pruned.length > 0) {
    return [fieldError.invalid(path, raw, `failed validation: ${JSON.stringify(pruned.join(','))} field(s) are not specified in the variable schema of variable ${JSON.stringify(def.name)}`)];
  }

  // CEL rules (x-kubernetes-validations), with oldSelf bound to the previous value for transition rules.
  const cel: StatusCause[] = [];
  validateCelRules(schema, v, { oldValue: old?.value ?? undefined }, cel);
  return cel.map((c) => rewriteCause(c, valuePath, raw));
}

const stripped = new WeakMap<object, JSONSchemaProps>();

/** The schema without x-kubernetes-validations (OpenAPI validation runs first; CEL only on a valid value). */
function withoutRules(s: JSONSchemaProps): JSONSchemaProps {
  if (!schemaHasRules(s)) return s;
  const hit = stripped.get(s);
  if (hit) return hit;
  const out: JSONSchemaProps = { ...s };
  delete out['x-kubernetes-validations'];
  if (s.properties) out.properties = Object.fromEntries(Object.entries(s.properties).map(([k, p]) => [k, withoutRules(p)]));
  if (s.items) out.items = withoutRules(s.items);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') out.additionalProperties = withoutRules(s.additionalProperties);
  if (s.allOf) out.allOf = s.allOf.map(withoutRules);
  if (s.anyOf) out.anyOf = s.anyOf.map(withoutRules);
  if (s.oneOf) out.oneOf = s.oneOf.map(withoutRules);
  if (s.not) out.not = withoutRules(s.not);
  stripped.set(s, out);
  return out;
}

const defaulted = new WeakMap<ClusterClassVariable, Map<string, unknown>>();

/** Structural defaults of one value (memoized per definition and value; returns a private copy). */
function defaultValue(def: ClusterClassVariable, value: unknown): unknown {
  let memo = defaulted.get(def);
  if (!memo) defaulted.set(def, (memo = new Map()));
  const key = JSON.stringify(value);
  if (memo.has(key)) return cloneJSON(memo.get(key));
  const wrapped: Record<string, unknown> = { v: cloneJSON(value) };
  applyDefaults(wrapSchema(toStructuralSchema(def.schema!.openAPIV3Schema!), 'v'), wrapped);
  const result = 'v' in wrapped ? wrapped.v : null;
  if (memo.size > 10_000) memo.clear();
  memo.set(key, cloneJSON(result));
  return result;
}

/**
 * Default top-level values as Cluster API does: existing values get nested defaults; a missing variable is created
 * only when its schema has a top-level default. Returns a new list: existing values keep their order, created ones
 * follow in definition order. Nothing is created for overrides (`createVariables: false`).
 */
export function defaultClusterVariables(values: ClusterVariable[] | undefined, definitions: ClusterClassVariable[] | undefined, createVariables = true): ClusterVariable[] {
  const out: ClusterVariable[] = [];
  const defs = new Map<string, ClusterClassVariable>();
  for (const d of definitions ?? []) defs.set(d.name, d);
  const present = new Set<string>();
  for (const v of values ?? []) {
    present.add(v.name);
    const def = defs.get(v.name);
    const schemaProps = def?.schema?.openAPIV3Schema;
    if (!schemaProps) {
      out.push({ ...v });
      continue;
    }
    out.push({ ...v, value: defaultValue(def!, v.value === undefined ? null : v.value) });
  }
  if (createVariables) {
    for (const d of definitions ?? []) {
      if (present.has(d.name)) continue;
      const schemaProps = d.schema?.openAPIV3Schema;
      if (!schemaProps || schemaProps.default === undefined) continue;
      const schema = toStructuralSchema(schemaProps);
      const wrapped: Record<string, unknown> = {};
      applyDefaults(wrapSchema(schema, 'v'), wrapped);
      if ('v' in wrapped) out.push({ name: d.name, value: wrapped.v });
    }
  }
  return out;
}
