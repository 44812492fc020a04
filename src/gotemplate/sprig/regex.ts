/**
 * sprig regex functions on Go's RE2 syntax, translated to JavaScript RegExp (unicode mode).
 * RE2 has no backreferences or lookaround; patterns using them are rejected as Go does.
 * Matching, splitting and replacing follow Go's regexp iteration rules (empty matches right after
 * a match are skipped) and `$1`/`${name}` expansion.
 */
import { GoFuncError, type GoCallable, type GoValue, withGoType, GoInt } from '../values.js';
import { fn } from './convert.js';

const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const SYNTAX = new Set([...'^$\\.*+?()[]{}|/']);

function compileError(_expr: string, msg: string): GoFuncError {
  return new GoFuncError(`error parsing regexp: ${msg}`);
}

interface Compiled {
  re: RegExp;
  names: (string | null)[];
}

const cache = new Map<string, Compiled>();

/** Translates an RE2 pattern to a JS RegExp with the `gu` flags (plus those set by `(?flags)`). */
export function compileRE2(expr: string): Compiled {
  const hit = cache.get(expr);
  if (hit) return hit;
  let out = '';
  let flags = 'gu';
  const names: (string | null)[] = [];
  let i = 0;
  let inClass = false;
  // Leading flag group (?i) (?s) (?m) (?is) …
  const lead = /^\(\?([imsU]+)\)/.exec(expr);
  if (lead) {
    for (const f of lead[1]!) {
      if (f === 'i' && !flags.includes('i')) flags += 'i';
      if (f === 's' && !flags.includes('s')) flags += 's';
      if (f === 'm' && !flags.includes('m')) flags += 'm';
      if (f === 'U') throw compileError(expr, 'ungreedy mode (?U) is not supported');
    }
    i = lead[0].length;
  }
  while (i < expr.length) {
    const c = expr[i]!;
    if (c === '\\') {
      const n = expr[i + 1];
      if (n === undefined) throw compileError(expr, 'trailing backslash at end of expression: ``');
      if (/[1-9]/.test(n)) throw compileError(expr, `invalid escape sequence: \`\\${n}\``);
      if (n === 'A' && !inClass) {
        out += '(?<![\\s\\S])';
        i += 2;
        continue;
      }
      if (n === 'z' && !inClass) {
        out += '(?![\\s\\S])';
        i += 2;
        continue;
      }
      if (n === 'Q') {
        const end = expr.indexOf('\\E', i + 2);
        const lit = end < 0 ? expr.slice(i + 2) : expr.slice(i + 2, end);
        out += [...lit].map((ch) => (SYNTAX.has(ch) || ch === '-' ? '\\' + ch : ch)).join('');
        i = end < 0 ? expr.length : end + 2;
        continue;
      }
      if (n === 'p' || n === 'P') {
        if (expr[i + 2] === '{') {
          const close = expr.indexOf('}', i + 3);
          out += `\\${n}{${expr.slice(i + 3, close)}}`;
          i = close + 1;
        } else {
          out += `\\${n}{${expr[i + 2]}}`;
          i += 3;
        }
        continue;
      }
      if (/[a-zA-Z0-9]/.test(n) || SYNTAX.has(n)) {
        out += '\\' + n;
      } else if (n === '-' && inClass) out += '\\-';
      else out += n; // Go allows escaping any punctuation
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === '[' && expr[i + 1] === ':') {
        const close = expr.indexOf(':]', i + 2);
        if (close > 0) {
          let name = expr.slice(i + 2, close);
          const neg = name.startsWith('^');
          if (neg) name = name.slice(1);
          const set = POSIX[name];
          if (!set) throw compileError(expr, `invalid character class range: \`[:${name}:]\``);
          if (neg) throw compileError(expr, 'negated POSIX classes are not supported');
          out += set;
          i = close + 2;
          continue;
        }
      }
      if (c === '[') {
        out += '\\[';
        i++;
        continue;
      }
      if (c === ']') inClass = false;
      out += c;
      i++;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      i++;
      if (expr[i] === '^') {
        out += '^';
        i++;
      }
      if (expr[i] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(') {
      if (expr[i + 1] === '?') {
        const rest = expr.slice(i + 2);
        const named = /^P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
        if (named) {
          names.push(named[1]!);
          out += `(?<${named[1]}>`;
          i += 2 + named[0].length;
          continue;
        }
        if (rest.startsWith(':')) {
          out += '(?:';
          i += 3;
          continue;
        }
        const fl = /^([imsU-]+):/.exec(rest);
        if (fl) {
          // Scoped flags: only case-insensitivity can be expressed per group in JS.
          if (/[msU]/.test(fl[1]!)) throw compileError(expr, `invalid or unsupported Perl syntax: \`(?${fl[1]}\``);
          out += '(?i:';
          i += 2 + fl[0].length;
          continue;
        }
        throw compileError(expr, `invalid or unsupported Perl syntax: \`(?${rest[0] ?? ''}\``);
      }
      names.push(null);
      out += c;
      i++;
      continue;
    }
    if (c === '/') {
      out += '\\/';
      i++;
      continue;
    }
    out += c;
    i++;
  }
  let re: RegExp;
  try {
    re = new RegExp(out, flags);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/Unterminated group|Unmatched '\('/.test(msg)) throw compileError(expr, `missing closing ): \`${expr}\``);
    if (/Unmatched '\)'/.test(msg)) throw compileError(expr, `unexpected ): \`${expr}\``);
    if (/Unterminated character class/.test(msg)) throw compileError(expr, `missing closing ]: \`${expr.slice(expr.lastIndexOf('['))}\``);
    if (/Nothing to repeat/.test(msg)) throw compileError(expr, `missing argument to repetition operator: \`${expr}\``);
    throw compileError(expr, `invalid regular expression: \`${expr}\``);
  }
  const compiled = { re, names };
  if (cache.size > 500) cache.clear();
  cache.set(expr, compiled);
  return compiled;
}

function compileOrPanic(expr: string): Compiled {
  try {
    return compileRE2(expr);
  } catch (e) {
    // MustCompile's panic text.
    throw new GoFuncError(`regexp: Compile(${goQuoteBackquote(expr)}): ${(e as Error).message}`);
  }
}

function goQuoteBackquote(s: string): string {
  return /[`\x00-\x08\x0a-\x1f\x7f]/.test(s) ? JSON.stringify(s) : '`' + s + '`';
}

/** Go's allMatches: successive non-overlapping matches; an empty match right after a match is skipped. */
function allMatches(c: Compiled, s: string, n: number): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  if (n === 0) return out;
  const re = c.re;
  let pos = 0;
  let prevMatchEnd = -1;
  while ((n < 0 || out.length < n) && pos <= s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) break;
    const start = m.index;
    const end = start + m[0].length;
    let accept = true;
    if (end === start) {
      if (start === prevMatchEnd) accept = false;
      // advance by one code point
      const cp = s.codePointAt(end);
      pos = end + (cp === undefined ? 1 : cp > 0xffff ? 2 : 1);
    } else pos = end;
    prevMatchEnd = end;
    if (accept) out.push(m);
  }
  return out;
}

function expand(template: string, m: RegExpExecArray, names: (string | null)[]): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const d = template.indexOf('$', i);
    if (d < 0) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, d);
    i = d + 1;
    if (template[i] === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string | null = null;
    if (template[i] === '{') {
      const close = template.indexOf('}', i);
      const inner = close > 0 ? template.slice(i + 1, close) : '';
      if (close > 0 && /^[A-Za-z0-9_]+$/.test(inner)) {
        name = inner;
        i = close + 1;
      }
    } else {
      const mm = /^[A-Za-z0-9_]+/.exec(template.slice(i));
      if (mm) {
        name = mm[0];
        i += name.length;
      }
    }
    if (name === null) {
      out += '$';
      continue;
    }
    if (/^[0-9]+$/.test(name)) {
      const k = Number(name);
      if (k < m.length) out += m[k] ?? '';
    } else {
      const k = names.indexOf(name);
      if (k >= 0) out += m[k + 1] ?? '';
    }
  }
  return out;
}

function replaceAll(c: Compiled, src: string, repl: (m: RegExpExecArray) => string): string {
  const re = c.re;
  let out = '';
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= src.length) {
    re.lastIndex = searchPos;
    const m = re.exec(src);
    if (!m) break;
    const a0 = m.index;
    const a1 = a0 + m[0].length;
    out += src.slice(lastMatchEnd, a0);
    if (a1 > lastMatchEnd || a0 === 0) out += repl(m);
    lastMatchEnd = a1;
    const cp = src.codePointAt(searchPos);
    const width = cp === undefined ? 0 : cp > 0xffff ? 2 : 1;
    if (searchPos + width > a1) searchPos += width;
    else if (searchPos + 1 > a1) searchPos++;
    else searchPos = a1;
  }
  return out + src.slice(lastMatchEnd);
}

function split(c: Compiled, s: string, n: number): string[] {
  if (n === 0) return [];
  if (s.length === 0) return [''];
  const matches = allMatches(c, s, n);
  const out: string[] = [];
  let beg = 0;
  let end = 0;
  for (const m of matches) {
    if (n > 0 && out.length === n - 1) break;
    end = m.index;
    if (m.index + m[0].length !== 0) out.push(s.slice(beg, end));
    beg = m.index + m[0].length;
  }
  if (end !== s.length) out.push(s.slice(beg));
  return out;
}

/** regexp.QuoteMeta. */
function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

const int = (v: GoValue): number => Number((v as GoInt).v);
const strs = (a: string[]): GoValue => withGoType(a, '[]string');

function must<T>(f: () => T): T {
  return f();
}

export const regexFuncs: Record<string, GoCallable> = {
  regexMatch: fn(['string', 'string'], (r, s) => {
    try {
      const c = compileRE2(r as string);
      c.re.lastIndex = 0;
      return c.re.test(s as string);
    } catch {
      return false;
    }
  }),
  mustRegexMatch: fn(['string', 'string'], (r, s) => {
    const c = compileRE2(r as string);
    c.re.lastIndex = 0;
    return c.re.test(s as string);
  }),
  regexFindAll: fn(['string', 'string', 'int'], (r, s, n) => strs(allMatches(compileOrPanic(r as string), s as string, int(n)).map((m) => m[0]))),
  mustRegexFindAll: fn(['string', 'string', 'int'], (r, s, n) => strs(allMatches(compileRE2(r as string), s as string, int(n)).map((m) => m[0]))),
  regexFind: fn(['string', 'string'], (r, s) => allMatches(compileOrPanic(r as string), s as string, 1)[0]?.[0] ?? ''),
  mustRegexFind: fn(['string', 'string'], (r, s) => allMatches(compileRE2(r as string), s as string, 1)[0]?.[0] ?? ''),
  regexReplaceAll: fn(['string', 'string', 'string'], (r, s, repl) => {
    const c = compileOrPanic(r as string);
    return replaceAll(c, s as string, (m) => expand(repl as string, m, c.names));
  }),
  mustRegexReplaceAll: fn(['string', 'string', 'string'], (r, s, repl) => {
    const c = must(() => compileRE2(r as string));
    return replaceAll(c, s as string, (m) => expand(repl as string, m, c.names));
  }),
  regexReplaceAllLiteral: fn(['string', 'string', 'string'], (r, s, repl) => replaceAll(compileOrPanic(r as string), s as string, () => repl as string)),
  mustRegexReplaceAllLiteral: fn(['string', 'string', 'string'], (r, s, repl) => replaceAll(compileRE2(r as string), s as string, () => repl as string)),
  regexSplit: fn(['string', 'string', 'int'], (r, s, n) => strs(split(compileOrPanic(r as string), s as string, int(n)))),
  mustRegexSplit: fn(['string', 'string', 'int'], (r, s, n) => strs(split(compileRE2(r as string), s as string, int(n)))),
  regexQuoteMeta: fn(['string'], (s) => quoteMeta(s as string)),
};
