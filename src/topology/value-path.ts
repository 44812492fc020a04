/**
 * `valueFrom.variable` paths: `name`, `name.field.sub`, `name[0].field`, `builtin.cluster.name`, with Cluster API's
 * lookup rules (a dot separates segments; a segment may end in one `[i]` array index) and error wording.
 */

export class VariablePathError extends Error {
  constructor(message: string, readonly notFound: boolean) {
    super(message);
    this.name = 'VariablePathError';
  }
}

interface Segment {
  path: string;
  index?: number;
}

function parseSegment(segment: string): Segment {
  const l = segment.indexOf('[');
  const r = segment.indexOf(']');
  if ((l >= 0) !== (r >= 0)) throw new Error(`failed to parse path segment ${JSON.stringify(segment)}`);
  if (l < 0) return { path: segment };
  const idx = segment.slice(l + 1, r);
  if (!/^[+-]?\d+$/.test(idx)) throw new Error(`failed to parse array index in path segment ${JSON.stringify(segment)}: strconv.Atoi: parsing ${JSON.stringify(idx)}: invalid syntax`);
  const index = Number(idx);
  if (index < 0) throw new Error(`invalid array index ${index} in path segment ${JSON.stringify(segment)}`);
  return { path: segment.slice(0, l), index };
}

function element(arr: unknown, seg: Segment, full: string): unknown {
  if (!Array.isArray(arr)) {
    throw new VariablePathError(`variable ${JSON.stringify(full)} is invalid: failed to get array ${JSON.stringify(seg.path)}: value doesn't contain array; it contains ${kindOf(arr)}`, false);
  }
  if (arr.length < seg.index! + 1) throw new VariablePathError(`variable ${JSON.stringify(full)} is invalid: array does not have index ${seg.index}`, false);
  return arr[seg.index!];
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v === 'boolean' ? (v ? 'true' : 'false') : typeof v;
}

/** Look up `variablePath` in the merged variables of a template (top-level variable name -> JSON value). */
const splitCache = new Map<string, string[]>();

export function getVariableValue(variables: Readonly<Record<string, unknown>>, variablePath: string): unknown {
  let parts = splitCache.get(variablePath);
  if (!parts) {
    parts = variablePath.split('.');
    if (splitCache.size > 10_000) splitCache.clear();
    splitCache.set(variablePath, parts);
  }
  let first: Segment;
  try {
    first = parseSegment(parts[0]!);
  } catch (e) {
    throw new VariablePathError(`variable ${JSON.stringify(variablePath)} is invalid: ${(e as Error).message}`, false);
  }
  if (!Object.prototype.hasOwnProperty.call(variables, first.path)) {
    throw new VariablePathError(`variable ${JSON.stringify(parts[0])} does not exist`, true);
  }
  let v = variables[first.path];
  if (first.index !== undefined) v = element(v, first, variablePath);
  for (const p of parts.slice(1)) {
    let seg: Segment;
    try {
      seg = parseSegment(p);
    } catch (e) {
      throw new VariablePathError(`variable ${JSON.stringify(variablePath)} has invalid syntax: ${(e as Error).message}`, false);
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.prototype.hasOwnProperty.call(v, seg.path)) {
      throw new VariablePathError(`variable ${JSON.stringify(variablePath)} does not exist: failed to lookup segment ${JSON.stringify(seg.path)}`, true);
    }
    v = (v as Record<string, unknown>)[seg.path];
    if (seg.index !== undefined) v = element(v, seg, variablePath);
  }
  return v;
}

/** The top-level variable a path refers to (`a.b[0]` -> `a`, `x[1].y` -> `x`). */
export function variableNameOf(variablePath: string): string {
  return variablePath.split(/[.[]/)[0] ?? '';
}
