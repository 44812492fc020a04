/**
 * Memoized rendering of patch templates. A template's output is a pure function of the data it reads (the sprig
 * set is hermetic), so results are cached under the template text plus the values at the end of every field chain
 * its actions read from the data root (`.builtin.cluster.name`, `.proxy`). Templates that read the whole data (`.` alone, `$` alone) are not cached. Templates
 * that call a mutating sprig function (set, unset, merge...) render on a private copy of the data, as every
 * render in Cluster API works on freshly decoded data.
 */
import { cloneJSON } from './objects.js';

interface Deps {
  /** Top-level keys the actions mention; undefined: the template reads the whole data (not cacheable). */
  keys?: string[];
  /** Field chains read from the data root (`.builtin.cluster.name` -> [builtin, cluster, name]). */
  chains?: string[][];
  /** The template may mutate its data. */
  mutates: boolean;
}

const depsCache = new Map<string, Deps>();
const MUTATING = /\b(set|unset|merge|mergeOverwrite|mustMerge|mustMergeOverwrite)\b/;

/** Static dependencies of a template: the identifiers after `.` inside its actions. */
export function templateDeps(text: string): Deps {
  let d = depsCache.get(text);
  if (d) return d;
  const actions: string[] = [];
  const re = /\{\{-?([\s\S]*?)-?\}\}/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) actions.push(m[1]!);
  const code = actions
    .join(' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/"(?:[^"\\]|\\.)*"|`[^`]*`|'(?:[^'\\]|\\.)*'/g, ' ');
  const wholeData = /(?<![0-9A-Za-z_\])])\.(?![A-Za-z_0-9])/.test(code) || /\$(?![A-Za-z0-9_.])/.test(code);
  const keys = new Set<string>();
  for (const k of code.matchAll(/\.([A-Za-z_][A-Za-z0-9_]*)/g)) keys.add(k[1]!);
  // Chains that start at the data root (not after a variable, a parenthesis or another name): their values
  // determine everything the template can read (relative chains inside range/with only add harmless keys).
  const chains = new Map<string, string[]>();
  for (const c of code.matchAll(/(?<![A-Za-z0-9_)\]])((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) chains.set(c[1]!, c[1]!.slice(1).split('.'));
  for (const c of code.matchAll(/(?<![A-Za-z0-9_])\$((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) chains.set(c[1]!, c[1]!.slice(1).split('.'));
  // A chain after `)` or a variable reads from a value reached through another chain (or a constant) only.
  d = wholeData ? { mutates: MUTATING.test(code) } : { keys: [...keys].sort(), chains: [...chains.keys()].sort().map((k) => chains.get(k)!), mutates: MUTATING.test(code) };
  if (depsCache.size > 10_000) depsCache.clear();
  depsCache.set(text, d);
  return d;
}

// Ids only ever grow, so clearing an intern table never lets an old id stand for a new text or value.
let nextId = 1;
const textIds = new Map<string, number>();
const valueIds = new Map<string, number>();
/** Interned id of each string value seen (a short key part instead of the whole string). */
const stringIds = new Map<string, number>();
/** Interned id of each object value seen (values are not mutated while cached: renders that may mutate get copies). */
const objectIds = new WeakMap<object, number>();

function internJSON(json: string): number {
  let id = valueIds.get(json);
  if (id === undefined) {
    if (valueIds.size > 200_000) valueIds.clear();
    valueIds.set(json, (id = nextId++));
  }
  return id;
}

/** The interned value at the end of a field chain, or of the first step that is not an object. */
function internChain(data: Record<string, unknown>, chain: string[]): number | string {
  let v: unknown = data;
  let depth = 0;
  for (const f of chain) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) break;
    v = (v as Record<string, unknown>)[f];
    depth++;
  }
  return `${depth}:${internOne(v)}`;
}

function internOne(v: unknown): number | string {
  if (v === undefined) return 0;
  if (typeof v === 'string') {
    let id = stringIds.get(v);
    if (id === undefined) {
      if (stringIds.size > 200_000) stringIds.clear();
      stringIds.set(v, (id = nextId++));
    }
    return `s${id}`;
  }
  if (v === null || typeof v !== 'object') return `p${String(v)}`;
  let id = objectIds.get(v);
  if (id === undefined) objectIds.set(v, (id = internJSON(JSON.stringify(v))));
  return id;
}

export class RenderMemo<T> {
  private readonly map = new Map<string, T>();
  constructor(private readonly maxEntries = 50_000) {}

  /** The cache key of `text` over `data`, or undefined when the template cannot be cached. */
  key(text: string, data: Record<string, unknown>): string | undefined {
    const deps = templateDeps(text);
    if (!deps.keys) return undefined;
    let tid = textIds.get(text);
    if (tid === undefined) {
      if (textIds.size > 20_000) textIds.clear();
      textIds.set(text, (tid = nextId++));
    }
    let k = String(tid);
    for (const chain of deps.chains!) k += `,${internChain(data, chain)}`;
    return k;
  }

  get(key: string | undefined): T | undefined {
    return key === undefined ? undefined : this.map.get(key);
  }

  set(key: string | undefined, value: T): void {
    if (key === undefined) return;
    if (this.map.size >= this.maxEntries) this.map.clear();
    this.map.set(key, value);
  }
}

/** The data a render may use: a private copy when the template can mutate it. */
export function dataFor(text: string, data: Record<string, unknown>): Record<string, unknown> {
  const deps = templateDeps(text);
  if (!deps.mutates) return data;
  if (!deps.keys) return cloneJSON(data);
  // Only the variables the template mentions are reachable from its actions: copy just those.
  const out: Record<string, unknown> = { ...data };
  for (const k of deps.keys) if (k in out) out[k] = cloneJSON(out[k]);
  return out;
}
