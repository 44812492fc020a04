/**
 * `toYaml`, a Slipway extension in Helm's shape (sigs.k8s.io/yaml.Marshal, trailing newline trimmed):
 * the value goes through JSON, then go-yaml v2's emitter rules — keys in yaml.v2's natural order,
 * block style, sequences not indented under a key, plain scalars where yaml.v2 allows them, else
 * single- or double-quoted, multi-line strings as literal blocks, long scalars folded at 80 columns.
 * Upstream Cluster API's sprig.HermeticTxtFuncMap has no toYaml.
 */
import { formatFloat } from '../fmt.js';
import { GoInt, GoObject, type GoCallable, type GoMap, type GoValue } from '../values.js';
import { fn, isLetter } from './convert.js';
import { marshalJSON } from './encoding.js';

const BEST_WIDTH = 80;

/** yaml.v2's implicit resolution of a plain scalar: does it read back as something other than a string? */
function resolvesToNonString(s: string): boolean {
  if (s === '' || s === '~' || /^(null|Null|NULL)$/.test(s)) return true;
  if (/^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/.test(s)) return true;
  if (/^[-+]?(\.inf|\.Inf|\.INF)$/.test(s) || /^(\.nan|\.NaN|\.NAN)$/.test(s)) return true;
  const c = s[0]!;
  if ((c >= '0' && c <= '9') || c === '-' || c === '+' || c === '.') {
    const plain = s.replace(/_/g, '');
    if (/^[-+]?(0|[1-9][0-9]*)$/.test(plain)) return true;
    if (/^[-+]?0[0-7]+$/.test(plain)) return true;
    if (/^[-+]?0x[0-9a-fA-F]+$/.test(plain)) return true;
    if (/^[-+]?0b[01]+$/.test(plain)) return true;
    if (/^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$/.test(plain)) return true;
    // base 60 floats are quoted by yaml.v2 too
    if (/^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/.test(s)) return true;
    // timestamps resolve to time.Time in yaml.v2
    if (/^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/.test(s) && !Number.isNaN(Date.parse(s.replace(/ /, 'T')))) return true;
  }
  return false;
}

interface Analysis {
  multiline: boolean;
  blockPlain: boolean;
  singleQuoted: boolean;
  blockAllowed: boolean;
}

const isBreak = (c: string): boolean => c === '\n' || c === '\r' || c === '\u0085' || c === '\u2028' || c === '\u2029';
const isPrintable = (c: string): boolean => {
  const x = c.codePointAt(0)!;
  return (
    x === 0x0a ||
    (x >= 0x20 && x <= 0x7e) ||
    x === 0x85 ||
    (x >= 0xa0 && x <= 0xd7ff) ||
    (x >= 0xe000 && x <= 0xfffd && x !== 0xfeff) ||
    (x >= 0x10000 && x <= 0x10ffff)
  );
};

/** yaml_emitter_analyze_scalar (block context). */
function analyze(value: string): Analysis {
  if (value === '') return { multiline: false, blockPlain: true, singleQuoted: true, blockAllowed: false };
  let blockIndicators = false;
  let lineBreaks = false;
  let specialCharacters = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let precededByWhitespace = true;
  let previousSpace = false;
  let previousBreak = false;
  if (value.startsWith('---') || value.startsWith('...')) {
    blockIndicators = true;
  }
  const chars = [...value];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    const next = chars[i + 1];
    const followedByWhitespace = next === undefined || next === ' ' || next === '\t' || isBreak(next);
    if (i === 0) {
      switch (c) {
        case '#':
        case ',':
        case '[':
        case ']':
        case '{':
        case '}':
        case '&':
        case '*':
        case '!':
        case '|':
        case '>':
        case "'":
        case '"':
        case '%':
        case '@':
        case '`':
          blockIndicators = true;
          break;
        case '?':
        case ':':
          if (followedByWhitespace) blockIndicators = true;
          break;
        case '-':
          if (followedByWhitespace) {
            blockIndicators = true;
          }
          break;
      }
    } else {
      switch (c) {
        case ',':
        case '?':
        case '[':
        case ']':
        case '{':
        case '}':
          break;
        case ':':
          if (followedByWhitespace) blockIndicators = true;
          break;
        case '#':
          if (precededByWhitespace) {
            blockIndicators = true;
          }
          break;
      }
    }
    if (!isPrintable(c)) specialCharacters = true;
    if (isBreak(c)) lineBreaks = true;
    if (c === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = c === ' ' || c === '\t' || isBreak(c);
  }
  const a: Analysis = { multiline: lineBreaks, blockPlain: true, singleQuoted: true, blockAllowed: true };
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) a.blockPlain = false;
  if (trailingSpace) a.blockAllowed = false;
  if (breakSpace) {
    a.blockPlain = false;
    a.singleQuoted = false;
  }
  if (spaceBreak || specialCharacters) {
    a.blockPlain = false;
    a.singleQuoted = false;
    a.blockAllowed = false;
  }
  if (lineBreaks) a.blockPlain = false;
  if (blockIndicators) a.blockPlain = false;
  return a;
}

class Emitter {
  out = '';
  column = 0;

  write(s: string): void {
    this.out += s;
    const nl = s.lastIndexOf('\n');
    this.column = nl >= 0 ? [...s.slice(nl + 1)].length : this.column + [...s].length;
  }

  indent(n: number): void {
    this.out += '\n' + ' '.repeat(n);
    this.column = n;
  }

  plain(s: string, indent: number, allowBreaks: boolean): void {
    let spaces = false;
    const chars = [...s];
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i]!;
      if (c === ' ') {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && chars[i + 1] !== ' ') this.indent(indent);
        else this.write(c);
        spaces = true;
      } else {
        this.write(c);
        spaces = false;
      }
    }
  }

  singleQuoted(s: string, indent: number, allowBreaks: boolean): void {
    this.write("'");
    let spaces = false;
    const chars = [...s];
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i]!;
      if (c === ' ') {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i !== 0 && i !== chars.length - 1 && chars[i + 1] !== ' ') this.indent(indent);
        else this.write(c);
        spaces = true;
      } else {
        this.write(c === "'" ? "''" : c);
        spaces = false;
      }
    }
    this.write("'");
  }

  doubleQuoted(s: string, indent: number, allowBreaks: boolean): void {
    this.write('"');
    let spaces = false;
    const chars = [...s];
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i]!;
      const x = c.codePointAt(0)!;
      if (!isPrintable(c) || x === 0xfeff || isBreak(c) || c === '"' || c === '\\') {
        let esc: string;
        switch (x) {
          case 0:
            esc = '\\0';
            break;
          case 7:
            esc = '\\a';
            break;
          case 8:
            esc = '\\b';
            break;
          case 9:
            esc = '\\t';
            break;
          case 0xa:
            esc = '\\n';
            break;
          case 0xb:
            esc = '\\v';
            break;
          case 0xc:
            esc = '\\f';
            break;
          case 0xd:
            esc = '\\r';
            break;
          case 0x1b:
            esc = '\\e';
            break;
          case 0x22:
            esc = '\\"';
            break;
          case 0x5c:
            esc = '\\\\';
            break;
          case 0x85:
            esc = '\\N';
            break;
          case 0xa0:
            esc = '\\_';
            break;
          case 0x2028:
            esc = '\\L';
            break;
          case 0x2029:
            esc = '\\P';
            break;
          default:
            esc = x <= 0xff ? '\\x' + x.toString(16).toUpperCase().padStart(2, '0') : x <= 0xffff ? '\\u' + x.toString(16).toUpperCase().padStart(4, '0') : '\\U' + x.toString(16).toUpperCase().padStart(8, '0');
        }
        this.write(esc);
        spaces = false;
      } else if (c === ' ') {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i !== 0 && i !== chars.length - 1) {
          this.indent(indent);
          if (chars[i + 1] === ' ') this.write('\\');
        } else this.write(c);
        spaces = true;
      } else {
        this.write(c);
        spaces = false;
      }
    }
    this.write('"');
  }

  literal(s: string, indent: number): void {
    let chomp = '';
    if (!s.endsWith('\n')) chomp = '-';
    else if (s === '\n' || s.endsWith('\n\n')) chomp = '+';
    const hint = s.startsWith(' ') || s.startsWith('\n') ? String(2) : '';
    this.write('|' + hint + chomp);
    const lines = s.split('\n');
    if (chomp !== '-') lines.pop();
    for (const line of lines) {
      if (line === '') {
        this.out += '\n';
        this.column = 0;
      } else {
        this.indent(indent);
        this.write(line);
      }
    }
  }

  scalarString(s: string, indent: number, simpleKey: boolean): void {
    const plainOK = !resolvesToNonString(s);
    const a = analyze(s);
    let style: 'plain' | 'single' | 'double' | 'literal' = s.includes('\n') ? 'literal' : plainOK ? 'plain' : 'double';
    if (style === 'plain' && (!a.blockPlain || (s === '' && simpleKey) || (simpleKey && a.multiline))) style = 'single';
    if (style === 'single' && !a.singleQuoted) style = 'double';
    if (style === 'literal' && (!a.blockAllowed || simpleKey)) style = 'double';
    const allowBreaks = !simpleKey;
    switch (style) {
      case 'plain':
        this.plain(s, indent, allowBreaks);
        break;
      case 'single':
        this.singleQuoted(s, indent, allowBreaks);
        break;
      case 'double':
        this.doubleQuoted(s, indent, allowBreaks);
        break;
      case 'literal':
        this.literal(s, indent);
    }
  }

  scalar(v: GoValue, indent: number): void {
    if (v === null || v === undefined) this.write('null');
    else if (typeof v === 'boolean') this.write(v ? 'true' : 'false');
    else if (typeof v === 'number') this.write(yamlNumber(v));
    else if (v instanceof GoInt) this.write(v.v.toString());
    else if (typeof v === 'string') this.scalarString(v, indent, false);
  }

  node(v: GoValue, indent: number): void {
    if (Array.isArray(v)) {
      if (v.length === 0) {
        this.write('[]');
        return;
      }
      for (let i = 0; i < v.length; i++) {
        if (i > 0 || this.out !== '') this.indent(indent);
        this.write('- ');
        this.inlineChild(v[i], indent + 2);
      }
      return;
    }
    if (v !== null && typeof v === 'object' && !(v instanceof GoInt) && !(v instanceof GoObject)) {
      const keys = yamlSortedKeys(v as GoMap);
      if (keys.length === 0) {
        this.write('{}');
        return;
      }
      keys.forEach((k, i) => {
        if (i > 0 || this.out !== '') this.indent(indent);
        this.scalarString(k, indent, true);
        this.write(':');
        const child = (v as GoMap)[k];
        if (isNonEmptyCollection(child)) {
          if (Array.isArray(child)) this.node(child, indent);
          else this.node(child, indent + 2);
        } else if (isCollection(child)) {
          this.write(Array.isArray(child) ? ' []' : ' {}');
        } else {
          this.write(' ');
          this.scalar(child ?? null, indent + 2);
        }
      });
      return;
    }
    this.scalar(v, indent);
  }

  /** A sequence item's content starts on the "- " line. */
  inlineChild(v: GoValue, indent: number): void {
    if (isNonEmptyCollection(v)) {
      const before = this.out;
      const mark = this.out.length;
      this.node(v, indent);
      // The first line of the child goes right after "- ".
      const firstBreak = this.out.indexOf('\n' + ' '.repeat(indent), mark);
      if (firstBreak === mark) this.out = before + this.out.slice(mark + 1 + indent);
      return;
    }
    if (isCollection(v)) {
      this.write(Array.isArray(v) ? '[]' : '{}');
      return;
    }
    this.scalar(v ?? null, indent);
  }
}

function isCollection(v: GoValue | undefined): boolean {
  return Array.isArray(v) || (v !== null && typeof v === 'object' && !(v instanceof GoInt) && !(v instanceof GoObject));
}
function isNonEmptyCollection(v: GoValue | undefined): boolean {
  if (Array.isArray(v)) return v.length > 0;
  return isCollection(v) && Object.keys(v as GoMap).length > 0;
}

function yamlNumber(f: number): string {
  // JSON → YAML: integral floats come back as ints, others as float64 printed with %g.
  const json = marshalJSON(f, false);
  if (/^-?[0-9]+$/.test(json)) return json === '-0' ? '0' : json;
  if (Number.isNaN(f)) return '.nan';
  if (!Number.isFinite(f)) return f > 0 ? '+.inf' : '-.inf';
  return formatFloat(f, 'g', -1);
}

/** yaml.v2's keyList.Less for string keys (digit runs compare numerically). */
function yamlKeyLess(a: string, b: string): boolean {
  const ar = [...a];
  const br = [...b];
  const isDigit = (c: string): boolean => /^\p{Nd}$/u.test(c);
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue;
    const al = isLetter(ar[i]!);
    const bl = isLetter(br[i]!);
    if (al && bl) return ar[i]!.codePointAt(0)! < br[i]!.codePointAt(0)!;
    if (al || bl) return bl;
    let an = 0n;
    let bn = 0n;
    if (ar[i] === '0' || br[i] === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]!); j--) {
        if (ar[j] !== '0') {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && isDigit(ar[ai]!); ai++) an = an * 10n + BigInt(ar[ai]!.charCodeAt(0) - 48);
    for (; bi < br.length && isDigit(br[bi]!); bi++) bn = bn * 10n + BigInt(br[bi]!.charCodeAt(0) - 48);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ar[i]!.codePointAt(0)! < br[i]!.codePointAt(0)!;
  }
  return ar.length < br.length;
}

function yamlSortedKeys(m: GoMap): string[] {
  return Object.keys(m).sort((x, y) => (yamlKeyLess(x, y) ? -1 : yamlKeyLess(y, x) ? 1 : 0));
}

/** Helm's toYaml: YAML of the JSON form of v, trailing newline trimmed; "" when v cannot be marshalled. */
export function toYaml(v: GoValue): string {
  let data: GoValue;
  try {
    data = JSON.parse(marshalJSON(v, false)) as GoValue;
  } catch {
    return '';
  }
  const e = new Emitter();
  if (data === null) return 'null';
  if (isCollection(data) && !isNonEmptyCollection(data)) return Array.isArray(data) ? '[]' : '{}';
  if (typeof data === 'string') e.scalarString(data, 2, false); // a root block scalar is indented
  else e.node(data, 0);
  return e.out;
}

export const yamlFuncs: Record<string, GoCallable> = {
  toYaml: fn(['any'], (v) => toYaml(v)),
};
