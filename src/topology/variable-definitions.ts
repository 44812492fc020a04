/**
 * Validation of ClusterClass `spec.variables` as Cluster API's ClusterClass webhook performs it: names unique, not
 * `builtin`, no `.`; the schema structural (Cluster API's subset: `uniqueItems` is allowed, `properties` and
 * `additionalProperties` are mutually exclusive), CEL rules compilable, defaults, enum values and examples valid.
 */
import { fieldError, type StatusCause } from '../apimachinery/errors.js';
import { checkStructural, compileRules, validateValue } from '../apimachinery/schema/index.js';
import type { ClusterClassVariable, VariableSchemaProps } from './types.js';
import { toStructuralSchema, wrapSchema } from './variable-schema.js';

export const BUILTIN_VARIABLE = 'builtin';

const VALID_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];

function keyed(base: string, name: string, i: number): string {
  return name ? `${base}[${name}]` : `${base}[${i}]`;
}

/** Validate every variable definition; field paths are `spec.variables[NAME]...` (the index when unnamed). */
export function validateClusterClassVariables(variables: ClusterClassVariable[] | undefined, path = 'spec.variables'): StatusCause[] {
  const out: StatusCause[] = [];
  const seen = new Set<string>();
  (variables ?? []).forEach((v, i) => {
    const p = keyed(path, v.name, i);
    if (seen.has(v.name) && v.name) {
      out.push(fieldError.invalid(`${p}.name`, v.name, `variable name must be unique. Variable with name ${JSON.stringify(v.name)} is defined more than once`));
    }
    seen.add(v.name);
    out.push(...validateVariableName(v.name, `${p}.name`));
    out.push(...validateVariableSchema(v.schema?.openAPIV3Schema, `${p}.schema.openAPIV3Schema`));
  });
  return out;
}

function validateVariableName(name: string | undefined, path: string): StatusCause[] {
  if (!name) return [fieldError.required(path, 'variable name must be defined')];
  const out: StatusCause[] = [];
  if (name === BUILTIN_VARIABLE) out.push(fieldError.invalid(path, name, `"${BUILTIN_VARIABLE}" is a reserved variable name`));
  if (name.includes('.')) out.push(fieldError.invalid(path, name, 'variable name cannot contain "."'));
  return out;
}

/** Structural checks on one variable schema rooted at `path` (`spec.variables[x].schema.openAPIV3Schema`). */
export function validateVariableSchema(schema: VariableSchemaProps | undefined, path: string): StatusCause[] {
  if (!schema || typeof schema !== 'object') return [fieldError.required(path, 'schema must be defined')];
  if (!schema.type && !schema['x-kubernetes-int-or-string'] && !schema['x-kubernetes-preserve-unknown-fields']) {
    return [fieldError.required(`${path}.type`, 'type cannot be empty')];
  }
  if (schema.type && !VALID_TYPES.includes(schema.type)) return [fieldError.notSupported(`${path}.type`, schema.type, VALID_TYPES)];
  const s = toStructuralSchema(schema);

  // Structural schema with apiextensions semantics; the wrapper makes the variable schema a property (as upstream).
  const wrappedPrefix = `${path}.properties[variableValue]`;
  const structural = checkStructural(wrapSchema(s), path)
    .map((c) => ({ ...c, field: c.field.startsWith(wrappedPrefix) ? path + c.field.slice(wrappedPrefix.length) : c.field }))
    // Cluster API accepts uniqueItems (CRDs do not).
    .filter((c) => !(c.reason === 'FieldValueForbidden' && c.field.endsWith('.uniqueItems')));
  if (structural.length > 0) return structural;

  const out: StatusCause[] = [...compileRules(s, path)];
  walkSchema(schema, path, out);
  return out;
}

function walkSchema(schema: VariableSchemaProps, path: string, out: StatusCause[]): void {
  const s = toStructuralSchema(schema);
  if (schema.example !== undefined) {
    const errs = validateValue(s, schema.example);
    if (errs.length > 0) out.push(fieldError.invalid(`${path}.example`, schema.example, `invalid value in example: ${summarize(errs)}`));
  }
  (schema.enum ?? []).forEach((e, i) => {
    if (e === null || e === undefined) return;
    const errs = validateValue({ ...s, enum: undefined }, e);
    if (errs.length > 0) out.push(fieldError.invalid(`${path}.enum[${i}]`, e, `invalid value in enum: ${summarize(errs)}`));
  });
  for (const [k, p] of Object.entries(schema.properties ?? {})) walkSchema(p, `${path}.properties[${k}]`, out);
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') walkSchema(schema.additionalProperties, `${path}.additionalProperties`, out);
  if (schema.items) walkSchema(schema.items, `${path}.items`, out);
}

function summarize(errs: StatusCause[]): string {
  const list = errs.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message).replace(':  in body ', ': '));
  return list.length === 1 ? list[0]! : `[${list.join(', ')}]`;
}
