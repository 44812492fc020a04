/** Behaviour of the built-in kinds beyond their schemas (kube-apiserver's per-kind strategies). */
import { fieldError, type StatusCause } from '../apimachinery/errors.js';
import { isPlainObject, type KubeObject } from '../apimachinery/types.js';
import type { KindStrategy } from './strategy.js';

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function validateConfigKeys(obj: KubeObject, fields: string[]): StatusCause[] {
  const causes: StatusCause[] = [];
  const seen = new Set<string>();
  for (const f of fields) {
    const m = obj[f];
    if (m === undefined || m === null) continue;
    if (!isPlainObject(m)) continue;
    for (const k of Object.keys(m)) {
      if (k.length > 253 || !CONFIG_KEY.test(k)) causes.push(fieldError.invalid(`${f}`, k, "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"));
      if (seen.has(k)) causes.push(fieldError.invalid(`${f}`, k, 'duplicate of key present in another data field'));
      seen.add(k);
    }
  }
  return causes;
}

function immutableData(obj: KubeObject, old: KubeObject | undefined, fields: string[]): StatusCause[] {
  if (!old || old.immutable !== true) return [];
  const causes: StatusCause[] = [];
  if (obj.immutable !== true) causes.push(fieldError.forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const f of fields) if (JSON.stringify(obj[f] ?? null) !== JSON.stringify(old[f] ?? null)) causes.push(fieldError.forbidden(f, 'field is immutable when `immutable` is set'));
  return causes;
}

export const configMapStrategy: KindStrategy = {
  validate(obj, old) {
    return [...validateConfigKeys(obj, ['data', 'binaryData']), ...immutableData(obj, old, ['data', 'binaryData'])];
  },
};

function mergeStringData(obj: KubeObject): void {
  const sd = obj.stringData;
  if (isPlainObject(sd)) {
    const data = isPlainObject(obj.data) ? (obj.data as Record<string, unknown>) : {};
    for (const [k, v] of Object.entries(sd)) if (typeof v === 'string') data[k] = Buffer.from(v, 'utf8').toString('base64');
    obj.data = data;
  }
  delete obj.stringData;
}

export const secretStrategy: KindStrategy = {
  prepareForCreate(obj) {
    mergeStringData(obj);
    if (obj.type === undefined || obj.type === '') obj.type = 'Opaque';
  },
  prepareForUpdate(obj, old) {
    mergeStringData(obj);
    if (obj.type === undefined || obj.type === '') obj.type = old.type ?? 'Opaque';
  },
  validate(obj, old) {
    const causes = validateConfigKeys(obj, ['data']);
    if (isPlainObject(obj.data)) {
      for (const [k, v] of Object.entries(obj.data)) {
        if (typeof v === 'string' && !BASE64.test(v)) causes.push(fieldError.invalid(`data[${k}]`, '<secret contents redacted>', 'must be base64-encoded'));
      }
    }
    causes.push(...secretTypeCauses(obj));
    if (old && old.type !== obj.type) causes.push(fieldError.invalid('type', obj.type, 'field is immutable'));
    causes.push(...immutableData(obj, old, ['data']));
    return causes;
  },
};

/** The keys each well-known Secret type must carry, as kube-apiserver's ValidateSecret checks them. */
export function secretTypeCauses(obj: KubeObject): StatusCause[] {
  const data = isPlainObject(obj.data) ? (obj.data as Record<string, unknown>) : {};
  const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(data, k);
  const decoded = (k: string): string => (typeof data[k] === 'string' ? Buffer.from(data[k] as string, 'base64').toString('utf8') : '');
  const causes: StatusCause[] = [];
  switch (obj.type) {
    case 'kubernetes.io/service-account-token': {
      // The uid annotation and the token are filled in later by the tokens controller.
      const name = obj.metadata?.annotations?.['kubernetes.io/service-account.name'];
      if (!name) causes.push(fieldError.required('metadata.annotations[kubernetes.io/service-account.name]'));
      break;
    }
    case 'kubernetes.io/dockercfg':
    case 'kubernetes.io/dockerconfigjson': {
      const key = obj.type === 'kubernetes.io/dockercfg' ? '.dockercfg' : '.dockerconfigjson';
      if (!has(key)) {
        causes.push(fieldError.required(`data[${key}]`));
        break;
      }
      try {
        const parsed: unknown = JSON.parse(decoded(key));
        if (!isPlainObject(parsed)) throw new Error('not a JSON object');
      } catch (e) {
        causes.push(fieldError.invalid(`data[${key}]`, '<secret contents redacted>', (e as Error).message));
      }
      break;
    }
    case 'kubernetes.io/basic-auth':
      // Either may be empty, but one of them must be there.
      if (!has('username') && !has('password')) causes.push(fieldError.required('data[username]'), fieldError.required('data[password]'));
      break;
    case 'kubernetes.io/ssh-auth':
      if (!decoded('ssh-privatekey')) causes.push(fieldError.required('data[ssh-privatekey]'));
      break;
    case 'kubernetes.io/tls':
      if (!has('tls.crt')) causes.push(fieldError.required('data[tls.crt]'));
      if (!has('tls.key')) causes.push(fieldError.required('data[tls.key]'));
      break;
  }
  return causes;
}

interface NamespaceLike extends KubeObject {
  spec?: { finalizers?: string[] };
  status?: { phase?: string; conditions?: unknown[] };
}

export const namespaceStrategy: KindStrategy = {
  nameRule: 'label',
  prepareForCreate(obj) {
    const ns = obj as NamespaceLike;
    const spec = (ns.spec ??= {});
    if (!spec.finalizers || !spec.finalizers.includes('kubernetes')) spec.finalizers = [...(spec.finalizers ?? []), 'kubernetes'];
    ns.status = { phase: 'Active' };
    const labels = (ns.metadata!.labels ??= {});
    labels['kubernetes.io/metadata.name'] = ns.metadata!.name!;
  },
  prepareForUpdate(obj, old) {
    const ns = obj as NamespaceLike;
    ns.spec = { ...(ns.spec ?? {}), finalizers: (old as NamespaceLike).spec?.finalizers };
    if (ns.spec.finalizers === undefined) delete ns.spec.finalizers;
    const labels = (ns.metadata!.labels ??= {});
    labels['kubernetes.io/metadata.name'] = ns.metadata!.name!;
  },
  prepareForDelete(obj) {
    const ns = obj as NamespaceLike;
    ns.status = { ...(ns.status ?? {}), phase: 'Terminating' };
  },
  holdsDeletion(obj) {
    return ((obj as NamespaceLike).spec?.finalizers?.length ?? 0) > 0;
  },
};

export const eventStrategy: KindStrategy = { nameRule: 'path' };

export const leaseStrategy: KindStrategy = {};
export const serviceAccountStrategy: KindStrategy = {};
