/** Name and metadata validation with kube-apiserver's rules and wording. */
import { fieldError, type StatusCause } from './errors.js';
import type { ObjectMeta } from './types.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function dns1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push('must be no more than 253 characters');
  if (!DNS1123_SUBDOMAIN.test(value)) {
    errs.push("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
  }
  return errs;
}

export function dns1123Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 characters');
  if (!DNS1123_LABEL.test(value)) {
    errs.push("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
  }
  return errs;
}

/** A qualified name such as `app.kubernetes.io/name` (label and annotation keys). */
export function qualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name = value;
  if (parts.length > 2) {
    return ["a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"];
  }
  if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else for (const e of dns1123Subdomain(prefix)) errs.push(`prefix part ${e}`);
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push('name part must be no more than 63 characters');
  if (name.length > 0 && !QUALIFIED_NAME.test(name)) {
    errs.push("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
  }
  return errs;
}

export function labelValue(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 characters');
  if (!LABEL_VALUE.test(value)) {
    errs.push("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
  }
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
    const errs = opts.nameRule === 'label' ? dns1123Label(name) : opts.nameRule === 'subdomain' ? dns1123Subdomain(name) : pathSegmentName(name);
    for (const e of errs) causes.push(fieldError.invalid('metadata.name', name, e));
  }
  if (meta.labels !== undefined) {
    if (typeof meta.labels !== 'object' || meta.labels === null || Array.isArray(meta.labels)) causes.push(fieldError.typeInvalid('metadata.labels', meta.labels, 'must be a map of strings'));
    else
      for (const [k, v] of Object.entries(meta.labels)) {
        for (const e of qualifiedName(k)) causes.push(fieldError.invalid('metadata.labels', k, e));
        if (typeof v !== 'string') causes.push(fieldError.typeInvalid(`metadata.labels.${k}`, v, 'must be a string'));
        else for (const e of labelValue(v)) causes.push(fieldError.invalid('metadata.labels', v, e));
      }
  }
  if (meta.annotations !== undefined) {
    if (typeof meta.annotations !== 'object' || meta.annotations === null || Array.isArray(meta.annotations)) causes.push(fieldError.typeInvalid('metadata.annotations', meta.annotations, 'must be a map of strings'));
    else {
      let total = 0;
      for (const [k, v] of Object.entries(meta.annotations)) {
        for (const e of qualifiedName(k.toLowerCase())) causes.push(fieldError.invalid('metadata.annotations', k, e));
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
        else for (const e of qualifiedName(f)) causes.push(fieldError.invalid(`metadata.finalizers[${i}]`, f, e));
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

function pathSegmentName(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  if (name.includes('/')) return [`may not contain '/'`];
  if (name.includes('%')) return [`may not contain '%'`];
  return [];
}
