/**
 * `kubectl explain` for ClusterClass variables: each variable's (or nested field's) type, required flag, default,
 * enum, bounds, description and example, with the nested fields below it.
 */
import type { ClusterClass, ClusterClassVariable, VariableSchemaProps } from './types.js';

export class ExplainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExplainError';
  }
}

/** kubectl-style type name: `<string>`, `<Object>`, `<[]string>`, `<map[string]string>`, `<IntOrString>`. */
export function typeName(s: VariableSchemaProps | undefined): string {
  if (!s) return 'Object';
  if (s['x-kubernetes-int-or-string']) return 'IntOrString';
  switch (s.type) {
    case 'array':
      return `[]${typeName(s.items)}`;
    case 'object':
      if (s.additionalProperties && typeof s.additionalProperties === 'object' && !s.properties) return `map[string]${typeName(s.additionalProperties)}`;
      return 'Object';
    case undefined:
      return 'Object';
    default:
      return s.type;
  }
}

function fmtValue(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Facts of one schema node, one per line (`default: 6443`, `enum: a, b`, `minimum: 1` ...). */
export function schemaFacts(s: VariableSchemaProps): string[] {
  const out: string[] = [];
  if (s.default !== undefined) out.push(`default: ${fmtValue(s.default)}`);
  if (s.enum) out.push(`enum: ${s.enum.map(fmtValue).join(', ')}`);
  if (s.format) out.push(`format: ${s.format}`);
  if (s.pattern) out.push(`pattern: ${s.pattern}`);
  for (const k of ['minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties'] as const) {
    if (s[k] !== undefined) out.push(`${k}: ${s[k]}`);
  }
  if (s.exclusiveMinimum) out.push('exclusiveMinimum: true');
  if (s.exclusiveMaximum) out.push('exclusiveMaximum: true');
  if (s.uniqueItems) out.push('uniqueItems: true');
  for (const r of s['x-kubernetes-validations'] ?? []) out.push(`rule: ${r.rule}${r.message ? ` (${r.message})` : ''}`);
  if (s.example !== undefined) out.push(`example: ${fmtValue(s.example)}`);
  return out;
}

function indent(text: string, n: number): string {
  const pad = ' '.repeat(n);
  return text
    .split('\n')
    .map((l) => (l ? pad + l : l))
    .join('\n');
}

function fieldsOf(s: VariableSchemaProps | undefined): { props: Record<string, VariableSchemaProps>; required: Set<string> } | undefined {
  let cur = s;
  while (cur?.type === 'array' && cur.items) cur = cur.items;
  if (cur?.additionalProperties && typeof cur.additionalProperties === 'object' && !cur.properties) {
    return fieldsOf(cur.additionalProperties);
  }
  if (!cur?.properties || Object.keys(cur.properties).length === 0) return undefined;
  return { props: cur.properties, required: new Set(cur.required ?? []) };
}

function renderField(name: string, s: VariableSchemaProps, required: boolean, depth: number, recursive: boolean): string {
  const lines: string[] = [`${name}\t<${typeName(s)}>${required ? ' -required-' : ''}`];
  const body: string[] = [];
  if (s.description) body.push(s.description);
  body.push(...schemaFacts(s));
  if (body.length > 0) lines.push(indent(body.join('\n'), 2));
  let text = lines.join('\n');
  if (recursive) {
    const f = fieldsOf(s);
    if (f) {
      const children = Object.keys(f.props)
        .sort()
        .map((k) => renderField(k, f.props[k]!, f.required.has(k), depth + 1, true));
      text += `\n${indent(children.join('\n\n'), 2)}`;
    }
  }
  return text;
}

/** Resolve `variable.path.to.field` (arrays are stepped through, as kubectl explain does). */
export function resolveVariablePath(cc: ClusterClass, path: string): { variable: ClusterClassVariable; schema: VariableSchemaProps; required: boolean; fieldPath: string } {
  const [name, ...rest] = path.split('.');
  const variable = (cc.spec?.variables ?? []).find((v) => v.name === name);
  if (!variable) throw new ExplainError(`variable ${JSON.stringify(name)} is not defined in ClusterClass ${JSON.stringify(cc.metadata?.name ?? '')}`);
  let schema = variable.schema?.openAPIV3Schema ?? {};
  let required = !!variable.required;
  const walked = [name!];
  for (const seg of rest) {
    const f = fieldsOf(schema);
    const next = f?.props[seg];
    if (!next) throw new ExplainError(`field ${JSON.stringify(seg)} does not exist in ${walked.join('.')}`);
    required = f!.required.has(seg);
    schema = next;
    walked.push(seg);
  }
  return { variable, schema, required, fieldPath: walked.join('.') };
}

/** The text `slipway class explain` prints. */
export function explainClass(cc: ClusterClass, path?: string, opts: { recursive?: boolean } = {}): string {
  const header = [`CLUSTERCLASS: ${cc.metadata?.name ?? ''}`, `NAMESPACE:    ${cc.metadata?.namespace ?? 'default'}`];
  if (!path) {
    const vars = cc.spec?.variables ?? [];
    const blocks = vars.map((v) => renderField(v.name, v.schema?.openAPIV3Schema ?? {}, !!v.required, 0, !!opts.recursive));
    return `${header.join('\n')}\n\nVARIABLES:\n${indent(blocks.join('\n\n'), 2)}\n`;
  }
  const r = resolveVariablePath(cc, path);
  const out = [...header, `VARIABLE:     ${r.fieldPath} <${typeName(r.schema)}>${r.required ? ' -required-' : ''}`, ''];
  out.push('DESCRIPTION:');
  out.push(indent(r.schema.description ?? '<empty>', 4));
  const facts = schemaFacts(r.schema);
  if (facts.length > 0) {
    out.push('');
    for (const f of facts) {
      const i = f.indexOf(': ');
      out.push(`${f.slice(0, i).toUpperCase()}:${' '.repeat(Math.max(1, 13 - i))}${f.slice(i + 2)}`);
    }
  }
  const f = fieldsOf(r.schema);
  if (f) {
    out.push('', 'FIELDS:');
    const blocks = Object.keys(f.props)
      .sort()
      .map((k) => renderField(k, f.props[k]!, f.required.has(k), 0, !!opts.recursive));
    out.push(indent(blocks.join('\n\n'), 2));
  }
  return `${out.join('\n')}\n`;
}

/** Machine-readable explanation: the variable definitions (or one field) as JSON-able data. */
export function explainData(cc: ClusterClass, path?: string): unknown {
  if (!path) {
    return (cc.spec?.variables ?? []).map((v) => ({ name: v.name, required: !!v.required, type: typeName(v.schema?.openAPIV3Schema), schema: v.schema?.openAPIV3Schema ?? {} }));
  }
  const r = resolveVariablePath(cc, path);
  return { name: r.fieldPath, required: r.required, type: typeName(r.schema), schema: r.schema };
}
