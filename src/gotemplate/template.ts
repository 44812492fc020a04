/** Public API: parse once, execute many times; a bounded cache keyed by template text. */
import type { Tree } from './ast.js';
import { builtins } from './builtins.js';
import { TemplateError } from './errors.js';
import { execute, type MissingKey, type TemplateSetLike } from './exec.js';
import { quoteGo } from './fmt.js';
import { parse } from './parser.js';
import { sprigFuncs } from './sprig/index.js';
import type { GoCallable, GoFunc } from './values.js';

export interface TemplateOptions {
  /** Go's Option("missingkey=…"): `default` (and `zero`) print `<no value>`; `error` fails. */
  missingKey?: MissingKey;
  /** Extra or overriding functions (they take precedence over sprig and the builtins, as in Go). */
  funcs?: Record<string, GoFunc>;
  /** Include the sprig function set (default true). */
  sprig?: boolean;
  leftDelim?: string;
  rightDelim?: string;
}

/** A parsed template and the templates it defines (`define`, `block`). Immutable; safe to share. */
export class Template implements TemplateSetLike {
  readonly missingKey: MissingKey;
  private readonly funcs: Record<string, GoCallable> | null;
  private readonly useSprig: boolean;

  /** @internal use {@link parseTemplate}. */
  constructor(
    readonly name: string,
    readonly trees: Map<string, Tree>,
    opts: TemplateOptions,
  ) {
    this.missingKey = opts.missingKey ?? 'default';
    this.funcs = opts.funcs ?? null;
    this.useSprig = opts.sprig ?? true;
  }

  lookupFunc(name: string): { fn: GoCallable; builtin: boolean } | undefined {
    const own = this.funcs && Object.prototype.hasOwnProperty.call(this.funcs, name) ? this.funcs[name] : undefined;
    if (own) return { fn: own, builtin: false };
    // Functions added with Funcs (sprig here) take precedence over the builtins, as in Go: sprig's
    // `slice` replaces text/template's.
    if (this.useSprig && Object.prototype.hasOwnProperty.call(sprigFuncs, name)) return { fn: sprigFuncs[name]!, builtin: false };
    if (Object.prototype.hasOwnProperty.call(builtins, name)) return { fn: builtins[name]!, builtin: true };
    return undefined;
  }

  /** Renders the template against JSON data. Throws {@link TemplateError}. */
  execute(data: unknown): string {
    return execute(this, this.name, data);
  }

  /** Renders an associated template by name (Go's ExecuteTemplate). */
  executeTemplate(name: string, data: unknown): string {
    if (!this.trees.has(name)) throw new TemplateError(`template: no template ${quoteGo(name)} associated with template ${quoteGo(this.name)}`, name, 'exec');
    return execute(this, name, data);
  }

  /** Names of the templates defined by this parse, sorted. */
  definedTemplates(): string[] {
    return [...this.trees.keys()].sort();
  }
}

/** Parses `text` as template `name`. Throws {@link TemplateError} with Go's parse error text. */
export function parseTemplate(name: string, text: string, opts: TemplateOptions = {}): Template {
  const probe = new Template(name, new Map(), opts);
  const trees = parse(name, text, {
    hasFunction: (fnName) => probe.lookupFunc(fnName) !== undefined,
    leftDelim: opts.leftDelim,
    rightDelim: opts.rightDelim,
  });
  return new Template(name, trees, opts);
}

/** Parses and executes in one step (no caching). */
export function executeTemplate(name: string, text: string, data: unknown, opts: TemplateOptions = {}): string {
  return parseTemplate(name, text, opts).execute(data);
}

type Entry = Template | TemplateError;

/**
 * A bounded cache of parsed templates keyed by (name, options, text). Parse errors are cached too,
 * so a broken template in a hot loop is parsed once. Custom function maps are keyed by identity.
 */
export class TemplateCache {
  private readonly plain = new Map<string, Entry>();
  private readonly withFuncs = new WeakMap<object, Map<string, Entry>>();

  constructor(readonly maxEntries = 4096) {}

  get(name: string, text: string, opts: TemplateOptions = {}): Template {
    const key = `${name}\u0000${opts.missingKey ?? 'default'}\u0000${opts.sprig === false ? 0 : 1}\u0000${opts.leftDelim ?? ''}\u0000${opts.rightDelim ?? ''}\u0000${text}`;
    let map = this.plain;
    if (opts.funcs) {
      let m = this.withFuncs.get(opts.funcs);
      if (!m) {
        m = new Map();
        this.withFuncs.set(opts.funcs, m);
      }
      map = m;
    }
    let e = map.get(key);
    if (e === undefined) {
      try {
        e = parseTemplate(name, text, opts);
      } catch (err) {
        if (!(err instanceof TemplateError)) throw err;
        e = err;
      }
      if (map.size >= this.maxEntries) map.delete(map.keys().next().value as string);
      map.set(key, e);
    }
    if (e instanceof TemplateError) throw e;
    return e;
  }

  get size(): number {
    return this.plain.size;
  }

  clear(): void {
    this.plain.clear();
  }
}

/** The process-wide cache used by {@link cachedTemplate}. */
export const defaultTemplateCache = new TemplateCache();

/** A parsed template from the process-wide cache (name defaults to Cluster API's "tpl"). */
export function cachedTemplate(text: string, opts: TemplateOptions & { name?: string } = {}): Template {
  return defaultTemplateCache.get(opts.name ?? 'tpl', text, opts);
}
