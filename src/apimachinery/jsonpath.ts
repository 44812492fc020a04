/**
 * The JSONPath dialect of client-go's k8s.io/client-go/util/jsonpath as used for CRD
 * additionalPrinterColumns (always evaluated with missing keys allowed):
 *
 *   .spec.replicas                      field access (`\.` escapes a dot inside a name)
 *   .metadata.labels['app.kubernetes.io/name']   quoted keys, also ["..."] and unions ['a','b']
 *   .spec.items[0].name  [-1]  [1:3]  [::2]  [0,2]   indexes, slices, unions
 *   .spec.items[*].name  .spec.*        all array items / all values
 *   ..name                              recursive descent
 *   .status.conditions[?(@.type=="Ready")].status   filters: == != < > <= >= and existence [?(@.x)]
 *
 * A leading `$` and a surrounding `{...}` are accepted.
 */

export type JsonPathSegment =
  | { readonly type: 'field'; readonly names: readonly string[] }
  | { readonly type: 'wildcard' }
  | { readonly type: 'recursive' }
  | { readonly type: 'array'; readonly selectors: readonly ArraySelector[] }
  | { readonly type: 'filter'; readonly filter: FilterExpression };

export type ArraySelector =
  | { readonly type: 'index'; readonly index: number }
  | { readonly type: 'slice'; readonly start?: number; readonly end?: number; readonly step?: number };

export type FilterOperand =
  | { readonly type: 'path'; readonly root: '@' | '$'; readonly segments: readonly JsonPathSegment[] }
  | { readonly type: 'literal'; readonly value: string | number | boolean | null };

export type FilterOperator = '==' | '!=' | '<' | '>' | '<=' | '>=';

export type FilterExpression =
  | { readonly type: 'exists'; readonly operand: FilterOperand }
  | { readonly type: 'compare'; readonly operator: FilterOperator; readonly left: FilterOperand; readonly right: FilterOperand };

export interface JsonPathProgram {
  readonly source: string;
  readonly segments: readonly JsonPathSegment[];
}

export class JsonPathSyntaxError extends Error {
  constructor(
    readonly expression: string,
    readonly position: number,
    detail: string,
  ) {
    super(`invalid JSONPath ${JSON.stringify(expression)} at position ${position}: ${detail}`);
    this.name = 'JsonPathSyntaxError';
  }
}

/** Characters that end an unquoted field name (client-go's isTerminator plus filter punctuation). */
const TERMINATORS = new Set([' ', '\t', '\r', '\n', '.', ',', '[', ']', '$', '@', '{', '}', '(', ')', '=', '!', '<', '>', '"', "'"]);

class Parser {
  pos = 0;
  constructor(
    readonly src: string,
    readonly full: string,
    readonly offset: number,
  ) {}

  fail(detail: string, at = this.pos): never {
    throw new JsonPathSyntaxError(this.full, this.offset + at, detail);
  }

  peek(n = 0): string {
    return this.src[this.pos + n] ?? '';
  }

  eof(): boolean {
    return this.pos >= this.src.length;
  }

  skipSpaces(): void {
    while (/\s/.test(this.peek()) && !this.eof()) this.pos++;
  }

  expect(ch: string): void {
    if (this.peek() !== ch) this.fail(this.eof() ? `expected '${ch}' but reached the end` : `expected '${ch}', found '${this.peek()}'`);
    this.pos++;
  }

  /** Segments until the end of input, or (nested) until a character that cannot continue a path. */
  parseSegments(nested: boolean): JsonPathSegment[] {
    const segs: JsonPathSegment[] = [];
    while (!this.eof()) {
      const c = this.peek();
      if (c === '.') {
        if (this.peek(1) === '.') {
          this.pos += 2;
          segs.push({ type: 'recursive' });
          if (this.peek() === '[') continue;
          if (this.peek() === '*') {
            this.pos++;
            segs.push({ type: 'wildcard' });
            continue;
          }
          const name = this.parseName();
          if (name === '') this.fail("expected a field name after '..'");
          segs.push({ type: 'field', names: [name] });
          continue;
        }
        this.pos++;
        if (this.eof()) break; // "." alone (or a trailing dot) refers to the current value
        if (this.peek() === '*') {
          this.pos++;
          segs.push({ type: 'wildcard' });
          continue;
        }
        if (this.peek() === '[') continue;
        const name = this.parseName();
        if (name === '') {
          if (nested) break;
          this.fail(`unexpected character '${this.peek()}' after '.'`);
        }
        segs.push({ type: 'field', names: [name] });
      } else if (c === '[') {
        segs.push(this.parseBracket());
      } else if (nested) {
        break;
      } else {
        this.fail(`unexpected character '${c}'`);
      }
    }
    return segs;
  }

  parseName(): string {
    let name = '';
    while (!this.eof()) {
      const c = this.peek();
      if (c === '\\' && this.pos + 1 < this.src.length) {
        name += this.src[this.pos + 1];
        this.pos += 2;
        continue;
      }
      if (TERMINATORS.has(c)) break;
      name += c;
      this.pos++;
    }
    return name;
  }

  parseBracket(): JsonPathSegment {
    const start = this.pos;
    this.expect('[');
    this.skipSpaces();
    const c = this.peek();
    let seg: JsonPathSegment;
    if (c === '?') {
      this.pos++;
      this.skipSpaces();
      this.expect('(');
      seg = { type: 'filter', filter: this.parseFilter() };
      this.skipSpaces();
      this.expect(')');
    } else if (c === "'" || c === '"') {
      const names: string[] = [];
      for (;;) {
        this.skipSpaces();
        names.push(this.parseQuoted());
        this.skipSpaces();
        if (this.peek() !== ',') break;
        this.pos++;
      }
      seg = { type: 'field', names };
    } else if (c === '*') {
      this.pos++;
      seg = { type: 'array', selectors: [{ type: 'slice' }] };
    } else {
      const selectors: ArraySelector[] = [];
      for (;;) {
        this.skipSpaces();
        selectors.push(this.parseArraySelector());
        this.skipSpaces();
        if (this.peek() !== ',') break;
        this.pos++;
      }
      seg = { type: 'array', selectors };
    }
    this.skipSpaces();
    if (this.peek() !== ']') this.fail(this.eof() ? `unterminated '[' opened at position ${this.offset + start}` : `expected ']', found '${this.peek()}'`);
    this.pos++;
    return seg;
  }

  parseQuoted(): string {
    const q = this.peek();
    if (q !== "'" && q !== '"') this.fail('expected a quoted string');
    const start = this.pos;
    this.pos++;
    let out = '';
    while (!this.eof()) {
      const c = this.peek();
      if (c === '\\' && this.pos + 1 < this.src.length) {
        const n = this.src[this.pos + 1];
        out += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n;
        this.pos += 2;
        continue;
      }
      if (c === q) {
        this.pos++;
        return out;
      }
      out += c;
      this.pos++;
    }
    return this.fail('unterminated quoted string', start);
  }

  parseInteger(): number | undefined {
    const m = /^-?\d+/.exec(this.src.slice(this.pos));
    if (!m) return undefined;
    this.pos += m[0].length;
    return Number(m[0]);
  }

  parseArraySelector(): ArraySelector {
    const parts: (number | undefined)[] = [];
    for (;;) {
      this.skipSpaces();
      parts.push(this.parseInteger());
      this.skipSpaces();
      if (this.peek() !== ':') break;
      this.pos++;
      if (parts.length === 3) this.fail('too many colons in array slice');
    }
    if (parts.length === 1) {
      if (parts[0] === undefined) this.fail(this.eof() ? 'unterminated array subscript' : `invalid array index '${this.peek()}'`);
      return { type: 'index', index: parts[0] };
    }
    const [start, end, step] = parts;
    if (step !== undefined && step <= 0) this.fail('step must be > 0');
    return { type: 'slice', start, end, step };
  }

  parseFilter(): FilterExpression {
    this.skipSpaces();
    const left = this.parseOperand();
    this.skipSpaces();
    const op = /^(==|!=|<=|>=|<|>)/.exec(this.src.slice(this.pos));
    if (!op) {
      if (left.type !== 'path') this.fail('a filter without an operator must test a path such as @.name');
      return { type: 'exists', operand: left };
    }
    this.pos += op[0].length;
    this.skipSpaces();
    const right = this.parseOperand();
    return { type: 'compare', operator: op[0] as FilterOperator, left, right };
  }

  parseOperand(): FilterOperand {
    const c = this.peek();
    if (c === '@' || c === '$') {
      this.pos++;
      return { type: 'path', root: c, segments: this.parseSegments(true) };
    }
    if (c === '"' || c === "'") return { type: 'literal', value: this.parseQuoted() };
    const m = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(this.src.slice(this.pos));
    if (!m) this.fail(this.eof() ? 'unterminated filter' : `unexpected '${c}' in filter`);
    this.pos += m[0].length;
    const lit = m[0];
    return { type: 'literal', value: lit === 'true' ? true : lit === 'false' ? false : lit === 'null' ? null : Number(lit) };
  }
}

/** Parse a JSONPath expression; throws JsonPathSyntaxError (an Error) with the position on bad syntax. */
export function compileJsonPath(expr: string): JsonPathProgram {
  let body = expr.trim();
  let offset = expr.indexOf(body);
  if (body.startsWith('{')) {
    if (!body.endsWith('}')) throw new JsonPathSyntaxError(expr, expr.length, "unclosed '{'");
    const inner = body.slice(1, -1);
    const innerTrim = inner.trim();
    offset += 1 + inner.indexOf(innerTrim);
    body = innerTrim;
  }
  if (body === '') throw new JsonPathSyntaxError(expr, offset, 'empty expression');
  const p = new Parser(body, expr, offset);
  if (p.peek() === '$') p.pos++;
  else if (p.peek() !== '.' && p.peek() !== '[') p.fail("a JSONPath must start with '.', '[' or '$'");
  const segments = p.parseSegments(false);
  return { source: expr, segments };
}

// ---------------------------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------------------------

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function normalizeIndex(i: number, len: number): number {
  return i < 0 ? i + len : i;
}

function applySegment(seg: JsonPathSegment, inputs: unknown[], root: unknown): unknown[] {
  const out: unknown[] = [];
  switch (seg.type) {
    case 'field':
      for (const v of inputs) {
        if (!isObject(v)) continue;
        for (const n of seg.names) if (Object.prototype.hasOwnProperty.call(v, n)) out.push(v[n]);
      }
      return out;
    case 'wildcard':
      for (const v of inputs) {
        if (Array.isArray(v)) out.push(...v);
        else if (isObject(v)) out.push(...Object.values(v));
      }
      return out;
    case 'recursive': {
      const walk = (v: unknown): void => {
        out.push(v);
        if (Array.isArray(v)) v.forEach(walk);
        else if (isObject(v)) Object.values(v).forEach(walk);
      };
      inputs.forEach(walk);
      return out;
    }
    case 'array':
      for (const v of inputs) {
        if (!Array.isArray(v)) continue;
        const len = v.length;
        for (const s of seg.selectors) {
          if (s.type === 'index') {
            const i = normalizeIndex(s.index, len);
            if (i >= 0 && i < len) out.push(v[i]);
            continue;
          }
          const step = s.step ?? 1;
          let start = s.start === undefined ? 0 : normalizeIndex(s.start, len);
          let end = s.end === undefined ? len : normalizeIndex(s.end, len);
          start = Math.max(0, Math.min(start, len));
          end = Math.max(0, Math.min(end, len));
          for (let i = start; i < end; i += step) out.push(v[i]);
        }
      }
      return out;
    case 'filter':
      for (const v of inputs) {
        if (!Array.isArray(v)) continue;
        for (const item of v) if (filterPasses(seg.filter, item, root)) out.push(item);
      }
      return out;
  }
}

function run(segments: readonly JsonPathSegment[], start: unknown, root: unknown): unknown[] {
  let cur: unknown[] = [start];
  for (const seg of segments) {
    cur = applySegment(seg, cur, root);
    if (cur.length === 0) break;
  }
  return cur;
}

function operandValues(o: FilterOperand, item: unknown, root: unknown): unknown[] {
  if (o.type === 'literal') return [o.value];
  return run(o.segments, o.root === '@' ? item : root, root);
}

function filterPasses(f: FilterExpression, item: unknown, root: unknown): boolean {
  if (f.type === 'exists') return operandValues(f.operand, item, root).length > 0;
  const lefts = operandValues(f.left, item, root);
  const rights = operandValues(f.right, item, root);
  // client-go skips items where either side is missing and refuses to compare lists.
  if (lefts.length !== 1 || rights.length !== 1) return false;
  const [l, r] = [lefts[0], rights[0]];
  if (f.operator === '==' || f.operator === '!=') {
    if (!comparable(l, r)) return false;
    return (l === r) === (f.operator === '==');
  }
  if (!((typeof l === 'number' && typeof r === 'number') || (typeof l === 'string' && typeof r === 'string'))) return false;
  switch (f.operator) {
    case '<':
      return l < r;
    case '>':
      return l > r;
    case '<=':
      return l <= r;
    case '>=':
      return l >= r;
  }
}

/** Only scalars of the same type compare (client-go's template comparison errors otherwise). */
function comparable(l: unknown, r: unknown): boolean {
  if (l === null || r === null) return l === r;
  const t = typeof l;
  return t === typeof r && (t === 'string' || t === 'number' || t === 'boolean');
}

/** Every value the path selects in `obj`, in document order; missing keys simply select nothing. */
export function evaluateJsonPath(prog: JsonPathProgram, obj: unknown): unknown[] {
  return run(prog.segments, obj, obj);
}
