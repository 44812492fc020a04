/** The text/template parser: items → trees, with Go's parse error messages. */
import {
  K,
  type ArgNode,
  type BranchNode,
  type CommandNode,
  type ElseNode,
  type EndNode,
  type ListNode,
  type Node,
  type NumberNode,
  type PipeNode,
  type TemplateNode,
  type Tree,
  type VariableNode,
  isEmptyTree,
  nodeString,
} from './ast.js';
import { TemplateError } from './errors.js';
import { quoteGo } from './fmt.js';
import { T, itemString, lex, type Item, type ItemType } from './lexer.js';

export interface ParseOptions {
  /** Is a function of this name defined (builtin or user)? */
  hasFunction(name: string): boolean;
  leftDelim?: string;
  rightDelim?: string;
}

class ParseError extends Error {}

/** Parses `text` as template `name`; returns every tree it defines (the top level under `name`). */
export function parse(name: string, text: string, opts: ParseOptions): Map<string, Tree> {
  const items = lex(text, {
    leftDelim: opts.leftDelim,
    rightDelim: opts.rightDelim,
    breakOK: !opts.hasFunction('break'),
    continueOK: !opts.hasFunction('continue'),
  });
  const p = new Parser(name, text, items, opts);
  try {
    p.parseTop();
  } catch (e) {
    if (e instanceof ParseError) throw new TemplateError(e.message, name, 'parse');
    throw e;
  }
  return p.treeSet;
}

class Parser {
  private i = 0;
  private maxRead = 0;
  private vars: string[] = ['$'];
  private rangeDepth = 0;
  private actionPos = -1;
  readonly treeSet = new Map<string, Tree>();

  constructor(
    private readonly parseName: string,
    private readonly text: string,
    private readonly items: Item[],
    private readonly opts: ParseOptions,
  ) {}

  // ---- token stream

  private lineOf(pos: number): number {
    let line = 1;
    for (let j = this.text.indexOf('\n'); j >= 0 && j < pos; j = this.text.indexOf('\n', j + 1)) line++;
    return line;
  }

  private read(): Item {
    const it = this.items[Math.min(this.i, this.items.length - 1)]!;
    if (this.i > this.maxRead) this.maxRead = this.i;
    return it;
  }
  private next(): Item {
    const it = this.read();
    this.i++;
    return it;
  }
  private peek(): Item {
    return this.read();
  }
  private backup(n = 1): void {
    this.i -= n;
  }
  private nextNonSpace(): Item {
    let it: Item;
    do it = this.next();
    while (it.t === T.Space);
    return it;
  }
  private peekNonSpace(): Item {
    const it = this.nextNonSpace();
    this.backup();
    return it;
  }

  private errorf(msg: string): never {
    const tok = this.items[Math.min(this.maxRead, this.items.length - 1)]!;
    throw new ParseError(`template: ${this.parseName}:${this.lineOf(tok.pos)}: ${msg}`);
  }

  private expect(t: ItemType, context: string): Item {
    const tok = this.nextNonSpace();
    if (tok.t !== t) this.unexpected(tok, context);
    return tok;
  }

  private expectOneOf(a: ItemType, b: ItemType, context: string): Item {
    const tok = this.nextNonSpace();
    if (tok.t !== a && tok.t !== b) this.unexpected(tok, context);
    return tok;
  }

  private unexpected(tok: Item, context: string): never {
    if (tok.t === T.Error) {
      let extra = '';
      const line = this.lineOf(tok.pos);
      const actionLine = this.actionPos >= 0 ? this.lineOf(this.actionPos) : 0;
      if (actionLine !== 0 && actionLine !== line) {
        extra = ` in action started at ${this.parseName}:${actionLine}`;
        if (tok.val.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      this.errorf(`${itemString(tok)}${extra}`);
    }
    this.errorf(`unexpected ${itemString(tok)} in ${context}`);
  }

  // ---- trees

  private addTree(name: string, root: ListNode): void {
    const existing = this.treeSet.get(name);
    if (!existing || isEmptyTree(existing.root)) {
      this.treeSet.set(name, { name, parseName: this.parseName, text: this.text, root });
      return;
    }
    if (!isEmptyTree(root)) this.errorf(`template: multiple definition of template ${quoteGo(name)}`);
  }

  parseTop(): void {
    const root: ListNode = { k: K.List, pos: this.peek().pos, nodes: [] };
    while (this.peek().t !== T.EOF) {
      if (this.peek().t === T.LeftDelim) {
        this.next();
        if (this.nextNonSpace().t === T.Define) {
          this.parseDefinition();
          continue;
        }
        // backup2: un-read the keyword-or-whatever and the delimiter
        this.i = this.indexBeforeLastDelim();
      }
      const n = this.textOrAction();
      if (n.k === K.End || n.k === K.Else) this.errorf(`unexpected ${nodeString(n)}`);
      root.nodes.push(n);
    }
    this.addTree(this.parseName, root);
  }

  /** After reading `{{` and one non-space token, go back to the `{{`. */
  private indexBeforeLastDelim(): number {
    let j = this.i - 1;
    while (j > 0 && this.items[j]!.t !== T.LeftDelim) j--;
    return j;
  }

  private parseDefinition(): void {
    const context = 'define clause';
    const nameTok = this.expectOneOf(T.String, T.RawString, context);
    const name = this.unquote(nameTok.val);
    this.expect(T.RightDelim, context);
    const savedVars = this.vars;
    this.vars = ['$'];
    const [list, end] = this.itemList();
    if (end.k !== K.End) this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    this.vars = savedVars;
    this.addTree(name, list);
  }

  private itemList(): [ListNode, Node] {
    const list: ListNode = { k: K.List, pos: this.peekNonSpace().pos, nodes: [] };
    while (this.peekNonSpace().t !== T.EOF) {
      const n = this.textOrAction();
      if (n.k === K.End || n.k === K.Else) return [list, n];
      list.nodes.push(n);
    }
    this.errorf('unexpected EOF');
  }

  private textOrAction(): Node {
    const tok = this.nextNonSpace();
    switch (tok.t) {
      case T.Text:
        return { k: K.Text, pos: tok.pos, text: tok.val };
      case T.LeftDelim: {
        this.actionPos = tok.pos;
        try {
          return this.action();
        } finally {
          this.actionPos = -1;
        }
      }
      default:
        this.unexpected(tok, 'input');
    }
  }

  private action(): Node {
    const tok = this.nextNonSpace();
    switch (tok.t) {
      case T.Block:
        return this.blockControl();
      case T.Break:
        return this.loopControl(tok, K.Break, '{{break}}');
      case T.Continue:
        return this.loopControl(tok, K.Continue, '{{continue}}');
      case T.Else:
        return this.elseControl();
      case T.End:
        return this.endControl();
      case T.If:
        return this.branch(K.If, 'if');
      case T.Range:
        return this.branch(K.Range, 'range');
      case T.Template:
        return this.templateControl();
      case T.With:
        return this.branch(K.With, 'with');
    }
    this.backup();
    const first = this.peek();
    return { k: K.Action, pos: first.pos, pipe: this.pipeline('command', T.RightDelim) };
  }

  private loopControl(tok: Item, k: typeof K.Break | typeof K.Continue, ctx: string): Node {
    const t2 = this.nextNonSpace();
    if (t2.t !== T.RightDelim) this.unexpected(t2, ctx);
    if (this.rangeDepth === 0) this.errorf(`${ctx} outside {{range}}`);
    return { k, pos: tok.pos };
  }

  private pipeline(context: string, end: ItemType): PipeNode {
    const start = this.peekNonSpace();
    const pipe: PipeNode = { k: K.Pipe, pos: start.pos, isAssign: false, decl: [], cmds: [] };
    decls: for (;;) {
      const v = this.peekNonSpace();
      if (v.t !== T.Variable) break;
      this.nextNonSpace();
      const varIndex = this.i - 1;
      const nxt = this.peekNonSpace();
      if (nxt.t === T.Assign || nxt.t === T.Declare) {
        pipe.isAssign = nxt.t === T.Assign;
        this.nextNonSpace();
        pipe.decl.push(this.newVariable(v.pos, v.val));
        this.vars.push(v.val);
      } else if (nxt.t === T.Char && nxt.val === ',') {
        this.nextNonSpace();
        pipe.decl.push(this.newVariable(v.pos, v.val));
        this.vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const pk = this.peekNonSpace().t;
          if (pk === T.Variable || pk === T.RightDelim || pk === T.RightParen) continue decls;
          this.errorf('range can only initialize variables');
        }
        this.errorf(`too many declarations in ${context}`);
      } else {
        // Not a declaration: put the variable (and what followed it) back.
        this.i = varIndex;
      }
      break;
    }
    for (;;) {
      const tok = this.nextNonSpace();
      if (tok.t === end) {
        this.checkPipeline(pipe, context);
        return pipe;
      }
      switch (tok.t) {
        case T.Bool:
        case T.CharConstant:
        case T.Complex:
        case T.Dot:
        case T.Field:
        case T.Identifier:
        case T.Number:
        case T.Nil:
        case T.RawString:
        case T.String:
        case T.Variable:
        case T.LeftParen:
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(tok, context);
      }
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    for (let i = 1; i < pipe.cmds.length; i++) {
      const k = pipe.cmds[i]!.args[0]!.k;
      if (k === K.Bool || k === K.Dot || k === K.Nil || k === K.Number || k === K.String) {
        this.errorf(`non executable command in pipeline stage ${i + 1}`);
      }
    }
  }

  private parseControl(k: BranchNode['k'], context: string): BranchNode {
    const mark = this.vars.length;
    try {
      const pipe = this.pipeline(context, T.RightDelim);
      if (context === 'range') this.rangeDepth++;
      let [list, next] = this.itemList();
      if (context === 'range') this.rangeDepth--;
      let elseList: ListNode | null = null;
      if (next.k === K.Else) {
        if (context === 'if' && this.peek().t === T.If) {
          this.next();
          elseList = { k: K.List, pos: next.pos, nodes: [this.branch(K.If, 'if')] };
        } else {
          [elseList, next] = this.itemList();
          if (next.k !== K.End) this.errorf(`expected end; found ${nodeString(next)}`);
        }
      }
      return { k, pos: pipe.pos, pipe, list, elseList };
    } finally {
      this.vars.length = mark;
    }
  }

  private branch(k: BranchNode['k'], context: string): BranchNode {
    return this.parseControl(k, context);
  }

  private elseControl(): ElseNode {
    const pk = this.peekNonSpace();
    if (pk.t === T.If) return { k: K.Else, pos: pk.pos };
    const tok = this.expect(T.RightDelim, 'else');
    return { k: K.Else, pos: tok.pos };
  }

  private endControl(): EndNode {
    return { k: K.End, pos: this.expect(T.RightDelim, 'end').pos };
  }

  private parseTemplateName(tok: Item, context: string): string {
    if (tok.t === T.String || tok.t === T.RawString) return this.unquote(tok.val);
    this.unexpected(tok, context);
  }

  private blockControl(): TemplateNode {
    const context = 'block clause';
    const tok = this.nextNonSpace();
    const name = this.parseTemplateName(tok, context);
    const pipe = this.pipeline(context, T.RightDelim);
    const savedVars = this.vars;
    const savedDepth = this.rangeDepth;
    this.vars = ['$'];
    this.rangeDepth = 0;
    const [list, end] = this.itemList();
    if (end.k !== K.End) this.errorf(`unexpected ${nodeString(end)} in ${context}`);
    this.vars = savedVars;
    this.rangeDepth = savedDepth;
    this.addTree(name, list);
    return { k: K.Template, pos: tok.pos, name, pipe };
  }

  private templateControl(): TemplateNode {
    const context = 'template clause';
    const tok = this.nextNonSpace();
    const name = this.parseTemplateName(tok, context);
    let pipe: PipeNode | null = null;
    if (this.nextNonSpace().t !== T.RightDelim) {
      this.backup();
      pipe = this.pipeline(context, T.RightDelim);
    }
    return { k: K.Template, pos: tok.pos, name, pipe };
  }

  private command(): CommandNode {
    const cmd: CommandNode = { k: K.Command, pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) cmd.args.push(operand);
      const tok = this.next();
      if (tok.t === T.Space) continue;
      if (tok.t === T.RightDelim || tok.t === T.RightParen) this.backup();
      else if (tok.t !== T.Pipe) this.unexpected(tok, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command');
    return cmd;
  }

  private operand(): ArgNode | null {
    let node = this.term();
    if (!node) return null;
    if (this.peek().t === T.Field) {
      const chainPos = this.peek().pos;
      const fields: string[] = [];
      while (this.peek().t === T.Field) fields.push(this.next().val.slice(1));
      switch (node.k) {
        case K.Field:
          node = { k: K.Field, pos: chainPos, ident: [...node.ident, ...fields] };
          break;
        case K.Variable:
          node = { k: K.Variable, pos: chainPos, ident: [...node.ident, ...fields] };
          break;
        case K.Bool:
        case K.String:
        case K.Number:
        case K.Nil:
        case K.Dot:
          this.errorf(`unexpected . after term ${quoteGo(nodeString(node))}`);
          break;
        default:
          node = { k: K.Chain, pos: chainPos, node, field: fields };
      }
    }
    return node;
  }

  private term(): ArgNode | null {
    const tok = this.nextNonSpace();
    switch (tok.t) {
      case T.Identifier:
        if (!this.opts.hasFunction(tok.val)) this.errorf(`function ${quoteGo(tok.val)} not defined`);
        return { k: K.Identifier, pos: tok.pos, ident: tok.val };
      case T.Dot:
        return { k: K.Dot, pos: tok.pos };
      case T.Nil:
        return { k: K.Nil, pos: tok.pos };
      case T.Variable:
        return this.useVar(tok.pos, tok.val);
      case T.Field:
        return { k: K.Field, pos: tok.pos, ident: [tok.val.slice(1)] };
      case T.Bool:
        return { k: K.Bool, pos: tok.pos, val: tok.val === 'true' };
      case T.CharConstant:
      case T.Complex:
      case T.Number:
        return this.newNumber(tok);
      case T.LeftParen:
        return this.pipeline('parenthesized pipeline', T.RightParen);
      case T.String:
      case T.RawString:
        return { k: K.String, pos: tok.pos, quoted: tok.val, text: this.unquote(tok.val) };
    }
    this.backup();
    return null;
  }

  private newVariable(pos: number, name: string): VariableNode {
    return { k: K.Variable, pos, ident: name.split('.') };
  }

  private useVar(pos: number, name: string): VariableNode {
    const v = this.newVariable(pos, name);
    if (!this.vars.includes(v.ident[0]!)) this.errorf(`undefined variable ${quoteGo(v.ident[0]!)}`);
    return v;
  }

  private unquote(quoted: string): string {
    const r = unquoteGo(quoted);
    if (r === null) this.errorf('invalid syntax');
    return r;
  }

  private newNumber(tok: Item): NumberNode {
    const r = parseNumber(tok.val, tok.t);
    if (typeof r === 'string') this.errorf(r);
    return { ...r, pos: tok.pos };
  }
}

// ---------------------------------------------------------------- literals

/** strconv.Unquote for "…", `…` and '…' (returns null on syntax error). */
export function unquoteGo(s: string): string | null {
  if (s.length < 2) return null;
  const q = s[0]!;
  if (q !== s[s.length - 1]) return null;
  const body = s.slice(1, -1);
  if (q === '`') {
    if (body.includes('`')) return null;
    return body.includes('\r') ? body.replace(/\r/g, '') : body;
  }
  if (q !== '"' && q !== "'") return null;
  if (!body.includes('\\') && !body.includes(q) && !body.includes('\n')) {
    if (q === '"') return body;
    return [...body].length === 1 ? body : null;
  }
  const bytes: number[] = [];
  let i = 0;
  let runes = 0;
  while (i < body.length) {
    const r = unquoteChar(body, i, q);
    if (!r) return null;
    i = r.next;
    runes++;
    if (r.byte !== undefined) bytes.push(r.byte);
    else for (const b of Buffer.from(String.fromCodePoint(r.cp!), 'utf8')) bytes.push(b);
  }
  if (q === "'" && runes !== 1) return null;
  return Buffer.from(bytes).toString('utf8');
}

interface UnquotedChar {
  cp?: number;
  byte?: number;
  next: number;
}

/** strconv.UnquoteChar starting at s[i]. */
export function unquoteChar(s: string, i: number, quote: string): UnquotedChar | null {
  const c = s[i];
  if (c === undefined) return null;
  if (c === quote && (quote === "'" || quote === '"')) return null;
  if (c === '\n') return null;
  if (c !== '\\') {
    const cp = s.codePointAt(i)!;
    return { cp, next: i + (cp > 0xffff ? 2 : 1) };
  }
  const e = s[i + 1];
  if (e === undefined) return null;
  const simple: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92 };
  if (simple[e] !== undefined) return { cp: simple[e], next: i + 2 };
  if (e === "'" || e === '"') {
    if (e !== quote) return null;
    return { cp: e.charCodeAt(0), next: i + 2 };
  }
  if (e === 'x' || e === 'u' || e === 'U') {
    const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
    const hex = s.slice(i + 2, i + 2 + n);
    if (hex.length !== n || !/^[0-9a-fA-F]+$/.test(hex)) return null;
    const v = parseInt(hex, 16);
    if (e === 'x') return { byte: v, next: i + 2 + n };
    if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) return null;
    return { cp: v, next: i + 2 + n };
  }
  if (e >= '0' && e <= '7') {
    const oct = s.slice(i + 1, i + 4);
    if (oct.length !== 3 || !/^[0-7]{3}$/.test(oct)) return null;
    const v = parseInt(oct, 8);
    if (v > 255) return null;
    return { byte: v, next: i + 4 };
  }
  return null;
}

function underscoreOK(s: string): boolean {
  let saw = '^';
  let i = 0;
  if (s.length >= 1 && (s[0] === '-' || s[0] === '+')) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'bBoOxX'.includes(s[1]!)) {
    i = 2;
    saw = '0';
    hex = s[1] === 'x' || s[1] === 'X';
  }
  for (; i < s.length; i++) {
    const c = s[i]!;
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

/** strconv.ParseInt(s, 0, 64) / ParseUint(s, 0, 64): null on any error. */
export function parseGoInt(s: string, unsigned: boolean): bigint | null {
  let neg = false;
  let body = s;
  if (!unsigned && (body[0] === '+' || body[0] === '-')) {
    neg = body[0] === '-';
    body = body.slice(1);
  }
  if (!body) return null;
  let base = 10;
  let digits = body;
  if (body[0] === '0' && body.length > 1) {
    const p = body[1]!.toLowerCase();
    if (p === 'x') {
      base = 16;
      digits = body.slice(2);
    } else if (p === 'b') {
      base = 2;
      digits = body.slice(2);
    } else if (p === 'o') {
      base = 8;
      digits = body.slice(2);
    } else {
      base = 8;
      digits = body.slice(1);
    }
  }
  if (digits.includes('_')) {
    if (!underscoreOK(body)) return null;
    digits = digits.replace(/_/g, '');
  }
  if (!digits) return null;
  const valid = base === 16 ? /^[0-9a-fA-F]+$/ : base === 10 ? /^[0-9]+$/ : base === 8 ? /^[0-7]+$/ : /^[01]+$/;
  if (!valid.test(digits)) return null;
  const prefix = base === 16 ? '0x' : base === 8 ? '0o' : base === 2 ? '0b' : '';
  let v = BigInt(prefix + digits);
  if (neg) v = -v;
  if (unsigned) return v <= UINT64_MAX ? v : null;
  return v >= INT64_MIN && v <= INT64_MAX ? v : null;
}

/** strconv.ParseFloat(s, 64): null on error or overflow. */
export function parseGoFloat(s: string): number | null {
  let body = s;
  let sign = 1;
  if (body[0] === '+' || body[0] === '-') {
    if (body[0] === '-') sign = -1;
    body = body.slice(1);
  }
  if (body.includes('_')) {
    if (!underscoreOK(s)) return null;
    body = body.replace(/_/g, '');
  }
  let v: number;
  if (/^0[xX]/.test(body)) {
    const m = /^0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?[0-9]+)$/.exec(body);
    if (!m || (m[1] === '' && (m[2] ?? '') === '')) return null;
    const mant = BigInt('0x' + ((m[1] ?? '') + (m[2] ?? '') || '0'));
    const exp = Number(m[3]) - 4 * (m[2] ?? '').length;
    v = Number(mant) * Math.pow(2, exp);
  } else {
    if (!/^(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(body)) return null;
    v = Number(body);
  }
  if (!Number.isFinite(v)) return null;
  return sign * v;
}

type NumberFields = Omit<NumberNode, 'pos'>;

/** Go's parse.newNumber: returns the node fields or an error message. */
export function parseNumber(text: string, typ: ItemType): NumberFields | string {
  const n: NumberFields = { k: K.Number, text, isInt: false, isUint: false, isFloat: false, int64: 0n, uint64: 0n, float64: 0, ideal: 'none' };
  if (typ === T.CharConstant) {
    const r = unquoteChar(text, 1, "'");
    if (!r) return 'invalid syntax';
    if (text.slice(r.next) !== "'") return `malformed character constant: ${text}`;
    const cp = r.cp ?? r.byte!;
    n.int64 = BigInt(cp);
    n.uint64 = BigInt(cp);
    n.float64 = cp;
    n.isInt = n.isUint = n.isFloat = true;
    n.ideal = 'int';
    return n;
  }
  if (typ === T.Complex || text.endsWith('i')) {
    return `complex constants are not supported: ${text}`;
  }
  const u = parseGoInt(text, true);
  if (u !== null) {
    n.isUint = true;
    n.uint64 = u;
  }
  const i = parseGoInt(text, false);
  if (i !== null) {
    n.isInt = true;
    n.int64 = i;
    if (i === 0n) {
      n.isUint = true;
      n.uint64 = u ?? 0n;
    }
  }
  if (n.isInt) {
    n.isFloat = true;
    n.float64 = Number(n.int64);
  } else if (n.isUint) {
    n.isFloat = true;
    n.float64 = Number(n.uint64);
  } else {
    const f = parseGoFloat(text);
    if (f !== null) {
      if (!/[.eEpP]/.test(text)) return `integer overflow: ${quoteGo(text)}`;
      n.isFloat = true;
      n.float64 = f;
      if (Number.isInteger(f) && f >= -9223372036854775808 && f < 9223372036854775808) {
        n.isInt = true;
        n.int64 = BigInt(f);
      }
      if (Number.isInteger(f) && f >= 0 && f < 18446744073709551616) {
        n.isUint = true;
        n.uint64 = BigInt(f);
      }
    }
  }
  if (!n.isInt && !n.isUint && !n.isFloat) return `illegal number syntax: ${quoteGo(text)}`;
  // Go's idealConstant: the syntax decides between float64 and int.
  const isHexInt = text.length > 2 && text[0] === '0' && (text[1] === 'x' || text[1] === 'X') && !/[pP]/.test(text);
  if (n.isFloat && !isHexInt && /[.eEpP]/.test(text)) n.ideal = 'float';
  else if (n.isInt) n.ideal = 'int';
  else if (n.isUint) n.ideal = 'overflow';
  return n;
}
