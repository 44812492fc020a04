/** Name and metadata validation with kube-apiserver's rules and wording. */
import { fieldError, type StatusCause } from './errors.js';
import type { ObjectMeta } from './types.js';

// Name rules of k8s.io/apimachinery/pkg/util/validation, with its wording.

const QNAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QNAME_RE = new RegExp(`^${QNAME_FMT}$`);
const QNAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT = `(${QNAME_FMT})?`;
const LABEL_VALUE_RE = new RegExp(`^${LABEL_VALUE_FMT}$`);
const LABEL_VALUE_MSG = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const DNS1123_SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  // kube renders each example as "'x', " joined by " or ", which yields the familiar double space.
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;
}

const byteLen = (s: string): number => Buffer.byteLength(s, 'utf8');

/** validation.IsQualifiedName: label keys, annotation keys. Returns the problems (empty when valid). */
export function qualifiedNameErrors(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else for (const m of dns1123SubdomainErrors(prefix)) errs.push(`prefix part ${m}`);
  } else {
    return [`a qualified name ${regexError(QNAME_MSG, QNAME_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (byteLen(name) > 63) errs.push('name part must be no more than 63 characters');
  if (!QNAME_RE.test(name)) errs.push(`name part ${regexError(QNAME_MSG, QNAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

/** validation.IsDNS1123Subdomain. */
export function dns1123SubdomainErrors(value: string): string[] {
  const errs: string[] = [];
  if (byteLen(value) > 253) errs.push('must be no more than 253 characters');
  if (!DNS1123_SUBDOMAIN_RE.test(value)) errs.push(regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, 'example.com'));
  return errs;
}

/** validation.IsValidLabelValue. */
export function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (byteLen(value) > 63) errs.push('must be no more than 63 characters');
  if (!LABEL_VALUE_RE.test(value)) errs.push(regexError(LABEL_VALUE_MSG, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  return errs;
}

const DNS1123_LABEL_RE = new RegExp(`^${DNS1123_LABEL_FMT}$`);
const DNS1123_LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";

/** validation.IsDNS1123Label. */
export function dns1123LabelErrors(value: string): string[] {
  const errs: string[] = [];
  if (byteLen(value) > 63) errs.push('must be no more than 63 characters');
  if (!DNS1123_LABEL_RE.test(value)) errs.push(regexError(DNS1123_LABEL_MSG, DNS1123_LABEL_FMT, 'my-name', '123-abc'));
  return errs;
}

/** path.ValidatePathSegmentName: names of kinds without a stricter rule. */
export function pathSegmentErrors(name: string): string[] {
  const errs: string[] = [];
  if (name === '.' || name === '..') errs.push(`may not be '${name}'`);
  for (const c of ['/', '%']) if (name.includes(c)) errs.push(`may not contain '${c}'`);
  return errs;
}

export type NameRule = 'subdomain' | 'label' | 'path';

/** Validates metadata fields that every object shares. */
export function validateObjectMeta(meta: ObjectMeta, opts: { namespaced: boolean; nameRule: NameRule }): StatusCause[] {
  const causes: StatusCause[] = [];
  const name = meta.name;
  if (!name) {
    causes.push(fieldError.required('metadata.name', 'name or generateName is required'));
  } else {
    const errs = opts.nameRule === 'label' ? dns1123LabelErrors(name) : opts.nameRule === 'subdomain' ? dns1123SubdomainErrors(name) : pathSegmentErrors(name);
    for (const e of errs) causes.push(fieldError.invalid('metadata.name', name, e));
  }
  if (meta.labels !== undefined) {
    if (typeof meta.labels !== 'object' || meta.labels === null || Array.isArray(meta.labels)) causes.push(fieldError.typeInvalid('metadata.labels', meta.labels, 'must be a map of strings'));
    else
      for (const [k, v] of Object.entries(meta.labels)) {
        for (const e of qualifiedNameErrors(k)) causes.push(fieldError.invalid('metadata.labels', k, e));
        if (typeof v !== 'string') causes.push(fieldError.typeInvalid(`metadata.labels.${k}`, v, 'must be a string'));
        else for (const e of labelValueErrors(v)) causes.push(fieldError.invalid('metadata.labels', v, e));
      }
  }
  if (meta.annotations !== undefined) {
    if (typeof meta.annotations !== 'object' || meta.annotations === null || Array.isArray(meta.annotations)) causes.push(fieldError.typeInvalid('metadata.annotations', meta.annotations, 'must be a map of strings'));
    else {
      let total = 0;
      for (const [k, v] of Object.entries(meta.annotations)) {
        for (const e of qualifiedNameErrors(k.toLowerCase())) causes.push(fieldError.invalid('metadata.annotations', k, e));
        if (typeof v !== 'string') causes.push(fieldError.typeInvalid(`metadata.annotations.${k}`, v, 'must be a string'));
        else total += k.length + v.length;
      }
      if (total > 256 * 1024) causes.push(fieldError.tooLong('metadata.annotations', 256 * 1024));
    }
  }
  if (meta.finalizers !== undefined) {
    if (!Array.isArray(meta.finalizers)) causes.push(fieldError.typeInvalid('metadata.finalizers', meta.finalizers, 'must be a list of strings'));
    else
      meta.finalizers.forEach((f, i) => {
        if (typeof f !== 'string') causes.push(fieldError.typeInvalid(`metadata.finalizers[${i}]`, f, 'must be a string'));
        else for (const e of qualifiedNameErrors(f)) causes.push(fieldError.invalid(`metadata.finalizers[${i}]`, f, e));
      });
  }
  if (meta.ownerReferences !== undefined) {
    if (!Array.isArray(meta.ownerReferences)) causes.push(fieldError.typeInvalid('metadata.ownerReferences', meta.ownerReferences, 'must be a list'));
    else {
      let controllers = 0;
      meta.ownerReferences.forEach((r, i) => {
        const p = `metadata.ownerReferences[${i}]`;
        if (!r || typeof r !== 'object') return causes.push(fieldError.typeInvalid(p, r, 'must be an object'));
        if (!r.apiVersion) causes.push(fieldError.invalid(`${p}.apiVersion`, r.apiVersion ?? '', 'version must not be empty'));
        if (!r.kind) causes.push(fieldError.invalid(`${p}.kind`, r.kind ?? '', 'kind must not be empty'));
        if (!r.name) causes.push(fieldError.invalid(`${p}.name`, r.name ?? '', 'name must not be empty'));
        if (!r.uid) causes.push(fieldError.invalid(`${p}.uid`, r.uid ?? '', 'uid must not be empty'));
        if (r.controller) controllers++;
        return undefined;
      });
      if (controllers > 1) causes.push(fieldError.invalid('metadata.ownerReferences', meta.ownerReferences.map((r) => r.name), 'Only one reference can have Controller set to true'));
    }
  }
  return causes;
}
