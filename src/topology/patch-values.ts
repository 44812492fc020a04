/**
 * Rendering `enabledIf` and `valueFrom.template` output into JSON values as Cluster API does (sigs.k8s.io/yaml:
 * YAML 1.1 scalars such as `yes`, JSON accepted). A small parser handles the shapes templates render — block
 * mappings and sequences, plain and quoted scalars, `|` literals, JSON flow collections — and hands anything else
 * (anchors, tags, comments, folded scalars, multi-line plain scalars...) to the full YAML parser.
 */
import { parse as parseYaml } from 'yaml';

class Unsupported extends Error {}

const YAML11_NULL = /^(~|null|Null|NULL)$/;
const YAML11_TRUE = /^(y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const YAML11_FALSE = /^(n|N|no|No|NO|false|False|FALSE|off|Off|OFF)$/;
const DEC_INT = /^[-+]?(0|[1-9][0-9_]*)$/;
const FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** go-yaml v2 resolution of a plain scalar. */
function plainScalar(s: string): unknown {
  if (s === '' || YAML11_NULL.test(s)) return null;
  if (YAML11_TRUE.test(s)) return true;
  if (YAML11_FALSE.test(s)) return false;
  const c = s[0]!;
  if ((c >= '0' && c <= '9') || c === '-' || c === '+' || c === '.') {
    if (DEC_INT.test(s)) return Number(s.replace(/_/g, ''));
    const neg = s[0] === '-' ? -1 : 1;
    const body = s.replace(/^[-+]/, '').replace(/_/g, '');
    if (/^0[0-7]+$/.test(body)) return neg * parseInt(body, 8);
    if (/^0x[0-9a-fA-F]+$/.test(body)) return neg * parseInt(body.slice(2), 16);
    if (/^0b[01]+$/.test(body)) return neg * parseInt(body.slice(2), 2);
    if (FLOAT.test(s)) return Number(s);
    throw new Unsupported();
  }
  if ('[]{},#&*!|>\'"%@`?:'.includes(c)) throw new Unsupported();
  if (s.includes(': ') || s.includes(' #') || s.endsWith(':')) throw new Unsupported();
  return s;
}

function inlineValue(s: string): unknown {
  const t = s.trim();
  if (t === '') return null;
  const c = t[0]!;
  if (c === '"') {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      throw new Unsupported();
    }
  }
  if (c === "'") {
    if (t.length < 2 || !t.endsWith("'")) throw new Unsupported();
    const body = t.slice(1, -1);
    if (/'(?!')/.test(body.replace(/''/g, ''))) throw new Unsupported();
    return body.replace(/''/g, "'");
  }
  if (c === '[' || c === '{') {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      if (c === '[' && t.endsWith(']')) {
        const inner = t.slice(1, -1).trim();
        if (inner === '') return [];
        if (/[[\]{}"']/.test(inner)) throw new Unsupported();
        return inner.split(',').map((x) => plainScalar(x.trim()));
      }
      throw new Unsupported();
    }
  }
  return plainScalar(t);
}

interface Line {
  indent: number;
  text: string;
}

class BlockParser {
  private i = 0;
  constructor(private readonly lines: Line[], private readonly raw: string[]) {}

  parse(): unknown {
    if (this.lines.length === 0) return null;
    const v = this.node(this.lines[0]!.indent);
    if (this.i < this.lines.length) throw new Unsupported();
    return v;
  }

  private node(indent: number): unknown {
    const l = this.lines[this.i]!;
    if (l.indent !== indent) throw new Unsupported();
    if (l.text === '-' || l.text.startsWith('- ')) return this.sequence(indent);
    if (mappingKey(l.text) !== undefined) return this.mapping(indent);
    if (this.lines.length - this.i > 1) throw new Unsupported();
    this.i++;
    return inlineValue(l.text);
  }

  private sequence(indent: number): unknown[] {
    const out: unknown[] = [];
    while (this.i < this.lines.length) {
      const l = this.lines[this.i]!;
      if (l.indent < indent) break;
      if (l.indent > indent) throw new Unsupported();
      if (!(l.text === '-' || l.text.startsWith('- '))) break;
      const rest = l.text === '-' ? '' : l.text.slice(2);
      const restTrim = rest.trimStart();
      if (restTrim === '') {
        this.i++;
        out.push(this.i < this.lines.length && this.lines[this.i]!.indent > indent ? this.node(this.lines[this.i]!.indent) : null);
        continue;
      }
      const itemIndent = indent + 2 + (rest.length - restTrim.length);
      if (restTrim === '-' || restTrim.startsWith('- ') || mappingKey(restTrim) !== undefined) {
        // A nested collection starting on the dash line: re-read it as a line at the item's indentation.
        this.lines[this.i] = { ...l, indent: itemIndent, text: restTrim };
        out.push(this.node(itemIndent));
        continue;
      }
      this.i++;
      out.push(this.scalarOrLiteral(restTrim, indent));
    }
    return out;
  }

  private mapping(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    while (this.i < this.lines.length) {
      const l = this.lines[this.i]!;
      if (l.indent < indent) break;
      if (l.indent > indent) throw new Unsupported();
      const k = mappingKey(l.text);
      if (k === undefined) throw new Unsupported();
      if (Object.prototype.hasOwnProperty.call(out, k.key)) throw new Unsupported();
      const rest = l.text.slice(k.end).trim();
      this.i++;
      if (rest === '') {
        const next = this.lines[this.i];
        if (next && (next.indent > indent || (next.indent === indent && (next.text === '-' || next.text.startsWith('- '))))) out[k.key] = this.node(next.indent);
        else out[k.key] = null;
      } else out[k.key] = this.scalarOrLiteral(rest, indent);
    }
    return out;
  }

  /** An inline value, or a `|` / `|-` literal block whose lines are more indented than `parentIndent`. */
  private scalarOrLiteral(text: string, parentIndent: number): unknown {
    if (text !== '|' && text !== '|-') return inlineValue(text);
    // Literal lines come from the raw text (blank lines and indentation matter).
    const rawStart = this.rawIndexOf(this.i - 1) + 1;
    const body: string[] = [];
    let blockIndent = -1;
    let r = rawStart;
    for (; r < this.raw.length; r++) {
      const line = this.raw[r]!;
      if (line.trim() === '') {
        body.push('');
        continue;
      }
      const ind = line.length - line.trimStart().length;
      if (blockIndent < 0) {
        if (ind <= parentIndent) break;
        blockIndent = ind;
      }
      if (ind < blockIndent) break;
      body.push(line.slice(blockIndent));
    }
    // Skip the consumed content lines.
    while (this.i < this.lines.length && this.rawIndexOf(this.i) < r) this.i++;
    while (body.length > 0 && body[body.length - 1] === '') body.pop();
    if (body.length === 0) return '';
    const joined = body.join('\n');
    return text === '|' ? `${joined}\n` : joined;
  }

  private rawIndexOf(i: number): number {
    return i < this.lines.length ? (this.lines[i] as Line & { raw: number }).raw : this.raw.length;
  }
}

/** `key:` at the start of a line: plain or quoted key followed by `:` and a space or the end of the line. */
function mappingKey(text: string): { key: string; end: number } | undefined {
  if (text.startsWith('"')) {
    const m = /^"((?:[^"\\]|\\.)*)":(?= |$)/.exec(text);
    if (!m) return undefined;
    try {
      return { key: JSON.parse(`"${m[1]}"`) as string, end: m[0].length };
    } catch {
      throw new Unsupported();
    }
  }
  if (text.startsWith("'")) {
    const m = /^'((?:[^']|'')*)':(?= |$)/.exec(text);
    return m ? { key: m[1]!.replace(/''/g, "'"), end: m[0].length } : undefined;
  }
  const m = /^([^\s:#[\]{},&*!|>'"%@`?-][^:#]*?|-[^\s:#][^:#]*?):(?= |$)/.exec(text);
  if (!m) return undefined;
  const key = m[1]!;
  if (YAML11_NULL.test(key) || YAML11_TRUE.test(key) || YAML11_FALSE.test(key) || DEC_INT.test(key) || FLOAT.test(key)) throw new Unsupported();
  return { key, end: m[0].length };
}

function fastParse(text: string): unknown {
  const raw = text.split('\n');
  const lines: (Line & { raw: number })[] = [];
  for (let r = 0; r < raw.length; r++) {
    const line = raw[r]!.replace(/\r$/, '');
    raw[r] = line;
    if (line.trim() === '') continue;
    if (line.includes('\t')) throw new Unsupported();
    const text = line.trimStart();
    if (text.startsWith('#') || text.startsWith('---') || text.startsWith('...') || text.startsWith('%')) throw new Unsupported();
    lines.push({ indent: line.length - text.length, text: text.trimEnd(), raw: r });
  }
  return new BlockParser(lines, raw).parse();
}

/** Parse rendered template output into a JSON value (YAML 1.1 / JSON). Throws on invalid YAML. */
export function parseRenderedValue(text: string): unknown {
  const t = text.trim();
  if (t === '') return null;
  const c = t[0]!;
  if (c === '{' || c === '[' || c === '"') {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      // fall through
    }
  }
  try {
    return fastParse(text);
  } catch (e) {
    if (!(e instanceof Unsupported)) throw e;
  }
  return slowParse(text);
}

/** YAML 1.1 timestamps and binaries become JSON strings, as after sigs.k8s.io/yaml's YAML-to-JSON conversion. */
function toJSONValue(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString().replace('.000Z', 'Z');
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return v.map(toJSONValue);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = toJSONValue(x);
    return out;
  }
  return v;
}

function slowParse(text: string): unknown {
  const v = parseYaml(text, { version: '1.1' }) as unknown;
  return v === undefined ? null : toJSONValue(v);
}

/** The full YAML parser only (for tests comparing the fast path with it). */
export function parseRenderedValueSlow(text: string): unknown {
  return slowParse(text);
}
