/** The text/template lexer: turns template text into items, as Go's text/template/parse lexer does. */
import { quoteGo as goQuote } from './fmt.js';

export const T = {
  Error: 0,
  Bool: 1,
  Char: 2,
  CharConstant: 3,
  Comment: 4,
  Complex: 5,
  Assign: 6,
  Declare: 7,
  EOF: 8,
  Field: 9,
  Identifier: 10,
  LeftDelim: 11,
  LeftParen: 12,
  Number: 13,
  Pipe: 14,
  RawString: 15,
  RightDelim: 16,
  RightParen: 17,
  Space: 18,
  String: 19,
  Text: 20,
  Variable: 21,
  // keywords (all above Keyword)
  Keyword: 30,
  Block: 31,
  Break: 32,
  Continue: 33,
  Dot: 34,
  Define: 35,
  Else: 36,
  End: 37,
  If: 38,
  Nil: 39,
  Range: 40,
  Template: 41,
  With: 42,
} as const;
export type ItemType = (typeof T)[keyof typeof T];

export interface Item {
  t: ItemType;
  /** Offset in the template text (UTF-16 index). */
  pos: number;
  val: string;
}

const KEYWORDS: Record<string, ItemType> = {
  '.': T.Dot,
  block: T.Block,
  break: T.Break,
  continue: T.Continue,
  define: T.Define,
  else: T.Else,
  end: T.End,
  if: T.If,
  range: T.Range,
  nil: T.Nil,
  template: T.Template,
  with: T.With,
};

/** Go's item.String(), used in parse error messages. */
export function itemString(i: Item): string {
  if (i.t === T.EOF) return 'EOF';
  if (i.t === T.Error) return i.val;
  if (i.t > T.Keyword) return `<${i.val}>`;
  if ([...i.val].length > 10) return quoteTrunc(i.val, 10) + '...';
  return goQuote(i.val);
}

function quoteTrunc(s: string, n: number): string {
  return goQuote([...s].slice(0, n).join(''));
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10;
}

const alnumRe = /[\p{L}\p{Nd}_]/u;

function isAlphaNumeric(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (Number.isNaN(c)) return false;
  if (c < 0x80) return c === 95 || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  return alnumRe.test(String.fromCodePoint(s.codePointAt(i)!));
}

function charLen(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
}

export interface LexOptions {
  leftDelim?: string;
  rightDelim?: string;
  /** false when a function named "break" / "continue" exists (then they are identifiers). */
  breakOK?: boolean;
  continueOK?: boolean;
}

/** Lexes the whole input. The item list ends with EOF or an Error item. */
export function lex(input: string, opts: LexOptions = {}): Item[] {
  const ld = opts.leftDelim || '{{';
  const rd = opts.rightDelim || '}}';
  const breakOK = opts.breakOK ?? true;
  const continueOK = opts.continueOK ?? true;
  const items: Item[] = [];
  let start = 0;
  let pos = 0;
  let parenDepth = 0;
  const n = input.length;

  const emit = (t: ItemType): void => {
    items.push({ t, pos: start, val: input.slice(start, pos) });
    start = pos;
  };
  const fail = (msg: string): false => {
    items.push({ t: T.Error, pos: start, val: msg });
    return false;
  };
  /** Past a quoted string or character constant (pos just after the opening quote); backslash escapes one character. */
  const scanQuoted = (quote: number, unterminated: string): boolean => {
    for (;;) {
      if (pos >= n) return fail(unterminated);
      const d = input.charCodeAt(pos++);
      if (d === 92) {
        if (pos < n && input.charCodeAt(pos) !== 10) {
          pos += charLen(input, pos);
          continue;
        }
        if (pos < n) pos++;
        return fail(unterminated);
      }
      if (d === 10) return fail(unterminated);
      if (d === quote) return true;
    }
  };
  const hasLeftTrimMarker = (i: number): boolean => i + 1 < n && input.charCodeAt(i) === 45 && isSpace(input.charCodeAt(i + 1));
  const hasRightTrimMarker = (i: number): boolean => i + 1 < n && isSpace(input.charCodeAt(i)) && input.charCodeAt(i + 1) === 45;
  /** [atDelim, trimSpace] at pos. */
  const atRightDelim = (): [boolean, boolean] => {
    if (hasRightTrimMarker(pos) && input.startsWith(rd, pos + 2)) return [true, true];
    if (input.startsWith(rd, pos)) return [true, false];
    return [false, false];
  };
  const leftTrimLength = (i: number): number => {
    let j = i;
    while (j < n && isSpace(input.charCodeAt(j))) j++;
    return j - i;
  };
  const atTerminator = (): boolean => {
    if (pos >= n) return true;
    const c = input.charCodeAt(pos);
    if (isSpace(c)) return true;
    switch (c) {
      case 46: // .
      case 44: // ,
      case 124: // |
      case 58: // :
      case 41: // )
      case 40: // (
        return true;
    }
    return input.startsWith(rd, pos);
  };
  const badChar = (): string => {
    if (pos >= n) return 'bad character U+FFFD'; // not reached: EOF is a terminator
    const cp = input.codePointAt(pos)!;
    return `bad character ${unicodeRepr(cp)}`;
  };

  /** Returns false after an error. */
  const lexInsideAction = (): boolean => {
    for (;;) {
      const [delim, trim] = atRightDelim();
      if (delim) {
        if (parenDepth !== 0) return fail('unclosed left paren');
        // lexRightDelim
        if (trim) {
          pos += 2;
          start = pos;
        }
        pos += rd.length;
        emit(T.RightDelim);
        if (trim) {
          pos += leftTrimLength(pos);
          start = pos;
        }
        return true;
      }
      if (pos >= n) return fail('unclosed action');
      const c = input.charCodeAt(pos);
      if (isSpace(c)) {
        // lexSpace
        let spaces = 0;
        while (pos < n && isSpace(input.charCodeAt(pos))) {
          pos++;
          spaces++;
        }
        if (hasRightTrimMarker(pos - 1) && input.startsWith(rd, pos - 1 + 2)) {
          pos--;
          if (spaces === 1) continue;
        }
        emit(T.Space);
        continue;
      }
      pos++;
      switch (c) {
        case 61: // =
          emit(T.Assign);
          continue;
        case 58: // :
          if (input.charCodeAt(pos) !== 61) {
            if (pos < n) pos += charLen(input, pos);
            return fail('expected :=');
          }
          pos++;
          emit(T.Declare);
          continue;
        case 124: // |
          emit(T.Pipe);
          continue;
        case 34: // "
          if (!scanQuoted(34, 'unterminated quoted string')) return false;
          emit(T.String);
          continue;
        case 96: {
          // `
          const close = input.indexOf('`', pos);
          if (close < 0) {
            pos = n;
            return fail('unterminated raw quoted string');
          }
          pos = close + 1;
          emit(T.RawString);
          continue;
        }
        case 36: // $
          if (!lexFieldOrVariable(T.Variable)) return false;
          continue;
        case 39: // '
          if (!scanQuoted(39, 'unterminated character constant')) return false;
          emit(T.CharConstant);
          continue;
        case 46: // .
          if (pos < n) {
            const d = input.charCodeAt(pos);
            if (d < 48 || d > 57) {
              if (!lexFieldOrVariable(T.Field)) return false;
              continue;
            }
          }
          pos--;
          if (!lexNumber()) return false;
          continue;
        case 40: // (
          emit(T.LeftParen);
          parenDepth++;
          continue;
        case 41: // )
          emit(T.RightParen);
          parenDepth--;
          if (parenDepth < 0) return fail('unexpected right paren');
          continue;
      }
      if (c === 43 || c === 45 || (c >= 48 && c <= 57)) {
        pos--;
        if (!lexNumber()) return false;
        continue;
      }
      if (isAlphaNumeric(input, pos - 1)) {
        pos--;
        // lexIdentifier
        while (isAlphaNumeric(input, pos)) pos += charLen(input, pos);
        const word = input.slice(start, pos);
        if (!atTerminator()) return fail(badChar());
        const kw = KEYWORDS[word];
        if (kw !== undefined && Object.prototype.hasOwnProperty.call(KEYWORDS, word)) {
          if ((kw === T.Break && !breakOK) || (kw === T.Continue && !continueOK)) emit(T.Identifier);
          else emit(kw);
        } else if (word === 'true' || word === 'false') emit(T.Bool);
        else emit(T.Identifier);
        continue;
      }
      if (c < 0x80 && c >= 0x20 && c < 0x7f) {
        emit(T.Char);
        continue;
      }
      pos--;
      const cp = input.codePointAt(pos)!;
      pos += charLen(input, pos);
      return fail(`unrecognized character in action: ${unicodeRepr(cp)}`);
    }
  };

  const lexFieldOrVariable = (t: ItemType): boolean => {
    if (atTerminator()) {
      emit(t === T.Variable ? T.Variable : T.Dot);
      return true;
    }
    while (isAlphaNumeric(input, pos)) pos += charLen(input, pos);
    if (!atTerminator()) {
      const msg = badChar();
      pos += charLen(input, pos);
      return fail(msg);
    }
    emit(t);
    return true;
  };

  const accept = (valid: string): boolean => {
    if (pos < n && valid.includes(input[pos]!)) {
      pos++;
      return true;
    }
    return false;
  };
  const acceptRun = (valid: string): void => {
    while (pos < n && valid.includes(input[pos]!)) pos++;
  };
  const scanNumber = (): boolean => {
    accept('+-');
    let digits = '0123456789_';
    if (accept('0')) {
      if (accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (accept('oO')) digits = '01234567_';
      else if (accept('bB')) digits = '01_';
    }
    acceptRun(digits);
    if (accept('.')) acceptRun(digits);
    if (digits.length === 11 && accept('eE')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    if (digits.length === 23 && accept('pP')) {
      accept('+-');
      acceptRun('0123456789_');
    }
    accept('i');
    if (isAlphaNumeric(input, pos)) {
      pos += charLen(input, pos);
      return false;
    }
    return true;
  };
  const lexNumber = (): boolean => {
    if (!scanNumber()) return fail(`bad number syntax: ${goQuote(input.slice(start, pos))}`);
    const sign = input[pos];
    if (sign === '+' || sign === '-') {
      if (!scanNumber() || input[pos - 1] !== 'i') return fail(`bad number syntax: ${goQuote(input.slice(start, pos))}`);
      emit(T.Complex);
    } else emit(T.Number);
    return true;
  };

  // lexText / lexLeftDelim / lexComment loop
  for (;;) {
    const x = input.indexOf(ld, pos);
    if (x < 0) {
      pos = n;
      if (pos > start) emit(T.Text);
      start = pos;
      emit(T.EOF);
      return items;
    }
    if (x > pos) {
      pos = x;
      let trimLength = 0;
      const delimEnd = pos + ld.length;
      if (hasLeftTrimMarker(delimEnd)) {
        let j = pos;
        while (j > start && isSpace(input.charCodeAt(j - 1))) j--;
        trimLength = pos - j;
      }
      pos -= trimLength;
      if (pos > start) emit(T.Text);
      pos += trimLength;
      start = pos;
    }
    // lexLeftDelim
    pos += ld.length;
    const trimSpace = hasLeftTrimMarker(pos);
    const afterMarker = trimSpace ? 2 : 0;
    if (input.startsWith('/*', pos + afterMarker)) {
      // lexComment
      pos += afterMarker;
      start = pos;
      pos += 2;
      const close = input.indexOf('*/', pos);
      if (close < 0) {
        fail('unclosed comment');
        return items;
      }
      pos = close + 2;
      const [delim, trim] = atRightDelim();
      if (!delim) {
        fail('comment ends before closing delimiter');
        return items;
      }
      if (trim) pos += 2;
      pos += rd.length;
      if (trim) pos += leftTrimLength(pos);
      start = pos;
      continue;
    }
    emit(T.LeftDelim);
    pos += afterMarker;
    start = pos;
    parenDepth = 0;
    if (!lexInsideAction()) return items;
  }
}

/** Go's %#U of a rune: U+0041 'A'. */
export function unicodeRepr(cp: number): string {
  const hex = cp.toString(16).toUpperCase().padStart(4, '0');
  const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(String.fromCodePoint(cp));
  return printable ? `U+${hex} '${String.fromCodePoint(cp)}'` : `U+${hex}`;
}
