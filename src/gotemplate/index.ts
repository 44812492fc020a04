/**
 * Go's text/template, with the sprig function set Cluster API uses.
 *
 *   const t = parseTemplate('tpl', '{{ .builtin.cluster.name | upper }}');
 *   t.execute({ builtin: { cluster: { name: 'c1' } } }); // "C1"
 *
 * Data is JSON (numbers are Go float64). Errors are {@link TemplateError}s whose messages read like Go's.
 */
export { TemplateError, type TemplateErrorKind } from './errors.js';
export type { MissingKey } from './exec.js';
export { Template, parseTemplate, executeTemplate, TemplateCache, cachedTemplate, defaultTemplateCache, type TemplateOptions } from './template.js';
export { GoInt, GoObject, GoFuncError, goFunc, goInt, withGoType, type GoValue, type GoMap, type GoFunc, type GoCallable, type ParamType } from './values.js';
export { sprigFuncs, OMITTED_SPRIG_FUNCTIONS } from './sprig/index.js';
export { sprint, sprintf, sprintln, formatValue, formatFloat, quoteGo } from './fmt.js';
