/** Parse tree nodes of text/template, with Go's Node.String() for error contexts. */
import { quoteGo as quote } from './fmt.js';

export const K = {
  List: 0,
  Text: 1,
  Action: 2,
  If: 3,
  Range: 4,
  With: 5,
  Template: 6,
  Break: 7,
  Continue: 8,
  Pipe: 9,
  Command: 10,
  Identifier: 11,
  Variable: 12,
  Dot: 13,
  Nil: 14,
  Field: 15,
  Chain: 16,
  Bool: 17,
  Number: 18,
  String: 19,
  End: 20,
  Else: 21,
} as const;

export interface ListNode {
  k: typeof K.List;
  pos: number;
  nodes: Node[];
}
export interface TextNode {
  k: typeof K.Text;
  pos: number;
  text: string;
}
export interface ActionNode {
  k: typeof K.Action;
  pos: number;
  pipe: PipeNode;
}
export interface BranchNode {
  k: typeof K.If | typeof K.Range | typeof K.With;
  pos: number;
  pipe: PipeNode;
  list: ListNode;
  elseList: ListNode | null;
}
export interface TemplateNode {
  k: typeof K.Template;
  pos: number;
  name: string;
  pipe: PipeNode | null;
}
export interface LoopControlNode {
  k: typeof K.Break | typeof K.Continue;
  pos: number;
}
export interface PipeNode {
  k: typeof K.Pipe;
  pos: number;
  isAssign: boolean;
  decl: VariableNode[];
  cmds: CommandNode[];
}
export interface CommandNode {
  k: typeof K.Command;
  pos: number;
  args: ArgNode[];
}
export interface IdentifierNode {
  k: typeof K.Identifier;
  pos: number;
  ident: string;
  /** Execution-time memo of the function this name resolves to (a template's functions never change). */
  resolved?: unknown;
}
export interface VariableNode {
  k: typeof K.Variable;
  pos: number;
  ident: string[];
}
export interface DotNode {
  k: typeof K.Dot;
  pos: number;
}
export interface NilNode {
  k: typeof K.Nil;
  pos: number;
}
export interface FieldNode {
  k: typeof K.Field;
  pos: number;
  ident: string[];
}
export interface ChainNode {
  k: typeof K.Chain;
  pos: number;
  node: ArgNode;
  field: string[];
}
export interface BoolNode {
  k: typeof K.Bool;
  pos: number;
  val: boolean;
}
export interface NumberNode {
  k: typeof K.Number;
  pos: number;
  text: string;
  isInt: boolean;
  isUint: boolean;
  isFloat: boolean;
  int64: bigint;
  uint64: bigint;
  float64: number;
  /** How Go's idealConstant types this literal where no type is expected: float64, int, or an overflow error. */
  ideal: 'float' | 'int' | 'overflow' | 'none';
}
export interface StringNode {
  k: typeof K.String;
  pos: number;
  quoted: string;
  text: string;
}
/** Only during parsing. */
export interface EndNode {
  k: typeof K.End;
  pos: number;
}
export interface ElseNode {
  k: typeof K.Else;
  pos: number;
}

export type ArgNode = PipeNode | IdentifierNode | VariableNode | DotNode | NilNode | FieldNode | ChainNode | BoolNode | NumberNode | StringNode;
export type Node = ListNode | TextNode | ActionNode | BranchNode | TemplateNode | LoopControlNode | PipeNode | CommandNode | ArgNode | EndNode | ElseNode;

/** A parsed template: one `define`, `block` or the top level of a Parse call. */
export interface Tree {
  name: string;
  /** Name of the top-level template that was parsed, used in every error location. */
  parseName: string;
  /** Full text the tree was parsed from. */
  text: string;
  root: ListNode;
}


/** Go's Node.String(). */
export function nodeString(n: Node): string {
  switch (n.k) {
    case K.List:
      return n.nodes.map(nodeString).join('');
    case K.Text:
      return n.text;
    case K.Action:
      return `{{${nodeString(n.pipe)}}}`;
    case K.If:
    case K.Range:
    case K.With: {
      const name = n.k === K.If ? 'if' : n.k === K.Range ? 'range' : 'with';
      let s = `{{${name} ${nodeString(n.pipe)}}}${nodeString(n.list)}`;
      if (n.elseList) s += `{{else}}${nodeString(n.elseList)}`;
      return s + '{{end}}';
    }
    case K.Template:
      return n.pipe ? `{{template ${quote(n.name)} ${nodeString(n.pipe)}}}` : `{{template ${quote(n.name)}}}`;
    case K.Break:
      return '{{break}}';
    case K.Continue:
      return '{{continue}}';
    case K.Pipe: {
      let s = '';
      if (n.decl.length) {
        s = n.decl.map(nodeString).join(', ') + (n.isAssign ? ' = ' : ' := ');
      }
      return s + n.cmds.map(nodeString).join(' | ');
    }
    case K.Command:
      return n.args.map((a) => (a.k === K.Pipe ? `(${nodeString(a)})` : nodeString(a))).join(' ');
    case K.Identifier:
      return n.ident;
    case K.Variable:
      return n.ident.join('.');
    case K.Dot:
      return '.';
    case K.Nil:
      return 'nil';
    case K.Field:
      return n.ident.map((i) => '.' + i).join('');
    case K.Chain: {
      let s = n.node.k === K.Pipe ? `(${nodeString(n.node)})` : nodeString(n.node);
      for (const f of n.field) s += '.' + f;
      return s;
    }
    case K.Bool:
      return n.val ? 'true' : 'false';
    case K.Number:
      return n.text;
    case K.String:
      return n.quoted;
    case K.End:
      return '{{end}}';
    case K.Else:
      return '{{else}}';
  }
}

export function isEmptyTree(n: Node): boolean {
  switch (n.k) {
    case K.List:
      return n.nodes.every(isEmptyTree);
    case K.Text:
      return /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/.test(n.text);
    default:
      return false;
  }
}
