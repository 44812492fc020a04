/**
 * Draws a cluster tree (cluster-tree.ts) as `clusterctl describe cluster` prints v1beta1 conditions: columns NAME,
 * READY, SEVERITY, REASON, SINCE, MESSAGE; the NAME column carries the tree (├─ └─ │), and each listed condition
 * hangs under its object's row. Colours (ANSI) only when asked for.
 */
import type { Condition } from '../api/cluster/types.js';
import { humanDuration } from '../apiserver/table.js';
import { rowName, type TreeNode } from './cluster-tree.js';

export interface PrintOptions {
  /** "Now" for the SINCE column. */
  now: Date;
  /** ANSI colours (a terminal that wants them). */
  color?: boolean;
}

export const HEADER = ['NAME', 'READY', 'SEVERITY', 'REASON', 'SINCE', 'MESSAGE'] as const;

const FIRST = '├─';
const LAST = '└─';
const PIPE = '│ ';
const BLANK = '  ';
/** Indent of a row's condition list under the row's name. */
const CONDITION_INDENT = ' '.repeat(10);
const MAX_MESSAGE = 100;

const ANSI = { bold: '1', red: '31', green: '32', yellow: '33', white: '37', cyan: '36', gray: '90' } as const;
type Style = keyof typeof ANSI;

// eslint-disable-next-line no-control-regex
const ESCAPES = /\x1b\[[0-9;]*m/g;

function visibleWidth(s: string): number {
  return [...s.replace(ESCAPES, '')].length;
}

/** The prefix of a child row: the parent's branches carried down, then ├─ or └─. */
export function childPrefix(parentPrefix: string, index: number, count: number): string {
  const carried = parentPrefix.replaceAll(FIRST, PIPE).replaceAll(LAST, BLANK);
  return carried + (index < count - 1 ? FIRST : LAST);
}

class Painter {
  constructor(private readonly on: boolean) {}
  paint(text: string, ...styles: Style[]): string {
    if (!this.on || !text || !styles.length) return text;
    return `\x1b[${styles.map((s) => ANSI[s]).join(';')}m${text}\x1b[0m`;
  }
}

function readyStyle(c: Condition | undefined): Style {
  if (!c) return 'gray';
  if (c.status === 'True') return 'green';
  if (c.severity === 'Error') return 'red';
  if (c.severity === 'Warning') return 'yellow';
  return 'white';
}

function oneLine(message: string | undefined): string {
  const flat = (message ?? '').replace(/\s*\n\s*/g, ' ').trim();
  return flat.length > MAX_MESSAGE ? `${flat.slice(0, MAX_MESSAGE)} ...` : flat;
}

function since(c: Condition | undefined, now: Date): string {
  const t = c?.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  return Number.isNaN(t) ? '' : humanDuration(now.getTime() - t);
}

/** The cells of a condition: READY, SEVERITY, REASON, SINCE, MESSAGE. */
function conditionCells(c: Condition | undefined, now: Date, p: Painter): string[] {
  const style = readyStyle(c);
  return [p.paint(c?.status ?? '', style), p.paint(c?.severity ?? '', style), p.paint(c?.reason ?? '', style), since(c, now), oneLine(c?.message)];
}

function nameCell(n: TreeNode, p: Painter): string {
  if (n.group) return p.paint(rowName(n), 'white', 'bold');
  if (n.virtual) return n.kind;
  const own = `${n.kind}/${p.paint(n.name, 'bold')}`;
  const text = n.role ? `${n.role} - ${own}` : own;
  return n.deleting ? `${p.paint('!! DELETED !!', 'red')} ${text}` : text;
}

function addRows(n: TreeNode, prefix: string, rows: string[][], opts: PrintOptions, p: Painter): void {
  const cells = conditionCells(n.ready, opts.now, p);
  if (n.group) {
    const shown = n.group.slice(0, 2).join(', ');
    cells[4] = p.paint(`See ${shown}${n.group.length > 2 ? ', ...' : ''}`, 'gray');
  }
  rows.push([p.paint(prefix, 'gray') + nameCell(n, p), ...cells]);
  const conditionBase = prefix + (n.children.length ? PIPE : BLANK) + CONDITION_INDENT;
  n.conditions.forEach((c, i) => {
    rows.push([p.paint(childPrefix(conditionBase, i, n.conditions.length), 'gray') + p.paint(c.type, 'cyan'), ...conditionCells(c, opts.now, p)]);
  });
  n.children.forEach((child, i) => addRows(child, childPrefix(prefix, i, n.children.length), rows, opts, p));
}

/** The tree as a table, one line per row, ending in a newline. */
export function printClusterTree(root: TreeNode, opts: PrintOptions): string {
  const p = new Painter(!!opts.color);
  const rows: string[][] = [[...HEADER]];
  addRows(root, '', rows, opts, p);
  const widths = HEADER.map((_, col) => Math.max(...rows.map((r) => visibleWidth(r[col]!))));
  return rows
    .map((r) =>
      r
        .map((cell, col) => (col === r.length - 1 ? cell : cell + ' '.repeat(widths[col]! - visibleWidth(cell) + 2)))
        .join('')
        .trimEnd(),
    )
    .join('\n')
    .concat('\n');
}
