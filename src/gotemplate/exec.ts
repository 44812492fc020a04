/** The text/template executor: walks a parse tree over Go-modelled data, with Go's error messages. */
import {
  K,
  type ArgNode,
  type BranchNode,
  type ChainNode,
  type CommandNode,
  type FieldNode,
  type IdentifierNode,
  type Node,
  type NumberNode,
  type PipeNode,
  type TemplateNode,
  type Tree,
  type VariableNode,
  nodeString,
} from './ast.js';
import { TemplateError } from './errors.js';
import { formatValue, quoteGo } from './fmt.js';
import { NIL_MAP, GoInt, GoObject, type GoCallable, type GoMap, type GoValue, type ParamType, goTypeOf, isTrue, sortedKeys, goInt } from './values.js';

export type MissingKey = 'default' | 'zero' | 'error';

/** Everything one execution needs: the trees of a template set, its functions and options. */
export interface TemplateSetLike {
  trees: Map<string, Tree>;
  lookupFunc(name: string): { fn: GoCallable; builtin: boolean } | undefined;
  missingKey: MissingKey;
}

const MISSING = Symbol('missing');
const NO_PARENT = Symbol('no parent');

/** The Go type text of a field receiver for messages: interface {} when it sits in an interface{} slot. */
function receiverType(receiver: GoValue, recvIface: boolean, parent: GoValue | typeof NO_PARENT): string {
  const iface = parent === NO_PARENT ? recvIface : goTypeOf(parent as GoValue) === 'map[string]interface {}';
  return iface ? 'interface {}' : goTypeOf(receiver);
}
type Final = GoValue | typeof MISSING;

/** Control flow result of walking a node: keep going, break, continue. */
const OK = 0;
const BREAK = 1;
const CONTINUE = 2;
type Ctl = 0 | 1 | 2;

const MAX_EXEC_DEPTH = 100000;

class ExecAbort extends Error {}

const NO_ARGS: ArgNode[] = [];

/** Raised when the JavaScript stack runs out inside nested {{template}} calls; reported as Go's depth limit. */
class DepthExceeded {
  constructor(
    readonly node: TemplateNode,
    readonly tree: Tree | null,
    readonly name: string,
  ) {}
}

const TYPE_NAMES: Record<ParamType, string> = {
  any: 'interface {}',
  value: 'reflect.Value',
  string: 'string',
  int: 'int',
  int64: 'int64',
  uint32: 'uint32',
  float64: 'float64',
  bool: 'bool',
  map: 'map[string]interface {}',
  strings: '[]string',
};

export function execute(set: TemplateSetLike, name: string, data: unknown): string {
  const tree = set.trees.get(name);
  const st = new State(set, tree ?? null, name);
  const dot = data as GoValue;
  st.push('$', dot, false);
  try {
    if (!tree) return st.errorf(`${quoteGo(name)} is an incomplete or empty template`);
    st.walk(dot, false, tree.root);
  } catch (e) {
    if (e instanceof ExecAbort) throw new TemplateError(e.message, name, 'exec');
    if (e instanceof DepthExceeded) {
      st.tree = e.tree;
      st.name = e.name;
      st.node = e.node;
      try {
        st.errorf(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
      } catch (e2) {
        if (e2 instanceof ExecAbort) throw new TemplateError(e2.message, name, 'exec');
        throw e2;
      }
    }
    throw e;
  }
  return st.out;
}

class State {
  out = '';
  node: Node | null = null;
  private names: string[] = [];
  private vals: GoValue[] = [];
  private ifaces: boolean[] = [];
  depth = 0;

  constructor(
    private readonly set: TemplateSetLike,
    public tree: Tree | null,
    public name: string,
  ) {}

  // ---- errors

  errorf(msg: string): never {
    if (!this.node || !this.tree) throw new ExecAbort(`template: ${this.name}: ${msg}`);
    const [loc, ctx] = errorContext(this.tree, this.node);
    throw new ExecAbort(`template: ${loc}: executing ${quoteGo(this.name)} at <${ctx}>: ${msg}`);
  }

  // ---- variables

  push(name: string, v: GoValue, iface: boolean): void {
    this.names.push(name);
    this.vals.push(v);
    this.ifaces.push(iface);
  }
  mark(): number {
    return this.names.length;
  }
  pop(mark: number): void {
    this.names.length = mark;
    this.vals.length = mark;
    this.ifaces.length = mark;
  }
  setVar(name: string, v: GoValue, iface: boolean): void {
    for (let i = this.names.length - 1; i >= 0; i--) {
      if (this.names[i] === name) {
        this.vals[i] = v;
        this.ifaces[i] = iface;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }
  setTopVar(n: number, v: GoValue, iface: boolean): void {
    const i = this.names.length - n;
    this.vals[i] = v;
    this.ifaces[i] = iface;
  }
  private varIndex(name: string): number {
    for (let i = this.names.length - 1; i >= 0; i--) if (this.names[i] === name) return i;
    this.errorf(`undefined variable: ${name}`);
  }

  // ---- walking

  walk(dot: GoValue, di: boolean, node: Node): Ctl {
    this.node = node;
    switch (node.k) {
      case K.Text:
        this.out += node.text;
        return OK;
      case K.Action: {
        const v = this.evalPipeline(dot, di, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, v);
        return OK;
      }
      case K.List: {
        const nodes = node.nodes;
        for (let i = 0; i < nodes.length; i++) {
          const c = this.walk(dot, di, nodes[i]!);
          if (c !== OK) return c;
        }
        return OK;
      }
      case K.If:
      case K.With:
        return this.walkIfOrWith(dot, di, node);
      case K.Range:
        return this.walkRange(dot, di, node);
      case K.Template:
        this.walkTemplate(dot, di, node);
        return OK;
      case K.Break:
        return BREAK;
      case K.Continue:
        return CONTINUE;
    }
    this.errorf(`unknown node: ${nodeString(node)}`);
  }

  private walkIfOrWith(dot: GoValue, di: boolean, node: BranchNode): Ctl {
    const mark = this.mark();
    try {
      const val = this.evalPipeline(dot, di, node.pipe);
      if (isTrue(val)) {
        return node.k === K.With ? this.walk(val, false, node.list) : this.walk(dot, di, node.list);
      }
      if (node.elseList) return this.walk(dot, di, node.elseList);
      return OK;
    } finally {
      this.pop(mark);
    }
  }

  private walkRange(dot: GoValue, di: boolean, r: BranchNode): Ctl {
    this.node = r;
    const outer = this.mark();
    try {
      const val = this.evalPipeline(dot, di, r.pipe);
      const mark = this.mark();
      if (Array.isArray(val)) {
        if (val.length > 0) {
          const iface = goTypeOf(val) === '[]interface {}';
          for (let i = 0; i < val.length; i++) {
            const el = val[i];
            if (this.rangeIteration(r, mark, goInt(i), el === undefined ? null : el, iface) === BREAK) break;
          }
          return OK;
        }
      } else if (val !== undefined && val !== null && typeof val === 'object' && !(val instanceof GoInt) && !(val instanceof GoObject)) {
        const keys = sortedKeys(val as GoMap);
        if (keys.length > 0) {
          const iface = goTypeOf(val) === 'map[string]interface {}';
          for (const k of keys) {
            if (this.rangeIteration(r, mark, k, (val as GoMap)[k] ?? null, iface) === BREAK) break;
          }
          return OK;
        }
      } else if (val !== undefined && val !== null) {
        this.errorf(`range can't iterate over ${formatValue(val)}`);
      }
      if (r.elseList) return this.walk(dot, di, r.elseList);
      return OK;
    } finally {
      this.pop(outer);
    }
  }

  /** One iteration of a range: set $index/$element (declared or assigned), walk the body. */
  private rangeIteration(r: BranchNode, mark: number, index: GoValue, elem: GoValue, elemIface: boolean): Ctl {
    const decl = r.pipe.decl;
    if (decl.length > 0) {
      if (r.pipe.isAssign) {
        if (decl.length > 1) this.setVar(decl[0]!.ident[0]!, index, false);
        else this.setVar(decl[0]!.ident[0]!, elem, elemIface);
      } else this.setTopVar(1, elem, elemIface);
    }
    if (decl.length > 1) {
      if (r.pipe.isAssign) this.setVar(decl[1]!.ident[0]!, elem, elemIface);
      else this.setTopVar(2, index, false);
    }
    const c = this.walk(elem, elemIface, r.list);
    this.pop(mark);
    return c;
  }

  private walkTemplate(dot: GoValue, di: boolean, t: TemplateNode): void {
    this.node = t;
    const tree = this.set.trees.get(t.name);
    if (!tree) this.errorf(`template ${quoteGo(t.name)} not defined`);
    if (this.depth >= MAX_EXEC_DEPTH) this.errorf(`exceeded maximum template depth (${MAX_EXEC_DEPTH})`);
    const newDot = t.pipe ? this.evalPipeline(dot, di, t.pipe) : undefined;
    const saved = { names: this.names, vals: this.vals, ifaces: this.ifaces, tree: this.tree, name: this.name };
    this.names = ['$'];
    this.vals = [newDot];
    this.ifaces = [false];
    this.tree = tree;
    this.name = t.name;
    this.depth++;
    try {
      this.walk(newDot, false, tree.root);
    } catch (e) {
      // Stack exhaustion: unwind with as little work as possible, then report at the top.
      if (e instanceof RangeError && e.message === 'Maximum call stack size exceeded') throw new DepthExceeded(t, saved.tree, saved.name);
      throw e;
    } finally {
      this.depth--;
      this.names = saved.names;
      this.vals = saved.vals;
      this.ifaces = saved.ifaces;
      this.tree = saved.tree;
      this.name = saved.name;
    }
  }

  private printValue(n: Node, v: GoValue): void {
    this.node = n;
    if (v === undefined || v === null) {
      this.out += '<no value>';
      return;
    }
    switch (typeof v) {
      case 'string':
        this.out += v;
        return;
      default:
        this.out += formatValue(v);
    }
  }

  // ---- evaluation

  /** Evaluates a pipeline; declarations are pushed (or assigned). Returns an invalid value as undefined. */
  evalPipeline(dot: GoValue, di: boolean, pipe: PipeNode): GoValue {
    this.node = pipe;
    let value: Final = MISSING;
    const cmds = pipe.cmds;
    for (let i = 0; i < cmds.length; i++) {
      value = this.evalCommand(dot, di, cmds[i]!, value);
      // An interface{} holding nil becomes an invalid value.
      if (value === null) value = undefined;
    }
    const v = value as GoValue;
    for (const variable of pipe.decl) {
      if (pipe.isAssign) this.setVar(variable.ident[0]!, v, false);
      else this.push(variable.ident[0]!, v, false);
    }
    return v;
  }

  private notAFunction(args: ArgNode[], final: Final): void {
    if (args.length > 1 || final !== MISSING) this.errorf(`can't give argument to non-function ${nodeString(args[0]!)}`);
  }

  private evalCommand(dot: GoValue, di: boolean, cmd: CommandNode, final: Final): GoValue {
    const first = cmd.args[0]!;
    switch (first.k) {
      case K.Field:
        return this.evalFieldNode(dot, di, first, cmd.args, final);
      case K.Chain:
        return this.evalChainNode(dot, di, first, cmd.args, final);
      case K.Identifier:
        return this.evalFunction(dot, di, first, cmd, cmd.args, final);
      case K.Pipe:
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, di, first);
      case K.Variable:
        return this.evalVariableNode(dot, di, first, cmd.args, final);
    }
    this.node = first;
    this.notAFunction(cmd.args, final);
    switch (first.k) {
      case K.Bool:
        return first.val;
      case K.Dot:
        return dot;
      case K.Nil:
        this.errorf('nil is not a command');
      // falls through (never)
      case K.Number:
        return this.idealConstant(first);
      case K.String:
        return first.text;
    }
  }

  private idealConstant(c: NumberNode): GoValue {
    this.node = c;
    switch (c.ideal) {
      case 'float':
        return c.float64;
      case 'int':
        return new GoInt(c.int64, 'int');
      case 'overflow':
        this.errorf(`${c.text} overflows int`);
    }
    return undefined;
  }

  private evalFieldNode(dot: GoValue, di: boolean, field: FieldNode, args: ArgNode[] | null, final: Final): GoValue {
    this.node = field;
    return this.evalFieldChain(dot, di, dot, di, field, field.ident, 0, args, final);
  }

  private evalChainNode(dot: GoValue, di: boolean, chain: ChainNode, args: ArgNode[] | null, final: Final): GoValue {
    this.node = chain;
    if (chain.node.k === K.Nil) this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const base = this.evalArg(dot, di, null, chain.node);
    return this.evalFieldChain(dot, di, base, false, chain, chain.field, 0, args, final);
  }

  private evalVariableNode(dot: GoValue, di: boolean, v: VariableNode, args: ArgNode[] | null, final: Final): GoValue {
    this.node = v;
    const i = this.varIndex(v.ident[0]!);
    const value = this.vals[i];
    if (v.ident.length === 1) {
      if (args) this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, di, value, this.ifaces[i]!, v, v.ident, 1, args, final);
  }

  private evalFieldChain(
    dot: GoValue,
    di: boolean,
    receiver: GoValue,
    recvIface: boolean,
    node: Node,
    ident: string[],
    from: number,
    args: ArgNode[] | null,
    final: Final,
  ): GoValue {
    const n = ident.length;
    let parent: GoValue | typeof NO_PARENT = NO_PARENT;
    for (let i = from; i < n - 1; i++) {
      const next = this.evalField(dot, di, ident[i]!, node, null, MISSING, receiver, recvIface, parent);
      parent = receiver;
      receiver = next;
    }
    return this.evalField(dot, di, ident[n - 1]!, node, args, final, receiver, recvIface, parent);
  }

  /**
   * Go's evalField. `parent` is the map the receiver was read from (its element type decides whether
   * Go sees the receiver as interface{} in messages); NO_PARENT means `recvIface` says so directly.
   */
  private evalField(
    dot: GoValue,
    di: boolean,
    fieldName: string,
    node: Node,
    args: ArgNode[] | null,
    final: Final,
    receiver: GoValue,
    recvIface: boolean,
    parent: GoValue | typeof NO_PARENT,
  ): GoValue {
    if (receiver === undefined) {
      if (this.set.missingKey === 'error') this.errorf(`nil data; no entry for key ${quoteGo(fieldName)}`);
      return undefined;
    }
    if (typeof receiver === 'object' && receiver !== null && !Array.isArray(receiver) && !(receiver instanceof GoInt)) {
      if (receiver instanceof GoObject) {
        const m = receiver.member(fieldName);
        if (m) return this.evalCall(dot, di, m, false, node, fieldName, args, final);
        this.errorf(`can't evaluate field ${fieldName} in type ${receiverType(receiver, recvIface, parent)}`);
      }
      if ((args !== null && args.length > 1) || final !== MISSING) this.errorf(`${fieldName} is not a method but has arguments`);
      const m = receiver as GoMap;
      let result = m[fieldName];
      // Only own properties are map entries (never Object.prototype members).
      if (result !== undefined && (typeof result === 'function' || (fieldName === '__proto__' && !Object.prototype.hasOwnProperty.call(m, fieldName)))) result = undefined;
      if (result === undefined) {
        if (this.set.missingKey === 'error') this.errorf(`map has no entry for key ${quoteGo(fieldName)}`);
        if (this.set.missingKey === 'zero') return goTypeOf(m) === 'map[string]string' ? '' : null;
      }
      return result;
    }
    const typ = receiverType(receiver, recvIface, parent);
    if (receiver === null) this.errorf(`nil pointer evaluating ${typ}.${fieldName}`);
    this.errorf(`can't evaluate field ${fieldName} in type ${typ}`);
  }

  private evalFunction(dot: GoValue, di: boolean, node: IdentifierNode, cmd: Node, args: ArgNode[] | null, final: Final): GoValue {
    this.node = node;
    const name = node.ident;
    let f = node.resolved as { fn: GoCallable; builtin: boolean } | undefined;
    if (!f) {
      f = this.set.lookupFunc(name);
      if (!f) this.errorf(`${quoteGo(name)} is not a defined function`);
      node.resolved = f;
    }
    return this.evalCall(dot, di, f.fn, f.builtin, cmd, name, args, final);
  }

  private evalCall(
    dot: GoValue,
    di: boolean,
    fn: GoCallable,
    isBuiltin: boolean,
    node: Node,
    name: string,
    allArgs: ArgNode[] | null,
    final: Final,
  ): GoValue {
    const args = allArgs && allArgs.length > 1 ? allArgs.slice(1) : NO_ARGS;
    const params = fn.params;
    const hasFinal = final !== MISSING;
    const numIn = args.length + (hasFinal ? 1 : 0);
    let numFixed = args.length;
    if (fn.variadic) {
      numFixed = params.length - 1;
      if (numIn < numFixed) this.errorf(`wrong number of args for ${name}: want at least ${params.length - 1} got ${args.length}`);
    } else if (numIn !== params.length) {
      this.errorf(`wrong number of args for ${name}: want ${params.length} got ${numIn}`);
    }

    if (isBuiltin && (name === 'and' || name === 'or')) {
      const isOr = name === 'or';
      let v: GoValue = undefined;
      for (const a of args) {
        v = this.evalArg(dot, di, 'value', a);
        if (v === null) v = undefined;
        if (isTrue(v) === isOr) return v;
      }
      if (hasFinal) v = this.validateType(final as GoValue, 'value');
      return v;
    }

    const argv: GoValue[] = new Array(numIn);
    let i = 0;
    for (; i < numFixed && i < args.length; i++) argv[i] = this.evalArg(dot, di, params[i]!, args[i]!);
    if (fn.variadic) {
      const t = params[params.length - 1]!;
      for (; i < args.length; i++) argv[i] = this.evalArg(dot, di, t, args[i]!);
    }
    if (hasFinal) {
      let t = params[params.length - 1]!;
      if (fn.variadic && numIn - 1 < numFixed) t = params[numIn - 1]!;
      argv[i] = this.validateType(final as GoValue, t);
    }

    if (isBuiltin && name === 'call') {
      const calleeName = args.length === 0 ? formatValue(final as GoValue) : nodeString(args[0]!);
      return this.callBuiltin(node, calleeName, argv);
    }

    let v: GoValue;
    try {
      v = fn.fn(...argv);
    } catch (e) {
      if (e instanceof ExecAbort || e instanceof TemplateError) throw e;
      this.node = node;
      const msg = e instanceof Error ? e.message : String(e);
      this.errorf(`error calling ${name}: ${msg}`);
    }
    return v;
  }

  private callBuiltin(node: Node, calleeName: string, argv: GoValue[]): GoValue {
    const fnv = argv[0];
    this.node = node;
    if (fnv === undefined || fnv === null) this.errorf(`error calling call: call of nil`);
    this.errorf(`error calling call: non-function ${calleeName} of type ${goTypeOf(fnv)}`);
  }

  private validateType(value: GoValue, typ: ParamType | null): GoValue {
    if (value === undefined) {
      if (typ === null) return undefined;
      switch (typ) {
        case 'any':
          return null;
        case 'value':
          return undefined;
        case 'map':
          return NIL_MAP;
        case 'strings':
          return [];
      }
      this.errorf(`invalid value; expected ${TYPE_NAMES[typ]}`);
    }
    if (typ === null || typ === 'any' || typ === 'value') return value;
    if (value === null) {
      // A nil interface{} is not assignable to a concrete type.
      this.errorf(`wrong type for value; expected ${TYPE_NAMES[typ]}; got interface {}`);
    }
    let ok: boolean;
    switch (typ) {
      case 'string':
        ok = typeof value === 'string';
        break;
      case 'float64':
        ok = typeof value === 'number';
        break;
      case 'bool':
        ok = typeof value === 'boolean';
        break;
      case 'int':
      case 'int64':
      case 'uint32':
        ok = value instanceof GoInt && value.type === typ;
        break;
      default:
        ok = goTypeOf(value) === TYPE_NAMES[typ];
    }
    if (!ok) this.errorf(`wrong type for value; expected ${TYPE_NAMES[typ]}; got ${goTypeOf(value)}`);
    return value;
  }

  private evalArg(dot: GoValue, di: boolean, typ: ParamType | null, n: ArgNode): GoValue {
    this.node = n;
    switch (n.k) {
      case K.Dot:
        return this.validateType(dot, typ);
      case K.Nil:
        if (typ === null || typ === 'any' || typ === 'map' || typ === 'strings') return typ === 'map' ? NIL_MAP : typ === 'strings' ? [] : null;
        if (typ === 'value') return undefined;
        this.errorf(`cannot assign nil to ${TYPE_NAMES[typ]}`);
      // falls through (never)
      case K.Field:
        return this.validateType(this.evalFieldNode(dot, di, n, [n], MISSING), typ);
      case K.Variable:
        return this.validateType(this.evalVariableNode(dot, di, n, null, MISSING), typ);
      case K.Pipe:
        return this.validateType(this.evalPipeline(dot, di, n), typ);
      case K.Identifier:
        return this.validateType(this.evalFunction(dot, di, n, n, null, MISSING), typ);
      case K.Chain:
        return this.validateType(this.evalChainNode(dot, di, n, null, MISSING), typ);
    }
    switch (typ) {
      case 'bool':
        if (n.k === K.Bool) return n.val;
        this.errorf(`expected bool; found ${nodeString(n)}`);
      // falls through (never)
      case 'float64':
        if (n.k === K.Number && n.isFloat) return n.float64;
        this.errorf(`expected float; found ${nodeString(n)}`);
      // falls through (never)
      case 'int':
      case 'int64':
        if (n.k === K.Number && n.isInt) return new GoInt(n.int64, typ);
        this.errorf(`expected integer; found ${nodeString(n)}`);
      // falls through (never)
      case 'uint32':
        if (n.k === K.Number && n.isUint) return new GoInt(n.uint64, 'uint32');
        this.errorf(`expected unsigned integer; found ${nodeString(n)}`);
      // falls through (never)
      case 'string':
        if (n.k === K.String) return n.text;
        this.errorf(`expected string; found ${nodeString(n)}`);
      // falls through (never)
      case 'any':
      case 'value':
      case null:
        return this.evalEmptyInterface(n);
    }
    this.errorf(`can't handle ${nodeString(n)} for arg of type ${TYPE_NAMES[typ]}`);
  }

  private evalEmptyInterface(n: ArgNode): GoValue {
    this.node = n;
    switch (n.k) {
      case K.Bool:
        return n.val;
      case K.Number:
        return this.idealConstant(n);
      case K.String:
        return n.text;
    }
    this.errorf(`can't handle assignment of ${nodeString(n)} to empty interface argument`);
  }
}

/** Go's Tree.ErrorContext: `NAME:LINE:COL` (COL in bytes from the line start) and the node text. */
export function errorContext(tree: Tree, n: Node): [string, string] {
  const pos = n.pos;
  const before = tree.text.slice(0, pos);
  const nl = before.lastIndexOf('\n');
  let line = 1;
  for (let i = before.indexOf('\n'); i >= 0; i = before.indexOf('\n', i + 1)) line++;
  const col = nl === -1 ? Buffer.byteLength(before, 'utf8') : Buffer.byteLength(before.slice(nl + 1), 'utf8');
  return [`${tree.parseName}:${line}:${col}`, nodeString(n)];
}

