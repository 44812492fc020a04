/**
 * The seam between the topology engine and a Go text/template implementation. The engine needs three things from
 * templates: render `enabledIf` / `valueFrom.template` / naming templates with JSON data, and check at class
 * validation that a template parses. Parsed templates are cached by text, since the same class templates render
 * for every Cluster.
 */

export interface TemplateRenderer {
  /**
   * Render `text` (named `name` in error messages) with `data`. `missingKeyError` selects Go's
   * `missingkey=error`. Throws an Error whose message reads like Go's text/template errors.
   */
  render(name: string, text: string, data: unknown, missingKeyError?: boolean): string;
  /** Returns the parse error message, or undefined when the template parses. */
  parseError(name: string, text: string): string | undefined;
}

/** The parts of a template engine the renderer uses (the src/gotemplate API). */
export interface TemplateEngineApi {
  parseTemplate(name: string, text: string, opts?: { missingKey?: 'default' | 'zero' | 'error' | string }): { execute(data: unknown): string };
}

/** Wrap a template engine with a parse cache keyed by name, option and text. */
export function cachingRenderer(engine: TemplateEngineApi, maxEntries = 4096): TemplateRenderer {
  const cache = new Map<string, { execute(data: unknown): string }>();
  const parsed = (name: string, text: string, missingKeyError: boolean): { execute(data: unknown): string } => {
    const key = `${missingKeyError ? 'e' : 'd'}\u0000${name}\u0000${text}`;
    let t = cache.get(key);
    if (!t) {
      t = engine.parseTemplate(name, text, missingKeyError ? { missingKey: 'error' } : undefined);
      if (cache.size >= maxEntries) cache.clear();
      cache.set(key, t);
    }
    return t;
  };
  return {
    render(name, text, data, missingKeyError = false) {
      return parsed(name, text, missingKeyError).execute(data);
    },
    parseError(name, text) {
      try {
        parsed(name, text, false);
        return undefined;
      } catch (e) {
        return e instanceof Error ? e.message : String(e);
      }
    },
  };
}

/** A renderer that refuses every template: for callers that have no template engine wired. */
export const noTemplates: TemplateRenderer = {
  render(name) {
    throw new Error(`template ${JSON.stringify(name)}: no Go template engine is configured`);
  },
  parseError() {
    return undefined;
  },
};
