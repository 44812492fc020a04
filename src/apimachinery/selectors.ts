/**
 * Label and field selectors with Kubernetes semantics (k8s.io/apimachinery/pkg/labels and pkg/fields).
 *
 * Label selector grammar (as accepted by `?labelSelector=`):
 *   <selector>    ::= <requirement> | <requirement> "," <selector>
 *   <requirement> ::= [!] KEY [ ("in" | "notin") "(" VALUES ")" | ("=" | "==" | "!=" | ">" | "<") VALUE ]
 * Errors use kube-apiserver's wording so kubectl users see familiar messages.
 */
import { badRequest, StatusError } from './errors.js';

// ---------------------------------------------------------------------------------------------
// Label selectors
// ---------------------------------------------------------------------------------------------

/** selection.Operator values, spelled as Kubernetes spells them. */
export type LabelSelectorOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelSelectorOperator;
  /** Sorted, de-duplicated for set operators; exactly one value for =, ==, !=, gt, lt; empty for exists and !. */
  readonly values: readonly string[];
}

export interface LabelSelector {
  /** ANDed requirements, sorted by key. Empty = matches everything. */
  readonly requirements: readonly LabelRequirement[];
  /** labels.Nothing(): matches no object (a nil metav1.LabelSelector). */
  readonly nothing?: boolean;
}

/** metav1.LabelSelectorRequirement. */
export interface LabelSelectorRequirementObject {
  key: string;
  operator: string;
  values?: string[] | null;
}

/** metav1.LabelSelector. */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: LabelSelectorRequirementObject[] | null;
}

export const everythingLabelSelector: LabelSelector = Object.freeze({ requirements: Object.freeze([]) as readonly LabelRequirement[] });
export const nothingLabelSelector: LabelSelector = Object.freeze({ requirements: Object.freeze([]) as readonly LabelRequirement[], nothing: true });

export { qualifiedNameErrors, dns1123SubdomainErrors, labelValueErrors } from './validation.js';
import { qualifiedNameErrors, labelValueErrors } from './validation.js';

import { goQuote } from './go-quote.js';

/** A field.Error rendered as `<path>: Invalid value: <value>: <detail>`. */
function invalidField(path: string, value: string | string[], detail: string): string {
  const v = typeof value === 'string' ? goQuote(value) : JSON.stringify(value);
  return `${path}: Invalid value: ${v}: ${detail}`;
}

/** utilerrors.Aggregate rendering: one message as is, several de-duplicated inside [...]. */
function aggregate(msgs: string[]): string {
  const uniq = [...new Set(msgs)];
  return uniq.length === 1 ? uniq[0] : `[${uniq.join(', ')}]`;
}

/** labels.NewRequirement: validate and build. `path` is the field path prefix ("" renders as kube's nil path). */
function newRequirement(key: string, operator: LabelSelectorOperator, values: string[], path: string | null): { req: LabelRequirement; errors: string[] } {
  const errs: string[] = [];
  const child = (name: string): string => (path ? `${path}.${name}` : name);
  const keyErrs = qualifiedNameErrors(key);
  if (keyErrs.length) errs.push(invalidField(child('key'), key, keyErrs.join('; ')));
  const valuePath = child('values');
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0) errs.push(invalidField(valuePath, values, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1) errs.push(invalidField(valuePath, values, 'exact-match compatibility requires one single value'));
      break;
    case 'exists':
    case '!':
      if (values.length !== 0) errs.push(invalidField(valuePath, values, 'values set must be empty for exists and does not exist'));
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1) errs.push(invalidField(valuePath, values, "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined) errs.push(invalidField(`${valuePath}[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
  }
  values.forEach((v, i) => {
    const vErrs = labelValueErrors(v);
    if (vErrs.length) errs.push(invalidField(`${valuePath}[${i}][${key}]`, v, vErrs.join('; ')));
  });
  return { req: { key, operator, values }, errors: errs };
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.ParseInt(s, 10, 64). */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

// --- lexer ---------------------------------------------------------------------------------

const enum Tok {
  EndOfString,
  ClosedPar,
  Comma,
  DoesNotExist,
  DoubleEquals,
  Equals,
  GreaterThan,
  Identifier,
  In,
  LessThan,
  NotEquals,
  NotIn,
  OpenPar,
}

const LITERAL_TOKENS: Record<string, Tok> = {
  ')': Tok.ClosedPar,
  ',': Tok.Comma,
  '!': Tok.DoesNotExist,
  '==': Tok.DoubleEquals,
  '=': Tok.Equals,
  '>': Tok.GreaterThan,
  in: Tok.In,
  '<': Tok.LessThan,
  '!=': Tok.NotEquals,
  notin: Tok.NotIn,
  '(': Tok.OpenPar,
};

interface Scanned {
  tok: Tok;
  lit: string;
}

const isWhitespace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string): boolean => c === '=' || c === '!' || c === '(' || c === ')' || c === ',' || c === '>' || c === '<';

function lex(s: string): Scanned[] {
  const out: Scanned[] = [];
  let pos = 0;
  // Go reads bytes and treats NUL as end of input.
  const at = (i: number): string => (i < s.length && s[i] !== '\0' ? s[i] : '');
  for (;;) {
    while (at(pos) !== '' && isWhitespace(at(pos))) pos++;
    const ch = at(pos);
    if (ch === '') {
      out.push({ tok: Tok.EndOfString, lit: '' });
      return out;
    }
    if (isSpecial(ch)) {
      // Longest operator built from special symbols: extend while the buffer keeps naming a token.
      let buf = '';
      let last: Scanned | undefined;
      while (at(pos) !== '' && isSpecial(at(pos))) {
        const next = buf + at(pos);
        const tok = LITERAL_TOKENS[next];
        if (tok !== undefined) {
          buf = next;
          last = { tok, lit: next };
          pos++;
        } else if (last) {
          break;
        } else {
          buf = next;
          pos++;
        }
      }
      out.push(last ?? { tok: Tok.Identifier, lit: buf });
      continue;
    }
    let buf = '';
    while (at(pos) !== '' && !isSpecial(at(pos)) && !isWhitespace(at(pos))) buf += s[pos++];
    const tok = Object.prototype.hasOwnProperty.call(LITERAL_TOKENS, buf) ? LITERAL_TOKENS[buf] : Tok.Identifier;
    out.push({ tok, lit: buf });
  }
}

// --- parser --------------------------------------------------------------------------------

class ParseError extends Error {}

class LabelParser {
  private pos = 0;
  constructor(private readonly items: Scanned[]) {}

  /** In value context the keywords in/notin are plain identifiers. */
  private lookahead(values: boolean): Scanned {
    return this.adjust(this.items[this.pos], values);
  }

  private consume(values: boolean): Scanned {
    const it = this.items[this.pos];
    if (this.pos < this.items.length - 1) this.pos++;
    return this.adjust(it, values);
  }

  private adjust(it: Scanned, values: boolean): Scanned {
    if (values && (it.tok === Tok.In || it.tok === Tok.NotIn)) return { tok: Tok.Identifier, lit: it.lit };
    return it;
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead(true);
      if (tok === Tok.Identifier || tok === Tok.DoesNotExist) {
        let r: LabelRequirement;
        try {
          r = this.parseRequirement();
        } catch (e) {
          if (e instanceof ParseError) throw new ParseError(`unable to parse requirement: ${e.message}`);
          throw e;
        }
        reqs.push(r);
        const t = this.consume(true);
        if (t.tok === Tok.EndOfString) return reqs;
        if (t.tok === Tok.Comma) {
          const t2 = this.lookahead(true);
          if (t2.tok !== Tok.Identifier && t2.tok !== Tok.DoesNotExist) throw new ParseError(`found '${t2.lit}', expected: identifier after ','`);
        } else {
          throw new ParseError(`found '${t.lit}', expected: ',' or 'end of string'`);
        }
      } else if (tok === Tok.EndOfString) {
        return reqs;
      } else {
        throw new ParseError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  private parseRequirement(): LabelRequirement {
    const { key, operator } = this.parseKeyAndInferOperator();
    if (operator === 'exists' || operator === '!') return build(key, operator, []);
    const op = this.parseOperator();
    const values = op === 'in' || op === 'notin' ? this.parseValues() : this.parseExactValue();
    return build(key, op, [...values].sort(compareStrings));
  }

  private parseKeyAndInferOperator(): { key: string; operator: LabelSelectorOperator | undefined } {
    let operator: LabelSelectorOperator | undefined;
    let t = this.consume(true);
    if (t.tok === Tok.DoesNotExist) {
      operator = '!';
      t = this.consume(true);
    }
    if (t.tok !== Tok.Identifier) throw new ParseError(`found '${t.lit}', expected: identifier`);
    const keyErrs = qualifiedNameErrors(t.lit);
    if (keyErrs.length) throw new ParseError(invalidField('<nil>', t.lit, keyErrs.join('; ')));
    const next = this.lookahead(true).tok;
    if ((next === Tok.EndOfString || next === Tok.Comma) && operator !== '!') operator = 'exists';
    return { key: t.lit, operator };
  }

  private parseOperator(): LabelSelectorOperator {
    const { tok, lit } = this.consume(false);
    switch (tok) {
      case Tok.In:
        return 'in';
      case Tok.Equals:
        return '=';
      case Tok.DoubleEquals:
        return '==';
      case Tok.GreaterThan:
        return 'gt';
      case Tok.LessThan:
        return 'lt';
      case Tok.NotIn:
        return 'notin';
      case Tok.NotEquals:
        return '!=';
      default:
        throw new ParseError(`found '${lit}', expected: in, notin, =, ==, !=, gt, lt`);
    }
  }

  private parseValues(): Set<string> {
    const open = this.consume(true);
    if (open.tok !== Tok.OpenPar) throw new ParseError(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.lookahead(true);
    if (tok === Tok.Identifier || tok === Tok.Comma) {
      const s = this.parseIdentifiersList();
      if (this.consume(true).tok !== Tok.ClosedPar) throw new ParseError(`found '${lit}', expected: ')'`);
      return s;
    }
    if (tok === Tok.ClosedPar) {
      this.consume(true);
      return new Set(['']);
    }
    throw new ParseError(`found '${lit}', expected: ',', ')' or identifier`);
  }

  private parseIdentifiersList(): Set<string> {
    const s = new Set<string>();
    for (;;) {
      const { tok, lit } = this.consume(true);
      if (tok === Tok.Identifier) {
        s.add(lit);
        const t2 = this.lookahead(true);
        if (t2.tok === Tok.Comma) continue;
        if (t2.tok === Tok.ClosedPar) return s;
        throw new ParseError(`found '${t2.lit}', expected: ',' or ')'`);
      } else if (tok === Tok.Comma) {
        if (s.size === 0) s.add(''); // "(,"
        const t2 = this.lookahead(true).tok;
        if (t2 === Tok.ClosedPar) {
          s.add(''); // ",)"
          return s;
        }
        if (t2 === Tok.Comma) {
          this.consume(true);
          s.add(''); // ",,"
        }
      } else {
        throw new ParseError(`found '${lit}', expected: ',', or identifier`);
      }
    }
  }

  private parseExactValue(): Set<string> {
    const la = this.lookahead(true).tok;
    if (la === Tok.EndOfString || la === Tok.Comma) return new Set(['']);
    const { tok, lit } = this.consume(true);
    if (tok === Tok.Identifier) return new Set([lit]);
    throw new ParseError(`found '${lit}', expected: identifier`);
  }
}

function build(key: string, op: LabelSelectorOperator, values: string[]): LabelRequirement {
  const { req, errors } = newRequirement(key, op, values, null);
  if (errors.length) throw new ParseError(aggregate(errors));
  return req;
}

/** Go's sort.Strings order (byte-wise; equal to UTF-16 order for the label charset). */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortByKey(reqs: LabelRequirement[]): LabelRequirement[] {
  return reqs.map((r, i) => [r, i] as const).sort((a, b) => compareStrings(a[0].key, b[0].key) || a[1] - b[1]).map(([r]) => r);
}

/** labels.Parse. Throws a 400 BadRequest StatusError carrying kube's parser message. */
export function parseLabelSelector(s: string): LabelSelector {
  try {
    return { requirements: sortByKey(new LabelParser(lex(s)).parse()) };
  } catch (e) {
    if (e instanceof ParseError) throw badRequest(e.message);
    throw e;
  }
}

/** Requirement.Matches for each requirement (AND). */
export function matchesLabels(sel: LabelSelector, labels: Record<string, string> | undefined | null): boolean {
  if (sel.nothing) return false;
  const ls = labels ?? {};
  const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(ls, k);
  for (const r of sel.requirements) {
    if (!requirementMatches(r, has(r.key) ? ls[r.key] : undefined)) return false;
  }
  return true;
}

function requirementMatches(r: LabelRequirement, value: string | undefined): boolean {
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return value !== undefined && r.values.includes(value);
    case 'notin':
    case '!=':
      return value === undefined || !r.values.includes(value);
    case 'exists':
      return value !== undefined;
    case '!':
      return value === undefined;
    case 'gt':
    case 'lt': {
      if (value === undefined || r.values.length !== 1) return false;
      const lv = parseInt64(value);
      const rv = parseInt64(r.values[0]);
      if (lv === undefined || rv === undefined) return false;
      return r.operator === 'gt' ? lv > rv : lv < rv;
    }
    default:
      return false;
  }
}

/** Requirement.String. */
export function labelRequirementToString(r: LabelRequirement): string {
  const vals = (): string => [...r.values].sort(compareStrings).join(',');
  switch (r.operator) {
    case '!':
      return `!${r.key}`;
    case 'exists':
      return r.key;
    case 'in':
      return `${r.key} in (${vals()})`;
    case 'notin':
      return `${r.key} notin (${vals()})`;
    case 'gt':
      return `${r.key}>${vals()}`;
    case 'lt':
      return `${r.key}<${vals()}`;
    default:
      return `${r.key}${r.operator}${vals()}`;
  }
}

/** Selector.String: requirements joined by ",". Everything and Nothing both render as "". */
export function labelSelectorToString(sel: LabelSelector): string {
  if (sel.nothing) return '';
  return sel.requirements.map(labelRequirementToString).join(',');
}

/** True when the selector does not restrict anything (Selector.Empty). */
export function labelSelectorIsEmpty(sel: LabelSelector): boolean {
  return !sel.nothing && sel.requirements.length === 0;
}

const OBJECT_OPERATORS: Record<string, LabelSelectorOperator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * metav1.LabelSelectorAsSelector: nil → matches nothing, {} → matches everything.
 * Invalid keys, values or operators throw a 400 BadRequest with kube's wording.
 */
export function labelSelectorFromObject(sel: LabelSelectorObject | null | undefined): LabelSelector {
  if (sel === null || sel === undefined) return nothingLabelSelector;
  const matchLabels = sel.matchLabels ?? {};
  const exprs = sel.matchExpressions ?? [];
  const reqs: LabelRequirement[] = [];
  for (const k of Object.keys(matchLabels).sort(compareStrings)) {
    const { req, errors } = newRequirement(k, '=', [String(matchLabels[k])], null);
    if (errors.length) throw badRequest(aggregate(errors));
    reqs.push(req);
  }
  for (const e of exprs) {
    const op = Object.prototype.hasOwnProperty.call(OBJECT_OPERATORS, e.operator) ? OBJECT_OPERATORS[e.operator] : undefined;
    if (!op) throw badRequest(`${goQuote(String(e.operator))} is not a valid label selector operator`);
    const { req, errors } = newRequirement(e.key, op, [...(e.values ?? [])], null);
    if (errors.length) throw badRequest(aggregate(errors));
    reqs.push(req);
  }
  return { requirements: sortByKey(reqs) };
}

/** labels.SelectorFromSet: key=value for each entry (no validation). */
export function labelSelectorFromSet(set: Record<string, string> | undefined | null): LabelSelector {
  const keys = Object.keys(set ?? {}).sort(compareStrings);
  return { requirements: keys.map((k) => ({ key: k, operator: '=' as const, values: [(set ?? {})[k]] })) };
}

// ---------------------------------------------------------------------------------------------
// Field selectors
// ---------------------------------------------------------------------------------------------

export type FieldSelectorOperator = '=' | '==' | '!=';

export interface FieldRequirement {
  readonly field: string;
  readonly operator: FieldSelectorOperator;
  /** Unescaped value. */
  readonly value: string;
}

export interface FieldSelector {
  /** ANDed terms, in kube's order (sorted by the raw term text). Empty = everything. */
  readonly requirements: readonly FieldRequirement[];
}

const TERM_OPERATORS: FieldSelectorOperator[] = ['!=', '==', '='];

/** Split on commas that are not backslash-escaped (the backslash stays in the term). */
function splitTerms(s: string): string[] {
  if (s.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

function splitTerm(term: string): { lhs: string; op: FieldSelectorOperator; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of TERM_OPERATORS) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

/** fields.UnescapeValue: `\\`, `\,` and `\=` are the only escapes; bare `,` or `=` are errors. */
export function unescapeFieldValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c === '\\' || c === ',' || c === '=') {
        out += c;
        inSlash = false;
        continue;
      }
      throw badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
    }
    if (c === '\\') inSlash = true;
    // Go prints the rune with %v, i.e. its code point.
    else if (c === ',' || c === '=') throw badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (inSlash) throw badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** fields.EscapeValue. */
export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** fields.ParseSelector. Throws a 400 BadRequest with kube's message on malformed input. */
export function parseFieldSelector(s: string): FieldSelector {
  const parts = splitTerms(s).sort(compareStrings);
  const reqs: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const t = splitTerm(part);
    if (!t) throw badRequest(`invalid selector: '${s}'; can't understand '${part}'`);
    reqs.push({ field: t.lhs, operator: t.op, value: unescapeFieldValue(t.rhs) });
  }
  return { requirements: reqs };
}

/** Selector.Matches: a missing field reads as "". */
export function matchesFields(sel: FieldSelector, fields: Record<string, string>): boolean {
  for (const r of sel.requirements) {
    const v = Object.prototype.hasOwnProperty.call(fields, r.field) ? fields[r.field] : '';
    if (r.operator === '!=' ? v === r.value : v !== r.value) return false;
  }
  return true;
}

/** Selector.String (`==` is normalised to `=` as kube's hasTerm does). */
export function fieldSelectorToString(sel: FieldSelector): string {
  return sel.requirements.map((r) => `${r.field}${r.operator === '!=' ? '!=' : '='}${escapeFieldValue(r.value)}`).join(',');
}

/** The value a field selector requires for `field` (=, ==), if any (RequiresExactMatch). */
export function fieldSelectorExactMatch(sel: FieldSelector, field: string): string | undefined {
  for (const r of sel.requirements) if (r.field === field && r.operator !== '!=') return r.value;
  return undefined;
}

/**
 * How kube words an unsupported field label:
 * - 'notSupported': kinds with their own conversion func and custom resources → `field label not supported: spec.foo`
 * - 'notKnown': kinds using runtime.DefaultMetaV1FieldSelectorConversion →
 *   `"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"`
 */
export type FieldLabelErrorStyle = 'notSupported' | 'notKnown';

export interface FieldSelectorRules {
  /** Every accepted field label. */
  readonly fields: readonly string[];
  readonly style: FieldLabelErrorStyle;
}

/** Field labels of the built-in kinds Slipway serves, from k8s.io/kubernetes/pkg/apis/core/v1/conversion.go. */
const BUILTIN_FIELD_RULES: Record<string, FieldSelectorRules> = {
  '/Node': { fields: ['metadata.name', 'spec.unschedulable'], style: 'notSupported' },
  '/Pod': {
    fields: [
      'metadata.name',
      'metadata.namespace',
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'spec.serviceAccountName',
      'spec.hostNetwork',
      'status.phase',
      'status.podIP',
      'status.nominatedNodeName',
    ],
    style: 'notSupported',
  },
  '/Namespace': { fields: ['status.phase', 'metadata.name'], style: 'notSupported' },
  '/Secret': { fields: ['type', 'metadata.namespace', 'metadata.name'], style: 'notSupported' },
  '/Event': {
    fields: [
      'involvedObject.kind',
      'involvedObject.namespace',
      'involvedObject.name',
      'involvedObject.uid',
      'involvedObject.apiVersion',
      'involvedObject.resourceVersion',
      'involvedObject.fieldPath',
      'reason',
      'reportingComponent',
      'source',
      'type',
      'metadata.namespace',
      'metadata.name',
    ],
    style: 'notSupported',
  },
};

const DEFAULT_FIELD_RULES: FieldSelectorRules = { fields: ['metadata.name', 'metadata.namespace'], style: 'notKnown' };

/**
 * The field labels kube-apiserver accepts for a resource.
 * Built-ins: the kind's registered conversion (Namespace, Secret, Event) or the metav1 default
 * (metadata.name, metadata.namespace). Custom resources: metadata.name, metadata.namespace only when
 * namespaced, plus the CRD's selectableFields (pass them as extraFields, without the leading dot).
 */
export function fieldSelectorRulesFor(
  res: { group: string; kind: string; namespaced: boolean; builtin: boolean },
  extraFields: readonly string[] = [],
): FieldSelectorRules {
  if (res.builtin) {
    const base = BUILTIN_FIELD_RULES[`${res.group}/${res.kind}`] ?? DEFAULT_FIELD_RULES;
    return extraFields.length ? { fields: [...base.fields, ...extraFields], style: base.style } : base;
  }
  const fields = res.namespaced ? ['metadata.name', 'metadata.namespace'] : ['metadata.name'];
  return { fields: [...fields, ...extraFields.map(stripDot)], style: 'notSupported' };
}

const stripDot = (p: string): string => (p.startsWith('.') ? p.slice(1) : p);

/**
 * Reject field labels the resource does not support (400 BadRequest, first offending term in order).
 * `allowed` is either full rules, or a list of extra fields on top of metadata.name and metadata.namespace.
 */
export function fieldSelectorAllowedFields(sel: FieldSelector, allowed: FieldSelectorRules | readonly string[] = []): void {
  const rules: FieldSelectorRules = isRules(allowed) ? allowed : { fields: ['metadata.name', 'metadata.namespace', ...allowed], style: 'notSupported' };
  const ok = new Set(rules.fields);
  for (const r of sel.requirements) {
    if (ok.has(r.field)) continue;
    if (rules.style === 'notKnown') throw badRequest(`"${r.field}" is not a known field selector: only "metadata.name", "metadata.namespace"`);
    throw badRequest(`field label not supported: ${r.field}`);
  }
}

function isRules(a: FieldSelectorRules | readonly string[]): a is FieldSelectorRules {
  return !Array.isArray(a);
}

function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return '';
}

function dig(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/**
 * The field set an object exposes to field selectors (what kube's GetAttrs returns):
 * metadata.name, metadata.namespace (namespaced kinds), kind-specific fields for built-ins, and
 * any extra dotted paths (e.g. CRD selectableFields) read from the object and rendered as strings.
 */
export function objectFieldSet(
  res: { group: string; kind: string; namespaced: boolean },
  obj: { metadata?: { name?: string; namespace?: string } | undefined; [key: string]: unknown },
  extraFieldPaths: readonly string[] = [],
): Record<string, string> {
  const set: Record<string, string> = { 'metadata.name': obj.metadata?.name ?? '' };
  if (res.namespaced) set['metadata.namespace'] = obj.metadata?.namespace ?? '';
  if (res.group === '') {
    if (res.kind === 'Namespace') set['status.phase'] = str(dig(obj, 'status.phase'));
    else if (res.kind === 'Secret') set['type'] = str(obj['type']);
    else if (res.kind === 'Node') set['spec.unschedulable'] = String(dig(obj, 'spec.unschedulable') === true);
    else if (res.kind === 'Pod') {
      for (const f of ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'status.phase', 'status.podIP', 'status.nominatedNodeName']) set[f] = str(dig(obj, f));
      set['spec.hostNetwork'] = String(dig(obj, 'spec.hostNetwork') === true);
    }
    else if (res.kind === 'Event') {
      for (const f of ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath']) set[`involvedObject.${f}`] = str(dig(obj, `involvedObject.${f}`));
      set['reason'] = str(obj['reason']);
      set['type'] = str(obj['type']);
      set['reportingComponent'] = str(obj['reportingComponent']);
      set['source'] = str(dig(obj, 'source.component')) || str(obj['reportingComponent']);
    }
  }
  for (const p of extraFieldPaths) {
    const key = stripDot(p);
    set[key] = str(dig(obj, key));
  }
  return set;
}

/** Narrow an unknown error to the 400 StatusError these helpers throw. */
export function isSelectorError(e: unknown): e is StatusError {
  return e instanceof StatusError && e.code === 400;
}
